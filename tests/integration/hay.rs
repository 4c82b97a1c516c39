//! Sample texts for the tests. Lines marked "real" are quoted from public logs of real servers
//! (loghub's OpenSSH_2k, elastic's apache_logs); the others are written to the OpenSSH
//! wordings.

/// A short auth.log: three attackers, one successful login, one private address.
///
/// Counted by hand (the counting rule of `src/parse/sshd.rs`):
/// - 5.36.59.76 (real sequence, pid 24227): `Failed password` (1) + `message repeated 5 times`
///   (5) = 6 failures; `PAM 5 more authentication failures` summarises them and adds nothing.
/// - 173.234.31.186 (real, pid 24200): one `Failed password for invalid user webmaster` = 1
///   failure; events: reverse-mapping (other), invalid user, pam rhost (other), failure,
///   connection closed = 5.
/// - 2a01:4f8:1c1c:5870::1 (sshd-session, keyboard-interactive): each attempt is logged by PAM
///   and by sshd; 2 attempts = 2 failures.
/// - 80.94.95.115: one accepted publickey login.
/// - 192.168.1.5: private, counted apart.
pub const AUTH: &str = "\
Dec 10 06:55:46 LabSZ sshd[24200]: reverse mapping checking getaddrinfo for ns.marryaldkfaczcz.com [173.234.31.186] failed - POSSIBLE BREAK-IN ATTEMPT!
Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186
Dec 10 06:55:46 LabSZ sshd[24200]: input_userauth_request: invalid user webmaster [preauth]
Dec 10 06:55:46 LabSZ sshd[24200]: pam_unix(sshd:auth): check pass; user unknown
Dec 10 06:55:46 LabSZ sshd[24200]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=173.234.31.186 
Dec 10 06:55:48 LabSZ sshd[24200]: Failed password for invalid user webmaster from 173.234.31.186 port 38926 ssh2
Dec 10 06:55:48 LabSZ sshd[24200]: Connection closed by 173.234.31.186 [preauth]
Dec 10 07:13:31 LabSZ sshd[24227]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=5.36.59.76.dynamic-dsl-ip.omantel.net.om  user=root
Dec 10 07:13:43 LabSZ sshd[24227]: Failed password for root from 5.36.59.76 port 42393 ssh2
Dec 10 07:13:56 LabSZ sshd[24227]: message repeated 5 times: [ Failed password for root from 5.36.59.76 port 42393 ssh2]
Dec 10 07:13:56 LabSZ sshd[24227]: Disconnecting: Too many authentication failures for root [preauth]
Dec 10 07:13:56 LabSZ sshd[24227]: PAM 5 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=5.36.59.76.dynamic-dsl-ip.omantel.net.om  user=root
Dec 10 07:13:56 LabSZ sshd[24227]: PAM service(sshd) ignoring max retries; 6 > 3
Dec 10 08:00:01 LabSZ sshd-session[900]: error: PAM: Authentication failure for root from 2a01:4f8:1c1c:5870::1
Dec 10 08:00:01 LabSZ sshd-session[900]: Failed keyboard-interactive/pam for root from 2a01:4f8:1c1c:5870::1 port 52144 ssh2
Dec 10 08:00:03 LabSZ sshd-session[900]: error: PAM: Authentication failure for root from 2a01:4f8:1c1c:5870::1
Dec 10 08:00:03 LabSZ sshd-session[900]: Failed keyboard-interactive/pam for root from 2a01:4f8:1c1c:5870::1 port 52144 ssh2
Dec 10 08:00:04 LabSZ sshd-session[900]: Connection closed by authenticating user root 2a01:4f8:1c1c:5870::1 port 52144 [preauth]
Dec 10 09:05:00 LabSZ sshd[950]: Accepted publickey for deploy from 80.94.95.115 port 40022 ssh2: ED25519 SHA256:Yk3q9Zt0mQ2yQm1nQ0vQ5m7pJ1oVx9p2cW8a6T3sR4E
Dec 10 09:05:00 LabSZ sshd[950]: pam_unix(sshd:session): session opened for user deploy by (uid=0)
Dec 10 09:06:00 LabSZ sshd[951]: Accepted password for admin from 192.168.1.5 port 50514 ssh2
Dec 10 09:07:00 LabSZ CRON[960]: pam_unix(cron:session): session opened for user root by (uid=0)
";

/// Three lines of Apache combined format (real, elastic/examples apache_logs) and one IPv6
/// client written for the test.
pub const ACCESS: &str = r#"83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /presentations/logstash-monitorama-2013/images/kibana-search.png HTTP/1.1" 200 203023 "http://semicomplete.com/presentations/logstash-monitorama-2013/" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36"
83.149.9.216 - - [17/May/2015:10:05:43 +0000] "GET /presentations/logstash-monitorama-2013/images/kibana-dashboard3.png HTTP/1.1" 200 171717 "http://semicomplete.com/presentations/logstash-monitorama-2013/" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36"
66.249.73.135 - - [17/May/2015:10:05:40 +0000] "GET /blog/tags/ipv6 HTTP/1.1" 200 12251 "-" "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
2a03:2880:f003:c07:face:b00c::2 - - [17/May/2015:10:06:00 +0000] "GET /wp-login.php HTTP/1.1" 404 162 "-" "<script>alert(1)</script>"
"#;

/// `journalctl -u ssh -o json`: two records (one with an escaped quote in the user name).
pub const JOURNAL: &str = r#"{"__CURSOR":"s=1","__REALTIME_TIMESTAMP":"1796038501000000","_PID":"1201","SYSLOG_IDENTIFIER":"sshd-session","_COMM":"sshd-session","MESSAGE":"Failed password for invalid user \"oracle\" from 203.0.114.9 port 40000 ssh2"}
{"__CURSOR":"s=2","__REALTIME_TIMESTAMP":"1796038502000000","_PID":"1201","SYSLOG_IDENTIFIER":"sshd-session","MESSAGE":"Connection closed by invalid user \"oracle\" 203.0.114.9 port 40000 [preauth]"}
{"__CURSOR":"s=3","__REALTIME_TIMESTAMP":"1796038503000000","_PID":"1300","SYSLOG_IDENTIFIER":"sshd","MESSAGE":"Accepted publickey for root from 151.101.1.140 port 51515 ssh2: ED25519 SHA256:x"}
"#;

/// A UFW log written for the tests (kernel lines as rsyslog writes them): 7 packets from
/// public addresses — blocked: 3 × 22/TCP, 1 × 53/UDP, 1 ICMP echo; allowed: 1 × 443/TCP
/// (IPv6) — plus one blocked packet from a private address (left out by default).
///
/// Counted by hand, public addresses only: 6 events, blocked 5, allowed 1; addresses 4.
pub const UFW: &str = "\
Aug 20 00:01:05 fw kernel: [3217909.838554] [UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:7c:d8:0f:fe:54:00:7c:d8:0f:08:00 SRC=109.205.213.90 DST=194.58.102.129 LEN=40 TOS=0x00 PREC=0x00 TTL=240 ID=1830 PROTO=TCP SPT=51638 DPT=22 WINDOW=1024 RES=0x00 SYN URGP=0 
Aug 20 00:01:06 fw kernel: [3217910.100000] [UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:7c:d8:0f:fe:54:00:7c:d8:0f:08:00 SRC=109.205.213.90 DST=194.58.102.129 LEN=40 TOS=0x00 PREC=0x00 TTL=240 ID=1831 PROTO=TCP SPT=51639 DPT=22 WINDOW=1024 RES=0x00 SYN URGP=0 
Aug 20 00:02:00 fw kernel: [3217964.000001] [UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:7c:d8:0f:fe:54:00:7c:d8:0f:08:00 SRC=31.220.1.38 DST=194.58.102.129 LEN=40 TOS=0x00 PREC=0x00 TTL=248 ID=26822 PROTO=TCP SPT=61000 DPT=22 WINDOW=1024 RES=0x00 SYN URGP=0 
Aug 20 00:03:00 fw kernel: [3218024.000001] [UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:7c:d8:0f:fe:54:00:7c:d8:0f:08:00 SRC=31.220.1.38 DST=194.58.102.129 LEN=61 TOS=0x00 PREC=0x00 TTL=50 ID=3 PROTO=UDP SPT=5353 DPT=53 LEN=41 
Aug 20 00:04:00 fw kernel: [3218084.000001] [UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:7c:d8:0f:fe:54:00:7c:d8:0f:08:00 SRC=185.81.68.119 DST=194.58.102.129 LEN=28 TOS=0x00 PREC=0x00 TTL=50 ID=4 PROTO=ICMP TYPE=8 CODE=0 ID=1 SEQ=1 
Aug 20 00:05:00 fw kernel: [3218144.000001] [UFW ALLOW] IN=eth0 OUT= MAC=52:54:00:7c:d8:0f:fe:54:00:7c:d8:0f:86:dd SRC=2a03:2880:f003:c07:face:b00c:0000:0002 DST=2001:0db8:0000:0000:0000:0000:0000:0001 LEN=80 TC=0 HOPLIMIT=55 FLOWLBL=0 PROTO=TCP SPT=40000 DPT=443 WINDOW=64800 RES=0x00 SYN URGP=0 
Aug 20 00:06:00 fw kernel: [3218204.000001] [UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:7c:d8:0f:fe:54:00:7c:d8:0f:08:00 SRC=192.168.1.20 DST=194.58.102.129 LEN=40 TOS=0x00 PREC=0x00 TTL=64 ID=5 PROTO=TCP SPT=1000 DPT=445 WINDOW=1024 RES=0x00 SYN URGP=0 
";

/// An access log written for the tests (combined format): 8 requests from 3 public addresses.
///
/// Counted by hand: statuses 200 × 4, 301 × 1, 404 × 2, 500 × 1 (2xx 4, 3xx 1, 4xx 2, 5xx 1);
/// paths `/` × 3, `/wp-login.php` × 3, `/.env` × 1, `/about` × 1; user agents `curl/8.5.0` × 4,
/// `Mozilla/5.0 (X11; Linux x86_64)` × 3, `-` (none) × 1.
pub const ACCESS_MIX: &str = r#"83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1" 200 512 "-" "Mozilla/5.0 (X11; Linux x86_64)"
83.149.9.216 - - [17/May/2015:10:05:04 +0000] "GET /about HTTP/1.1" 200 512 "-" "Mozilla/5.0 (X11; Linux x86_64)"
83.149.9.216 - - [17/May/2015:10:05:05 +0000] "GET / HTTP/1.1" 200 512 "-" "Mozilla/5.0 (X11; Linux x86_64)"
66.249.73.135 - - [17/May/2015:10:06:00 +0000] "GET /wp-login.php HTTP/1.1" 404 162 "-" "curl/8.5.0"
66.249.73.135 - - [17/May/2015:10:06:01 +0000] "POST /wp-login.php HTTP/1.1" 404 162 "-" "curl/8.5.0"
66.249.73.135 - - [17/May/2015:10:06:02 +0000] "GET /wp-login.php HTTP/1.1" 500 0 "-" "curl/8.5.0"
46.105.14.53 - - [17/May/2015:10:07:00 +0000] "GET /.env HTTP/1.1" 301 0 "-" "curl/8.5.0"
46.105.14.53 - - [17/May/2015:10:07:01 +0000] "GET / HTTP/1.1" 200 512 "-" "-"
"#;
