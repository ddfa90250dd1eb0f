//! The ESC/POS subset this module speaks: a writer for jobs and a reader for the preview.
//!
//! Written by hand rather than with the `escpos` crate's printer: jobs are plain bytes built in
//! memory, images wider than 512 dots and Vietnamese tables are needed, and the reader must accept
//! exactly what the writer emits.

use super::raster::Bitmap;

pub(crate) const LF: u8 = 0x0A;
pub(crate) const ESC: u8 = 0x1B;
pub(crate) const GS: u8 = 0x1D;

/// Font A cell: 12 dots wide, 24 high.
pub(crate) const FONT_A: (u16, u16) = (12, 24);
/// Font B cell: 9 dots wide, 17 high.
pub(crate) const FONT_B: (u16, u16) = (9, 17);
/// The usual power-on line spacing (ESC 2) of 80 mm and 58 mm printers, in dots.
pub(crate) const DEFAULT_LINE_SPACING: u16 = 30;
/// GS ( k error correction level M (48..=51 are L, M, Q, H): survives a smudge or a fold.
pub(crate) const QR_EC_M: u8 = 49;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Left = 0,
    Center = 1,
}

/// An ESC/POS job being written. Every job starts with ESC @ (printer reset).
pub(crate) struct Job {
    bytes: Vec<u8>,
}

impl Job {
    pub(crate) fn new() -> Self {
        Job {
            bytes: vec![ESC, b'@'],
        }
    }

    /// ESC t n: character code table.
    pub(crate) fn code_page(&mut self, page: u8) {
        self.bytes.extend([ESC, b't', page]);
    }

    /// ESC a n: justification of the following lines, text and images alike.
    pub(crate) fn align(&mut self, align: Align) {
        self.bytes.extend([ESC, b'a', align as u8]);
    }

    /// ESC E n: emphasised (bold) text.
    pub(crate) fn bold(&mut self, on: bool) {
        self.bytes.extend([ESC, b'E', u8::from(on)]);
    }

    /// GS B n: white on black text.
    pub(crate) fn reverse(&mut self, on: bool) {
        self.bytes.extend([GS, b'B', u8::from(on)]);
    }

    /// ESC M n: font A (false) or the smaller font B (true).
    pub(crate) fn font_b(&mut self, on: bool) {
        self.bytes.extend([ESC, b'M', u8::from(on)]);
    }

    /// GS ! n: character width and height multipliers, each 1..=8.
    pub(crate) fn size(&mut self, width: u8, height: u8) {
        let w = width.clamp(1, 8) - 1;
        let h = height.clamp(1, 8) - 1;
        self.bytes.extend([GS, b'!', (w << 4) | h]);
    }

    /// Text bytes already in the printer's code table, then LF.
    pub(crate) fn line(&mut self, text: &[u8]) {
        self.bytes.extend(text);
        self.bytes.push(LF);
    }

    /// ESC J n: feed n dots.
    pub(crate) fn feed_dots(&mut self, dots: u8) {
        self.bytes.extend([ESC, b'J', dots]);
    }

    /// ESC d n: feed n lines.
    pub(crate) fn feed_lines(&mut self, lines: u8) {
        self.bytes.extend([ESC, b'd', lines]);
    }

    /// GS v 0: a raster image, rows of `width_bytes` bytes, most significant bit leftmost.
    pub(crate) fn raster(&mut self, image: &Bitmap) {
        let (packed, width_bytes) = image.pack();
        let row = usize::from(width_bytes);
        if row == 0 {
            return;
        }
        // A line is far below the command's 65535-row limit; anything taller is split.
        for chunk in packed.chunks(row * usize::from(u16::MAX)) {
            let [wl, wh] = width_bytes.to_le_bytes();
            let [hl, hh] = u16::try_from(chunk.len() / row)
                .unwrap_or(u16::MAX)
                .to_le_bytes();
            self.bytes.extend([GS, b'v', b'0', 0, wl, wh, hl, hh]);
            self.bytes.extend(chunk);
        }
    }

    /// GS ( k: a QR code (model 2, error correction M) the printer draws itself.
    pub(crate) fn qr(&mut self, data: &[u8], module_dots: u8) {
        self.qr_function(&[49, 65, 50, 0]); // model 2
        self.qr_function(&[49, 67, module_dots]); // module size
        self.qr_function(&[49, 69, QR_EC_M]);
        let mut store = vec![49, 80, 48];
        store.extend(data);
        self.qr_function(&store);
        self.qr_function(&[49, 81, 48]); // print the stored symbol
    }

    fn qr_function(&mut self, body: &[u8]) {
        let [pl, ph] = u16::try_from(body.len()).unwrap_or(u16::MAX).to_le_bytes();
        self.bytes.extend([GS, b'(', b'k', pl, ph]);
        self.bytes.extend(body);
    }

    /// GS V 66 n: feed to the cutter (plus n dots) and cut, leaving a hinge.
    pub(crate) fn partial_cut(&mut self) {
        self.bytes.extend([GS, b'V', 66, 0]);
    }

    pub(crate) fn finish(self) -> Vec<u8> {
        self.bytes
    }
}

/// One command read back from a job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Command<'a> {
    Init,
    CodePage(u8),
    Align(u8),
    Bold(bool),
    Reverse(bool),
    FontB(bool),
    Size {
        width: u8,
        height: u8,
    },
    FeedDots(u8),
    FeedLines(u8),
    LineFeed,
    Text(&'a [u8]),
    Raster {
        width_bytes: u16,
        height: u16,
        data: &'a [u8],
    },
    Qr(QrFunction<'a>),
    Cut {
        function: u8,
        feed: u8,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum QrFunction<'a> {
    Model(u8),
    ModuleSize(u8),
    ErrorCorrection(u8),
    Store(&'a [u8]),
    Print,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("byte {offset}: the command is cut short")]
    Truncated { offset: usize },
    #[error("byte {offset}: unsupported command {bytes:02X?}")]
    Unsupported { offset: usize, bytes: Vec<u8> },
}

/// Splits a job into commands, each with the offset where it starts.
pub(crate) fn parse(bytes: &[u8]) -> Result<Vec<(usize, Command<'_>)>, ParseError> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let start = at;
        let take = |n: usize| -> Result<&[u8], ParseError> {
            bytes
                .get(start..start + n)
                .ok_or(ParseError::Truncated { offset: start })
        };
        let unsupported = |n: usize| ParseError::Unsupported {
            offset: start,
            bytes: bytes[start..bytes.len().min(start + n)].to_vec(),
        };
        let (command, len) = match bytes[at] {
            LF => (Command::LineFeed, 1),
            ESC => {
                let arg = || take(3).map(|c| c[2]);
                match take(2)?[1] {
                    b'@' => (Command::Init, 2),
                    b't' => (Command::CodePage(arg()?), 3),
                    b'a' => (Command::Align(arg()? & 0x0F), 3),
                    b'E' => (Command::Bold(arg()? & 1 == 1), 3),
                    b'M' => (Command::FontB(arg()? & 1 == 1), 3),
                    b'J' => (Command::FeedDots(arg()?), 3),
                    b'd' => (Command::FeedLines(arg()?), 3),
                    _ => return Err(unsupported(2)),
                }
            }
            GS => {
                let c = take(2)?;
                match c[1] {
                    b'!' => {
                        let n = take(3)?[2];
                        let size = Command::Size {
                            width: (n >> 4) + 1,
                            height: (n & 0x0F) + 1,
                        };
                        (size, 3)
                    }
                    b'B' => (Command::Reverse(take(3)?[2] & 1 == 1), 3),
                    b'V' => {
                        let c = take(3)?;
                        match c[2] {
                            0 | 1 | 48 | 49 => (
                                Command::Cut {
                                    function: c[2],
                                    feed: 0,
                                },
                                3,
                            ),
                            65 | 66 => (
                                Command::Cut {
                                    function: c[2],
                                    feed: take(4)?[3],
                                },
                                4,
                            ),
                            _ => return Err(unsupported(3)),
                        }
                    }
                    b'v' => {
                        let h = take(8)?;
                        if h[2] != b'0' || h[3] != 0 {
                            return Err(unsupported(4));
                        }
                        let width_bytes = u16::from_le_bytes([h[4], h[5]]);
                        let height = u16::from_le_bytes([h[6], h[7]]);
                        let n = usize::from(width_bytes) * usize::from(height);
                        let data = &take(8 + n)?[8..];
                        (
                            Command::Raster {
                                width_bytes,
                                height,
                                data,
                            },
                            8 + n,
                        )
                    }
                    b'(' => {
                        let h = take(5)?;
                        if h[2] != b'k' {
                            return Err(unsupported(3));
                        }
                        let n = usize::from(u16::from_le_bytes([h[3], h[4]]));
                        let body = &take(5 + n)?[5..];
                        (
                            Command::Qr(qr_function(body).ok_or_else(|| unsupported(8))?),
                            5 + n,
                        )
                    }
                    _ => return Err(unsupported(2)),
                }
            }
            b if b >= 0x20 => {
                let len = bytes[at..]
                    .iter()
                    .position(|&b| b < 0x20)
                    .unwrap_or(bytes.len() - at);
                (Command::Text(&bytes[at..at + len]), len)
            }
            _ => return Err(unsupported(1)),
        };
        out.push((start, command));
        at += len;
    }
    Ok(out)
}

/// The data of every QR code in a print job (GS ( k store), as the printer receives it: what
/// a phone reads from the paper.
pub fn qr_payloads(bytes: &[u8]) -> Result<Vec<Vec<u8>>, ParseError> {
    Ok(parse(bytes)?
        .into_iter()
        .filter_map(|(_, c)| match c {
            Command::Qr(QrFunction::Store(data)) => Some(data.to_vec()),
            _ => None,
        })
        .collect())
}

fn qr_function(body: &[u8]) -> Option<QrFunction<'_>> {
    // cn 49 = QR code; then fn and its parameters.
    match body {
        [49, 65, model, _] => Some(QrFunction::Model(*model)),
        [49, 67, size] => Some(QrFunction::ModuleSize(*size)),
        [49, 69, level] => Some(QrFunction::ErrorCorrection(*level)),
        [49, 80, 48, data @ ..] => Some(QrFunction::Store(data)),
        [49, 81, 48] => Some(QrFunction::Print),
        _ => None,
    }
}
