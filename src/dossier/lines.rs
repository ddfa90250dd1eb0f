//! A serial scanner's byte stream split into scans: one per CR and/or LF.

/// Longer than any receipt code or URL; a stream without line ends is dropped at this size.
const MAX_LINE: usize = 4096;

#[derive(Debug, Default)]
pub struct LineReader {
    buf: Vec<u8>,
    overflowed: bool,
}

impl LineReader {
    /// Feeds bytes as they arrive; returns the scans they complete (empty lines skipped).
    pub fn push(&mut self, bytes: &[u8]) -> Vec<String> {
        let mut done = Vec::new();
        for &b in bytes {
            if b == b'\r' || b == b'\n' {
                if !self.overflowed && !self.buf.is_empty() {
                    let line = String::from_utf8_lossy(&self.buf).trim().to_string();
                    if !line.is_empty() {
                        done.push(line);
                    }
                }
                self.buf.clear();
                self.overflowed = false;
            } else if self.buf.len() < MAX_LINE {
                self.buf.push(b);
            } else {
                self.overflowed = true;
            }
        }
        done
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_any_line_end_across_reads() {
        let mut r = LineReader::default();
        assert!(r.push(b"000.00.06.H56-2310").is_empty());
        assert_eq!(r.push(b"27-0361\r\n"), vec!["000.00.06.H56-231027-0361"]);
        assert_eq!(r.push(b"\n\rA1\nB2\r"), vec!["A1", "B2"]);
    }

    #[test]
    fn drops_overlong_lines_and_bad_bytes_do_not_panic() {
        let mut r = LineReader::default();
        assert!(r.push(&vec![b'9'; MAX_LINE + 10]).is_empty());
        assert!(r.push(b"\n").is_empty());
        assert_eq!(r.push(b"\xff\xfeAB\n"), vec!["\u{fffd}\u{fffd}AB"]);
    }
}
