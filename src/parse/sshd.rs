//! (stub, being written on branch sshd)
use super::Kind;
use std::net::IpAddr;

pub struct SshdMessage<'a> {
    pub kind: Kind,
    pub ip: IpAddr,
    pub port: Option<u16>,
    pub user: Option<&'a str>,
    pub method: Option<&'a str>,
    pub repeat: u32,
}
pub enum Classified<'a> {
    Event(SshdMessage<'a>),
    Known,
    Unparsed,
}
pub fn classify(msg: &str) -> Classified<'_> {
    let _ = msg;
    Classified::Unparsed
}
#[derive(Default)]
pub struct FailureCounter;
impl FailureCounter {
    pub fn new() -> Self {
        FailureCounter
    }
    pub fn count(&mut self, pid: Option<u32>, m: &SshdMessage) -> u32 {
        let _ = pid;
        if m.kind == Kind::AuthFailure {
            m.repeat
        } else {
            0
        }
    }
}
