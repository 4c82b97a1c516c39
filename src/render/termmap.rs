//! `logmap summary --map`: a world map in the terminal. The land is drawn with Unicode braille
//! (2×4 dots per character) or half blocks (1×2 per character, for fonts without braille); each
//! character cell holding addresses shows a marker (`•` fewer than 10, `●` 10 or more) and the
//! cells of the addresses with the most failed logins show their rank (`1`…`9`), listed in the
//! legend under the map. Colour only when it is on: land dim, markers red (failed logins),
//! green (a successful login) or cyan (other activity), ranks bold red.
//!
//! The map is equirectangular from 84° N to 57° S (Antarctica left out), as wide as the terminal
//! (80 columns when the output is not a terminal and `COLUMNS` is not set), and no taller than
//! the terminal: at 80×24 the map and its legend fit on one screen.
//!
//! The land outline is a 0.25° mask rasterised from Natural Earth 1:50m land (public domain, via
//! the world-atlas npm package) by `scripts/geo/build.mjs` into `data/geo/land.bin.z`.

use std::io::{self, Read, Write};
use std::sync::OnceLock;

use super::table::{Style, num};
use super::text::safe;
use crate::aggregate::{IpRecord, Report};

const LAND_BIN: &[u8] = include_bytes!("../../data/geo/land.bin.z");

/// Northern and southern edge of the map, in degrees.
const LAT_TOP: f64 = 84.0;
const LAT_BOTTOM: f64 = -57.0;
/// Share of a dot's area that must be land for the dot to be drawn.
const LAND_SHARE: f64 = 0.3;
/// Most addresses ranked on the map.
const MAX_RANKED: usize = 9;

/// How the land is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MapKind {
    /// Unicode braille patterns, 2×4 dots per character (the finest).
    Braille,
    /// Half blocks (`▀ ▄ █`), 1×2 per character, for fonts without braille.
    Blocks,
}

/// The space the map may take, in character cells.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MapSize {
    /// Columns.
    pub cols: usize,
    /// Lines of the screen, when known: the map and its legend stay within them.
    pub rows: Option<usize>,
}

impl MapSize {
    /// The terminal on standard output; else `COLUMNS` columns, else 80 (height unknown).
    pub fn of_terminal() -> MapSize {
        if let Some((terminal_size::Width(w), terminal_size::Height(h))) =
            terminal_size::terminal_size()
        {
            return MapSize {
                cols: usize::from(w),
                rows: Some(usize::from(h)),
            };
        }
        let cols = std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.trim().parse().ok())
            .filter(|&c: &usize| c > 0)
            .unwrap_or(80);
        MapSize { cols, rows: None }
    }
}

/// The land mask: `w × h` cells of `360 / w` degrees, row 0 at 90° N, column 0 at 180° W.
struct Land {
    w: usize,
    h: usize,
    bits: Vec<u8>,
}

impl Land {
    fn get(&self, col: usize, row: usize) -> bool {
        let i = row * self.w + col;
        self.bits
            .get(i / 8)
            .is_some_and(|b| b & (0x80 >> (i % 8)) != 0)
    }

    /// Share of land in the box from (`lon0`, `lat0`) east by `dlon` and south by `dlat`.
    fn share(&self, lon0: f64, lat0: f64, dlon: f64, dlat: f64) -> f64 {
        let step = 360.0 / self.w as f64;
        let c0 = ((lon0 + 180.0) / step).floor().max(0.0) as usize;
        let c1 = (((lon0 + dlon + 180.0) / step).ceil() as usize).clamp(c0 + 1, self.w);
        let r0 = ((90.0 - lat0) / step).floor().max(0.0) as usize;
        let r1 = (((90.0 - lat0 + dlat) / step).ceil() as usize).clamp(r0 + 1, self.h);
        let mut land = 0usize;
        for r in r0..r1 {
            for c in c0..c1 {
                land += usize::from(self.get(c, r));
            }
        }
        land as f64 / ((r1 - r0) * (c1 - c0)) as f64
    }
}

fn decode_land(z: &[u8]) -> Option<Land> {
    let mut raw = Vec::new();
    flate2::read::ZlibDecoder::new(z)
        .read_to_end(&mut raw)
        .ok()?;
    let rest = raw.strip_prefix(b"LML1")?;
    let mut pos = 0usize;
    let mut varint = || {
        let mut v = 0usize;
        for shift in (0..35).step_by(7) {
            let b = *rest.get(pos)?;
            pos += 1;
            v |= usize::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    };
    let (w, h) = (varint()?, varint()?);
    let bits = rest.get(pos..)?.to_vec();
    (w > 0 && h > 0 && w * h <= bits.len() * 8).then_some(Land { w, h, bits })
}

fn land() -> Option<&'static Land> {
    static L: OnceLock<Option<Land>> = OnceLock::new();
    L.get_or_init(|| decode_land(LAND_BIN)).as_ref()
}

/// What falls in one character cell.
#[derive(Clone, Copy, Default)]
struct Cell {
    /// Land pattern: braille dot bits (0x2800 + bits) or half-block bits (1 top, 2 bottom).
    land: u8,
    addresses: u32,
    failed: bool,
    success: bool,
    /// Best rank (1-based) of the addresses in it, 0 = none.
    rank: u8,
}

/// How the map is laid out: characters, and dots per character.
struct Layout {
    cols: usize,
    rows: usize,
    /// Dots per character across and down: 2×4 (braille) or 1×2 (blocks).
    dx: usize,
    dy: usize,
    /// Degrees per dot.
    deg: f64,
}

/// The widest map drawn, in columns: 720 braille columns are 1,440 dots, one per cell of
/// the land mask.
const MAX_COLS: usize = 720;

impl Layout {
    fn new(kind: MapKind, cols: usize, max_rows: Option<usize>) -> Layout {
        let (dx, dy) = match kind {
            MapKind::Braille => (2, 4),
            MapKind::Blocks => (1, 2),
        };
        let height = LAT_TOP - LAT_BOTTOM;
        let rows_for = |cols: usize| {
            let deg = 360.0 / (cols * dx) as f64;
            ((height / deg) / dy as f64).ceil() as usize
        };
        // Wider than MAX_COLS shows nothing more (the land mask has 0.25° cells), and an
        // absurd `COLUMNS` must not make the map's cost explode (it grows with the area).
        let mut cols = cols.clamp(20, MAX_COLS);
        if let Some(max) = max_rows {
            // narrower, until the map fits the screen's height (down to 20 columns)
            while cols > 20 && rows_for(cols) > max {
                cols -= 1;
            }
        }
        Layout {
            cols,
            rows: rows_for(cols),
            dx,
            dy,
            deg: 360.0 / (cols * dx) as f64,
        }
    }

    /// The character cell of a position.
    fn cell_of(&self, lat: f64, lon: f64) -> (usize, usize) {
        let x = ((lon + 180.0) / self.deg / self.dx as f64).floor();
        let y = ((LAT_TOP - lat) / self.deg / self.dy as f64).floor();
        (
            (x.max(0.0) as usize).min(self.cols - 1),
            (y.max(0.0) as usize).min(self.rows - 1),
        )
    }
}

/// Braille dot bit of the dot at (`x` 0..2, `y` 0..4) in a cell.
fn braille_bit(x: usize, y: usize) -> u8 {
    const BITS: [[u8; 4]; 2] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]];
    BITS[x][y]
}

/// The addresses ranked on the map: most failed logins first, or, where no address has a
/// failed login (a web server's log), most events. Only located addresses.
fn ranked(ips: &[IpRecord], n: usize) -> (Vec<&IpRecord>, bool) {
    let by_failures = ips.iter().any(|r| r.failures > 0);
    let mut v: Vec<&IpRecord> = ips
        .iter()
        .filter(|r| r.lat.is_some() && r.lon.is_some())
        .filter(|r| !by_failures || r.failures > 0)
        .collect();
    v.sort_by(|a, b| {
        let key = |r: &IpRecord| if by_failures { r.failures } else { r.events };
        key(b).cmp(&key(a)).then(a.ip.cmp(&b.ip))
    });
    v.truncate(n.min(MAX_RANKED));
    (v, by_failures)
}

/// Draw the map of `report`'s addresses (all of `report.ips`) with a legend ranking up to
/// `highlight` addresses.
pub fn write_map(
    report: &Report,
    kind: MapKind,
    size: MapSize,
    highlight: usize,
    style: Style,
    out: &mut dyn Write,
) -> io::Result<()> {
    let (top, by_failures) = ranked(&report.ips, highlight);
    // legend: one key line, one line per ranked address
    let legend = 1 + top.len();
    let max_rows = size.rows.map(|r| r.saturating_sub(legend + 1).max(5));
    let lay = Layout::new(kind, size.cols, max_rows);
    let mut cells = vec![Cell::default(); lay.cols * lay.rows];

    if let Some(land) = land() {
        for row in 0..lay.rows {
            for col in 0..lay.cols {
                let mut bits = 0u8;
                for y in 0..lay.dy {
                    for x in 0..lay.dx {
                        let lon0 = -180.0 + ((col * lay.dx + x) as f64) * lay.deg;
                        let lat0 = LAT_TOP - ((row * lay.dy + y) as f64) * lay.deg;
                        if lat0 - lay.deg / 2.0 < LAT_BOTTOM
                            || land.share(lon0, lat0, lay.deg, lay.deg) < LAND_SHARE
                        {
                            continue;
                        }
                        bits |= match kind {
                            MapKind::Braille => braille_bit(x, y),
                            MapKind::Blocks => 1 << y,
                        };
                    }
                }
                cells[row * lay.cols + col].land = bits;
            }
        }
    }

    let mut located = 0u64;
    for r in &report.ips {
        let (Some(lat), Some(lon)) = (r.lat, r.lon) else {
            continue;
        };
        located += 1;
        let (c, row) = lay.cell_of(lat, lon);
        let cell = &mut cells[row * lay.cols + c];
        cell.addresses = cell.addresses.saturating_add(1);
        cell.failed |= r.failures > 0;
        cell.success |= r.successes > 0;
    }
    // the rank drawn where each ranked address is (a better one may share its cell)
    let mut drawn_as = vec![0u8; top.len()];
    for (i, r) in top.iter().enumerate() {
        if let (Some(lat), Some(lon)) = (r.lat, r.lon) {
            let (c, row) = lay.cell_of(lat, lon);
            let cell = &mut cells[row * lay.cols + c];
            if cell.rank == 0 {
                cell.rank = (i + 1) as u8;
            }
            drawn_as[i] = cell.rank;
        }
    }

    // Draw, one escape sequence per run of cells of the same kind.
    let mut text = String::with_capacity(lay.cols * lay.rows * 4);
    for row in 0..lay.rows {
        let mut line = String::with_capacity(lay.cols * 3);
        let mut run = String::new();
        let mut run_kind = Paint::Plain;
        for cell in &cells[row * lay.cols..(row + 1) * lay.cols] {
            let (ch, paint) = glyph(cell, kind);
            if paint != run_kind {
                line.push_str(&run_kind.apply(style, &run));
                run.clear();
                run_kind = paint;
            }
            run.push(ch);
        }
        line.push_str(&run_kind.apply(style, &run));
        text.push_str(line.trim_end());
        text.push('\n');
    }
    out.write_all(text.as_bytes())?;

    // legend
    let total = report.summary.unique_ips;
    let what = if by_failures {
        "most failed logins"
    } else {
        "most events"
    };
    let shown = if located == total {
        format!("{} addresses", num(located))
    } else {
        format!("{} of {} addresses", num(located), num(total))
    };
    let ranks = format!("1-{}", top.len().max(1));
    // (plain text, painted text) of each part of the key, packed into lines as wide as the map
    let mut parts = vec![
        (
            "• address".to_string(),
            format!("{} address", Paint::Failed.apply(style, "•")),
        ),
        (
            "● 10+ in one place".to_string(),
            format!("{} 10+ in one place", Paint::Failed.apply(style, "●")),
        ),
        (
            format!("{ranks} {what}"),
            format!("{} {what}", Paint::Ranked.apply(style, &ranks)),
        ),
        (shown.clone(), style.dim(&shown)),
    ];
    if located == 0 {
        let none = "(none has a location)".to_string();
        parts.push((none.clone(), none));
    }
    let (mut key, mut used) = (String::new(), 0);
    for (plain, painted) in parts {
        let w = plain.chars().count();
        if used > 0 && used + 2 + w > lay.cols {
            writeln!(out, "{key}")?;
            (key, used) = (String::new(), 0);
        }
        if used > 0 {
            key.push_str("  ");
            used += 2;
        }
        key.push_str(&painted);
        used += w;
    }
    writeln!(out, "{key}")?;
    let width = lay.cols.max(40);
    let counts: Vec<String> = top
        .iter()
        .map(|r| {
            if by_failures {
                format!("{} failed", num(r.failures))
            } else {
                format!("{} events", num(r.events))
            }
        })
        .collect();
    let ip_w = top
        .iter()
        .map(|r| r.ip.to_string().len())
        .max()
        .unwrap_or(0);
    let count_w = counts.iter().map(|c| c.chars().count()).max().unwrap_or(0);
    // what is left for the place: "NN ip place count"
    let place_w = width
        .saturating_sub(3 + ip_w + 2 + count_w + 2)
        .clamp(2, 40);
    for (i, (r, count)) in top.iter().zip(&counts).enumerate() {
        let place = match (&r.city, &r.country) {
            (Some(city), Some(cc)) => format!("{}, {}", safe(city, 30), safe(cc, 2)),
            (None, Some(cc)) => safe(cc, 2),
            _ => "-".to_string(),
        };
        let place = if usize::from(drawn_as[i]) != i + 1 {
            format!("{place} (at {})", drawn_as[i])
        } else {
            place
        };
        let place = safe(&place, place_w.saturating_sub(1));
        let line = format!(
            "{:<ip_w$}  {:<place_w$}  {count:>count_w$}",
            r.ip.to_string(),
            place
        );
        let line: String = line.chars().take(width.saturating_sub(3)).collect();
        writeln!(
            out,
            "{} {}",
            Paint::Ranked.apply(style, &format!("{:>2}", i + 1)),
            line.trim_end()
        )?;
    }
    Ok(())
}

/// How a run of characters is coloured.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Paint {
    Plain,
    Land,
    Failed,
    Success,
    Other,
    Ranked,
}

impl Paint {
    fn apply(self, style: Style, s: &str) -> String {
        if s.is_empty() {
            return String::new();
        }
        match self {
            Paint::Plain => s.to_string(),
            Paint::Land => style.dim(s),
            Paint::Failed => style.red(s),
            Paint::Success => style.green(s),
            Paint::Other => style.cyan(s),
            Paint::Ranked => style.bold(&style.red(s)),
        }
    }
}

fn glyph(cell: &Cell, kind: MapKind) -> (char, Paint) {
    if cell.rank > 0 {
        return ((b'0' + cell.rank) as char, Paint::Ranked);
    }
    if cell.addresses > 0 {
        let ch = if cell.addresses >= 10 { '●' } else { '•' };
        let paint = if cell.success {
            Paint::Success
        } else if cell.failed {
            Paint::Failed
        } else {
            Paint::Other
        };
        return (ch, paint);
    }
    if cell.land == 0 {
        return (' ', Paint::Plain);
    }
    let ch = match kind {
        MapKind::Braille => char::from_u32(0x2800 + u32::from(cell.land)).unwrap_or(' '),
        MapKind::Blocks => match cell.land {
            1 => '▀',
            2 => '▄',
            _ => '█',
        },
    };
    (ch, Paint::Land)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn land_mask_decodes_and_knows_land_from_sea() {
        let l = land().expect("land mask");
        assert_eq!((l.w, l.h), (1440, 720));
        let at = |lat: f64, lon: f64| {
            l.get(
                ((lon + 180.0) / 0.25) as usize,
                ((90.0 - lat) / 0.25) as usize,
            )
        };
        for (lat, lon) in [(48.86, 2.35), (39.9, 116.4), (-15.8, -47.9), (40.0, -77.0)] {
            assert!(at(lat, lon), "{lat},{lon} is land");
        }
        for (lat, lon) in [(0.0, -150.0), (45.0, -30.0), (-40.0, 80.0)] {
            assert!(!at(lat, lon), "{lat},{lon} is sea");
        }
        assert!(decode_land(b"garbage").is_none());
    }

    #[test]
    fn layout_fills_the_width_and_fits_the_height() {
        // 141 degrees of latitude at 2.25 degrees per dot, 4 dots per line: 16 lines
        let l = Layout::new(MapKind::Braille, 80, Some(17));
        assert_eq!((l.cols, l.rows), (80, 16));
        let l = Layout::new(MapKind::Braille, 200, Some(53));
        assert_eq!(l.cols, 200);
        assert!(l.rows <= 53 && l.rows >= 40, "{}", l.rows);
        // a short screen makes the map narrower rather than cut
        let l = Layout::new(MapKind::Braille, 200, Some(20));
        assert!(l.rows <= 20 && l.cols < 200, "{} {}", l.cols, l.rows);
        let l = Layout::new(MapKind::Blocks, 80, None);
        assert_eq!(l.cols, 80);
        // corners and clamping
        let l = Layout::new(MapKind::Braille, 80, None);
        assert_eq!(l.cell_of(84.0, -180.0), (0, 0));
        assert_eq!(l.cell_of(-89.0, 180.0), (79, l.rows - 1));
        // an absurd COLUMNS is held to what the land mask can show
        let l = Layout::new(MapKind::Braille, 100_000, None);
        assert_eq!(l.cols, MAX_COLS);
        assert!(l.rows < 200, "{}", l.rows);
    }
}
