#!/usr/bin/env bash
# The history's costs on the benchmark auth.log (bench/run.sh makes it): the first full ingest
# next to `summary` on the same file, a run after 1 % more data, the store's size, and queries
# over the store. Medians of RUNS runs (hyperfine when installed). See bench/README.md.
#
#   bench/history.sh                    # SIZE=200M, RUNS=5
#   SIZE=20M RUNS=3 bench/history.sh
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
SIZE=${SIZE:-200M}
RUNS=${RUNS:-5}
OUT=bench/out/history
mkdir -p "$OUT"
# shellcheck source=bench/lib.sh
. bench/lib.sh
BYTES=$(stat -c %s "$AUTH")
LINES=$(wc -l <"$AUTH")

# The same log cut at 99 %: the base of the incremental run, and the 1 % that follows.
# Each timed run starts after `sync`, so the kernel writing back the copies made to prepare
# it is not counted as the ingest's time.
BASE_LINES=$((LINES * 99 / 100))
head -n "$BASE_LINES" "$AUTH" >"$OUT/base.log"
tail -n +"$((BASE_LINES + 1))" "$AUTH" >"$OUT/more.log"
rm -f "$OUT"/base.db*
"$LOGMAP" ingest -q --keep-events forever --db "$OUT/base.db" "$OUT/base.log" || exit 2
sqlite3 "$OUT/base.db" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null 2>&1 || true

median() { # CMD [PREPARE]: the median seconds of RUNS runs
    local cmd=$1 prep=${2:-true}
    if command -v hyperfine >/dev/null; then
        hyperfine --shell=bash --runs "$RUNS" --prepare "$prep" --export-json "$OUT/h.json" "$cmd" >/dev/null 2>&1 || { echo NaN; return; }
        grep -m1 '"median"' "$OUT/h.json" | sed 's/.*: *//; s/,//'
    else
        local i s e t=()
        for ((i = 0; i < RUNS; i++)); do
            bash -c "$prep" >/dev/null 2>&1
            s=$(date +%s%N); bash -c "$cmd" >/dev/null 2>&1; e=$(date +%s%N)
            t+=("$(( e - s ))")
        done
        printf '%s\n' "${t[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.4f\n", a[int((NR+1)/2)]/1e9}'
    fi
}
peak() { /usr/bin/time -f %M bash -c "$1" 2>&1 >/dev/null | tail -n1 | awk '{printf "%.1f", $1/1024}'; }

say "== summary (the reference)"
T_SUM=$(median "'$LOGMAP' summary --json '$AUTH' > /dev/null")
say "== first full ingest (a new store each run)"
T_FULL=$(median "'$LOGMAP' ingest -q --keep-events forever --db '$OUT/full.db' '$AUTH'" "rm -f '$OUT'/full.db*; sync")
M_FULL=$(peak "rm -f '$OUT'/full.db*; '$LOGMAP' ingest -q --keep-events forever --db '$OUT/full.db' '$AUTH'")
sqlite3 "$OUT/full.db" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null 2>&1 || true
DB_BYTES=$(stat -c %s "$OUT/full.db")
EVENTS=$("$LOGMAP" db info --db "$OUT/full.db" | awk '/raw events kept/ {gsub(/,/, "", $1); print $1}')
say "== ingest after 1 % more data (the 99 % store and log copied fresh each run)"
T_INC=$(median "'$LOGMAP' ingest -q --keep-events forever --db '$OUT/inc.db' '$OUT/inc.log'" \
    "rm -f '$OUT'/inc.db*; cp '$OUT/base.db' '$OUT/inc.db'; cp '$OUT/base.log' '$OUT/inc.log'; touch -r '$OUT/base.log' '$OUT/inc.log'; cat '$OUT/more.log' >> '$OUT/inc.log'; sync")
say "== queries over the store"
T_Q1=$(median "'$LOGMAP' summary --db '$OUT/full.db' > /dev/null")
T_Q2=$(median "'$LOGMAP' export --db '$OUT/full.db' --country CN --sort failures --limit 100 > /dev/null")
T_Q3=$(median "'$LOGMAP' export --db '$OUT/full.db' --format json > /dev/null")

echo
echo "logmap history benchmark — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), runs=$RUNS"
echo "log: $AUTH ($BYTES bytes, $LINES lines); $($LOGMAP --version)"
awk -v s="$T_SUM" -v f="$T_FULL" -v i="$T_INC" -v b="$BYTES" -v db="$DB_BYTES" -v ev="$EVENTS" -v m="$M_FULL" \
    -v q1="$T_Q1" -v q2="$T_Q2" -v q3="$T_Q3" 'BEGIN {
    printf "summary (files)                 %8.3f s  %7.1f MB/s\n", s, b / 1e6 / s
    printf "ingest, first full run          %8.3f s  %7.1f MB/s  %9.0f events/s  peak %s MiB\n", f, b / 1e6 / f, ev / f, m
    printf "ingest after 1 %% more data      %8.3f s  (%.1f %% of the full run)\n", i, 100 * i / f
    printf "store size                      %8.1f MB (%.1f %% of the log; %.1f bytes an event)\n", db / 1e6, 100 * db / b, db / ev
    printf "summary --db                    %8.3f s\n", q1
    printf "export --db --country CN --sort failures --limit 100  %8.3f s\n", q2
    printf "export --db (every address)     %8.3f s\n", q3
    printf "\n"
    printf "goal  first ingest >= 1/3 of summary speed: %.2f (%s)\n", s / f, (s / f >= 1/3 ? "PASS" : "FAIL")
    printf "goal  1 %% more data <= 5 %% of the first run: %.1f %% (%s)\n", 100 * i / f, (i / f <= 0.05 ? "PASS" : "FAIL")
    printf "goal  store <= 50 %% of the log: %.1f %% (%s)\n", 100 * db / b, (db / b <= 0.5 ? "PASS" : "FAIL")
    printf "goal  queries < 1 s: %s\n", (q1 < 1 && q2 < 1 ? "PASS" : "FAIL")
}'
