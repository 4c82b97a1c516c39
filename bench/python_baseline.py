#!/usr/bin/env python3
"""The Python baseline of the benchmark: what a Python user would write instead of logmap.

It reads the log line by line, matches a few regular expressions (the usual sshd wordings, or
the combined access-log format), counts per address with Counter/defaultdict, then looks each
unique address up once in an MMDB file with the `maxminddb` module and writes one JSON document.
Deliberately plain, idiomatic code -- no multiprocessing, no hand tuning -- like the scripts
people post for "who is brute-forcing my server".

    python3 bench/python_baseline.py --kind auth --mmdb country.mmdb auth.log -o out.json
    python3 bench/python_baseline.py --kind access --no-geo access.log -o out.json
"""

import argparse
import json
import re
import sys
from collections import Counter, defaultdict

# sshd: (kind, regex with groups user?, ip)
AUTH_RULES = [
    ("failure", re.compile(
        r"Failed (?:password|publickey|keyboard-interactive/pam|none) for (?:invalid user )?(\S+) from (\S+) port")),
    ("invalid_user", re.compile(r"Invalid user (\S*) from (\S+)")),
    ("success", re.compile(r"Accepted \S+ for (\S+) from (\S+) port")),
    ("scan", re.compile(r"()Did not receive identification string from (\S+)")),
    ("preauth", re.compile(r"Connection (?:closed|reset) by (?:(?:invalid|authenticating) user (\S+) )?(\S+) port \d+ \[preauth\]")),
]
REPEATED = re.compile(r"message repeated (\d+) times")

# nginx/apache "combined"
ACCESS = re.compile(r'^(\S+) \S+ \S+ \[[^\]]*\] "([^"]*)" (\d{3}) ')


def parse_auth(path, per_ip, users):
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            for kind, rx in AUTH_RULES:
                m = rx.search(line)
                if m:
                    user, ip = m.group(1), m.group(2)
                    n = 1
                    if kind == "failure":
                        r = REPEATED.search(line)
                        if r:
                            n = int(r.group(1))
                    per_ip[ip][kind] += n
                    if user:
                        users[ip][user] += n
                    break


def parse_access(path, per_ip, users):
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = ACCESS.match(line)
            if m:
                ip, status = m.group(1), m.group(3)
                per_ip[ip]["requests"] += 1
                per_ip[ip][status] += 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file")
    ap.add_argument("--kind", choices=["auth", "access"], default="auth")
    ap.add_argument("--mmdb", help="MMDB file for the per-address look-up")
    ap.add_argument("--no-geo", action="store_true", help="skip the geolocation step")
    ap.add_argument("-o", "--output", default="-")
    args = ap.parse_args()

    per_ip = defaultdict(Counter)
    users = defaultdict(Counter)
    if args.kind == "auth":
        parse_auth(args.file, per_ip, users)
    else:
        parse_access(args.file, per_ip, users)

    countries = {}
    if not args.no_geo:
        if not args.mmdb:
            sys.exit("python_baseline: --mmdb PATH or --no-geo is required")
        import maxminddb

        with maxminddb.open_database(args.mmdb) as reader:
            for ip in per_ip:
                try:
                    rec = reader.get(ip)
                except ValueError:
                    rec = None
                if rec:
                    countries[ip] = rec.get("country_code") or rec.get("country", {}).get("iso_code")

    by_country = Counter()
    records = []
    for ip, counts in per_ip.items():
        cc = countries.get(ip)
        by_country[cc] += 1
        records.append({
            "ip": ip,
            "events": sum(counts.values()) if args.kind == "auth" else counts["requests"],
            "kinds": dict(counts),
            "users": dict(users[ip].most_common(10)),
            "country": cc,
        })
    records.sort(key=lambda r: r["events"], reverse=True)
    doc = {
        "unique_ips": len(records),
        "countries": [{"country": c, "ips": n} for c, n in by_country.most_common()],
        "ips": records,
    }
    out = sys.stdout if args.output == "-" else open(args.output, "w", encoding="utf-8")
    json.dump(doc, out)
    if out is not sys.stdout:
        out.close()


if __name__ == "__main__":
    main()
