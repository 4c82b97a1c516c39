//! A small MaxMind DB writer, so tests and benchmarks can make their own databases (nested
//! MaxMind schema, flat ip-location-db schema, IPinfo schema) without any file from outside.
//!
//! It writes format 2.0 with 32-bit records and no pointer compression in the data section
//! (identical records are stored once). Networks are inserted in order; a later, more specific
//! network overrides part of an earlier, wider one.
//!
//! ```
//! use logmap::enrich::mmdb_write::{Value, Writer};
//! let mut w = Writer::new("Test-City", 6);
//! w.insert("81.2.69.0/24".parse().unwrap(), Value::map([("country_code", Value::str("GB"))])).unwrap();
//! let bytes = w.to_bytes();
//! assert!(maxminddb::Reader::from_source(bytes).is_ok());
//! ```

use std::collections::HashMap;
use std::net::IpAddr;
use std::str::FromStr;

/// A value in an MMDB data section.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// UTF-8 string.
    Str(String),
    /// Double.
    F64(f64),
    /// Unsigned 16-bit.
    U16(u16),
    /// Unsigned 32-bit.
    U32(u32),
    /// Unsigned 64-bit.
    U64(u64),
    /// Boolean.
    Bool(bool),
    /// Map with string keys, in this order.
    Map(Vec<(String, Value)>),
    /// Array.
    Array(Vec<Value>),
}

impl Value {
    /// A string value.
    pub fn str(s: &str) -> Value {
        Value::Str(s.to_string())
    }
    /// A map from `(key, value)` pairs.
    pub fn map<const N: usize>(pairs: [(&str, Value); N]) -> Value {
        Value::Map(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }

    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Value::Str(s) => {
                ctrl(out, 2, s.len());
                out.extend_from_slice(s.as_bytes());
            }
            Value::F64(f) => {
                ctrl(out, 3, 8);
                out.extend_from_slice(&f.to_be_bytes());
            }
            Value::U16(v) => uint(out, 5, u64::from(*v)),
            Value::U32(v) => uint(out, 6, u64::from(*v)),
            Value::U64(v) => uint(out, 9, *v),
            Value::Bool(b) => ctrl(out, 14, usize::from(*b)),
            Value::Map(m) => {
                ctrl(out, 7, m.len());
                for (k, v) in m {
                    Value::Str(k.clone()).encode(out);
                    v.encode(out);
                }
            }
            Value::Array(a) => {
                ctrl(out, 11, a.len());
                for v in a {
                    v.encode(out);
                }
            }
        }
    }
}

fn uint(out: &mut Vec<u8>, t: u8, v: u64) {
    let bytes = v.to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count();
    ctrl(out, t, 8 - skip);
    out.extend_from_slice(&bytes[skip..]);
}

/// Control byte(s): type (extended types > 7 take a second byte) and payload size.
fn ctrl(out: &mut Vec<u8>, t: u8, size: usize) {
    let (first_type, ext) = if t > 7 { (0u8, Some(t - 7)) } else { (t, None) };
    let (small, extra): (u8, Vec<u8>) = if size < 29 {
        (size as u8, vec![])
    } else if size < 29 + 256 {
        (29, vec![(size - 29) as u8])
    } else if size < 285 + 65536 {
        let s = size - 285;
        (30, vec![(s >> 8) as u8, s as u8])
    } else {
        let s = size - 65821;
        (31, vec![(s >> 16) as u8, (s >> 8) as u8, s as u8])
    };
    out.push((first_type << 5) | small);
    if let Some(e) = ext {
        out.push(e);
    }
    out.extend_from_slice(&extra);
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Rec {
    Empty,
    Node(u32),
    Data(u32),
}

/// A network: address and prefix length, e.g. `"81.2.69.0/24"` or `"2a02:ff::/32"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Net {
    /// Network address.
    pub addr: IpAddr,
    /// Prefix length.
    pub prefix: u8,
}

impl FromStr for Net {
    type Err = String;
    fn from_str(s: &str) -> Result<Net, String> {
        let (a, p) = s
            .split_once('/')
            .ok_or_else(|| format!("{s}: no /prefix"))?;
        let addr: IpAddr = a.parse().map_err(|_| format!("{s}: bad address"))?;
        let prefix: u8 = p.parse().map_err(|_| format!("{s}: bad prefix"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        if prefix > max {
            return Err(format!("{s}: prefix too long"));
        }
        Ok(Net { addr, prefix })
    }
}

/// Builds an MMDB in memory.
pub struct Writer {
    database_type: String,
    ip_version: u16,
    nodes: Vec<[Rec; 2]>,
    data: Vec<u8>,
    dedup: HashMap<Vec<u8>, u32>,
    build_epoch: u64,
}

impl Writer {
    /// A new empty database of `ip_version` 4 or 6 (an IPv6 database holds IPv4 under `::/96`).
    pub fn new(database_type: &str, ip_version: u16) -> Writer {
        Writer {
            database_type: database_type.to_string(),
            ip_version: if ip_version == 4 { 4 } else { 6 },
            nodes: vec![[Rec::Empty, Rec::Empty]],
            data: Vec::new(),
            dedup: HashMap::new(),
            build_epoch: 1_700_000_000,
        }
    }

    /// Set the metadata's build time.
    pub fn build_epoch(&mut self, secs: u64) -> &mut Self {
        self.build_epoch = secs;
        self
    }

    /// Map every address of `net` to `value`.
    pub fn insert(&mut self, net: Net, value: Value) -> Result<(), String> {
        let (bits, len): (u128, u32) = match (net.addr, self.ip_version) {
            (IpAddr::V4(a), 4) => (u128::from(u32::from(a)) << 96, u32::from(net.prefix)),
            (IpAddr::V4(a), _) => (u128::from(u32::from(a)), 96 + u32::from(net.prefix)),
            (IpAddr::V6(_), 4) => return Err("IPv6 network in an IPv4 database".into()),
            (IpAddr::V6(a), _) => (u128::from(a), u32::from(net.prefix)),
        };
        if len == 0 {
            return Err("a /0 network is not supported".into());
        }
        let mut enc = Vec::new();
        value.encode(&mut enc);
        let off = match self.dedup.get(&enc) {
            Some(o) => *o,
            None => {
                let o = self.data.len() as u32;
                self.data.extend_from_slice(&enc);
                self.dedup.insert(enc, o);
                o
            }
        };
        let mut node = 0usize;
        for i in 0..len {
            let bit = ((bits >> (127 - i)) & 1) as usize;
            if i + 1 == len {
                // replace whatever was below (a wider answer is overridden)
                self.nodes[node][bit] = Rec::Data(off);
                break;
            }
            node = match self.nodes[node][bit] {
                Rec::Node(n) => n as usize,
                other => {
                    // split: a new node whose both halves keep the previous answer
                    let n = self.nodes.len();
                    self.nodes.push([other, other]);
                    self.nodes[node][bit] = Rec::Node(n as u32);
                    n
                }
            };
        }
        Ok(())
    }

    /// The database file.
    pub fn to_bytes(&self) -> Vec<u8> {
        let count = self.nodes.len() as u32;
        let rec = |r: Rec| -> u32 {
            match r {
                Rec::Empty => count,
                Rec::Node(n) => n,
                Rec::Data(o) => count + 16 + o,
            }
        };
        let mut out = Vec::with_capacity(self.nodes.len() * 8 + self.data.len() + 512);
        for [l, r] in &self.nodes {
            out.extend_from_slice(&rec(*l).to_be_bytes());
            out.extend_from_slice(&rec(*r).to_be_bytes());
        }
        out.extend_from_slice(&[0u8; 16]);
        out.extend_from_slice(&self.data);
        out.extend_from_slice(b"\xab\xcd\xefMaxMind.com");
        Value::Map(vec![
            ("binary_format_major_version".into(), Value::U16(2)),
            ("binary_format_minor_version".into(), Value::U16(0)),
            ("build_epoch".into(), Value::U64(self.build_epoch)),
            (
                "database_type".into(),
                Value::Str(self.database_type.clone()),
            ),
            (
                "description".into(),
                Value::Map(vec![(
                    "en".into(),
                    Value::Str(format!(
                        "{} test database written by logmap",
                        self.database_type
                    )),
                )]),
            ),
            ("ip_version".into(), Value::U16(self.ip_version)),
            ("languages".into(), Value::Array(vec![Value::str("en")])),
            ("node_count".into(), Value::U32(count)),
            ("record_size".into(), Value::U16(32)),
        ])
        .encode(&mut out);
        out
    }
}
