//! Lines of a child process's standard error, with bounded memory: a line longer than
//! the limit is cut, and only the last few lines are kept.

use std::collections::VecDeque;

use tokio::io::{AsyncRead, AsyncReadExt};

/// Splits a byte stream into lines of at most `max` bytes (longer ones are cut and end
/// in `…`). Holds at most `max` bytes between calls.
#[derive(Debug)]
pub(crate) struct LineSplitter {
    buf: Vec<u8>,
    max: usize,
    /// Whether the rest of an over-long line is being skipped.
    skipping: bool,
}

impl LineSplitter {
    /// A splitter cutting lines at `max` bytes.
    pub fn new(max: usize) -> Self {
        LineSplitter { buf: Vec::new(), max, skipping: false }
    }

    /// Feeds bytes; `line` is called with every line they complete.
    pub fn push(&mut self, mut data: &[u8], line: &mut dyn FnMut(String)) {
        while !data.is_empty() {
            let newline = data.iter().position(|b| *b == b'\n');
            let (chunk, rest, ends) = match newline {
                Some(i) => (&data[..i], &data[i + 1..], true),
                None => (data, &data[data.len()..], false),
            };
            if !self.skipping {
                let room = self.max - self.buf.len();
                if chunk.len() > room {
                    self.buf.extend_from_slice(&chunk[..room]);
                    line(format!("{}…", decode(&self.buf)));
                    self.buf.clear();
                    self.skipping = true;
                } else {
                    self.buf.extend_from_slice(chunk);
                }
            }
            if ends {
                if !self.skipping {
                    line(decode(&self.buf));
                }
                self.buf.clear();
                self.skipping = false;
            }
            data = rest;
        }
    }

    /// Ends the stream; `line` is called with a last line not ended by a newline.
    pub fn finish(&mut self, line: &mut dyn FnMut(String)) {
        if !self.buf.is_empty() && !self.skipping {
            line(decode(&self.buf));
        }
        self.buf.clear();
        self.skipping = false;
    }
}

/// UTF-8 (lossy) without a trailing carriage return.
fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
    String::from_utf8_lossy(bytes).into_owned()
}

/// The last `cap` lines seen.
#[derive(Debug)]
pub(crate) struct Tail {
    lines: VecDeque<String>,
    cap: usize,
}

impl Tail {
    /// Keeps the last `cap` lines.
    pub fn new(cap: usize) -> Self {
        Tail { lines: VecDeque::new(), cap }
    }

    /// Adds a line, forgetting the oldest when full.
    pub fn push(&mut self, line: String) {
        if self.cap == 0 {
            return;
        }
        if self.lines.len() == self.cap {
            self.lines.pop_front();
        }
        self.lines.push_back(line);
    }

    /// The lines kept, joined by newlines.
    pub fn joined(&self) -> String {
        self.lines.iter().map(String::as_str).collect::<Vec<_>>().join("\n")
    }

    /// Whether no line was kept.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
}

/// Reads a stream to its end, keeping its last `cap` lines (each cut at 4 KiB).
pub(crate) async fn tail_of(mut r: impl AsyncRead + Unpin, cap: usize) -> Tail {
    let mut tail = Tail::new(cap);
    let mut split = LineSplitter::new(MAX_LINE);
    let mut buf = [0u8; 4096];
    loop {
        match r.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => split.push(&buf[..n], &mut |l| tail.push(l)),
        }
    }
    split.finish(&mut |l| tail.push(l));
    tail
}

/// The longest line of standard error kept whole.
pub(crate) const MAX_LINE: usize = 4096;

/// Appends the tail of standard error to a message, if there is one.
pub(crate) fn with_stderr(message: String, tail: &Tail) -> String {
    if tail.is_empty() { message } else { format!("{message}; standard error ends with:\n{}", tail.joined()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(max: usize, chunks: &[&[u8]]) -> Vec<String> {
        let mut s = LineSplitter::new(max);
        let mut out = Vec::new();
        for c in chunks {
            s.push(c, &mut |l| out.push(l));
        }
        s.finish(&mut |l| out.push(l));
        out
    }

    #[test]
    fn splits_across_chunks() {
        assert_eq!(split(100, &[b"ab", b"c\nde\r\n", b"f"]), ["abc", "de", "f"]);
        assert_eq!(split(100, &[b"\n\n"]), ["", ""]);
        assert_eq!(split(100, &[]), Vec::<String>::new());
    }

    #[test]
    fn cuts_long_lines() {
        assert_eq!(split(4, &[b"abcdefgh\nxy\n"]), ["abcd…", "xy"]);
        assert_eq!(split(4, &[b"abc", b"defg", b"hij\nxy"]), ["abcd…", "xy"]);
        assert_eq!(split(4, &[b"abcd\n"]), ["abcd"]);
        assert_eq!(split(4, &[b"abcdefg"]), ["abcd…"]);
    }

    #[test]
    fn tail_keeps_the_last() {
        let mut t = Tail::new(2);
        for l in ["a", "b", "c"] {
            t.push(l.into());
        }
        assert_eq!(t.joined(), "b\nc");
    }
}
