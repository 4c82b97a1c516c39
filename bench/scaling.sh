#!/usr/bin/env bash
# The scaling curve: logmap summary and export on generated auth.logs of several sizes, with
# 1, 2, … threads (the hidden knob LOGMAP_THREADS), in one run.
#
#   bench/scaling.sh                          # 100M 200M 400M, threads 1 2
#   SIZES="100M 200M" THREADS="1 2 4" RUNS=3 bench/scaling.sh
#   LOGMAP=/path/to/logmap bench/scaling.sh   # time another build
#
# Prints, per command, size and thread count: the median wall time of RUNS runs (hyperfine,
# one warm-up), CPU time (user+sys), MB/s, peak RSS, and the speed-up over one thread on the
# same file. Work proportional to input shows as a constant MB/s along the sizes for one
# thread count; the cores' use as the speed-up. Raw data: bench/out/scaling.tsv.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
SIZES=${SIZES:-100M 200M 400M}
THREADS=${THREADS:-1 2}
RUNS=${RUNS:-5}
SEED=${SEED:-1}
DATA=bench/data
OUT=bench/out
TARGET=${CARGO_TARGET_DIR:-target}
mkdir -p "$DATA" "$OUT"
say() { printf '%s\n' "$*" >&2; }
command -v hyperfine >/dev/null || { say "needs hyperfine (Debian: hyperfine)"; exit 2; }

cargo build --release --quiet --example genlog || { say "cannot build the generator"; exit 2; }
if [ -z "${LOGMAP:-}" ]; then
    cargo build --release --quiet --bin logmap || { say "cannot build logmap"; exit 2; }
    LOGMAP=$TARGET/release/logmap
fi
LOGMAP=$(realpath "$LOGMAP")
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

TSV=$OUT/scaling.tsv
: >"$TSV"
for size in $SIZES; do
    log=$DATA/auth-$size-s$SEED.log
    if [ ! -s "$log" ] || [ "$TARGET/release/examples/genlog" -nt "$log" ]; then
        say "== generating $log"
        "$TARGET/release/examples/genlog" --kind auth --size "$size" --seed "$SEED" --out "$log.tmp" \
            && mv "$log.tmp" "$log" || { say "generator failed"; exit 2; }
    fi
    bytes=$(stat -c %s "$log")
    for cmd in summary export; do
        case $cmd in
            summary) run="'$LOGMAP' summary '$log' --json > '$OUT/scaling.json'" ;;
            export) run="'$LOGMAP' export '$log' --format json -o '$OUT/scaling.json'" ;;
        esac
        for t in $THREADS; do
            say "== $cmd $size, $t thread(s)"
            json=$OUT/scaling-$cmd-$size-$t.json
            LOGMAP_THREADS=$t hyperfine --shell=bash --warmup 1 --runs "$RUNS" --style none \
                --export-json "$json" "$run" >/dev/null 2>&1 || { say "failed: $run"; continue; }
            med=$(grep -m1 '"median"' "$json" | sed 's/.*: *//; s/,//')
            cpu=$(awk -F': *' '/"user"|"system"/ {gsub(/,/, "", $2); t += $2} END {printf "%.3f", t}' "$json")
            rss=$( { LOGMAP_THREADS=$t /usr/bin/time -f %M bash -c "$run" >/dev/null; } 2>&1 | tail -n1)
            printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$cmd" "$size" "$bytes" "$t" "$med" "$cpu" "$((rss / 1024))" >>"$TSV"
        done
    done
done

echo "logmap scaling — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, runs=$RUNS (hyperfine, median), LOGMAP_THREADS=$THREADS"
echo "logmap: $LOGMAP"
echo "load average (1/5/15 min): $LOAD_BEFORE at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
echo
awk -F'\t' '
    BEGIN { printf "%-8s %6s %8s %10s %9s %9s %9s %9s\n", "command", "size", "threads", "median s", "cpu s", "MB/s", "RSS MiB", "speed-up"
            printf "%-8s %6s %8s %10s %9s %9s %9s %9s\n", "-------", "----", "-------", "--------", "-----", "----", "-------", "--------" }
    { key = $1 "/" $2; if (!(key in one)) one[key] = $5
      printf "%-8s %6s %8s %10.3f %9.3f %9.0f %9s %9.2f\n", $1, $2, $4, $5, $6, $3 / 1e6 / $5, $7, one[key] / $5 }' "$TSV"
