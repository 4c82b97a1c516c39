//! What kind of network an address belongs to.
//!
//! Ranges follow the IANA special-purpose registries (RFC 6890 and successors). Choices:
//! - CGNAT `100.64.0.0/10` and NAT64 local-use `64:ff9b:1::/48` are [`Scope::Private`]; so is
//!   the deprecated IPv6 site-local `fec0::/10` (it meant "private").
//! - An IPv4-mapped (`::ffff:a.b.c.d`) or well-known NAT64 (`64:ff9b::a.b.c.d`) address has the
//!   scope of the IPv4 address inside it.
//! - Teredo `2001::/32` is [`Scope::Global`]: its packets come from real Internet hosts through
//!   a tunnel. So are 6to4 `2002::/16` and the anycast/AMT/AS112/ORCHIDv2/DRIP blocks that
//!   IANA marks globally reachable inside `2001::/23`; the rest of `2001::/23` is reserved.
//! - IPv6 outside `2000::/3` that is not loopback, unique-local, link-local, site-local or
//!   multicast is unassigned: [`Scope::Reserved`] (this includes `::`, the deprecated
//!   IPv4-compatible `::a.b.c.d`, the discard prefix `100::/64` and SRv6 `5f00::/16`).
//! - `192.0.0.0/24` is reserved as a whole (its two anycast /32s are ignored), and so is the
//!   deprecated 6to4 relay anycast `192.88.99.0/24`.
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The scope of an address, as used by `--include-private` and `grep --public`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Routable on the public Internet.
    Global,
    /// RFC 1918, CGNAT (`100.64.0.0/10`), unique-local IPv6 (`fc00::/7`) and similar.
    Private,
    /// `127.0.0.0/8`, `::1`.
    Loopback,
    /// `169.254.0.0/16`, `fe80::/10`.
    LinkLocal,
    /// Documentation, benchmarking, multicast, unspecified, broadcast and other reserved ranges.
    Reserved,
}

impl Scope {
    /// Is this a public, routable address (the ones that go on the map)?
    pub fn is_global(self) -> bool {
        self == Scope::Global
    }

    /// The stable name used in exports (`global`, `private`, `loopback`, `link_local`,
    /// `reserved`).
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Global => "global",
            Scope::Private => "private",
            Scope::Loopback => "loopback",
            Scope::LinkLocal => "link_local",
            Scope::Reserved => "reserved",
        }
    }
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The scope of `ip` (see the module docs for the ranges).
pub fn scope(ip: IpAddr) -> Scope {
    match ip {
        IpAddr::V4(a) => scope_v4(a),
        IpAddr::V6(a) => scope_v6(a),
    }
}

fn scope_v4(a: Ipv4Addr) -> Scope {
    match a.octets() {
        [0, ..] => Scope::Reserved,
        [10, ..] => Scope::Private,
        [100, 64..=127, ..] => Scope::Private,
        [127, ..] => Scope::Loopback,
        [169, 254, ..] => Scope::LinkLocal,
        [172, 16..=31, ..] => Scope::Private,
        [192, 0, 0, _] | [192, 0, 2, _] | [192, 88, 99, _] => Scope::Reserved,
        [192, 168, ..] => Scope::Private,
        [198, 18..=19, ..] | [198, 51, 100, _] | [203, 0, 113, _] => Scope::Reserved,
        // Multicast 224/4, reserved 240/4 and the broadcast address.
        [224..=255, ..] => Scope::Reserved,
        _ => Scope::Global,
    }
}

fn scope_v6(a: Ipv6Addr) -> Scope {
    let s = a.segments();
    if let Some(v4) = a.to_ipv4_mapped() {
        return scope_v4(v4);
    }
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        let [.., o0, o1, o2, o3] = a.octets();
        return scope_v4(Ipv4Addr::new(o0, o1, o2, o3));
    }
    if a == Ipv6Addr::LOCALHOST {
        return Scope::Loopback;
    }
    match s[0] {
        0x0064 if s[1] == 0xff9b && s[2] == 1 => Scope::Private,
        0x2001 if s[1] < 0x200 => scope_2001_23(&s),
        0x2001 if s[1] == 0xdb8 => Scope::Reserved,
        // The old 6bone test network and the new documentation prefix 3fff::/20.
        0x3ffe => Scope::Reserved,
        0x3fff if s[1] < 0x1000 => Scope::Reserved,
        0x2000..=0x3fff => Scope::Global,
        0xfc00..=0xfdff => Scope::Private,
        0xfe80..=0xfebf => Scope::LinkLocal,
        0xfec0..=0xfeff => Scope::Private,
        // Multicast ff00::/8, and everything unassigned.
        _ => Scope::Reserved,
    }
}

/// `2001::/23`, IETF protocol assignments.
fn scope_2001_23(s: &[u16; 8]) -> Scope {
    let global = match s[1] {
        // Teredo.
        0x0000 => true,
        // PCP and TURN anycast, DNS-SD SRP anycast: 2001:1::1, ::2, ::3.
        0x0001 => s[2..7] == [0; 5] && (1..=3).contains(&s[7]),
        // 2001:2::/48 is benchmarking; the rest of 2001:2::/32 is unassigned.
        // AMT.
        0x0003 => true,
        // AS112-v6 2001:4:112::/48.
        0x0004 => s[2] == 0x0112,
        // ORCHIDv2 2001:20::/28, DRIP 2001:30::/28.
        0x0020..=0x003f => true,
        _ => false,
    };
    if global {
        Scope::Global
    } else {
        Scope::Reserved
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(t: &str) -> Scope {
        scope(t.parse().unwrap_or_else(|e| panic!("{t}: {e}")))
    }

    #[test]
    fn table() {
        use Scope::*;
        let cases: &[(&str, Scope)] = &[
            // IPv4
            ("0.0.0.0", Reserved),
            ("0.255.255.255", Reserved),
            ("1.0.0.0", Global),
            ("8.8.8.8", Global),
            ("9.255.255.255", Global),
            ("10.0.0.0", Private),
            ("10.255.255.255", Private),
            ("11.0.0.0", Global),
            ("100.63.255.255", Global),
            ("100.64.0.0", Private),
            ("100.127.255.255", Private),
            ("100.128.0.0", Global),
            ("126.255.255.255", Global),
            ("127.0.0.1", Loopback),
            ("127.255.255.255", Loopback),
            ("128.0.0.0", Global),
            ("169.253.255.255", Global),
            ("169.254.0.1", LinkLocal),
            ("169.254.255.255", LinkLocal),
            ("169.255.0.0", Global),
            ("172.15.255.255", Global),
            ("172.16.0.0", Private),
            ("172.31.255.255", Private),
            ("172.32.0.0", Global),
            ("192.0.0.1", Reserved),
            ("192.0.1.1", Global),
            ("192.0.2.1", Reserved),
            ("192.0.3.1", Global),
            ("192.88.99.1", Reserved),
            ("192.167.255.255", Global),
            ("192.168.0.0", Private),
            ("192.168.255.255", Private),
            ("192.169.0.0", Global),
            ("198.17.255.255", Global),
            ("198.18.0.0", Reserved),
            ("198.19.255.255", Reserved),
            ("198.20.0.0", Global),
            ("198.51.100.7", Reserved),
            ("198.51.101.7", Global),
            ("203.0.113.7", Reserved),
            ("203.0.114.7", Global),
            ("223.255.255.255", Global),
            ("224.0.0.1", Reserved),
            ("239.255.255.255", Reserved),
            ("240.0.0.1", Reserved),
            ("255.255.255.255", Reserved),
            // IPv6
            ("::", Reserved),
            ("::1", Loopback),
            ("::2", Reserved),
            ("::1.2.3.4", Reserved),
            ("::ffff:8.8.8.8", Global),
            ("::ffff:10.1.2.3", Private),
            ("::ffff:127.0.0.1", Loopback),
            ("64:ff9b::8.8.8.8", Global),
            ("64:ff9b::192.168.1.1", Private),
            ("64:ff9b::203.0.113.1", Reserved),
            ("64:ff9b:1::1", Private),
            ("100::1", Reserved),
            ("1fff:ffff::1", Reserved),
            ("2000::1", Global),
            ("2001::1", Global),
            ("2001:0:4136:e378:8000:63bf:3fff:fdd2", Global),
            ("2001:1::1", Global),
            ("2001:1::2", Global),
            ("2001:1::4", Reserved),
            ("2001:2::1", Reserved),
            ("2001:3::1", Global),
            ("2001:4:112::1", Global),
            ("2001:4:113::1", Reserved),
            ("2001:10::1", Reserved),
            ("2001:20::1", Global),
            ("2001:30::1", Global),
            ("2001:40::1", Reserved),
            ("2001:1ff::1", Reserved),
            ("2001:200::1", Global),
            ("2001:db7:ffff::1", Global),
            ("2001:db8::1", Reserved),
            ("2001:db8:ffff::1", Reserved),
            ("2001:db9::1", Global),
            ("2002:c000:0204::1", Global),
            ("2a00:1450:4001:82b::200e", Global),
            ("3ffe::1", Reserved),
            ("3fff::1", Reserved),
            ("3fff:fff::1", Reserved),
            ("3fff:1000::1", Global),
            ("4000::1", Reserved),
            ("5f00::1", Reserved),
            ("fbff::1", Reserved),
            ("fc00::1", Private),
            ("fd12:3456::1", Private),
            ("fe00::1", Reserved),
            ("fe7f::1", Reserved),
            ("fe80::1", LinkLocal),
            ("febf::1", LinkLocal),
            ("fec0::1", Private),
            ("ff00::1", Reserved),
            ("ff02::1", Reserved),
        ];
        let mut bad = Vec::new();
        for &(t, want) in cases {
            if of(t) != want {
                bad.push(format!("{t}: want {want}, got {}", of(t)));
            }
        }
        assert!(bad.is_empty(), "{}", bad.join("\n"));
    }

    #[test]
    fn names_and_global() {
        assert!(Scope::Global.is_global());
        for s in [
            Scope::Private,
            Scope::Loopback,
            Scope::LinkLocal,
            Scope::Reserved,
        ] {
            assert!(!s.is_global());
            assert_eq!(serde_json::to_string(&s).ok(), Some(format!("\"{s}\"")));
        }
    }

    /// IPv4-mapped addresses always have the scope of the IPv4 address inside them, and
    /// std's `is_private`/`is_loopback`/`is_link_local` agree with ours where they overlap.
    #[test]
    fn agrees_with_std_predicates() {
        let mut x: u32 = 0x1234_5678;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            let a = Ipv4Addr::from(x);
            let s = scope_v4(a);
            assert_eq!(scope(IpAddr::V6(a.to_ipv6_mapped())), s);
            assert_eq!(a.is_loopback(), s == Scope::Loopback, "{a}");
            assert_eq!(a.is_link_local(), s == Scope::LinkLocal, "{a}");
            if a.is_private() {
                assert_eq!(s, Scope::Private, "{a}");
            }
            if a.is_multicast() || a.is_documentation() || a.is_broadcast() {
                assert_eq!(s, Scope::Reserved, "{a}");
            }
        }
    }
}
