#!/usr/bin/env bash
# The 100,000-address map: page size and time to first render in headless Chromium.
#
#   bench/map.sh [N]      (default N = 100000)
#
# Generates N synthetic addresses over 30 days (tests/browser.rs: synthetic), renders the
# page with write_map (release build), opens it from file:// in /usr/bin/chromium and
# reports: export JSON size, page size, write_map time, and the time from navigation to the
# page's ready signal (data parsed, basemap drawn, clusters built). The page is kept in
# bench/out/map-N.html to open by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
export LOGMAP_BENCH_IPS="${1:-100000}"
export LOGMAP_BENCH_OUT="$PWD/bench/out"
cargo test --release --test browser -- --ignored --exact bench_map_100k --nocapture 2>&1 \
  | grep -E '^(addresses|test result|thread|  left|  right)' || true
