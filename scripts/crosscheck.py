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


SIGNAL = re.compile(r"Invalid user |Illegal user | not allowed because |ROOT LOGIN REFUSED|"
                    r"maximum authentication attempts exceeded|Too many authentication failures|"
                    r"(?:authenticating|invalid) user .* port \d+ \[preauth\]|Auth fail|:\s?14: ")


def sshd_connection_failures(lines):
    """Failed logins per client address, by the rule of issue 9 written from its text: per
    connection (host + pid), the failed attempts it reports (`Failed <method>` except `none`,
    rsyslog repeats counted; PAM and keyboard-interactive report one attempt twice), and at
    least one when it shows an attack signal."""
    conns = {}  # (host, pid) -> dict
    order = []
    for l in lines:
        m = re.match(r"\S+\s+\d+ [\d:]+ (\S+) sshd(?:-session)?\[(\d+)\]: (.*)$", l)
        if not m:
            continue
        key = (m.group(1), m.group(2))
        msg = m.group(3)
        c = conns.get(key)
        if c is None or c["closed"]:
            c = {"ip": None, "plain": 0, "pam": 0, "kbd": 0, "signal": False, "closed": False}
            conns[key] = c
            order.append(c)
        rep = re.match(r"message repeated (\d+) times: \[ (.*)\]$", msg)
        n = int(rep.group(1)) if rep else 1
        body = rep.group(2) if rep else msg
        f = re.match(r"Failed (\S+) for .* from (\S+) port \d+", body)
        if f and f.group(1) != "none":
            c["ip"] = f.group(2)
            if f.group(1).startswith("keyboard-interactive"):
                c["kbd"] += n
            else:
                c["plain"] += n
        p = re.match(r"error: PAM: .* from (\S+)$", body)
        if p:
            c["pam"] += n
            c["ip"] = p.group(1)
        if SIGNAL.search(body):
            c["signal"] = True
            if c["ip"] is None:
                ip = re.search(r"from (\S+)|user \S+ (\S+) port|disconnect from ([^\s:]+)", body)
                if ip:
                    c["ip"] = next(g for g in ip.groups() if g)
        if re.match(r"(Connection closed|Connection reset|Disconnected from|Disconnecting)", body):
            c["closed"] = True
    per_ip = {}
    for c in order:
        attempts = c["plain"] + max(c["pam"], c["kbd"])
        if attempts == 0 and c["signal"]:
            attempts = 1
        if c["ip"] and attempts:
            per_ip[c["ip"]] = per_ip.get(c["ip"], 0) + attempts
    return per_ip


def sshd(path):
    lines = read_lines(path)
    ips = set()
    succ = 0
    for l in lines:
        if re.search(r"sshd(?:-session)?\[\d+\]: Accepted \S+ for ", l):
            succ += 1
        if re.search(r"sshd(?:-session)?\[", l):
            for ip in re.findall(r"(?<![\d.])(\d{1,3}(?:\.\d{1,3}){3})(?![\d.])", l):
                if public(ip):
                    ips.add(ip)
    per_ip = sshd_connection_failures(lines)
    d = logmap(path)
    name = os.path.basename(path)
    check(f"{name} failures", d["summary"]["failures"], sum(per_ip.values()))
    check(f"{name} addresses with failed logins",
          sum(1 for r in d["ips"] if r["failures"] > 0), len(per_ip))
    check(f"{name} successes", d["summary"]["successes"], succ)
    v4 = sum(1 for r in d["ips"] if ":" not in r["ip"])
    check(f"{name} unique public IPv4 in sshd lines", v4, len(ips))
    top = max(d["ips"], key=lambda r: r["failures"])
    check(f"{name} failures of {top['ip']}", top["failures"], per_ip.get(top["ip"], 0))


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
sshd(os.path.join(ROOT, "tests", "data", "keyonly-auth.log"))
web([os.path.join(SAMPLES, "web", "apache_logs")])
rot = os.path.join(SAMPLES, "web", "nginx-rotated")
web(sorted(os.path.join(rot, f) for f in os.listdir(rot)))
ufw(os.path.join(SAMPLES, "ufw", "ufw.log"))
cowrie(os.path.join(SAMPLES, "cowrie", "cowrie.json.2017-11-04"))
sys.exit(0 if failures_ok else 1)
