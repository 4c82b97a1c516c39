//! `export --format geojson`: a FeatureCollection of points (longitude first) whose properties
//! are the address records. Addresses without coordinates are left out (there is nothing to
//! draw); their count is in `properties.unlocated` of the collection.

use std::io::{self, Write};

use serde::Serialize;

use super::Export;
use crate::aggregate::{IpRecord, Report};

pub struct GeoJson;

#[derive(Serialize)]
struct Collection<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    properties: CollectionProps<'a>,
    features: Vec<Feature<'a>>,
}

#[derive(Serialize)]
struct CollectionProps<'a> {
    generator: &'a str,
    attribution: &'a str,
    unlocated: usize,
}

#[derive(Serialize)]
struct Feature<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    geometry: Point,
    properties: &'a IpRecord,
}

#[derive(Serialize)]
struct Point {
    #[serde(rename = "type")]
    kind: &'static str,
    coordinates: [f64; 2],
}

impl Export for GeoJson {
    fn write(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let features: Vec<Feature> = report
            .ips
            .iter()
            .filter_map(|r| {
                Some(Feature {
                    kind: "Feature",
                    geometry: Point {
                        kind: "Point",
                        coordinates: [r.lon?, r.lat?],
                    },
                    properties: r,
                })
            })
            .collect();
        let doc = Collection {
            kind: "FeatureCollection",
            properties: CollectionProps {
                generator: &report.generator,
                attribution: report.geo.attribution,
                unlocated: report.ips.len() - features.len(),
            },
            features,
        };
        serde_json::to_writer(&mut *out, &doc)?;
        out.write_all(b"\n")
    }
}
