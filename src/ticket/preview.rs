//! ESC/POS bytes drawn as the printed paper: for the on-screen printer and the docs.
//!
//! Interprets the subset this module emits. Printer text is decoded with the layout's text mode
//! (the page number of ESC t is printer-specific, so the mode says which table it selects) and
//! drawn with the bundled font in font A cells of 12x24 dots (font B: 9x17), scaled by GS !,
//! bold with ESC E, white on black with GS B. GS v 0 pictures are copied dot for dot; GS ( k QR
//! codes are drawn as the printer would, at the stored module size. A cut is a dashed line.

use ab_glyph::{Font, ScaleFont, point};
use unicode_normalization::UnicodeNormalization;

use super::TextMode;
use super::codepage;
use super::commands::{
    Command, DEFAULT_LINE_SPACING, FONT_A, FONT_B, ParseError, QR_EC_M, QrFunction, parse,
};
use super::raster::{self, Bitmap, Fonts, INK_THRESHOLD};

/// Longest paper drawn, in dots (about 12 m at 203 dpi): a guard against runaway feeds.
const MAX_ROWS: u32 = 100_000;
/// Paper fed between the print head and the cutter, drawn before the cut line.
const CUTTER_GAP: u32 = 24;
/// Glyph em size relative to the cell height; the rest is room for stacked tone marks.
const EM_PER_CELL: f32 = 22.0 / 24.0;
/// Baseline position from the top of a cell, relative to its height.
const BASELINE_PER_CELL: f32 = 0.8;

#[derive(Debug, thiserror::Error)]
pub enum PreviewError {
    #[error("the print job cannot be read: {0}")]
    Parse(#[from] ParseError),
    #[error("the bundled font could not be loaded")]
    Font,
    #[error("byte {offset}: the QR code cannot be drawn: {reason}")]
    Qr { offset: usize, reason: String },
    #[error("the paper would be longer than {MAX_ROWS} dots")]
    TooLong,
    #[error("the picture cannot be written as PNG: {0}")]
    Png(#[from] png::EncodingError),
}

/// A preview PNG decoded for a screen: 8-bit RGBA, row after row.
#[derive(Clone, PartialEq, Eq)]
pub struct Picture {
    pub width: u32,
    pub height: u32,
    pub rgba: Vec<u8>,
}

impl std::fmt::Debug for Picture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Picture({}x{})", self.width, self.height)
    }
}

#[derive(Debug, thiserror::Error)]
#[error("not a PNG picture: {0}")]
pub struct PictureError(String);

impl Picture {
    /// Decodes a PNG, such as one [`render_png`] made, into RGBA.
    pub fn from_png(png: &[u8]) -> Result<Self, PictureError> {
        let fail = |e: &dyn std::fmt::Display| PictureError(e.to_string());
        let mut decoder = png::Decoder::new(std::io::Cursor::new(png));
        decoder.set_transformations(png::Transformations::normalize_to_color8());
        let mut reader = decoder.read_info().map_err(|e| fail(&e))?;
        let size = reader
            .output_buffer_size()
            .ok_or_else(|| fail(&"the picture is too large"))?;
        let mut buf = vec![0; size];
        let frame = reader.next_frame(&mut buf).map_err(|e| fail(&e))?;
        buf.truncate(frame.buffer_size());
        let rgba = match frame.color_type.samples() {
            1 => buf.iter().flat_map(|&v| [v, v, v, 255]).collect(),
            2 => buf
                .chunks_exact(2)
                .flat_map(|p| [p[0], p[0], p[0], p[1]])
                .collect(),
            3 => buf
                .chunks_exact(3)
                .flat_map(|p| [p[0], p[1], p[2], 255])
                .collect(),
            _ => buf,
        };
        Ok(Self {
            width: frame.width,
            height: frame.height,
            rgba,
        })
    }

    /// The picture `width` pixels wide (never wider than it is), each pixel the average of the
    /// paper it covers. A screen scaling a 576-dot ticket down samples some rows and skips the
    /// others, and a tone mark one or two dots thick falls between them; averaged, it stays as
    /// grey.
    pub fn scaled_to_width(&self, width: u32) -> Picture {
        if width == 0 || width >= self.width || self.height == 0 {
            return self.clone();
        }
        let height = (u64::from(self.height) * u64::from(width) / u64::from(self.width)).max(1);
        let height = u32::try_from(height).unwrap_or(u32::MAX);
        let rows = resample(&self.rgba, self.width, self.height, width, true);
        let rgba = resample(&rows, width, self.height, height, false);
        Picture {
            width,
            height,
            rgba,
        }
    }
}

/// Area averaging along one axis: along x (`horizontal`) from `from` to `to` columns, or along
/// y from `from` to `to` rows; `across` is the size of the other axis.
fn resample(rgba: &[u8], width: u32, height: u32, to: u32, horizontal: bool) -> Vec<u8> {
    let (from, across) = if horizontal {
        (width, height)
    } else {
        (height, width)
    };
    let (out_w, out_h) = if horizontal {
        (to, height)
    } else {
        (width, to)
    };
    let mut out = vec![0u8; out_w as usize * out_h as usize * 4];
    let scale = f64::from(from) / f64::from(to);
    for i in 0..to {
        let (start, end) = (f64::from(i) * scale, f64::from(i + 1) * scale);
        for j in 0..across {
            let mut sum = [0f64; 4];
            let mut at = start.floor() as u32;
            while f64::from(at) < end && at < from {
                let cover = (end.min(f64::from(at + 1)) - start.max(f64::from(at))).max(0.0);
                let (x, y) = if horizontal { (at, j) } else { (j, at) };
                let p = (y as usize * width as usize + x as usize) * 4;
                for (c, total) in sum.iter_mut().enumerate() {
                    *total += f64::from(rgba[p + c]) * cover;
                }
                at += 1;
            }
            let (x, y) = if horizontal { (i, j) } else { (j, i) };
            let q = (y as usize * out_w as usize + x as usize) * 4;
            for (c, total) in sum.iter().enumerate() {
                out[q + c] = (total / scale).round().clamp(0.0, 255.0) as u8;
            }
        }
    }
    out
}

/// The paper printed from `bytes`, as a black-on-white PNG `width_dots` wide (1 px = 1 dot).
pub fn render_png(
    bytes: &[u8],
    width_dots: u16,
    text_mode: TextMode,
) -> Result<Vec<u8>, PreviewError> {
    let paper = render(bytes, width_dots, text_mode)?;
    encode_png(&paper)
}

/// The paper as a picture; see [`render_png`].
pub(crate) fn render(
    bytes: &[u8],
    width_dots: u16,
    text_mode: TextMode,
) -> Result<Bitmap, PreviewError> {
    let fonts = raster::fonts().ok_or(PreviewError::Font)?;
    let mut printer = Printer::new(fonts, u32::from(width_dots.max(1)), text_mode);
    for (offset, command) in parse(bytes)? {
        printer.run(offset, command)?;
    }
    printer.flush()?;
    Ok(printer
        .paper
        .crop(0, 0, printer.paper.width, printer.y.max(1)))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Attr {
    bold: bool,
    reverse: bool,
    font_b: bool,
    size: (u8, u8),
}

impl Attr {
    const RESET: Attr = Attr {
        bold: false,
        reverse: false,
        font_b: false,
        size: (1, 1),
    };

    fn cell(self) -> (u32, u32) {
        let (w, h) = if self.font_b { FONT_B } else { FONT_A };
        (
            u32::from(w) * u32::from(self.size.0),
            u32::from(h) * u32::from(self.size.1),
        )
    }
}

struct Printer {
    fonts: &'static Fonts,
    mode: TextMode,
    paper: Bitmap,
    /// Next row to print on.
    y: u32,
    align: u8,
    attr: Attr,
    /// Text waiting for LF, each byte with the attributes it was sent with.
    line: Vec<(u8, Attr)>,
    qr_module: u8,
    qr_level: u8,
    qr_data: Vec<u8>,
}

impl Printer {
    fn new(fonts: &'static Fonts, width: u32, mode: TextMode) -> Self {
        Printer {
            fonts,
            mode,
            paper: Bitmap::new(width, 0),
            y: 0,
            align: 0,
            attr: Attr::RESET,
            line: Vec::new(),
            qr_module: 3,
            qr_level: QR_EC_M,
            qr_data: Vec::new(),
        }
    }

    fn run(&mut self, offset: usize, command: Command<'_>) -> Result<(), PreviewError> {
        match command {
            Command::Init => {
                self.align = 0;
                self.attr = Attr::RESET;
            }
            // Which table the page selects is the text mode's business.
            Command::CodePage(_) => {}
            Command::Align(a) => self.align = a % 48,
            Command::Bold(on) => self.attr.bold = on,
            Command::Reverse(on) => self.attr.reverse = on,
            Command::FontB(on) => self.attr.font_b = on,
            Command::Size { width, height } => self.attr.size = (width, height),
            Command::Text(t) => self.line.extend(t.iter().map(|&b| (b, self.attr))),
            Command::LineFeed => self.print_line(DEFAULT_LINE_SPACING.into())?,
            Command::FeedDots(n) => {
                if self.line.is_empty() {
                    self.advance(n.into())?;
                } else {
                    self.print_line(n.into())?;
                }
            }
            Command::FeedLines(n) => {
                self.flush()?;
                self.advance(u32::from(n) * u32::from(DEFAULT_LINE_SPACING))?;
            }
            Command::Raster {
                width_bytes,
                height,
                data,
            } => {
                self.flush()?;
                let image = Bitmap::unpack(data, width_bytes, height);
                let x = self.x_for(image.width);
                self.place(&image, x)?;
            }
            Command::Qr(f) => match f {
                QrFunction::Model(_) => {}
                QrFunction::ModuleSize(n) => self.qr_module = n.max(1),
                QrFunction::ErrorCorrection(l) => self.qr_level = l,
                QrFunction::Store(d) => self.qr_data = d.to_vec(),
                QrFunction::Print => self.print_qr(offset)?,
            },
            Command::Cut { feed, .. } => {
                self.flush()?;
                self.advance(CUTTER_GAP + u32::from(feed))?;
                self.grow_to(self.y + 1)?;
                for x in (0..self.paper.width).filter(|x| x % 12 < 7) {
                    self.paper.set(x, self.y, true);
                }
                self.advance(8)?;
            }
        }
        Ok(())
    }

    /// Prints what waits for LF, as the printer does at the end of a job.
    fn flush(&mut self) -> Result<(), PreviewError> {
        if self.line.is_empty() {
            Ok(())
        } else {
            self.print_line(DEFAULT_LINE_SPACING.into())
        }
    }

    /// Prints the pending text and feeds `spacing` dots, or the height of its tallest
    /// character if more. Text wider than the paper continues on the next line.
    fn print_line(&mut self, spacing: u32) -> Result<(), PreviewError> {
        let cells = self.decode_line();
        let mut rows: Vec<Vec<(char, Attr)>> = vec![Vec::new()];
        let mut used = 0;
        for (c, attr) in cells {
            let w = attr.cell().0;
            if used + w > self.paper.width && used > 0 {
                rows.push(Vec::new());
                used = 0;
            }
            used += w;
            if let Some(row) = rows.last_mut() {
                row.push((c, attr));
            }
        }
        for row in rows {
            let width: u32 = row.iter().map(|(_, a)| a.cell().0).sum();
            let height = row.iter().map(|(_, a)| a.cell().1).max().unwrap_or(0);
            self.grow_to(self.y + height.max(spacing))?;
            let mut x = self.x_for(width);
            for (c, attr) in row {
                let (cw, ch) = attr.cell();
                // Characters of different heights share the bottom of the line.
                self.draw_char(c, attr, x, self.y + height - ch);
                x += cw;
            }
            self.y += height.max(spacing);
        }
        Ok(())
    }

    /// Pending bytes as characters, each with its attributes; tone bytes join their letter.
    fn decode_line(&mut self) -> Vec<(char, Attr)> {
        let line = std::mem::take(&mut self.line);
        let mut out = Vec::new();
        for run in line.chunk_by(|a, b| a.1 == b.1) {
            let attr = run[0].1;
            let bytes: Vec<u8> = run.iter().map(|e| e.0).collect();
            let text = match self.mode {
                TextMode::Codepage { table, .. } => codepage::decode(&bytes, table),
                // Without a Vietnamese table the printer shows something else: mark it.
                TextMode::Raster | TextMode::Ascii => bytes
                    .iter()
                    .map(|&b| if b < 0x80 { char::from(b) } else { '?' })
                    .collect(),
            };
            out.extend(text.nfc().map(|c| (c, attr)));
        }
        out
    }

    fn draw_char(&mut self, c: char, attr: Attr, left: u32, top: u32) {
        let (cw, ch) = attr.cell();
        if attr.reverse {
            for y in top..top + ch {
                for x in left..left + cw {
                    self.paper.set(x, y, true);
                }
            }
        }
        let font = self.fonts.font(attr.bold);
        let em_y = ch as f32 * EM_PER_CELL;
        let mut em_x = em_y * attr.size.0 as f32 / attr.size.1 as f32;
        let id = font.glyph_id(c);
        // The printer's fonts are monospaced: wide letters are narrowed to fit the cell.
        let room = cw as f32 * 0.92;
        let advance = font
            .as_scaled(self.fonts.scale(attr.bold, em_x, em_y))
            .h_advance(id);
        if advance > room {
            em_x *= room / advance;
        }
        let scale = self.fonts.scale(attr.bold, em_x, em_y);
        let advance = font.as_scaled(scale).h_advance(id);
        let origin = point(
            left as f32 + (cw as f32 - advance) / 2.0,
            top as f32 + ch as f32 * BASELINE_PER_CELL,
        );
        let Some(glyph) = font.outline_glyph(id.with_scale_and_position(scale, origin)) else {
            return;
        };
        let b = glyph.px_bounds();
        let ink = !attr.reverse;
        let paper = &mut self.paper;
        glyph.draw(|x, y, coverage| {
            let (px, py) = (b.min.x as i64 + i64::from(x), b.min.y as i64 + i64::from(y));
            if coverage >= INK_THRESHOLD && px >= 0 && py >= 0 {
                paper.set(px as u32, py as u32, ink);
            }
        });
    }

    fn print_qr(&mut self, offset: usize) -> Result<(), PreviewError> {
        self.flush()?;
        if self.qr_data.is_empty() {
            return Ok(());
        }
        let level = match self.qr_level {
            48 => qrcode::EcLevel::L,
            49 => qrcode::EcLevel::M,
            50 => qrcode::EcLevel::Q,
            _ => qrcode::EcLevel::H,
        };
        let code =
            qrcode::QrCode::with_error_correction_level(&self.qr_data, level).map_err(|e| {
                PreviewError::Qr {
                    offset,
                    reason: e.to_string(),
                }
            })?;
        let modules = code.width() as u32;
        let size = u32::from(self.qr_module);
        let mut image = Bitmap::new(modules * size, modules * size);
        for (i, color) in code.to_colors().iter().enumerate() {
            if *color == qrcode::Color::Dark {
                let (mx, my) = (i as u32 % modules, i as u32 / modules);
                for y in my * size..(my + 1) * size {
                    for x in mx * size..(mx + 1) * size {
                        image.set(x, y, true);
                    }
                }
            }
        }
        let x = self.x_for(image.width);
        self.place(&image, x)
    }

    /// Left edge of something `width` dots wide under the current justification.
    fn x_for(&self, width: u32) -> u32 {
        let spare = self.paper.width.saturating_sub(width);
        match self.align {
            1 => spare / 2,
            2 => spare,
            _ => 0,
        }
    }

    fn place(&mut self, image: &Bitmap, left: u32) -> Result<(), PreviewError> {
        self.grow_to(self.y + image.height)?;
        for y in 0..image.height {
            for x in 0..image.width {
                if image.get(x, y) {
                    self.paper.set(left + x, self.y + y, true);
                }
            }
        }
        self.y += image.height;
        Ok(())
    }

    fn advance(&mut self, dots: u32) -> Result<(), PreviewError> {
        self.grow_to(self.y + dots)?;
        self.y += dots;
        Ok(())
    }

    fn grow_to(&mut self, rows: u32) -> Result<(), PreviewError> {
        if rows > MAX_ROWS {
            return Err(PreviewError::TooLong);
        }
        if rows > self.paper.height {
            self.paper.grow(rows);
        }
        Ok(())
    }
}

/// 1-bit greyscale PNG: a ticket is a few kilobytes.
fn encode_png(image: &Bitmap) -> Result<Vec<u8>, PreviewError> {
    let (packed, _) = image.pack();
    // PNG greyscale 1 is white; ESC/POS 1 is a printed dot.
    let data: Vec<u8> = packed.iter().map(|b| !b).collect();
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, image.width, image.height);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::One);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(&data)?;
    writer.finish()?;
    Ok(out)
}
