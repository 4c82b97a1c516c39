#!/usr/bin/env python3
"""Sums fuzz/runs.tsv per target into the Markdown table of fuzz/README.md.

    python3 fuzz/tally.py
"""

import collections
import os

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "runs.tsv")
rows = [l.rstrip("\n").split("\t") for l in open(path)][1:]
tot = collections.OrderedDict()
for date, target, wall, cpu, runs, corpus, crashes in sorted(rows, key=lambda r: r[1]):
    t = tot.setdefault(target, {"runs": 0, "wall": 0, "cpu": 0, "execs": 0, "corpus": 0, "crashes": 0})
    t["runs"] += 1
    t["wall"] += int(wall)
    t["cpu"] += int(cpu)
    t["execs"] += int(runs)
    t["corpus"] = int(corpus)
    t["crashes"] += int(crashes)
print("| target | runs | CPU time | executions | exec/CPU-s | corpus (files) | crashes |")
print("|---|---:|---:|---:|---:|---:|---:|")
for name, t in tot.items():
    rate = t["execs"] / t["cpu"] if t["cpu"] else 0
    print(f"| {name} | {t['runs']} | {t['cpu'] / 60:.1f} min | {t['execs']:,} | {rate:,.0f} | {t['corpus']:,} | {t['crashes']} |")
cpu = sum(t["cpu"] for t in tot.values())
execs = sum(t["execs"] for t in tot.values())
print(f"| **all** | {sum(t['runs'] for t in tot.values())} | {cpu / 60:.1f} min | {execs:,} | | | {sum(t['crashes'] for t in tot.values())} |")
