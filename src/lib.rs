//! logmap: who is knocking, and from where.
//!
//! The pipeline runs one way and the modules are named after its stages:
//! [`source`] (files, stdin, gzip) → [`parse`] (addresses, formats, events) →
//! [`enrich`] (geolocation) → [`aggregate`] (per address / country / ASN / user / time) →
//! [`store`] (the SQLite history) → [`render`] (terminal tables, JSON, CSV, GeoJSON, HTML). [`cli`] turns flags into a
//! validated configuration; the library never sees clap.

/// What wrote an export or a history: `logmap` and its version.
pub const GENERATOR: &str = concat!("logmap ", env!("CARGO_PKG_VERSION"));

pub mod aggregate;
pub mod cli;
pub mod commands;
pub mod enrich;
pub mod parse;
pub mod pipeline;
pub mod render;
pub mod serve;
pub mod source;
pub mod store;
