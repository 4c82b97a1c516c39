#!/usr/bin/env bash
# Smoke run of every fuzz target: build them (nightly, cargo fuzz), then fuzz each for a few
# seconds starting from its seeds (fuzz/corpus-seed/T) and its saved crashes
# (fuzz/regressions/T). Fails if any target crashes; the input is left in fuzz/artifacts/T/.
# Run from anywhere:  bash fuzz/smoke.sh        (FUZZ_SECS=N for another duration)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${FUZZ_SECS:-5}

if ! rustup toolchain list | grep -q '^nightly'; then
  echo "fuzz: the nightly toolchain is not installed (rustup toolchain install nightly)" >&2
  exit 1
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "== cargo install cargo-fuzz"
  cargo install cargo-fuzz --locked
fi

start=$(date +%s)
# Release build with debug assertions and overflow checks (cargo fuzz's default); no sanitizer:
# logmap's only unsafe code sets a signal disposition at start-up, and ASan slows every run
# down. 16 codegen
# units: the cold build took 4.5 instead of 5.3 minutes on the shared machine (CI builds cold).
cargo +nightly fuzz build -s none --codegen-units 16
host=$(rustc +nightly -vV | sed -n 's/^host: //p')
bin=fuzz/target/$host/release
echo "fuzz: built in $(($(date +%s) - start)) s"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
for t in $(cargo +nightly fuzz list); do
  mkdir -p "$work/$t" "fuzz/artifacts/$t"
  inputs=("fuzz/corpus-seed/$t")
  [ -d "fuzz/regressions/$t" ] && inputs+=("fuzz/regressions/$t")
  if "$bin/$t" "$work/$t" "${inputs[@]}" -max_total_time="$secs" -timeout=10 \
      -artifact_prefix="fuzz/artifacts/$t/" >"$work/$t.log" 2>&1; then
    echo "fuzz $t: ok, $(grep -oE '^#[0-9]+' "$work/$t.log" | tail -1 | tr -d '#') runs"
    passed=$((passed + 1))
  else
    echo "fuzz $t: FAILED"
    grep -E -A30 'panicked|ERROR|Test unit written|Base64' "$work/$t.log" | head -60
    failed=$((failed + 1))
  fi
done
echo "fuzz: $(($(date +%s) - start)) s in all"
echo "fuzz smoke: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
