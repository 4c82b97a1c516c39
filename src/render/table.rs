//! Plain terminal tables: aligned columns and optional colour. Cells holding text from a log
//! are made safe with [`crate::render::text::safe`] by whoever fills them.

use std::fmt::Write as _;

/// Colours for the terminal, or none.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn wrap(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    pub fn bold(&self, s: &str) -> String {
        self.wrap("1", s)
    }
    pub fn dim(&self, s: &str) -> String {
        self.wrap("2", s)
    }
    pub fn red(&self, s: &str) -> String {
        self.wrap("31", s)
    }
    pub fn green(&self, s: &str) -> String {
        self.wrap("1;32", s)
    }
    pub fn cyan(&self, s: &str) -> String {
        self.wrap("36", s)
    }
}

/// Thousands separators: `12,345`.
pub fn num(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Column alignment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// A table: a header and rows of already-safe cells. Colour is applied per cell by the
/// caller through `paint`, after the widths are measured on the plain text.
pub struct Table {
    pub title: String,
    pub columns: Vec<(String, Align)>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(title: impl Into<String>, columns: &[(&str, Align)]) -> Self {
        Table {
            title: title.into(),
            columns: columns.iter().map(|&(n, a)| (n.to_string(), a)).collect(),
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// Render; `paint(column, text)` may colour a cell.
    pub fn render(&self, style: Style, paint: &dyn Fn(usize, &str) -> String) -> String {
        let mut widths: Vec<usize> = self.columns.iter().map(|c| c.0.chars().count()).collect();
        for r in &self.rows {
            for (i, c) in r.iter().enumerate() {
                if let Some(w) = widths.get_mut(i) {
                    *w = (*w).max(c.chars().count());
                }
            }
        }
        let mut out = String::new();
        let _ = writeln!(out, "{}", style.bold(&self.title));
        let mut header = String::from("  ");
        for (i, (name, align)) in self.columns.iter().enumerate() {
            header.push_str(&pad(name, widths[i], *align));
            header.push_str("  ");
        }
        let _ = writeln!(out, "{}", style.dim(header.trim_end()));
        for r in &self.rows {
            let mut line = String::from("  ");
            for (i, cell) in r.iter().enumerate() {
                let (w, align) = (
                    widths.get(i).copied().unwrap_or(0),
                    self.columns.get(i).map_or(Align::Left, |c| c.1),
                );
                let padded = pad(cell, w, align);
                line.push_str(&paint(i, &padded));
                line.push_str("  ");
            }
            let _ = writeln!(out, "{}", line.trim_end());
        }
        out
    }
}

fn pad(s: &str, width: usize, align: Align) -> String {
    let n = s.chars().count();
    let fill = " ".repeat(width.saturating_sub(n));
    match align {
        Align::Left => format!("{s}{fill}"),
        Align::Right => format!("{fill}{s}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_numbers() {
        assert_eq!(num(0), "0");
        assert_eq!(num(999), "999");
        assert_eq!(num(1000), "1,000");
        assert_eq!(num(1234567), "1,234,567");
    }
}
