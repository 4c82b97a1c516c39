//! (stub, being written on branch formats)
use super::Kind;
use std::net::IpAddr;
pub struct Firewall<'a> {
    pub kind: Kind,
    pub src: IpAddr,
    pub dst: Option<IpAddr>,
    pub proto: Option<&'a str>,
    pub src_port: Option<u16>,
    pub dst_port: Option<u16>,
    pub iface: Option<&'a str>,
}
pub fn parse_message(msg: &str) -> Option<Firewall<'_>> {
    let _ = msg;
    None
}
pub fn looks_like(line: &[u8]) -> bool {
    let _ = line;
    false
}
