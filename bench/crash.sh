#!/usr/bin/env bash
# Crash an ingest of the benchmark auth.log with `kill -9` at KILLS random points, let it run
# to the end, and check that the history holds exactly what a one-shot `export` of the same
# file counts: every address's events, failed and successful logins, kinds, users, first and
# last times, and the totals. Exit 1 on any difference. See bench/README.md.
#
#   bench/crash.sh                      # SIZE=200M, KILLS=5, SEED=$RANDOM
#   SIZE=20M KILLS=3 SEED=7 bench/crash.sh
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
SIZE=${SIZE:-200M}
KILLS=${KILLS:-5}
SEED=${SEED:-$RANDOM}
OUT=bench/out/crash
mkdir -p "$OUT"
# shellcheck source=bench/lib.sh
. bench/lib.sh
# Both sides read the file with the same year and zone (not the file's mtime or the machine's).
FLAGS=(--year 2026 --tz UTC)

say "== the reference: one export of $AUTH"
"$LOGMAP" export "${FLAGS[@]}" --format json -o "$OUT/want.json" "$AUTH" || exit 2

# How long an uninterrupted ingest takes, to spread the kills over it.
rm -f "$OUT"/h.db*
s=$(date +%s%N)
"$LOGMAP" ingest -q "${FLAGS[@]}" --keep-events forever --db "$OUT/h.db" "$AUTH" || exit 2
FULL_MS=$((($(date +%s%N) - s) / 1000000))
say "== an uninterrupted ingest takes $FULL_MS ms; now $KILLS kills (seed $SEED)"

rm -f "$OUT"/h.db*
RANDOM=$SEED
killed=0
for ((i = 1; i <= KILLS; i++)); do
    # Somewhere in the first 90 % of what is left of a full run (the first run has the most).
    delay_ms=$((100 + RANDOM * RANDOM % (FULL_MS * 9 / 10 + 1)))
    "$LOGMAP" ingest -q "${FLAGS[@]}" --keep-events forever --db "$OUT/h.db" "$AUTH" &
    pid=$!
    sleep "$(awk -v ms="$delay_ms" 'BEGIN {printf "%.3f", ms / 1000}')"
    if kill -9 "$pid" 2>/dev/null; then
        wait "$pid" 2>/dev/null
        killed=$((killed + 1))
        lines=$(sqlite3 "$OUT/h.db" 'SELECT COALESCE(SUM(line), 0) FROM sources' 2>/dev/null || echo '?')
        say "   kill $i at $delay_ms ms: $lines lines committed"
    else
        wait "$pid"
        say "   run $i finished before its kill at $delay_ms ms"
    fi
done
say "== the last run, to the end"
"$LOGMAP" ingest -q "${FLAGS[@]}" --keep-events forever --db "$OUT/h.db" "$AUTH" || exit 2
"$LOGMAP" export --format json --db "$OUT/h.db" -o "$OUT/got.json" || exit 2

python3 - "$OUT/want.json" "$OUT/got.json" "$killed" <<'EOF'
import json, sys

want, got = (json.load(open(p)) for p in sys.argv[1:3])
killed = int(sys.argv[3])
FIELDS = ("events", "failures", "successes", "kinds", "users", "first_seen", "last_seen")

def per_ip(doc):
    return {r["ip"]: tuple(json.dumps(r.get(k), sort_keys=True) for k in FIELDS) for r in doc["ips"]}

w, g = per_ip(want), per_ip(got)
bad = [ip for ip in w.keys() | g.keys() if w.get(ip) != g.get(ip)]
for k in ("lines", "events", "unique_ips", "failures", "successes", "private_ips"):
    if want["summary"].get(k) != got["summary"].get(k):
        bad.append(f"summary.{k}: want {want['summary'].get(k)}, got {got['summary'].get(k)}")
print(f"{killed} kills; {len(w)} addresses, {want['summary']['events']} events, "
      f"{want['summary']['failures']} failed logins in the file; "
      f"{len(g)} addresses, {got['summary']['events']} events, "
      f"{got['summary']['failures']} failed logins in the history")
if bad:
    print(f"FAIL: {len(bad)} differences, first: {bad[:5]}")
    sys.exit(1)
print("PASS: the history equals the one-shot export, address by address")
EOF
