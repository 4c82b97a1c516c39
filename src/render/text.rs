//! Text from a log, made safe to show to a person: the one escaping function behind every
//! human-readable output (terminal tables, `events --format tsv`, the `-v` samples of
//! unparsed lines, `lookup`, `db info`, messages that name an input).
//!
//! Log content is attacker-controlled. Printed raw, an escape sequence can clear the screen,
//! retitle the terminal window or plant a hyperlink (ANSI CSI/OSC), a newline or tab can forge
//! a row, and a Unicode bidi override can make `evil.sh` read as `hs.live` or reorder the
//! columns of a table. [`escape`] writes every such character as a visible escape:
//!
//! - `\` → `\\`, so an escape in the output can never be mistaken for text of the log (and
//!   TSV fields read back unambiguously);
//! - tab, newline, carriage return → `\t`, `\n`, `\r`;
//! - every other control character (C0, DEL, C1 — ESC among them) → `\u{1b}`;
//! - invisible characters that reorder or hide text → `\u{202e}`: all of Unicode's format
//!   characters (general category Cf: the bidi embeddings, overrides and isolates
//!   U+202A–U+202E and U+2066–U+2069, the marks U+061C, U+200E, U+200F, zero-width space and
//!   joiners U+200B–U+200D, word joiner and invisible operators U+2060–U+2064, the byte-order
//!   mark U+FEFF, the soft hyphen, the tag characters U+E0000–U+E007F, …), the line and
//!   paragraph separators U+2028/U+2029, the Hangul fillers (blank "letters" U+115F, U+1160,
//!   U+3164, U+FFA0) and the variation selectors (U+180B–U+180F, U+FE00–U+FE0F,
//!   U+E0100–U+E01EF), which render as nothing and can carry hidden bytes.
//!
//! Everything else, including ordinary non-ASCII text (`Müller`, `管理员`), is shown as it is.

use std::borrow::Cow;

/// Whether `c` is shown as an escape rather than as itself.
pub fn needs_escape(c: char) -> bool {
    c == '\\' || c.is_control() || hidden(c)
}

/// Invisible characters that can reorder or hide text (see the module docs).
fn hidden(c: char) -> bool {
    matches!(
        c,
        // Format characters (Unicode general category Cf).
        '\u{00ad}'
            | '\u{0600}'..='\u{0605}'
            | '\u{061c}'
            | '\u{06dd}'
            | '\u{070f}'
            | '\u{0890}'..='\u{0891}'
            | '\u{08e2}'
            | '\u{180e}'
            | '\u{200b}'..='\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206f}'
            | '\u{feff}'
            | '\u{fff9}'..='\u{fffb}'
            | '\u{110bd}'
            | '\u{110cd}'
            | '\u{13430}'..='\u{1343f}'
            | '\u{1bca0}'..='\u{1bca3}'
            | '\u{1d173}'..='\u{1d17a}'
            | '\u{e0001}'
            | '\u{e0020}'..='\u{e007f}'
            // Line and paragraph separators.
            | '\u{2028}'
            | '\u{2029}'
            // Blank "letters".
            | '\u{115f}'
            | '\u{1160}'
            | '\u{3164}'
            | '\u{ffa0}'
            // Variation selectors.
            | '\u{180b}'..='\u{180d}'
            | '\u{180f}'
            | '\u{fe00}'..='\u{fe0f}'
            | '\u{e0100}'..='\u{e01ef}'
    )
}

/// Append `c`, escaped if it must be.
fn push(out: &mut String, c: char) {
    match c {
        '\\' => out.push_str("\\\\"),
        '\t' => out.push_str("\\t"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        c if needs_escape(c) => {
            use std::fmt::Write as _;
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
        c => out.push(c),
    }
}

/// `s` with every character that could act on the reader's terminal, forge a row or hide
/// text written as a visible escape. Borrows when there is nothing to escape.
pub fn escape(s: &str) -> Cow<'_, str> {
    let Some(first) = s.find(needs_escape) else {
        return Cow::Borrowed(s);
    };
    let mut out = String::with_capacity(s.len() + 8);
    out.push_str(&s[..first]);
    for c in s[first..].chars() {
        push(&mut out, c);
    }
    Cow::Owned(out)
}

/// [`escape`]d and cut to at most `max` characters of output (escapes included, never cut in
/// the middle), with `…` when something was left out: for table cells.
pub fn safe(s: &str, max: usize) -> String {
    let mut out = String::with_capacity(s.len().min(max + 4));
    let mut width = 0;
    let mut piece = String::new();
    for c in s.chars() {
        piece.clear();
        push(&mut piece, c);
        let w = piece.chars().count();
        if width + w > max {
            out.push('…');
            break;
        }
        width += w;
        out.push_str(&piece);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed_and_unchanged() {
        for s in ["root", "", "Müller", "管理员", "a b;c,d:e\"f'g", "émoji 🙂"] {
            assert!(matches!(escape(s), Cow::Borrowed(_)), "{s:?}");
            assert_eq!(escape(s), s);
        }
    }

    #[test]
    fn terminal_sequences_become_visible() {
        assert_eq!(escape("\x1b[2Jevil"), "\\u{1b}[2Jevil");
        assert_eq!(
            escape("\x1b]8;;http://x\x1b\\click\x1b]8;;\x1b\\"),
            "\\u{1b}]8;;http://x\\u{1b}\\\\click\\u{1b}]8;;\\u{1b}\\\\"
        );
        assert_eq!(escape("\x1b]0;title\x07"), "\\u{1b}]0;title\\u{7}");
        assert_eq!(escape("a\u{9b}31mb"), "a\\u{9b}31mb", "C1 CSI");
        assert_eq!(escape("del\x7f"), "del\\u{7f}");
        assert_eq!(escape("nul\0"), "nul\\u{0}");
    }

    #[test]
    fn separators_cannot_forge_rows_or_columns() {
        assert_eq!(escape("a\tb\nc\rd"), "a\\tb\\nc\\rd");
        assert_eq!(escape("x\u{2028}y\u{2029}z"), "x\\u{2028}y\\u{2029}z");
        // A backslash in the log is doubled: `\t` in the output always means a tab.
        assert_eq!(escape("a\\tb"), "a\\\\tb");
    }

    #[test]
    fn bidi_and_invisible_characters_are_shown() {
        for c in ('\u{202a}'..='\u{202e}').chain('\u{2066}'..='\u{2069}') {
            let s = format!("user{c}gnp.exe");
            assert_eq!(escape(&s), format!("user\\u{{{:x}}}gnp.exe", c as u32));
        }
        for c in [
            '\u{061c}',
            '\u{200b}',
            '\u{200c}',
            '\u{200d}',
            '\u{200e}',
            '\u{200f}',
            '\u{2060}',
            '\u{2064}',
            '\u{feff}',
            '\u{00ad}',
            '\u{e0041}',
            '\u{e007f}',
            '\u{3164}',
            '\u{115f}',
            '\u{fe0f}',
            '\u{e0100}',
            '\u{180e}',
        ] {
            assert!(needs_escape(c), "{:x}", c as u32);
            assert!(!escape(&c.to_string()).contains(c), "{:x}", c as u32);
        }
        for c in ['a', 'é', '中', '🙂', ' ', '\u{a0}', '\u{fffd}'] {
            assert!(!needs_escape(c), "{:x}", c as u32);
        }
    }

    #[test]
    fn every_control_character_is_escaped() {
        for c in (0u32..0x20).chain(0x7f..0xa0).filter_map(char::from_u32) {
            let e = escape(&c.to_string()).into_owned();
            assert!(e.starts_with('\\') && e.is_ascii(), "{c:?} → {e}");
        }
    }

    #[test]
    fn safe_cuts_without_splitting_an_escape() {
        assert_eq!(safe("root", 10), "root");
        assert_eq!(safe("abcdef", 3), "abc…");
        assert_eq!(safe("a\nb", 10), "a\\nb");
        assert_eq!(
            safe("ab\x1bcd", 6),
            "ab…",
            "the escape of ESC does not fit in 4 more"
        );
        assert_eq!(safe("ab\x1bcd", 9), "ab\\u{1b}c…");
        assert_eq!(safe("", 3), "");
        assert!(safe(&"\u{202e}".repeat(100), 20).chars().count() <= 21);
    }
}
