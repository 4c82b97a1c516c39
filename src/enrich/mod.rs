//! Enrich: what is known about an address. (provisional: the geolocation backends land on
//! branch geo)
use std::net::IpAddr;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Accuracy {
    Country,
    City,
}

#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Location {
    pub country: Option<String>,
    pub country_name: Option<String>,
    pub continent: Option<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub accuracy: Option<Accuracy>,
    pub asn: Option<u32>,
    pub as_org: Option<String>,
    pub source: Option<String>,
}

pub trait Locate: Send + Sync {
    fn locate(&self, ip: IpAddr) -> Location;
    fn databases(&self) -> Vec<String> {
        Vec::new()
    }
}

/// Knows nothing.
pub struct NoGeo;
impl Locate for NoGeo {
    fn locate(&self, _ip: IpAddr) -> Location {
        Location::default()
    }
}
