#!/usr/bin/env bash
# Load on `logmap serve`, loopback only, bounded in time: CLIENTS stream clients (default 200)
# while RATE attack lines a second (default 1000) are appended to a followed log for SECS seconds
# (default 30). Prints the latency from append to stream message (p50/p99), the server's peak
# memory, and checks that the history stored every line once. Exit 1 if a goal is missed.
#
#   bench/serve-load.sh                 # 200 clients, 1000 lines/s, 30 s
#   CLIENTS=50 RATE=200 SECS=5 bench/serve-load.sh
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=${CARGO_TARGET_DIR:-target}
cargo build --release --quiet --bin logmap --example serve_load
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$TARGET/release/examples/serve_load" "$TARGET/release/logmap" "$work" \
    "${CLIENTS:-200}" "${RATE:-1000}" "${SECS:-30}"
