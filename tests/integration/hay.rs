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
