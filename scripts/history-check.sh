#!/usr/bin/env bash
# Exactness of the history on a real log: ingest the first half, append the next part, ingest
# twice, rotate (auth.log -> auth.log.1, a new auth.log), rotate again with gzip
# (auth.log.1 -> auth.log.2.gz), rotate a third time with copytruncate (auth.log copied to
# auth.log.1 with lines no run has read, cut to nothing in place, written on), ingest after
# each step; then compare the history with a one-shot `export` of the same files as they now
# lie on disk, address by address (events, failed and successful logins, kinds, users, first
# and last seen) and in the totals. Exit 1 on any difference. Also says how the totals differ
# from an export of the text in one piece (an sshd connection cut by a rotation is judged
# per file, in both).
#
#   scripts/history-check.sh LOG [LOGMAP ARGS…]
#   scripts/history-check.sh ../shared/samples/openssh/OpenSSH_2k.log --year 2025 --tz UTC
#
# The cuts fall at 50 %, 70 %, 80 %, 90 % and 95 % of the lines, wherever that is: inside
# sshd connections too. LOGMAP (default target/release/logmap) is the binary to check.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 LOG [LOGMAP ARGS…]" >&2; exit 2; }
SRC=$(realpath "$1")
shift
ROOT=$(cd "$(dirname "$0")/.." && pwd)
LOGMAP=$(realpath "${LOGMAP:-$ROOT/target/release/logmap}")
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cd "$W"

# The text, with a final newline (a last line without one is, rightly, left for a later run
# while its file may still grow).
sed -e '$a\' "$SRC" >all.log
N=$(wc -l <all.log)
cut_at() { echo $((N * $1 / 100)); }
part() { sed -n "$(($1 + 1)),$2p" all.log; }
ingest() { "$LOGMAP" ingest -q "$@" --keep-events forever --db h.db; }
A=$(cut_at 50) B=$(cut_at 70) C=$(cut_at 80) D=$(cut_at 90) E=$(cut_at 95)

part 0 "$A" >auth.log
ingest "$@" auth.log
part "$A" "$B" >>auth.log
ingest "$@" auth.log
ingest "$@" auth.log # nothing new
mv auth.log auth.log.1
part "$B" "$C" >auth.log
ingest "$@" auth.log auth.log.1
gzip -c auth.log.1 >auth.log.2.gz && rm auth.log.1
mv auth.log auth.log.1
part "$C" "$D" >auth.log
ingest "$@" auth.log auth.log.1 auth.log.2.gz
part "$D" "$E" >>auth.log # written, then rotated with copytruncate before a run read it
mv auth.log.2.gz auth.log.3.gz
gzip -c auth.log.1 >auth.log.2.gz && rm auth.log.1
cp auth.log auth.log.1
: >auth.log
part "$E" "$N" >>auth.log
ingest "$@" auth.log auth.log.1 auth.log.2.gz auth.log.3.gz
ingest "$@" auth.log auth.log.1 auth.log.2.gz auth.log.3.gz

"$LOGMAP" export -q "$@" --db h.db --format json -o got.json
# The contract: the history equals one run over the same files as they now lie on disk.
"$LOGMAP" export -q "$@" --format json -o want.json auth.log.3.gz auth.log.2.gz auth.log.1 auth.log
# For comparison, one run over the text in one piece: a connection whose lines straddle a
# rotation is judged per file in both of the above (see README, "History").
"$LOGMAP" export -q "$@" --format json -o whole.json all.log
python3 - "$SRC" <<'EOF'
import json, sys

want, got, whole = (json.load(open(p)) for p in ("want.json", "got.json", "whole.json"))
FIELDS = ("events", "failures", "successes", "kinds", "users", "first_seen", "last_seen")

def per_ip(doc):
    return {r["ip"]: tuple(json.dumps(r.get(k), sort_keys=True) for k in FIELDS) for r in doc["ips"]}

w, g = per_ip(want), per_ip(got)
bad = sorted(ip for ip in w.keys() | g.keys() if w.get(ip) != g.get(ip))
for k in ("lines", "events", "unique_ips", "failures", "successes"):
    if want["summary"].get(k) != got["summary"].get(k):
        bad.append(f"summary.{k}: want {want['summary'].get(k)}, got {got['summary'].get(k)}")
s = want["summary"]
print(f"{sys.argv[1]}: {s['lines']} lines, {len(w)} addresses, {s['events']} events, "
      f"{s['failures']} failed and {s['successes']} successful logins in one export; "
      f"the history after 7 runs, 3 rotations, gzip and copytruncate: "
      + ("the same, address by address" if not bad else f"{len(bad)} differences: {bad[:10]}"))
d = {k: got["summary"][k] - whole["summary"][k] for k in ("events", "failures", "successes")}
if any(d.values()):
    print(f"  (against the text in one piece: {d}, from connections cut by a rotation)")
sys.exit(1 if bad else 0)
EOF
