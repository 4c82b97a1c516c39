#!/usr/bin/env python3
"""A long fuzz run of one target, recorded in fuzz/runs.tsv (fuzz/README.md sums it up).

    python3 fuzz/long.py TARGET CPU_SECONDS [MAX_WALL_SECONDS]

Runs the built target (bash fuzz/smoke.sh, or `cargo +nightly fuzz build -s none`, first) under
`nice -n 19` with the corpus fuzz/corpus/TARGET (kept between runs, not committed) plus the
seeds and the saved crashes, until the fuzzer has used CPU_SECONDS of CPU time (the machine is
shared: wall time says little) or MAX_WALL_SECONDS have passed (default 4 x CPU_SECONDS), then
stops it with SIGINT. Appends one line to fuzz/runs.tsv: start, target, wall seconds, CPU
seconds (user+sys of the fuzzer, from wait4), executions, corpus files after the run, new crash
files. A crash ends the run (libFuzzer's default); the input is in fuzz/artifacts/TARGET/.
"""

import datetime
import os
import re
import signal
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.chdir(ROOT)
target, budget = sys.argv[1], float(sys.argv[2])
max_wall = float(sys.argv[3]) if len(sys.argv) > 3 else 4 * budget
host = re.search(r"host: (\S+)", subprocess.check_output(["rustc", "+nightly", "-vV"], text=True)).group(1)
binary = f"fuzz/target/{host}/release/{target}"
corpus = f"fuzz/corpus/{target}"
artifacts = f"fuzz/artifacts/{target}"
os.makedirs(corpus, exist_ok=True)
os.makedirs(artifacts, exist_ok=True)
before = set(os.listdir(artifacts))
inputs = [corpus, f"fuzz/corpus-seed/{target}"]
if os.path.isdir(f"fuzz/regressions/{target}"):
    inputs.append(f"fuzz/regressions/{target}")
log_path = f"fuzz/artifacts/{target}.log"
tick = os.sysconf("SC_CLK_TCK")


def cpu_of(pid):
    """User + system CPU seconds of a running process (and its reaped children)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return sum(int(x) for x in fields[11:15]) / tick


start = datetime.datetime.now(datetime.timezone.utc)
t0 = time.monotonic()
with open(log_path, "w") as log:
    p = subprocess.Popen(
        [binary, *inputs, "-timeout=10", "-print_final_stats=1", f"-artifact_prefix={artifacts}/"],
        stdout=log, stderr=subprocess.STDOUT, preexec_fn=lambda: os.nice(19),
    )
    # With the kernel's autogroups (Debian's default), nice only ranks processes of one
    # session: a fuzzer started from its own session would take a full share of the CPU from
    # the builds and benchmarks beside it. Lower its group as well, where the kernel allows.
    try:
        with open(f"/proc/{p.pid}/autogroup", "w") as f:
            f.write("19")
    except OSError:
        pass
    while True:
        time.sleep(2)
        try:
            done, status, usage = os.wait4(p.pid, os.WNOHANG)
        except ChildProcessError:
            break
        if done:
            break
        try:
            used = cpu_of(p.pid)
        except FileNotFoundError:
            continue
        if used >= budget or time.monotonic() - t0 >= max_wall:
            p.send_signal(signal.SIGINT)
            _, status, usage = os.wait4(p.pid, 0)
            break
wall = time.monotonic() - t0
cpu = usage.ru_utime + usage.ru_stime
text = open(log_path, errors="replace").read()
m = re.search(r"stat::number_of_executed_units:\s+(\d+)", text)
runs = int(m.group(1)) if m else max([int(x) for x in re.findall(r"^#(\d+)", text, re.M)] or [0])
crashes = sorted(set(os.listdir(artifacts)) - before)
size = len(os.listdir(corpus))
line = "\t".join([start.strftime("%Y-%m-%dT%H:%MZ"), target, f"{wall:.0f}", f"{cpu:.0f}",
                  str(runs), str(size), str(len(crashes))])
with open("fuzz/runs.tsv", "a") as f:
    f.write(line + "\n")
print(line, "exit", os.waitstatus_to_exitcode(status), " ".join(crashes), flush=True)
