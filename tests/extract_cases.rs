//! The address scanner against look-alikes: a table of real-world and adversarial lines,
//! a generated cross product of address forms × surroundings, and property tests.

use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use logmap::parse::extract::{Found, addresses, find_all, first, parse_addr, scan};
use proptest::prelude::*;

/// `find_all` rendered as `ip` or `ip@port`, space separated. Also checks the invariants every
/// result must hold: ordered, non-overlapping, and `start..end` parses back to the same address.
fn render(text: &[u8]) -> String {
    let found = find_all(text);
    let mut last_end = 0;
    let mut out = String::new();
    for f in &found {
        assert!(f.start >= last_end && f.start < f.end && f.end <= text.len());
        last_end = f.end;
        assert_eq!(
            parse_addr(&text[f.start..f.end]),
            Some(f.ip),
            "span {:?} of {:?}",
            String::from_utf8_lossy(&text[f.start..f.end]),
            String::from_utf8_lossy(text)
        );
        if !out.is_empty() {
            out.push(' ');
        }
        match f.port {
            Some(p) => write!(out, "{}@{p}", f.ip).unwrap(),
            None => write!(out, "{}", f.ip).unwrap(),
        }
    }
    out
}

/// (input, expected): expected is `render`'s output; "" means no address at all.
const CASES: &[(&str, &str)] = &[
    // ---- IPv4, plain and with ports
    ("1.2.3.4", "1.2.3.4"),
    ("0.0.0.0", "0.0.0.0"),
    ("255.255.255.255", "255.255.255.255"),
    ("from 1.2.3.4 port 22", "1.2.3.4"),
    ("1.2.3.4:8080", "1.2.3.4@8080"),
    ("1.2.3.4:0", "1.2.3.4@0"),
    ("1.2.3.4:65535", "1.2.3.4@65535"),
    ("1.2.3.4:65536", ""),
    ("1.2.3.4:123456", ""),
    ("connect to 1.2.3.4:80: Connection refused", "1.2.3.4@80"),
    ("[1.2.3.4]:22", "1.2.3.4@22"),
    ("[1.2.3.4]", "1.2.3.4"),
    ("[1.2.3.4]:", "1.2.3.4"),
    ("[1.2.3.4]:99999", "1.2.3.4"),
    (
        "198.199.98.246:59091 (10.3.66.85:2222)",
        "198.199.98.246@59091 10.3.66.85@2222",
    ),
    ("a 1.2.3.4 b 5.6.7.8 c", "1.2.3.4 5.6.7.8"),
    ("1.2.3.4 1.2.3.4", "1.2.3.4 1.2.3.4"),
    ("1.2.3.4,5.6.7.8", "1.2.3.4 5.6.7.8"),
    ("1.2.3.4;5.6.7.8", "1.2.3.4 5.6.7.8"),
    ("1.2.3.4 5.6.7.8:9", "1.2.3.4 5.6.7.8@9"),
    // ---- IPv4 separators that must still match
    ("from 1.2.3.4.", "1.2.3.4"),
    ("from 1.2.3.4...", "1.2.3.4"),
    ("from 1.2.3.4. Next", "1.2.3.4"),
    ("from 1.2.3.4...and more", "1.2.3.4"),
    ("from 1.2.3.4..and more", "1.2.3.4"),
    ("from 2001:db8::1...and more", "2001:db8::1"),
    ("from 1.2.3.4:", "1.2.3.4"),
    ("from 1.2.3.4: Bye", "1.2.3.4"),
    ("(1.2.3.4)", "1.2.3.4"),
    ("[1.2.3.4]", "1.2.3.4"),
    ("<1.2.3.4>", "1.2.3.4"),
    ("{1.2.3.4}", "1.2.3.4"),
    ("'1.2.3.4'", "1.2.3.4"),
    ("\"1.2.3.4\"", "1.2.3.4"),
    ("`1.2.3.4`", "1.2.3.4"),
    ("1.2.3.4,", "1.2.3.4"),
    ("1.2.3.4;", "1.2.3.4"),
    ("1.2.3.4!", "1.2.3.4"),
    ("1.2.3.4?", "1.2.3.4"),
    ("rhost=1.2.3.4", "1.2.3.4"),
    ("rhost=1.2.3.4  user=root", "1.2.3.4"),
    ("SRC=1.2.3.4 DST=5.6.7.8", "1.2.3.4 5.6.7.8"),
    ("\"src_ip\":\"1.2.3.4\"", "1.2.3.4"),
    ("\"src_ip\": \"1.2.3.4\",", "1.2.3.4"),
    ("root@1.2.3.4", "1.2.3.4"),
    ("ssh://1.2.3.4:2222/", "1.2.3.4@2222"),
    ("http://1.2.3.4/index.html", "1.2.3.4"),
    ("GET /1.2.3.4 HTTP/1.1", "1.2.3.4"),
    ("10.0.0.0/8", "10.0.0.0"),
    ("10.0.0.1-10.0.0.255", "10.0.0.1 10.0.0.255"),
    ("1.2.3.4-5", "1.2.3.4"),
    ("client 1.2.3.4#53", "1.2.3.4"),
    ("1.2.3.4%", "1.2.3.4"),
    ("addr:10.0.0.1 Bcast:10.0.0.255", "10.0.0.1 10.0.0.255"),
    ("inet addr:192.168.1.10", "192.168.1.10"),
    ("src:1.2.3.4", "1.2.3.4"),
    ("Remote:1.2.3.4:22", "1.2.3.4@22"),
    ("ip::1.2.3.4", ""),
    (":1.2.3.4", "1.2.3.4"),
    ("cafe:1.2.3.4", "1.2.3.4"),
    ("1.2.3.4:error", "1.2.3.4"),
    ("1.2.3.4:80:x", "1.2.3.4@80"),
    ("1.2.3.4\t5.6.7.8\n", "1.2.3.4 5.6.7.8"),
    ("=1.2.3.4=", "1.2.3.4"),
    ("+1.2.3.4+", "1.2.3.4"),
    ("*1.2.3.4*", "1.2.3.4"),
    ("|1.2.3.4|", "1.2.3.4"),
    ("来自1.2.3.4的连接", "1.2.3.4"),
    ("é1.2.3.4é", "1.2.3.4"),
    ("HoneyPotSSHTransport,0,198.199.98.246", "198.199.98.246"),
    ("unknown[1.2.3.4]", "1.2.3.4"),
    // ---- IPv4 look-alikes that must not match
    ("1.2.3", ""),
    ("1.2.3.4.5", ""),
    ("1.2.3.4.5.6.7.8", ""),
    ("a 1.2.3.4.5 b", ""),
    ("1.2.3.4.a", ""),
    (".1.2.3.4", ""),
    ("...1.2.3.4", "1.2.3.4"),
    ("wait...1.2.3.4...done", "1.2.3.4"),
    ("1.2.3.4..5.6.7.8", "1.2.3.4 5.6.7.8"),
    ("..::1..", "::1"),
    ("x.1.2.3.4", ""),
    ("v1.2.3.4", ""),
    ("V1.2.3.4", ""),
    ("x1.2.3.4", ""),
    ("1.2.3.4x", ""),
    ("1.2.3.4a", ""),
    ("1.2.3.4_", ""),
    ("_1.2.3.4", ""),
    ("a_1.2.3.4", ""),
    ("1.2.3.4-beta", ""),
    ("release-1.2.3.4", ""),
    ("linux-image-5.15.0.91-generic", ""),
    ("OpenSSH_7.4p1", ""),
    ("OpenSSH_7.4p1 Debian-10+deb9u7", ""),
    ("SSH-2.0-OpenSSH_8.2p1 Ubuntu-4ubuntu0.5", ""),
    ("Chrome/120.0.0.0 Safari/537.36", ""),
    ("Edg/120.0.0.0", ""),
    (
        "(Windows NT 5.2; en-US; rv:1.8.1.4) Gecko/20070515 Firefox/2.0.0.4",
        "",
    ),
    ("RV:1.9.0.1", ""),
    ("srv:1.9.0.1", "1.9.0.1"),
    ("localhost/127.0.0.1:8080", ""),
    ("connected to /127.0.0.1:8080", "127.0.0.1@8080"),
    ("Mozilla/5.0 (X11; Linux x86_64) Chrome/32.0.1700.77", ""),
    ("256.1.1.1", ""),
    ("1.256.1.1", ""),
    ("1.1.256.1", ""),
    ("1.1.1.256", ""),
    ("999.999.999.999", ""),
    ("1.2.3.1000", ""),
    ("1234.1.1.1", ""),
    ("01.2.3.4", ""),
    ("1.02.3.4", ""),
    ("1.2.03.4", ""),
    ("1.2.3.04", ""),
    ("1.2.3.00", ""),
    ("192.168.001.010", ""),
    ("00.0.0.0", ""),
    ("1..2.3.4", ""),
    ("1.2..3.4", ""),
    ("1.2.3..4", ""),
    ("1.2.3.", ""),
    ("1.2.3.4.5.", ""),
    ("5.36.59.76.dynamic-dsl-ip.omantel.net.om", ""),
    ("4.3.2.1.in-addr.arpa", ""),
    ("host.1.2.3.4.example.com", ""),
    ("ec2-52-80-34-196.compute-1.amazonaws.com", ""),
    ("12:1.2.3.4", ""),
    ("12:34:1.2.3.4", ""),
    ("1.2.3.4:5.6.7.8", ""),
    ("1.2.3.4:ab", ""),
    ("1.2.3.4:80.5", ""),
    ("1.2.3.4:80:81", ""),
    ("1.2.3.4:80x", ""),
    ("3.14159", ""),
    ("1.5", ""),
    ("2.0.0", ""),
    ("version 1.2.3", ""),
    ("0x1.2.3.4", ""),
    ("1e3.2.3.4", ""),
    ("[3217909.838554]", ""),
    ("11:35:01.123", ""),
    ("11:35:01.123456+00:00", ""),
    ("2026-11-30T11:35:01.123456+00:00", ""),
    ("2017-11-04T13:09:47.519075Z", ""),
    ("[17/May/2015:10:05:03 +0000]", ""),
    ("duration 0.0019550323486328125", ""),
    ("1.2.3.4.5.6", ""),
    ("java-1.8.0.292.b10", ""),
    // ---- IPv6 forms
    ("::1", "::1"),
    ("from ::1 port 22", "::1"),
    ("1::", "1::"),
    ("2001:db8::1", "2001:db8::1"),
    ("2001:DB8::1", "2001:db8::1"),
    ("2001:Db8:0:0:0:0:0:1", "2001:db8::1"),
    ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
    ("2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
    ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
    ("2001:db8:0000:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
    ("2001:db8::1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
    (
        "2001:db8:85a3::8a2e:370:7334",
        "2001:db8:85a3::8a2e:370:7334",
    ),
    ("fe80::1", "fe80::1"),
    ("FE80::1", "fe80::1"),
    ("fe80::", "fe80::"),
    ("ff02::1", "ff02::1"),
    ("::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8"),
    ("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"),
    ("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"),
    ("1:0:0:2:0:0:0:3", "1:0:0:2::3"),
    ("0:0:0:0:0:0:0:0", "::"),
    ("::0", "::"),
    ("0::0", "::"),
    ("::ffff:1.2.3.4", "1.2.3.4"),
    ("::FFFF:1.2.3.4", "1.2.3.4"),
    ("0:0:0:0:0:ffff:1.2.3.4", "1.2.3.4"),
    ("::ffff:102:304", "1.2.3.4"),
    ("::ffff:1.2.3.4:22", "1.2.3.4@22"),
    ("::ffff:1.2.3.4:22.", "1.2.3.4@22"),
    ("::ffff:1.2.3.4:", "1.2.3.4"),
    ("::ffff:1.2.3.4:99999", ""),
    ("::ffff:1.2.3.4:22x", ""),
    ("connect to ::ffff:1.2.3.4:22: refused", "1.2.3.4@22"),
    ("::ffff:1.2.3.4:22:33", ""),
    ("64:ff9b::1.2.3.4:443", "64:ff9b::102:304@443"),
    (
        "remoteAddress=::ffff:203.0.113.8:51234",
        "203.0.113.8@51234",
    ),
    ("[::ffff:1.2.3.4]:22", "1.2.3.4@22"),
    ("64:ff9b::1.2.3.4", "64:ff9b::102:304"),
    ("::1.2.3.4", "::102:304"),
    ("1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304"),
    ("2001:db8::1.2.3.4", "2001:db8::102:304"),
    ("[2001:db8::1]", "2001:db8::1"),
    ("[2001:db8::1]:22", "2001:db8::1@22"),
    ("[2001:db8::1]:65535", "2001:db8::1@65535"),
    ("[2001:db8::1]:65536", "2001:db8::1"),
    ("[2001:db8::1]:", "2001:db8::1"),
    ("[2001:db8::1]:22x", "2001:db8::1"),
    ("http://[2001:db8::1]:8080/x", "2001:db8::1@8080"),
    ("fe80::1%eth0", "fe80::1"),
    ("fe80::1%eth0 up", "fe80::1"),
    ("fe80::1%en0.100", "fe80::1"),
    ("fe80::1%eth0.", "fe80::1"),
    ("fe80::1%25eth0", "fe80::1"),
    ("[fe80::1%eth0]:22", "fe80::1@22"),
    ("fe80::1%", "fe80::1"),
    ("from 2001:db8::1.", "2001:db8::1"),
    ("from 2001:db8::1: Bye", "2001:db8::1"),
    ("2001:db8::", "2001:db8::"),
    ("2001:db8:::", "2001:db8::"),
    ("2001:db8::/32", "2001:db8::"),
    ("rhost=2001:db8::dead:beef", "2001:db8::dead:beef"),
    (
        "SRC=2001:0db8:0000:0000:0000:0000:0000:0001 DST=fe80::1",
        "2001:db8::1 fe80::1",
    ),
    ("\"src_ip\":\"2001:db8::1\"", "2001:db8::1"),
    ("(2001:db8::1)", "2001:db8::1"),
    ("2001:db8::1,2001:db8::2", "2001:db8::1 2001:db8::2"),
    ("2001:db8::1 and 1.2.3.4", "2001:db8::1 1.2.3.4"),
    ("fe80::1:22", "fe80::1:22"),
    ("1::2", "1::2"),
    (
        "0000:0000:0000:0000:0000:ffff:255.255.255.255",
        "255.255.255.255",
    ),
    // ---- IPv6 look-alikes that must not match
    ("::", ""),
    ("listening on :: port 22.", ""),
    (":::", ""),
    ("a::b", ""),
    ("dead::beef", ""),
    ("cafe:babe::", ""),
    ("std::string", ""),
    ("std::vector<int>::size_type", ""),
    ("hyper::proto::h1::conn", ""),
    ("Foo::Bar", ""),
    ("word::", ""),
    ("word:: next", ""),
    ("Vec::1", ""),
    ("x::1", ""),
    ("src:2001:db8::1", ""),
    ("2001:db8::1x", ""),
    ("2001:db8::1g", ""),
    ("2001:db8::1_", ""),
    ("2001:db8::1-beta", ""),
    ("2001:db8::1.x", ""),
    ("2001:db8::1:foo", ""),
    ("2001:db8::1.2", ""),
    ("2001:db8::1::2", ""),
    ("1:2:3:4:5:6:7:8:9", ""),
    ("1:2:3:4:5:6:7", ""),
    ("1:2:3:4:5:6:7:8::", ""),
    ("12345::1", ""),
    ("::1.2.3", ""),
    ("::1.2.3.4.5", ""),
    ("::ffff:1.2.3.256", ""),
    ("::ffff:01.2.3.4", ""),
    ("1:2:3:4:5:6:7:1.2.3.4", ""),
    ("00:1a:2b:3c:4d:5e", ""),
    ("00:1A:2B:3C:4D:5E", ""),
    ("00-1a-2b-3c-4d-5e", ""),
    ("001a.2b3c.4d5e", ""),
    ("52:54:00:7c:d8:0f:fe:54", ""),
    ("MAC=52:54:00:7c:d8:0f:fe:54:00:7c:d8:0f:08:00", ""),
    ("12:34:56", ""),
    ("12:34", ""),
    ("11:35:01", ""),
    ("Nov 30 11:35:01 host sshd[123]: x", ""),
    ("port 4444:11:", ""),
    ("1024:65535", ""),
    ("16:9", ""),
    ("0000: 45 00 00 3c", ""),
    ("MD5:12:34:56:78:9a:bc:de:f0:12:34:56:78:9a:bc:de:f0", ""),
    ("SHA256:abcDEF123/xyz+0", ""),
    ("d41d8cd98f00b204e9800998ecf8427e", ""),
    ("123e4567-e89b-12d3-a456-426614174000", ""),
    ("sshd[24200]:", ""),
    ("[::]:22", ""),
    ("0x1234:5678", ""),
    // ---- real log lines (quoted from public sample logs, addresses kept or documentation)
    (
        "Dec 10 06:55:46 LabSZ sshd[24200]: reverse mapping checking getaddrinfo for \
         ns.marryaldkfaczcz.com [173.234.31.186] failed - POSSIBLE BREAK-IN ATTEMPT!",
        "173.234.31.186",
    ),
    (
        "Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186",
        "173.234.31.186",
    ),
    (
        "Dec 10 06:55:46 LabSZ sshd[24200]: pam_unix(sshd:auth): authentication failure; \
         logname= uid=0 euid=0 tty=ssh ruser= rhost=173.234.31.186 ",
        "173.234.31.186",
    ),
    (
        "Dec 10 09:32:20 LabSZ sshd[24680]: Received disconnect from 1.2.3.4 port 4444:11: \
         Bye Bye [preauth]",
        "1.2.3.4",
    ),
    (
        "Dec 10 07:02:47 LabSZ sshd[24203]: Connection closed by 212.47.254.145 [preauth]",
        "212.47.254.145",
    ),
    (
        "Dec 10 07:07:38 LabSZ sshd[24206]: Failed password for invalid user test9 from \
         52.80.34.196 port 36060 ssh2",
        "52.80.34.196",
    ),
    (
        "Dec 10 07:08:28 LabSZ sshd[24208]: reverse mapping checking getaddrinfo for \
         ec2-52-80-34-196.cn-north-1.compute.amazonaws.com.cn [52.80.34.196] failed",
        "52.80.34.196",
    ),
    (
        "Jan  1 00:00:00 host sshd[1]: Address 5.36.59.76 maps to \
         5.36.59.76.dynamic-dsl-ip.omantel.net.om, but this does not map back to the address",
        "5.36.59.76",
    ),
    (
        "Jan  1 00:00:00 host sshd[1]: Server listening on 0.0.0.0 port 22.",
        "0.0.0.0",
    ),
    (
        "Jan  1 00:00:00 host sshd[1]: Server listening on :: port 22.",
        "",
    ),
    (
        "Jan  1 00:00:00 host sshd[1]: Accepted publickey for me from 2001:db8::5 port 5022 \
         ssh2: ED25519 SHA256:AAAAC3NzaC1lZDI1NTE5AAAAIO",
        "2001:db8::5",
    ),
    (
        "Jan  1 00:00:00 host sshd[1]: Connection from ::ffff:203.0.113.7 port 50000 on \
         ::ffff:10.0.0.2 port 22 rdomain \"\"",
        "203.0.113.7 10.0.0.2",
    ),
    (
        "Jan  1 00:00:00 host sshd[1]: error: kex_exchange_identification: Connection closed \
         by remote host; banner OpenSSH_7.4p1 from 198.51.100.3",
        "198.51.100.3",
    ),
    (
        "Aug 20 00:01:05 localhost kernel: [3217909.838554] [UFW BLOCK] IN=eth0 OUT= \
         MAC=52:54:00:7c:d8:0f:fe:54:00:7c:d8:0f:08:00 SRC=109.205.213.90 DST=194.58.102.129 \
         LEN=40 TOS=0x00 PREC=0x00 TTL=240 ID=1830 PROTO=TCP SPT=51638 DPT=48580 WINDOW=1024 \
         RES=0x00 SYN URGP=0 ",
        "109.205.213.90 194.58.102.129",
    ),
    (
        "kernel: [UFW BLOCK] IN=eth0 OUT= MAC=33:33:00:00:00:01:52:54:00:7c:d8:0f:86:dd \
         SRC=fe80:0000:0000:0000:5054:00ff:fe7c:d80f DST=ff02:0000:0000:0000:0000:0000:0000:0001 \
         LEN=72 TC=0 HOPLIMIT=255 FLOWLBL=0 PROTO=ICMPv6 TYPE=134 CODE=0",
        "fe80::5054:ff:fe7c:d80f ff02::1",
    ),
    (
        "{\"eventid\": \"cowrie.session.connect\", \"timestamp\": \"2017-11-04T13:09:47.519075Z\", \
         \"message\": \"New connection: 198.199.98.246:59091 (10.3.66.85:2222) [session: \
         a61702f387f1]\", \"src_port\": 59091, \"src_ip\": \"198.199.98.246\", \"dst_port\": \
         2222, \"dst_ip\": \"10.3.66.85\", \"sensor\": \"scw-8456a9\"}",
        "198.199.98.246@59091 10.3.66.85@2222 198.199.98.246 10.3.66.85",
    ),
    (
        "{\"message\": \"Connection lost after 0 seconds\", \"system\": \
         \"HoneyPotSSHTransport,0,198.199.98.246\", \"duration\": 0.0019550323486328125}",
        "198.199.98.246",
    ),
    (
        "83.149.9.216 - - [17/May/2015:10:05:03 +0000] \"GET /presentations/logstash-2013/ \
         HTTP/1.1\" 200 203023 \"http://semicomplete.com/\" \"Mozilla/5.0 (Macintosh; Intel \
         Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 \
         Safari/537.36\"",
        "83.149.9.216",
    ),
    (
        "2001:db8::7 - - [30/Nov/2026:11:35:01 +0000] \"GET / HTTP/2.0\" 200 5 \"-\" \
         \"Mozilla/5.0 Chrome/120.0.0.0 Safari/537.36\"",
        "2001:db8::7",
    ),
    (
        "Nov 30 11:35:01 mx postfix/smtpd[123]: connect from unknown[192.0.2.44]",
        "192.0.2.44",
    ),
    (
        "Nov 30 11:35:01 mx postfix/smtpd[123]: connect from unknown[2001:db8::44]",
        "2001:db8::44",
    ),
    (
        "2026-11-30 11:35:01,123 fail2ban.actions [1]: NOTICE [sshd] Ban 192.0.2.9",
        "192.0.2.9",
    ),
    (
        "Nov 30 11:35:01 host dovecot: imap-login: Disconnected: user=<>, rip=192.0.2.1, \
         lip=10.0.0.1, session=<abcDEF12>",
        "192.0.2.1 10.0.0.1",
    ),
    (
        "Nov 30 11:35:01 host named[1]: client @0x7f1 192.0.2.53#5353 (example.com): query",
        "192.0.2.53",
    ),
    (
        "Nov 30 11:35:01 host dhclient[1]: DHCPACK of 192.168.1.50 from 192.168.1.1 (xid=0x1a2b3c4d)",
        "192.168.1.50 192.168.1.1",
    ),
    (
        "Nov 30 11:35:01 host kernel: eth0: link up, 1000Mbps, full-duplex, lpa 0x45E1 \
         mac 00:1a:2b:3c:4d:5e",
        "",
    ),
    (
        "Nov 30 11:35:01 host app[1]: thread 'main' panicked at src/main.rs:12:34: \
         std::option::Option::unwrap()",
        "",
    ),
    (
        "Nov 30 11:35:01 host systemd[1]: Started Session 1.2.3.4 of user root.",
        "1.2.3.4",
    ),
    (
        "Nov 30 11:35:01 host apt: upgraded openssh-server:amd64 1:9.2p1-2+deb12u3",
        "",
    ),
];

#[test]
fn table() {
    let mut failures = Vec::new();
    for &(input, expected) in CASES {
        let got = render(input.as_bytes());
        if got != expected {
            failures.push(format!(
                "{input:?}\n    expected {expected:?}\n    got      {got:?}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n")
    );
}

/// Address forms × what can stand right before and after them.
#[test]
fn forms_times_surroundings() {
    // (text, the address text inside it, expected ip, expected port)
    let forms: &[(&str, &str, &str, Option<u16>)] = &[
        ("203.0.113.5", "203.0.113.5", "203.0.113.5", None),
        ("0.0.0.0", "0.0.0.0", "0.0.0.0", None),
        ("203.0.113.5:443", "203.0.113.5", "203.0.113.5", Some(443)),
        ("[203.0.113.5]:443", "203.0.113.5", "203.0.113.5", Some(443)),
        ("2001:db8::5", "2001:db8::5", "2001:db8::5", None),
        (
            "2001:0DB8:0:0:0:0:0:5",
            "2001:0DB8:0:0:0:0:0:5",
            "2001:db8::5",
            None,
        ),
        ("::1", "::1", "::1", None),
        ("fe80::", "fe80::", "fe80::", None),
        (
            "::ffff:203.0.113.5",
            "::ffff:203.0.113.5",
            "203.0.113.5",
            None,
        ),
        (
            "64:ff9b::203.0.113.5",
            "64:ff9b::203.0.113.5",
            "64:ff9b::cb00:7105",
            None,
        ),
        ("[2001:db8::5]", "2001:db8::5", "2001:db8::5", None),
        (
            "[2001:db8::5]:8443",
            "2001:db8::5",
            "2001:db8::5",
            Some(8443),
        ),
        ("fe80::5%eth0", "fe80::5", "fe80::5", None),
    ];
    let good_before = [
        "", " ", "\t", "=", "(", "[", "<", "{", "\"", "'", ",", ";", "@", "from ", "SRC=", "x,",
        "\u{e9}", "/", "//", "1 ", "- ", "9-", "a =", "\u{ff}",
    ];
    let good_after = [
        "", " ", "\t", ")", "]", ">", "}", "\"", "'", ",", ";", ".", ". x", "...", "!", "?", "#53",
        "/24", "\n", "\r\n", "-9", " -", "\u{e9}", " port 22",
    ];
    let bad_before = [
        "a", "x", "Z", "0", "9", "_", ".", "x.", "a-", "Chrome/", "v",
    ];
    let bad_after = [
        "a", "g", "Z", "0", "_", ".x", ".0", "-beta", "x", "_x", ".a",
    ];
    let mut checked = 0;
    for &(form, addr, ip, port) in forms {
        let bracketed = form.starts_with('[');
        let offset = usize::from(bracketed);
        for b in good_before {
            for a in good_after {
                // "]" after an unbracketed IPv6 with a port-looking tail is still fine; skip
                // only the combinations that change the form itself.
                if (bracketed && b.ends_with('[')) || (form.contains('%') && a.starts_with('.')) {
                    continue;
                }
                let text = format!("{b}{form}{a}");
                let found = find_all(text.as_bytes());
                assert_eq!(found.len(), 1, "{text:?}: {found:?}");
                assert_eq!(found[0].ip.to_string(), ip, "{text:?}");
                assert_eq!(found[0].port, port, "{text:?}");
                let at = b.len() + offset;
                assert_eq!(
                    (found[0].start, found[0].end),
                    (at, at + addr.len()),
                    "{text:?}"
                );
                checked += 1;
            }
        }
        // Glued to a word, the address is not found as itself (the longer token may be a
        // different address: `203.0.113.5` + `0`).
        let own_span = |text: &str, at: usize| {
            find_all(text.as_bytes())
                .iter()
                .any(|f| (f.start, f.end, f.port) == (at, at + addr.len(), port))
        };
        if !bracketed {
            for b in bad_before {
                let text = format!("{b}{form}");
                assert!(!own_span(&text, b.len()), "{text:?}");
                checked += 1;
            }
        }
        if !form.ends_with(']') && !form.contains('%') {
            for a in bad_after {
                let text = format!("{form}{a}");
                assert!(!own_span(&text, 0), "{text:?}");
                checked += 1;
            }
        }
    }
    assert!(checked > 1000, "{checked}");
}

#[test]
fn invalid_utf8_around_addresses() {
    let mut text = vec![0xff, 0xfe, b' '];
    text.extend_from_slice(b"1.2.3.4");
    text.extend_from_slice(&[0xc3, 0x28, 0x80]);
    text.extend_from_slice(b"2001:db8::9");
    text.extend_from_slice(&[0xed, 0xa0, 0x80, 0x00]);
    text.extend_from_slice(b"[::1]:22\xf0\x90\x80");
    assert_eq!(render(&text), "1.2.3.4 2001:db8::9 ::1@22");
    // Binary noise never panics and only finds what parses back.
    let noise: Vec<u8> = (0..100_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let _ = render(&noise);
}

#[test]
fn ten_megabyte_lines() {
    const HALF: usize = 5 << 20;
    for filler in [
        b"x".as_slice(),
        b"1",
        b"1.",
        b"a:",
        b"::",
        b"0.0.",
        b"ab:cd:",
    ] {
        let half = filler.repeat(HALF / filler.len());
        let mut line = half.clone();
        line.extend_from_slice(b" 192.0.2.200 ");
        let start = half.len() + 1;
        line.extend_from_slice(&half);
        let found = find_all(&line);
        assert_eq!(
            found.len(),
            1,
            "filler {:?}",
            String::from_utf8_lossy(filler)
        );
        assert_eq!(found[0].ip, IpAddr::from([192, 0, 2, 200]));
        assert_eq!((found[0].start, found[0].end), (start, start + 11));
    }
}

#[test]
fn api_agrees() {
    let text = b"a 1.2.3.4 b [2001:db8::1]:22 c";
    let mut via_scan = Vec::new();
    scan(text, |f| via_scan.push(f));
    assert_eq!(via_scan, find_all(text));
    assert_eq!(addresses(text).collect::<Vec<Found>>(), via_scan);
    assert_eq!(first(text), via_scan.first().copied());
    assert_eq!(first(b"no address here: 12:34:56"), None);
    assert_eq!(via_scan.len(), 2);
    assert_eq!(&text[via_scan[1].start..via_scan[1].end], b"2001:db8::1");
}

#[test]
fn parse_addr_is_strict_and_canonical() {
    let ok: &[(&str, &str)] = &[
        ("1.2.3.4", "1.2.3.4"),
        ("::", "::"),
        ("a::b", "a::b"),
        ("::FFFF:1.2.3.4", "1.2.3.4"),
        ("[2001:db8::1]", "2001:db8::1"),
        ("[1.2.3.4]", "1.2.3.4"),
        ("fe80::1%eth0", "fe80::1"),
        ("[fe80::1%eth0]", "fe80::1"),
        ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
    ];
    for &(t, want) in ok {
        assert_eq!(
            parse_addr(t.as_bytes()).map(|a| a.to_string()).as_deref(),
            Some(want),
            "{t}"
        );
    }
    for t in [
        "",
        "1.2.3",
        "01.2.3.4",
        "1.2.3.4 ",
        " 1.2.3.4",
        "1.2.3.4:22",
        "[::1]:22",
        "[::1",
        "::1]",
        "fe80::1%",
        "fe80::1%eth 0",
        "1.2.3.4%eth0",
        "1.2.3.4.",
        "::1.",
        ":::",
        "1:2:3:4:5:6:7:8:9",
        "g::1",
        "\u{ff}",
    ] {
        assert_eq!(parse_addr(t.as_bytes()), None, "{t:?}");
    }
}

// ---------------------------------------------------------------------------------------
// Property tests

/// A random IPv6 address with many zero groups, so that `::` appears in many places.
fn arb_v6() -> impl Strategy<Value = Ipv6Addr> {
    prop::array::uniform8(prop_oneof![2 => Just(0u16), 1 => Just(1u16), 3 => any::<u16>()])
        .prop_map(Ipv6Addr::from)
}

fn arb_v4() -> impl Strategy<Value = Ipv4Addr> {
    prop_oneof![
        any::<[u8; 4]>().prop_map(Ipv4Addr::from),
        prop::array::uniform4(prop_oneof![Just(0u8), Just(255u8), Just(1u8), any::<u8>()])
            .prop_map(Ipv4Addr::from),
    ]
}

/// How to write an IPv6 address.
#[derive(Clone, Debug)]
struct V6Style {
    /// Compress the longest run of zeros (or the run starting at this index, if any).
    compress: Option<usize>,
    /// Extra leading zeros per group (total width at most 4).
    pad: [u8; 8],
    upper: [bool; 8],
    /// Write the last 32 bits as a dotted quad.
    v4_tail: bool,
}

fn arb_style() -> impl Strategy<Value = V6Style> {
    (
        prop::option::of(0usize..8),
        prop::array::uniform8(0u8..4),
        prop::array::uniform8(any::<bool>()),
        prop::bool::weighted(0.2),
    )
        .prop_map(|(compress, pad, upper, v4_tail)| V6Style {
            compress,
            pad,
            upper,
            v4_tail,
        })
}

fn write_v6(a: Ipv6Addr, st: &V6Style) -> String {
    let g = a.segments();
    let ngroups = if st.v4_tail { 6 } else { 8 };
    // A run of zero groups to compress, starting at the chosen index.
    let run = st.compress.and_then(|i| {
        if i >= ngroups || g[i] != 0 {
            return None;
        }
        let len = g[i..ngroups].iter().take_while(|&&x| x == 0).count();
        Some((i, i + len))
    });
    let hex = |k: usize| {
        let s = format!("{:x}", g[k]);
        let width = (s.len() + st.pad[k] as usize).min(4);
        let s = format!("{s:0>width$}");
        if st.upper[k] { s.to_uppercase() } else { s }
    };
    let mut out = String::new();
    let mut k = 0;
    while k < ngroups {
        if let Some((rs, re)) = run
            && k == rs
        {
            out.push_str("::");
            k = re;
            continue;
        }
        if !out.is_empty() && !out.ends_with(':') {
            out.push(':');
        }
        out.push_str(&hex(k));
        k += 1;
    }
    if st.v4_tail {
        if !out.is_empty() && !out.ends_with(':') {
            out.push(':');
        }
        let o = a.octets();
        write!(out, "{}.{}.{}.{}", o[12], o[13], o[14], o[15]).unwrap();
    }
    out
}

/// Surrounding text that cannot contain an address (no `.` or `:`), with hex letters and
/// digits, non-ASCII and invalid UTF-8 bytes.
fn arb_filler() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            4 => prop::sample::select(b"abcdefxyzABCFQ0123456789 \t-_/=,;()[]<>\"'@#%".to_vec()),
            1 => 0x80u8..=0xff,
        ],
        0..40,
    )
}

const SEP_BEFORE: &[&str] = &[
    " ", "\t", "=", "(", "\"", "'", ",", ";", "<", "@", " [x] ", "\u{e9}",
];
const SEP_AFTER: &[&str] = &[
    " ", "\t", ")", "\"", "'", ",", ";", ">", ". ", "\n", "...", "\u{e9}",
];

/// Free-text IPv6 needs a decimal digit, and eight two-digit groups read as a MAC.
fn free_text_v6_ok(t: &str) -> bool {
    let hardware = t.len() == 23 && !t.contains("::") && t.split(':').all(|g| g.len() == 2);
    t.bytes().any(|b| b.is_ascii_digit()) && !hardware
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn v6_found_in_any_form(
        a in arb_v6(), st in arb_style(), bracket in 0u8..3, port in any::<u16>(),
        pre in arb_filler(), post in arb_filler(),
        sb in prop::sample::select(SEP_BEFORE), sa in prop::sample::select(SEP_AFTER),
    ) {
        let addr = write_v6(a, &st);
        prop_assume!(free_text_v6_ok(&addr));
        let (form, want_port) = match bracket {
            0 => (addr.clone(), None),
            1 => (format!("[{addr}]"), None),
            _ => (format!("[{addr}]:{port}"), Some(port)),
        };
        let mut text = pre.clone();
        text.extend_from_slice(sb.as_bytes());
        let start = text.len() + usize::from(bracket > 0);
        text.extend_from_slice(form.as_bytes());
        text.extend_from_slice(sa.as_bytes());
        text.extend_from_slice(&post);
        let found = find_all(&text);
        prop_assert_eq!(found.len(), 1, "{:?} in {:?}", form, String::from_utf8_lossy(&text));
        let f = found[0];
        prop_assert_eq!(f.ip, IpAddr::V6(a).to_canonical());
        prop_assert_eq!(f.ip.to_string(), IpAddr::V6(a).to_canonical().to_string());
        prop_assert_eq!((f.start, f.end), (start, start + addr.len()));
        prop_assert_eq!(f.port, want_port);
    }

    #[test]
    fn v4_found_in_any_form(
        a in arb_v4(), form in 0u8..6, port in any::<u16>(), st in arb_style(),
        pre in arb_filler(), post in arb_filler(),
        sb in prop::sample::select(SEP_BEFORE), sa in prop::sample::select(SEP_AFTER),
    ) {
        let mapped = write_v6(a.to_ipv6_mapped(), &st);
        let (addr, text_form, want_port, offset) = match form {
            0 => (a.to_string(), a.to_string(), None, 0),
            1 => (a.to_string(), format!("{a}:{port}"), Some(port), 0),
            2 => (a.to_string(), format!("[{a}]:{port}"), Some(port), 1),
            3 => (mapped.clone(), mapped.clone(), None, 0),
            4 => (mapped.clone(), format!("[{mapped}]:{port}"), Some(port), 1),
            // Unbracketed with a port: only unambiguous after a dotted quad.
            _ => (mapped.clone(), format!("{mapped}:{port}"), Some(port), 0),
        };
        prop_assume!(form < 5 || mapped.contains('.'));
        let mut text = pre.clone();
        text.extend_from_slice(sb.as_bytes());
        let start = text.len() + offset;
        text.extend_from_slice(text_form.as_bytes());
        text.extend_from_slice(sa.as_bytes());
        text.extend_from_slice(&post);
        prop_assume!(form < 3 || free_text_v6_ok(&mapped));
        let found = find_all(&text);
        prop_assert_eq!(found.len(), 1, "{:?} in {:?}", text_form, String::from_utf8_lossy(&text));
        let f = found[0];
        prop_assert_eq!(f.ip, IpAddr::V4(a));
        prop_assert_eq!((f.start, f.end), (start, start + addr.len()));
        prop_assert_eq!(f.port, want_port);
    }

    #[test]
    fn several_addresses_in_order(
        addrs in prop::collection::vec(prop_oneof![
            arb_v4().prop_map(IpAddr::V4),
            arb_v6().prop_map(|a| IpAddr::V6(a).to_canonical()),
        ], 0..6),
        fillers in prop::collection::vec(arb_filler(), 6),
    ) {
        let mut text = Vec::new();
        for (ip, fill) in addrs.iter().zip(&fillers) {
            text.extend_from_slice(fill);
            text.push(b' ');
            // The full form always carries digits and never reads as a MAC.
            let s = match ip {
                IpAddr::V4(a) => a.to_string(),
                IpAddr::V6(a) => a.segments().map(|g| format!("{g:04x}")).join(":"),
            };
            text.extend_from_slice(s.as_bytes());
            text.push(b' ');
        }
        let got: Vec<IpAddr> = find_all(&text).iter().map(|f| f.ip).collect();
        prop_assert_eq!(got, addrs);
    }

    #[test]
    fn non_addresses_never_found(
        kind in 0u8..12,
        nums in prop::collection::vec(0u32..1000, 8),
        hex in prop::collection::vec(any::<u8>(), 8),
        pre in arb_filler(), post in arb_filler(),
        sb in prop::sample::select(SEP_BEFORE), sa in prop::sample::select(SEP_AFTER),
    ) {
        let oct = |i: usize| nums[i] % 256;
        let look_alike = match kind {
            // Five or more dotted octets.
            0 => format!("{}.{}.{}.{}.{}", oct(0), oct(1), oct(2), oct(3), oct(4)),
            // An octet above 255.
            1 => {
                let big = 256 + nums[4] % 744;
                let mut o: Vec<String> = (0..4).map(|i| oct(i).to_string()).collect();
                o[nums[5] as usize % 4] = big.to_string();
                o.join(".")
            }
            // An octet with a leading zero.
            2 => {
                let mut o: Vec<String> = (0..4).map(|i| oct(i).to_string()).collect();
                o[nums[5] as usize % 4] = format!("0{}", oct(4));
                o.join(".")
            }
            // Version strings.
            3 => format!("v{}.{}.{}.{}", oct(0), oct(1), oct(2), oct(3)),
            4 => format!("OpenSSH_{}.{}p{}", nums[0] % 10, nums[1] % 10, nums[2] % 10),
            5 => format!("{}.{}.{}.{}-beta", oct(0), oct(1), oct(2), oct(3)),
            // MAC addresses and longer hardware fields.
            6 => hex[..6].iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(":"),
            7 => hex[..6].iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join("-"),
            8 => hex.iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(":"),
            // Times.
            9 => format!("{:02}:{:02}:{:02}", nums[0] % 24, nums[1] % 60, nums[2] % 60),
            10 => format!(
                "{:02}:{:02}:{:02}.{:03}",
                nums[0] % 24, nums[1] % 60, nums[2] % 60, nums[3]
            ),
            // Three dotted octets and a product/version token.
            _ => format!("Chrome/{}.{}.{}.{}", oct(0), oct(1), oct(2), oct(3)),
        };
        let mut text = pre.clone();
        text.extend_from_slice(sb.as_bytes());
        text.extend_from_slice(look_alike.as_bytes());
        text.extend_from_slice(sa.as_bytes());
        text.extend_from_slice(&post);
        let found = find_all(&text);
        prop_assert!(found.is_empty(), "{:?} gave {:?}", look_alike, found);
    }

    /// The strict parser agrees with the standard library on strings made of address
    /// characters (both reject leading-zero octets and accept every RFC 4291 form).
    #[test]
    fn parse_addr_matches_std(s in "[0-9a-fA-F:.]{0,45}") {
        let std = s.parse::<IpAddr>().ok().map(|a| a.to_canonical());
        prop_assert_eq!(parse_addr(s.as_bytes()), std);
    }

    #[test]
    fn parse_addr_matches_std_on_near_addresses(
        a in arb_v6(), st in arb_style(), edit in 0usize..48, c in prop::sample::select(b":.0f1G".to_vec()),
    ) {
        let mut s = write_v6(a, &st).into_bytes();
        let i = edit % (s.len() + 1);
        if edit % 2 == 0 { s.insert(i, c) } else if i < s.len() { s.remove(i); }
        let std = std::str::from_utf8(&s).ok().and_then(|t| t.parse::<IpAddr>().ok()).map(|a| a.to_canonical());
        prop_assert_eq!(parse_addr(&s), std);
    }

    /// Arbitrary bytes: no panic, ordered non-overlapping results that parse back.
    #[test]
    fn arbitrary_bytes_are_safe(
        text in prop::collection::vec(
            prop_oneof![
                3 => prop::sample::select(b"0123456789abcdefABCDEF.:[]%-_ /xyz".to_vec()),
                1 => any::<u8>(),
            ],
            0..200,
        ),
    ) {
        let _ = render(&text);
    }
}
