#!/usr/bin/env python3
"""Cross-check `logmap summary --json` against an independent count written with Python's
re/json, on real logs (by default the samples in ../shared/samples). Run by hand:

    cargo build --release && python3 scripts/crosscheck.py [SAMPLES_DIR]

The counting here is deliberately simple and separate from the Rust code: regexes over the
raw text, one rule per number. It prints one line per check and exits 1 on any mismatch.
"""
import gzip
import ipaddress
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LOGMAP = os.path.join(ROOT, "target", "release", "logmap")
SAMPLES = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "..", "shared", "samples")


def logmap(*files, args=()):
    out = subprocess.run([LOGMAP, "summary", "--json", "--top", "100000", *args, *files],
                         capture_output=True, check=False)
    return json.loads(out.stdout)


def public(ip):
    try:
        a = ipaddress.ip_address(ip)
    except ValueError:
        return False
    if getattr(a, "ipv4_mapped", None):
        a = a.ipv4_mapped
    return a.is_global


def read_lines(path):
    opener = gzip.open if open(path, "rb").read(2) == b"\x1f\x8b" else open
    with opener(path, "rb") as f:
        return [l.decode("utf-8", "replace").rstrip("\r\n") for l in f]


failures_ok = True


def check(name, got, want):
    global failures_ok
    ok = got == want
    failures_ok &= ok
    print(f"{'ok ' if ok else 'BAD'} {name}: logmap {got}, independent {want}")


def sshd(path):
    lines = read_lines(path)
    fails = 0
    ips = set()
    succ = 0
    for l in lines:
        m = re.search(r"sshd\[\d+\]: (?:message repeated (\d+) times: \[ )?Failed (password|publickey|keyboard-interactive/pam) for .* from (\S+) port \d+", l)
        if m:
            fails += int(m.group(1) or 1)
        if re.search(r"sshd\[\d+\]: Accepted \S+ for ", l):
            succ += 1
        if "sshd[" in l:
            for ip in re.findall(r"(?<![\d.])(\d{1,3}(?:\.\d{1,3}){3})(?![\d.])", l):
                if public(ip):
                    ips.add(ip)
    d = logmap(path)
    check(f"{os.path.basename(path)} failures", d["summary"]["failures"], fails)
    check(f"{os.path.basename(path)} successes", d["summary"]["successes"], succ)
    check(f"{os.path.basename(path)} unique public IPv4 in sshd lines", d["summary"]["unique_ips"], len(ips))
    top = max(d["ips"], key=lambda r: r["failures"])
    n = 0
    for l in lines:
        m = re.search(r"(?:message repeated (\d+) times: \[ )?Failed \S+ for .* from " + re.escape(top["ip"]) + r" port", l)
        if m:
            n += int(m.group(1) or 1)
    check(f"{os.path.basename(path)} failures of {top['ip']}", top["failures"], n)


def web(paths):
    ips = set()
    n = 0
    for p in paths:
        for l in read_lines(p):
            m = re.match(r'(\S+) \S+ \S+ \[[^\]]+\] "', l)
            if m:
                n += 1
                if public(m.group(1)):
                    ips.add(str(ipaddress.ip_address(m.group(1))))
    d = logmap(*paths)
    name = os.path.basename(paths[0]) + (f" (+{len(paths)-1} rotated)" if len(paths) > 1 else "")
    check(f"{name} requests", d["summary"]["events"], n)
    check(f"{name} unique public clients", d["summary"]["unique_ips"], len(ips))


def ufw(path):
    ips = set()
    n = 0
    for l in read_lines(path):
        m = re.search(r"\[UFW [A-Z ]+\].* SRC=(\S+) DST=\S+ ", l)
        if m:
            n += 1
            if public(m.group(1)):
                ips.add(str(ipaddress.ip_address(m.group(1))))
    d = logmap(path)
    check("ufw.log firewall events (public sources)", d["summary"]["unique_ips"], len(ips))


def cowrie(path):
    fails = succ = 0
    ips = set()
    for l in read_lines(path):
        try:
            r = json.loads(l)
        except ValueError:
            continue
        if r.get("eventid") == "cowrie.login.failed":
            fails += 1
        if r.get("eventid") == "cowrie.login.success":
            succ += 1
        if "src_ip" in r and public(r["src_ip"]):
            ips.add(r["src_ip"])
    d = logmap(path)
    check("cowrie failures", d["summary"]["failures"], fails)
    check("cowrie successes", d["summary"]["successes"], succ)
    check("cowrie unique public src_ip", d["summary"]["unique_ips"], len(ips))


sshd(os.path.join(SAMPLES, "openssh", "OpenSSH_2k.log"))
web([os.path.join(SAMPLES, "web", "apache_logs")])
rot = os.path.join(SAMPLES, "web", "nginx-rotated")
web(sorted(os.path.join(rot, f) for f in os.listdir(rot)))
ufw(os.path.join(SAMPLES, "ufw", "ufw.log"))
cowrie(os.path.join(SAMPLES, "cowrie", "cowrie.json.2017-11-04"))
sys.exit(0 if failures_ok else 1)
