#!/usr/bin/env bash
# The map at 100,000 and 1,000,000 distinct addresses: page size, build time and peak memory
# of `logmap map`, and the time to first paint with clusters in headless Chromium.
#
#   bench/map.sh [N …]        (default: 100000 1000000)
#
# Environment: RUNS (browser runs per page, default 3; the median is reported), FIXTURE=0 to
# skip the fixture bench (the 100,000-address synthetic document of tests/browser.rs, rendered
# with write_map, as measured before the compact page).
#
# For each N, examples/genaddrs writes bench/data/addrs-N.log (an sshd log in which N distinct
# public addresses each appear in one short burst over 30 days), `logmap map` turns it into
# bench/out/map-N.html under /usr/bin/time (wall seconds, peak RSS), and web/test/paint.mjs
# opens the page from file:// in /usr/bin/chromium RUNS times: navigation start → the page's
# ready signal (columns decoded, basemap and clusters drawn) → one more animation frame.
# Goals (issue 10): 1M addresses ≤ 60 MB, painted ≤ 10 s, built with ≤ 400 MiB.
# The machine is shared: the load average is printed before and after.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(100000 1000000)
mkdir -p bench/data bench/out
cargo build --release --quiet --bin logmap --example genaddrs
TARGET=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
LOGMAP=$TARGET/release/logmap
echo "map benchmark — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-10s %10s %9s %9s %10s %12s %s\n' addresses "log MB" "page MB" "build s" "peak MiB" "paint ms" "(runs; drawn)"
status=0
for n in "${SIZES[@]}"; do
    log=bench/data/addrs-$n.log
    [ -s "$log" ] || "$TARGET/release/examples/genaddrs" --addresses "$n" --out "$log" 2>/dev/null
    page=bench/out/map-$n.html
    stats=$( { /usr/bin/time -f '%e %M' "$LOGMAP" -q map "$log" -o "$page" >/dev/null; } 2>&1 | tail -n1)
    read -r wall kib <<<"$stats"
    paint=$(node web/test/paint.mjs "$page" "$RUNS")
    median=$(sed -n 's/.*"median":\([0-9]*\).*/\1/p' <<<"$paint")
    runs=$(sed -n 's/.*"runs":\[\([0-9,]*\)\].*/\1/p' <<<"$paint")
    drawn=$(sed -n 's/.*"drawn":{\([^}]*\)}.*/\1/p' <<<"$paint")
    logmb=$(awk -v b="$(stat -c %s "$log")" 'BEGIN { printf "%.1f", b / 1e6 }')
    pagemb=$(awk -v b="$(stat -c %s "$page")" 'BEGIN { printf "%.1f", b / 1e6 }')
    mib=$(awk -v k="$kib" 'BEGIN { printf "%.0f", k / 1024 }')
    printf '%-10s %10s %9s %9s %10s %12s %s\n' "$n" "$logmb" "$pagemb" "$wall" "$mib" "$median" "($runs; $drawn)"
    if [ "$n" = 1000000 ]; then
        awk -v mb="$pagemb" -v ms="$median" -v mib="$mib" 'BEGIN {
            printf "goal 1M: page %.1f MB <= 60: %s; paint %d ms <= 10000: %s; build peak %d MiB <= 400: %s\n",
                mb, (mb <= 60 ? "PASS" : "FAIL"), ms, (ms <= 10000 ? "PASS" : "FAIL"), mib, (mib <= 400 ? "PASS" : "FAIL")
            exit !(mb <= 60 && ms <= 10000 && mib <= 400) }' || status=1
    fi
done
if [ "${FIXTURE:-1}" != 0 ]; then
    echo "fixture (tests/browser.rs bench_map_100k: 100,000 synthetic addresses through write_map):"
    LOGMAP_BENCH_IPS=100000 LOGMAP_BENCH_OUT="$PWD/bench/out" \
        cargo test --release --quiet --test browser -- --ignored --exact bench_map_100k --nocapture 2>&1 \
        | grep -E '^(addresses|thread|  left|  right)' || true
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit $status
