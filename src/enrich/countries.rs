//! The country table: ISO codes, English names, continents and one representative point each.
//!
//! Built by `scripts/geo/build.mjs` into `data/geo/countries.tsv` from `i18n-iso-countries`
//! (alpha-2/alpha-3/numeric codes, MIT), `countries-list` (English short names and continents,
//! MIT) and the Natural Earth 1:10m outlines of `world-atlas` (ISC; Natural Earth is public
//! domain). The point is the pole of inaccessibility of the country's largest polygon, so it lies
//! inside the country (France's in metropolitan France, the US's in the contiguous US). Territories
//! that Natural Earth draws as part of another country (French Guiana, Svalbard, …) use their own
//! polygons of the parent's outline. Each row records how its point was found
//! ([`CountryInfo::point_source`]); a row with no point has `None` coordinates.
//!
//! The ISO numeric code (zero-padded, three digits) is the `id` of the `world-atlas` TopoJSON
//! features, so the map can join on it: see [`CountryInfo::numeric`] and [`country_by_numeric`].

use std::sync::OnceLock;

const TSV: &str = include_str!("../../data/geo/countries.tsv");

/// One country (or territory with its own ISO 3166-1 code).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct CountryInfo {
    /// ISO 3166-1 alpha-2, e.g. `"FR"`.
    pub alpha2: String,
    /// ISO 3166-1 alpha-3, e.g. `"FRA"`.
    pub alpha3: String,
    /// ISO 3166-1 numeric, zero-padded to three digits, e.g. `"250"` (the world-atlas `id`).
    /// Kosovo carries the user-assigned `"983"`, which world-atlas does not use.
    pub numeric: String,
    /// English short name, e.g. `"France"`.
    pub name: String,
    /// Continent code: AF, AN, AS, EU, NA, OC, SA.
    pub continent: String,
    /// Representative point, latitude.
    pub lat: Option<f64>,
    /// Representative point, longitude.
    pub lon: Option<f64>,
    /// How the point was obtained, e.g. `ne10m:largest-polygon-pole`; empty when there is none.
    pub point_source: String,
}

fn table() -> &'static [CountryInfo] {
    static TABLE: OnceLock<Vec<CountryInfo>> = OnceLock::new();
    TABLE.get_or_init(|| parse_tsv(TSV))
}

/// Parse the committed TSV. Malformed rows are skipped (the test suite checks none are).
fn parse_tsv(text: &str) -> Vec<CountryInfo> {
    let mut out = Vec::new();
    for line in text.lines() {
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() != 8 || f[0].len() != 2 {
            continue;
        }
        out.push(CountryInfo {
            alpha2: f[0].to_string(),
            alpha3: f[1].to_string(),
            numeric: f[2].to_string(),
            name: f[3].to_string(),
            continent: f[4].to_string(),
            lat: f[5].parse().ok(),
            lon: f[6].parse().ok(),
            point_source: f[7].to_string(),
        });
    }
    out.sort_by(|a, b| a.alpha2.cmp(&b.alpha2));
    out
}

/// Look a country up by its ISO alpha-2 code (case-insensitive).
pub fn country(code: &str) -> Option<&'static CountryInfo> {
    let &[a, b] = code.as_bytes() else {
        return None;
    };
    let slot = letters(a.to_ascii_uppercase(), b.to_ascii_uppercase())?;
    // every look-up of an address asks this: a direct index, no string comparison
    static INDEX: OnceLock<Vec<u16>> = OnceLock::new();
    let index = INDEX.get_or_init(|| {
        let mut v = vec![0u16; 26 * 26];
        for (i, c) in table().iter().enumerate() {
            if let &[a, b] = c.alpha2.as_bytes()
                && let Some(k) = letters(a, b)
            {
                v[k] = i as u16 + 1;
            }
        }
        v
    });
    let i = usize::from(index[slot]).checked_sub(1)?;
    table().get(i)
}

/// The slot of a two-letter code `AA`..`ZZ` in a 26 × 26 index.
fn letters(a: u8, b: u8) -> Option<usize> {
    (a.is_ascii_uppercase() && b.is_ascii_uppercase())
        .then(|| usize::from(a - b'A') * 26 + usize::from(b - b'A'))
}

/// Look a country up by its ISO numeric code (`"250"` or `"4"`, both accepted).
pub fn country_by_numeric(numeric: &str) -> Option<&'static CountryInfo> {
    let n: u16 = numeric.trim().parse().ok()?;
    let padded = format!("{n:03}");
    table().iter().find(|c| c.numeric == padded)
}

/// All countries, sorted by alpha-2 code.
pub fn all() -> impl Iterator<Item = &'static CountryInfo> {
    table().iter()
}

/// The ISO numeric code (world-atlas `id`) of an alpha-2 code.
pub fn alpha2_to_numeric(code: &str) -> Option<&'static str> {
    country(code).map(|c| c.numeric.as_str())
}

/// The alpha-2 code of an ISO numeric code (world-atlas `id`).
pub fn numeric_to_alpha2(numeric: &str) -> Option<&'static str> {
    country_by_numeric(numeric).map(|c| c.alpha2.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_parses() {
        let rows = TSV
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .count();
        assert_eq!(rows, all().count());
        assert!(rows > 240, "only {rows} countries");
    }

    #[test]
    fn malformed_rows_are_skipped() {
        let t = parse_tsv(
            "# h\nXX\tXXX\t999\tX\tEU\t1\t2\tsrc\nbroken\tline\nYYY\ta\tb\tc\td\te\tf\tg\n",
        );
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].lat, Some(1.0));
    }
}
