#!/usr/bin/env python3
"""Writes fuzz/corpus-seed/<target>/: the small seed corpora the fuzz targets start from.

Sources (see fuzz/README.md for licences):
- the project's own texts: demo/auth.log, the fixtures in tests/integration/hay.rs and the
  string literals of the parsers' unit tests in src/parse/*.rs;
- lines written here (below) for forms no fixture has yet: syslog dialects, IPv6 forms, sshd
  wordings from OpenSSH's templates;
- short excerpts of ../shared/samples when that folder is there (Apache log: Apache-2.0;
  ufw/cowrie: a handful of lines quoted as data). Never loghub's OpenSSH_2k (research-only).

Deterministic: run it again and only changed inputs differ. Run from the repository root:
    python3 fuzz/make-seeds.py
"""

import gzip
import hashlib
import io
import os
import re
import shutil
import struct

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "fuzz", "corpus-seed")
SAMPLES = os.path.join(ROOT, "..", "shared", "samples")
if not os.path.isdir(SAMPLES):
    SAMPLES = "/work/shared/samples"


def read(path):
    with open(path, "rb") as f:
        return f.read()


def unescape(body):
    """A Rust "…" string literal's body to bytes (enough of the escapes for seeds)."""
    out = bytearray()
    i = 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out += c.encode()
            i += 1
            continue
        n = body[i + 1] if i + 1 < len(body) else ""
        if n == "\n":  # line continuation: skip the newline and leading spaces
            i += 2
            while i < len(body) and body[i] in " \t":
                i += 1
            continue
        simple = {"n": b"\n", "t": b"\t", "r": b"\r", "0": b"\0", "\\": b"\\", '"': b'"', "'": b"'"}
        if n in simple:
            out += simple[n]
            i += 2
        elif n == "x":
            out.append(int(body[i + 2 : i + 4], 16))
            i += 4
        elif n == "u":
            end = body.index("}", i)
            out += chr(int(body[i + 3 : end], 16)).encode()
            i = end + 1
        else:
            out += b"\\"
            i += 1
    return bytes(out)


def rust_strings(path):
    """Every string literal of a Rust file, as bytes."""
    text = read(path).decode()
    found = []
    for m in re.finditer(r'r(#+)"(.*?)"\1', text, re.S):
        found.append(m.group(2).encode())
    text = re.sub(r'r(#+)".*?"\1', "", text, flags=re.S)
    for m in re.finditer(r'b?"((?:[^"\\]|\\.)*)"', text, re.S):
        found.append(unescape(m.group(1)))
    return found


def lines_of(b):
    return [l for l in b.split(b"\n") if l.strip()]


# --- texts --------------------------------------------------------------------------------

demo = lines_of(read(os.path.join(ROOT, "demo", "auth.log")))
hay = {}
hay_src = read(os.path.join(ROOT, "tests", "integration", "hay.rs")).decode()
for name in ["AUTH", "ACCESS", "JOURNAL"]:
    m = re.search(r"pub const %s: &str = (r#\"(.*?)\"#|\"(.*?)\";)" % name, hay_src, re.S)
    hay[name] = m.group(2).encode() if m.group(2) is not None else unescape(m.group(3))

unit_lines = []
for f in sorted(os.listdir(os.path.join(ROOT, "src", "parse"))):
    if f.endswith(".rs"):
        for s in rust_strings(os.path.join(ROOT, "src", "parse", f)):
            if len(s) >= 12 and re.search(rb"[0-9a-fA-F][.:][0-9a-fA-F]", s):
                unit_lines.extend(lines_of(s))

# Syslog dialects and sshd wordings, written for the seeds (addresses from documentation ranges).
WRITTEN_SYSLOG = b"""\
Dec  3 08:00:01 host sshd[100]: Invalid user admin from 203.0.113.5 port 40000
Dec  3 08:00:02 host sshd[100]: Disconnecting: Too many authentication failures for root from 203.0.113.5 port 40000 ssh2 [preauth]
Dec  3 08:00:03 host sshd[101]: Connection closed by authenticating user root 198.51.100.7 port 2222 [preauth]
Dec  3 08:00:04 host sshd[102]: error: maximum authentication attempts exceeded for invalid user oracle from 2001:db8::5 port 51000 ssh2 [preauth]
Dec  3 08:00:05 host sshd[103]: User bob from 192.0.2.44 not allowed because not listed in AllowUsers
Dec  3 08:00:06 host sshd[104]: Received disconnect from 192.0.2.45 port 5555:3: com.jcraft.jsch.JSchException: Auth fail [preauth]
Dec  3 08:00:07 host sshd[105]: error: PAM: Authentication failure for root from 192.0.2.46 via 10.0.0.1
Dec  3 08:00:08 host sshd[106]: ROOT LOGIN REFUSED FROM 192.0.2.47 port 4000
Dec  3 08:00:09 host sshd[107]: Failed publickey for git from [2001:db8:1::2]:4444 port 4444 ssh2: RSA SHA256:abc
Dec  3 08:00:10 host sshd[107]: last message repeated 3 times
Dec  3 08:00:11 host sshd[108]: message repeated 2 times: [ Failed password for root from 192.0.2.48 port 22 ssh2]
Dec  3 08:00:12 host sshd[109]: Accepted keyboard-interactive/pam for alice from 192.0.2.49 port 2200 ssh2
Dec  3 08:00:13 host sshd[110]: banner exchange: Connection from 192.0.2.50 port 60000: invalid format
Dec  3 08:00:14 host sshd[111]: Unable to negotiate with 192.0.2.51 port 60001: no matching key exchange method found.
Dec  3 08:00:15 host sshd[112]: Bad protocol version identification 'GET / HTTP/1.1' from 192.0.2.52 port 60002
Dec  3 08:00:16 host sshd[113]: Did not receive identification string from ::ffff:192.0.2.53 port 60003
Dec  3 08:00:17 host sshd[114]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=fe80::1%eth0  user=root
Wed 2026-12-02 08:00:18 UTC host sshd[115]: Failed password for root from 192.0.2.54 port 22 ssh2
Wed 2026-12-02 08:00:19 CET host sshd[116]: Invalid user test from 192.0.2.55 port 22
2026-12-02T08:00:20.123456+01:00 host sshd[117]: Failed password for invalid user a b from 192.0.2.56 port 22 ssh2
<38>1 2026-12-02T08:00:21.5Z host sshd 118 - - Failed password for root from 192.0.2.57 port 22 ssh2
<38>1 2026-12-02T08:00:22+05:30 host sshd 119 ID47 [exampleSDID@32473 iut="3" eventSource="App"] Invalid user x from 192.0.2.58 port 1
[1764748823.123456] host sshd[120]: Connection closed by 192.0.2.59 port 1 [preauth]
Dec  3 08:00:24 host ssh.service[121]: Failed password for root from 192.0.2.60 port 22 ssh2
1764748825.000000 host sshd[122]: Failed password for root from 192.0.2.61 port 22 ssh2
Dec  3 08:00:26 host sshd[123]: [ID 800047 auth.info] Failed password for root from 192.0.2.62 port 22 ssh2
\x00\x00\x00\x00Dec  3 08:00:27 host sshd[124]: Failed password for root from 192.0.2.63 port 22 ssh2
Dec  3 08:00:28 host sshd-session[125]: Connection reset by invalid user admin 192.0.2.64 port 5 [preauth]
Dec  3 08:00:29 host kernel: [UFW BLOCK] IN=eth0 OUT= MAC=00:16:3e:aa:bb:cc:00:16:3e:dd:ee:ff:86:dd SRC=2001:db8::9 DST=2001:db8::1 LEN=60 PROTO=TCP SPT=40000 DPT=22 SYN
Dec  3 08:00:30 host kernel: [UFW ALLOW] IN=eth0 OUT= SRC=192.0.2.65 DST=10.0.0.5 PROTO=UDP SPT=53 DPT=5353
Dec  3 08:00:31 host kernel: [12345.678] IN=eth0 OUT= SRC=192.0.2.66 DST=10.0.0.5 PROTO=ICMP TYPE=8
Dec  3 08:00:32 host nginx[5]: 192.0.2.67 - - "GET / HTTP/1.1" 200
"""

WRITTEN_ADDRESSES = b"""\
::1 ::ffff:1.2.3.4 64:ff9b::1.2.3.4 [2001:db8::1]:443 fe80::1%eth0 1.2.3.4:80 [1.2.3.4]:22
2001:DB8:0:0:0:0:0:1 2001:0db8:0000:0000:0000:ff00:0042:8329 ::ffff:1.2.3.4:8080 1:2:3:4:5:6:7:8
10.0.0.1-10.0.0.255 addr:10.0.0.1 src:2001:db8::1 rv:1.8.1.4 Chrome/120.0.0.0 http://1.2.3.4/
1.2.3.4.5 .1.2.3.4 01.2.3.4 256.1.1.1 1.2.3.4... wait...1.2.3.4 52:54:00:7c:d8:0f:fe:54 ::
\xff1.2.3.4\xfe \xe4\xb8\xad1.2.3.4 (1.2.3.4) "2001:db8::2" 1.2.3.4. 1.2.3.4.example a::b dead::beef ::0
"""

# A few log lines in each other format, written here.
WRITTEN_WEB = b"""\
192.0.2.70 - - [03/Dec/2026:08:00:00 +0100] "GET /wp-login.php HTTP/1.1" 404 162 "-" "curl/8.0"
2001:db8::70 - alice [03/Dec/2026:08:00:01 -0500] "POST /login HTTP/2.0" 401 - "-" "Mozilla/5.0 (X11; rv:120.0) Gecko/20100101 Firefox/120.0"
192.0.2.71 - - [03/Dec/2026:08:00:02 +0000] "\\x16\\x03\\x01" 400 0 "-" "-"
192.0.2.72 - - [03/Dec/2026:08:00:03 +0000] "GET /a\\"b HTTP/1.1" 200 5
"""

WRITTEN_COWRIE = b"""\
{"eventid":"cowrie.session.connect","src_ip":"192.0.2.80","src_port":50000,"dst_port":2222,"timestamp":"2026-12-03T08:00:00.000000Z","session":"a1"}
{"eventid":"cowrie.login.failed","username":"root","password":"123456","src_ip":"192.0.2.80","timestamp":"2026-12-03T08:00:01.5Z","session":"a1"}
{"eventid":"cowrie.login.success","username":"pi","password":"raspberry","src_ip":"2001:db8::80","timestamp":"2026-12-03T08:00:02Z"}
"""

WRITTEN_JOURNAL = b"""\
{"__REALTIME_TIMESTAMP":"1796038510000000","_PID":"77","SYSLOG_IDENTIFIER":"sshd","_HOSTNAME":"h","MESSAGE":"Invalid user admin from 192.0.2.90 port 4000"}
{"__REALTIME_TIMESTAMP":"1796038511000000","_PID":"77","_COMM":"sshd-session","MESSAGE":[70,97,105,108,101,100]}
{"__REALTIME_TIMESTAMP":"1796038512000000","SYSLOG_IDENTIFIER":"kernel","MESSAGE":"[UFW BLOCK] IN=eth0 OUT= SRC=192.0.2.91 DST=10.0.0.1 PROTO=TCP SPT=1 DPT=22"}
"""


def sample_excerpt(rel, n):
    path = os.path.join(SAMPLES, rel)
    if not os.path.exists(path):
        return []
    return lines_of(read(path))[:n]


apache = sample_excerpt("web/apache_logs", 20)
ufw = sample_excerpt("ufw/ufw.log", 10)
cowrie = sample_excerpt("cowrie/cowrie.json.2017-11-04", 12)

syslog_all = demo + lines_of(hay["AUTH"]) + lines_of(WRITTEN_SYSLOG)
web_all = lines_of(hay["ACCESS"]) + lines_of(WRITTEN_WEB) + apache
journal_all = lines_of(hay["JOURNAL"]) + lines_of(WRITTEN_JOURNAL)
cowrie_all = lines_of(WRITTEN_COWRIE) + cowrie
ufw_all = [l for l in syslog_all + unit_lines if b"SRC=" in l] + ufw
everything = syslog_all + web_all + journal_all + cowrie_all + ufw + unit_lines


def chunks(lines, size, limit):
    out = []
    for i in range(0, len(lines), size):
        out.append(b"\n".join(lines[i : i + size]) + b"\n")
    return out[:limit]


def spread(lines, size, limit):
    """`limit` chunks of `size` lines taken evenly through `lines`."""
    if not lines:
        return []
    step = max(1, len(lines) // limit)
    return [b"\n".join(lines[i : i + size]) + b"\n" for i in range(0, len(lines), step)][:limit]


def sshd_message(line):
    m = re.search(rb"sshd(?:-session)?\[\d+\]: (.*)", line)
    return m.group(1) if m else None


corpora = {}
corpora["extract_scan"] = [WRITTEN_ADDRESSES] + [l for l in everything if len(l) < 400][::3]
corpora["sshd_classify"] = sorted(
    {m for m in map(sshd_message, syslog_all + unit_lines) if m}
)[:300]
corpora["parse_sshd"] = (
    spread(demo, 8, 30) + chunks(lines_of(hay["AUTH"]), 6, 10) + chunks(lines_of(WRITTEN_SYSLOG), 4, 20)
)
corpora["parse_ufw"] = chunks(ufw_all, 2, 20) + spread(demo, 4, 5)
corpora["parse_web"] = chunks(web_all, 3, 20)
corpora["parse_journal"] = chunks(journal_all, 1, 20) + [hay["JOURNAL"]]
corpora["parse_cowrie"] = chunks(cowrie_all, 2, 20)
corpora["parse_generic"] = chunks(everything[::7], 4, 40)
corpora["detect"] = (
    spread(demo, 10, 5)
    + chunks(web_all, 5, 5)
    + [hay["JOURNAL"], WRITTEN_COWRIE, b"\n".join(ufw_all[:6]), WRITTEN_SYSLOG, b"\n" * 60 + WRITTEN_SYSLOG]
)


def line_reader_seed(text, max_line, flags, sizes):
    return bytes([max_line, flags, len(sizes)]) + bytes(sizes) + text


corpora["line_reader"] = [
    line_reader_seed(b"a\nbb\r\n\nccc", 3, 0, [1, 2]),
    line_reader_seed(b"x" * 100 + b"\r\n" + b"y\r", 10, 1, [0, 60, 5]),
    line_reader_seed(WRITTEN_SYSLOG[:600], 63, 0, [7]),
    line_reader_seed(b"\r\n\r\n\n\r\r\n", 0, 1, [0, 0, 3]),
]


def gz(b, level=6):
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=level, mtime=0) as g:
        g.write(b)
    return buf.getvalue()


corpora["source_open"] = [
    b"\x00" + WRITTEN_SYSLOG[:800],
    b"\x00" + b"a\r\nb\n\nc",
    b"\x00" + gz(WRITTEN_SYSLOG[:500]),
    b"\x00" + gz(b"one\n") + gz(b"two\nthree"),
    b"\x00" + gz(WRITTEN_SYSLOG[:500])[:60],
    b"\x00" + b"\x1f\x8b",
    b"\x01\x80\xff" + WRITTEN_SYSLOG[:700],
    b"\x01\x40\x90" + b"a\r\nb\n\nc\r",
]
files = (
    spread(demo, 40, 6)
    + [hay["AUTH"], hay["ACCESS"], hay["JOURNAL"], WRITTEN_SYSLOG, WRITTEN_WEB, WRITTEN_COWRIE, WRITTEN_JOURNAL]
    + chunks(apache, 10, 2)
    + chunks(cowrie, 6, 2)
    + chunks(ufw, 5, 2)
)
corpora["pipeline"] = files + [gz(hay["AUTH"])]
corpora["pipeline_chunked"] = files


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    total = 0
    for target, seeds in sorted(corpora.items()):
        d = os.path.join(OUT, target)
        os.makedirs(d)
        for s in seeds:
            name = hashlib.sha1(s).hexdigest()[:16]
            with open(os.path.join(d, name), "wb") as f:
                f.write(s)
            total += len(s)
        print(f"{target}: {len(set(seeds))} seeds")
    print(f"total {total} bytes")


if __name__ == "__main__":
    main()
