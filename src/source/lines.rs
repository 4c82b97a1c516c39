//! Split a byte stream into lines without copying them and without holding the input.

use std::io::{self, Read};

/// Reads lines from any `Read`, reusing one buffer. A line is returned without its `\n`
/// (and without a `\r` before it). Lines longer than `max_line` are cut into pieces of that
/// size, so memory stays bounded whatever the input.
pub struct LineReader<R> {
    inner: R,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    max_line: usize,
    line_no: u64,
    consumed: u64,
    /// Did the line last returned end with a newline (rather than the end of the input, or
    /// the length limit)?
    terminated: bool,
    /// Was the line last returned cut by the end of the input (no newline after it)?
    partial: bool,
    /// `buf[..nul_scan]` has been searched for NUL bytes (see [`LineReader::saw_nul`]).
    nul_scan: usize,
    nul: bool,
}

/// Default upper bound on one line (longer lines are split).
pub const MAX_LINE: usize = 16 * 1024 * 1024;
const INITIAL: usize = 256 * 1024;

impl<R: Read> LineReader<R> {
    pub fn new(inner: R) -> Self {
        Self::with_max_line(inner, MAX_LINE)
    }

    pub fn with_max_line(inner: R, max_line: usize) -> Self {
        let max_line = max_line.max(1);
        LineReader {
            inner,
            buf: vec![0; INITIAL.min(max_line.next_power_of_two()).max(64)],
            start: 0,
            end: 0,
            eof: false,
            max_line,
            line_no: 0,
            consumed: 0,
            terminated: false,
            partial: false,
            nul_scan: 0,
            nul: false,
        }
    }

    /// Did a line returned so far contain a NUL byte (binary data)? Searched in big blocks as
    /// the buffer is refilled, not line by line.
    pub fn saw_nul(&mut self) -> bool {
        if !self.nul && self.nul_scan < self.start {
            self.nul = memchr::memchr(0, &self.buf[self.nul_scan..self.start]).is_some();
        }
        self.nul_scan = self.nul_scan.max(self.start);
        self.nul
    }

    /// Bytes of input the lines returned so far took, newlines included: the offset of the
    /// next line.
    pub fn consumed(&self) -> u64 {
        self.consumed
    }

    /// Whether [`next_line`](Self::next_line) can answer from what has been read already,
    /// without reading from the input (which, on a pipe or a terminal, may wait).
    pub fn ready(&self) -> bool {
        self.eof
            || self.end - self.start >= self.max_line
            || memchr::memchr(b'\n', &self.buf[self.start..self.end]).is_some()
    }

    /// Did the line last returned end with a newline? `false` for the last line of an input
    /// that does not end with one (a line still being written), and for a piece of a line cut
    /// at the length limit.
    pub fn terminated(&self) -> bool {
        self.terminated
    }

    /// Was the line last returned the end of an input that does not end with a newline — a
    /// line perhaps still being written?
    pub fn partial(&self) -> bool {
        self.partial
    }

    /// The 1-based number of the line last returned.
    pub fn line_no(&self) -> u64 {
        self.line_no
    }

    /// The next line with where it ends: `(line, partial, consumed)` — `partial` as
    /// [`LineReader::partial`], `consumed` as [`LineReader::consumed`] after it.
    pub fn next_line_at(&mut self) -> io::Result<Option<(&[u8], bool, u64)>> {
        Ok(self
            .next_range()?
            .map(|(s, e)| (&self.buf[s..e], self.partial, self.consumed)))
    }

    /// The next line, or `None` at the end. An I/O error (a truncated `.gz`, say) is returned
    /// once; lines before it have already been handed out.
    pub fn next_line(&mut self) -> io::Result<Option<&[u8]>> {
        Ok(self.next_range()?.map(|(s, e)| &self.buf[s..e]))
    }

    /// Where the next line is in the buffer.
    fn next_range(&mut self) -> io::Result<Option<(usize, usize)>> {
        let mut scanned = self.start;
        loop {
            // A newline counts only within `max_line` bytes of the line start (the buffer can
            // hold more than that when `max_line` is small).
            let limit = self.end.min(self.start + self.max_line + 1);
            if let Some(i) = memchr::memchr(b'\n', &self.buf[scanned..limit]) {
                let nl = scanned + i;
                return Ok(Some(self.take(nl, nl + 1)));
            }
            scanned = limit;
            if self.end - self.start >= self.max_line {
                let cut = self.start + self.max_line;
                return Ok(Some(self.take(cut, cut)));
            }
            if self.eof {
                if self.start == self.end {
                    return Ok(None);
                }
                let end = self.end;
                return Ok(Some(self.take(end, end)));
            }
            // Make room: move the partial line to the front, grow if it fills the buffer.
            if self.start > 0 {
                // What was handed out is about to be overwritten: search it for NULs first.
                self.saw_nul();
                self.nul_scan = 0;
                self.buf.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                scanned -= self.start;
                self.start = 0;
            }
            if self.end == self.buf.len() {
                let new_len = (self.buf.len() * 2).min(self.max_line.max(self.buf.len() + 1));
                self.buf.resize(new_len, 0);
            }
            match self.inner.read(&mut self.buf[self.end..]) {
                Ok(0) => self.eof = true,
                Ok(n) => self.end += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    // Hand out what was read before the error on the next calls, then stop.
                    self.eof = true;
                    return Err(e);
                }
            }
        }
    }

    fn take(&mut self, line_end: usize, next: usize) -> (usize, usize) {
        self.terminated = next > line_end;
        self.partial = next == line_end && next == self.end && self.eof;
        let start = self.start;
        self.start = next;
        self.line_no += 1;
        self.consumed += (next - start) as u64;
        let mut end = line_end;
        if end > start && self.buf[end - 1] == b'\r' {
            end -= 1;
        }
        (start, end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(input: &[u8], max: usize) -> Vec<Vec<u8>> {
        let mut r = LineReader::with_max_line(input, max);
        let mut v = Vec::new();
        while let Some(l) = r.next_line().unwrap() {
            v.push(l.to_vec());
        }
        v
    }

    #[test]
    fn splits_lines() {
        assert_eq!(all(b"a\nbb\r\n\nccc", 100), [&b"a"[..], b"bb", b"", b"ccc"]);
        assert_eq!(all(b"", 100), Vec::<Vec<u8>>::new());
        assert_eq!(all(b"x\n", 100), [b"x"]);
    }

    #[test]
    fn ready_means_no_read_is_needed() {
        struct Reads<'a>(Vec<&'a [u8]>, usize);
        impl Read for Reads<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                self.1 += 1;
                let Some(chunk) = self.0.first().copied() else {
                    return Ok(0);
                };
                self.0.remove(0);
                buf[..chunk.len()].copy_from_slice(chunk);
                Ok(chunk.len())
            }
        }
        let mut r = LineReader::new(Reads(vec![b"a\nb\npar", b"tial\n"], 0));
        assert!(!r.ready(), "nothing read yet");
        assert_eq!(r.next_line().unwrap(), Some(&b"a"[..]));
        assert!(r.ready(), "b is complete in the buffer");
        assert_eq!(r.next_line().unwrap(), Some(&b"b"[..]));
        assert!(!r.ready(), "only part of a line is buffered");
        let reads = r.inner.1;
        assert_eq!(r.next_line().unwrap(), Some(&b"partial"[..]));
        assert_eq!(r.inner.1, reads + 1);
        assert!(!r.ready());
        assert_eq!(r.next_line().unwrap(), None);
        assert!(r.ready(), "at the end");
    }

    #[test]
    fn a_last_line_without_newline_is_partial() {
        let mut r = LineReader::with_max_line(&b"a\nbb"[..], 100);
        assert_eq!(r.next_line().unwrap(), Some(&b"a"[..]));
        assert!(r.terminated() && !r.partial());
        assert_eq!(r.next_line().unwrap(), Some(&b"bb"[..]));
        assert!(!r.terminated() && r.partial());
        assert_eq!(r.consumed(), 4);
        let long = [b'x'; 250];
        let mut r = LineReader::with_max_line(&long[..], 100);
        assert_eq!(r.next_line().unwrap().map(<[u8]>::len), Some(100));
        assert!(!r.terminated() && !r.partial(), "a piece of a long line");
    }

    #[test]
    fn nul_bytes_are_seen_in_the_lines_returned() {
        for (input, upto, want) in [
            (&b"a\nb\0\nc\n"[..], 1, false),
            (b"a\nb\0\nc\n", 2, true),
            (b"a\nb\nc", 3, false),
            (b"\0", 1, true),
        ] {
            // Tiny buffer refills and moves the data often.
            let mut r = LineReader::with_max_line(input, 64);
            for _ in 0..upto {
                r.next_line().unwrap();
            }
            assert_eq!(r.saw_nul(), want, "{input:?} after {upto} lines");
        }
        let mut text = vec![b'x'; 300_000];
        text.extend_from_slice(b"\n\0tail\n");
        text.extend(std::iter::repeat_n(b'y', 300_000));
        let mut r = LineReader::new(&text[..]);
        assert_eq!(r.next_line().unwrap().map(<[u8]>::len), Some(300_000));
        assert!(!r.saw_nul());
        while r.next_line().unwrap().is_some() {}
        assert!(r.saw_nul());
    }

    #[test]
    fn long_lines_are_cut_at_max() {
        let input = [b'x'; 250];
        let lines = all(&input, 100);
        assert_eq!(
            lines.iter().map(Vec::len).collect::<Vec<_>>(),
            [100, 100, 50]
        );
    }

    #[test]
    fn max_line_holds_below_the_buffer_size() {
        // The buffer is never under 64 bytes: a newline within it but beyond `max_line`
        // must not make a longer line (found by the `line_reader` fuzz target).
        assert_eq!(all(b"abcdef\nxy\n", 4), [&b"abcd"[..], b"ef", b"xy"]);
        assert_eq!(all(b"\xff\0\n", 1), [&b"\xff"[..], b"\0"]);
    }

    #[test]
    fn lines_crossing_buffer_refills_survive() {
        // Reads of 7 bytes at a time force many refills and moves.
        struct Slow<'a>(&'a [u8]);
        impl Read for Slow<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = buf.len().min(7).min(self.0.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let text: Vec<u8> = (0..2000)
            .flat_map(|i| format!("line {i} {}\n", "y".repeat(i % 300)).into_bytes())
            .collect();
        let mut r = LineReader::with_max_line(Slow(&text), 1 << 20);
        let mut n = 0;
        while let Some(l) = r.next_line().unwrap() {
            assert!(l.starts_with(format!("line {n} ").as_bytes()));
            assert!(r.terminated() && !r.partial());
            n += 1;
        }
        assert_eq!(n, 2000);
        assert_eq!(r.line_no(), 2000);
        assert_eq!(r.consumed(), text.len() as u64);
    }

    #[test]
    fn error_after_data_keeps_earlier_lines() {
        struct Fails(bool);
        impl Read for Fails {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                if self.0 {
                    return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "truncated"));
                }
                self.0 = true;
                buf[..6].copy_from_slice(b"ok\npar");
                Ok(6)
            }
        }
        let mut r = LineReader::new(Fails(false));
        assert_eq!(r.next_line().unwrap(), Some(&b"ok"[..]));
        assert!(r.next_line().is_err());
    }
}
