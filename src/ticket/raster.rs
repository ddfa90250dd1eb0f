//! Text drawn with the bundled Noto Sans into 1-bit pictures for GS v 0, cropped to the ink so a
//! ticket stays small on the wire.

use std::sync::OnceLock;

use ab_glyph::{Font, FontRef, GlyphId, PxScale, ScaleFont, point};
use unicode_normalization::UnicodeNormalization;

use super::commands::Align;

static REGULAR: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/fonts/NotoSans-Regular.ttf"
));
static BOLD: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/fonts/NotoSans-Bold.ttf"
));

/// Coverage from which a dot is printed. Below one half so that the thin strokes of tone marks
/// (the hook of ả, the dot of ạ) keep their dots at body sizes.
pub(crate) const INK_THRESHOLD: f32 = 0.42;
/// White rows kept above and below the ink band: the gap between two consecutive lines.
const V_MARGIN: u32 = 2;
/// Padding of white-on-black text inside its black box.
pub(crate) const BOX_PAD: (u32, u32) = (8, 3);

/// The two bundled faces, parsed once. `None` only if the embedded files were damaged, in which
/// case callers fall back to text without diacritics.
pub(crate) fn fonts() -> Option<&'static Fonts> {
    static FONTS: OnceLock<Option<Fonts>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            Some(Fonts {
                regular: FontRef::try_from_slice(REGULAR).ok()?,
                bold: FontRef::try_from_slice(BOLD).ok()?,
            })
        })
        .as_ref()
}

pub(crate) struct Fonts {
    regular: FontRef<'static>,
    bold: FontRef<'static>,
}

/// Face and size of rasterised text; `px` is the em size in dots.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Face {
    pub px: f32,
    pub bold: bool,
}

impl Fonts {
    pub(crate) fn font(&self, bold: bool) -> &FontRef<'static> {
        if bold { &self.bold } else { &self.regular }
    }

    /// ab_glyph scales by line height; this converts an em size in dots to that scale.
    pub(crate) fn scale(&self, bold: bool, em_x: f32, em_y: f32) -> PxScale {
        let font = self.font(bold);
        let per_em = font.height_unscaled() / font.units_per_em().unwrap_or(1000.0);
        PxScale {
            x: em_x * per_em,
            y: em_y * per_em,
        }
    }

    /// Advance width of `text` in dots.
    pub(crate) fn width(&self, text: &str, face: Face) -> f32 {
        self.layout(text, face).1
    }

    /// Glyph ids and their pen x positions, and the total advance.
    fn layout(&self, text: &str, face: Face) -> (Vec<(GlyphId, f32)>, f32) {
        let font = self
            .font(face.bold)
            .as_scaled(self.scale(face.bold, face.px, face.px));
        let mut x = 0.0;
        let mut prev: Option<GlyphId> = None;
        let mut glyphs = Vec::new();
        // Noto has every precomposed Vietnamese letter; composed text needs no mark placement.
        for c in text.nfc() {
            let id = font.glyph_id(c);
            if let Some(p) = prev {
                x += font.kern(p, id);
            }
            glyphs.push((id, x));
            x += font.h_advance(id);
            prev = Some(id);
        }
        (glyphs, x)
    }

    /// Top and bottom of the ink of `c` relative to the baseline (y grows downwards).
    fn ink_rows(&self, c: char, face: Face) -> Option<(f32, f32)> {
        let font = self.font(face.bold);
        let scale = self.scale(face.bold, face.px, face.px);
        let glyph = font
            .glyph_id(c)
            .with_scale_and_position(scale, point(0.0, 0.0));
        let b = font.outline_glyph(glyph)?.px_bounds();
        Some((b.min.y, b.max.y))
    }

    /// `text` as a picture for a GS v 0 line.
    ///
    /// Cropped to the ink, except that every line keeps the band from capital height to
    /// descender depth so that consecutive lines sit at an even pitch. A left-aligned line keeps
    /// its pen origin (and so its leading spaces); a centred one is cropped on both sides.
    /// `boxed` draws white text on a black box.
    pub(crate) fn line_image(&self, text: &str, face: Face, align: Align, boxed: bool) -> Bitmap {
        let drawn = self.draw(text, face);
        let cap = self.ink_rows('H', face).map_or(-face.px * 0.72, |r| r.0);
        let desc = self.ink_rows('p', face).map_or(face.px * 0.24, |r| r.1);
        let band_top = drawn.baseline + cap.floor() as i32;
        let band_bottom = drawn.baseline + desc.ceil() as i32;
        let (ink_x, ink_y) = match drawn.image.ink_bounds() {
            Some((x0, y0, x1, y1)) => ((x0 as i32, x1 as i32), (y0 as i32, y1 as i32)),
            None => ((drawn.origin_x, drawn.origin_x), (band_top, band_bottom)),
        };
        let (pad_x, pad_y) = if boxed {
            (BOX_PAD.0 as i32, BOX_PAD.1 as i32)
        } else {
            (0, V_MARGIN as i32)
        };
        let top = ink_y.0.min(band_top) - pad_y;
        let bottom = ink_y.1.max(band_bottom) + pad_y;
        let (left, right) = match align {
            Align::Left => (drawn.origin_x, ink_x.1 + 1 + pad_x),
            Align::Center => (ink_x.0 - pad_x, ink_x.1 + 1 + pad_x),
        };
        let width = (right - left).max(1) as u32;
        // GS v 0 rows are whole bytes: centred ink stays centred within the rounded width.
        let spare = width.next_multiple_of(8) - width;
        let left = match align {
            Align::Left => left,
            Align::Center => left - (spare / 2) as i32,
        };
        let mut image = drawn
            .image
            .crop(left, top, width + spare, (bottom - top).max(1) as u32);
        if boxed {
            image.invert_box(spare);
        }
        image
    }

    /// `text` at its natural size: the picture, where the pen started and the baseline row.
    fn draw(&self, text: &str, face: Face) -> Drawn {
        let font = self.font(face.bold);
        let scale = self.scale(face.bold, face.px, face.px);
        let (glyphs, advance) = self.layout(text, face);
        let outlined: Vec<_> = glyphs
            .into_iter()
            .filter_map(|(id, x)| {
                font.outline_glyph(id.with_scale_and_position(scale, point(x, 0.0)))
            })
            .collect();
        let (mut x0, mut y0, mut x1, mut y1) = (0.0f32, 0.0f32, advance, 0.0f32);
        for g in &outlined {
            let b = g.px_bounds();
            x0 = x0.min(b.min.x);
            y0 = y0.min(b.min.y);
            x1 = x1.max(b.max.x);
            y1 = y1.max(b.max.y);
        }
        let (ox, oy) = (x0.floor() as i32, y0.floor() as i32);
        let width = (x1.ceil() as i32 - ox).max(1) as u32;
        let height = (y1.ceil() as i32 - oy).max(1) as u32;
        let mut coverage = vec![0.0f32; (width * height) as usize];
        for g in &outlined {
            let b = g.px_bounds();
            let (gx, gy) = (b.min.x as i32 - ox, b.min.y as i32 - oy);
            g.draw(|x, y, c| {
                let (px, py) = (gx + x as i32, gy + y as i32);
                if px >= 0 && py >= 0 && (px as u32) < width && (py as u32) < height {
                    let i = py as usize * width as usize + px as usize;
                    coverage[i] = (coverage[i] + c).min(1.0);
                }
            });
        }
        let mut image = Bitmap::new(width, height);
        for (i, c) in coverage.iter().enumerate() {
            image.pixels[i] = *c >= INK_THRESHOLD;
        }
        Drawn {
            image,
            origin_x: -ox,
            baseline: -oy,
        }
    }
}

struct Drawn {
    image: Bitmap,
    origin_x: i32,
    baseline: i32,
}

/// A 1-bit picture, row by row; `true` is a printed (black) dot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Bitmap {
    pub width: u32,
    pub height: u32,
    pixels: Vec<bool>,
}

impl Bitmap {
    pub(crate) fn new(width: u32, height: u32) -> Self {
        Bitmap {
            width,
            height,
            pixels: vec![false; width as usize * height as usize],
        }
    }

    /// Adds white rows at the bottom.
    pub(crate) fn grow(&mut self, height: u32) {
        self.pixels
            .resize(self.width as usize * height as usize, false);
        self.height = height;
    }

    pub(crate) fn get(&self, x: u32, y: u32) -> bool {
        x < self.width && y < self.height && self.pixels[(y * self.width + x) as usize]
    }

    pub(crate) fn set(&mut self, x: u32, y: u32, on: bool) {
        if x < self.width && y < self.height {
            self.pixels[(y * self.width + x) as usize] = on;
        }
    }

    /// The smallest box holding every black dot: (left, top, right, bottom), inclusive.
    pub(crate) fn ink_bounds(&self) -> Option<(u32, u32, u32, u32)> {
        let mut bounds: Option<(u32, u32, u32, u32)> = None;
        for y in 0..self.height {
            for x in 0..self.width {
                if self.get(x, y) {
                    bounds = Some(match bounds {
                        None => (x, y, x, y),
                        Some((x0, y0, x1, y1)) => (x0.min(x), y0.min(y), x1.max(x), y1.max(y)),
                    });
                }
            }
        }
        bounds
    }

    /// A window of this picture; outside it is white.
    pub(crate) fn crop(&self, left: i32, top: i32, width: u32, height: u32) -> Bitmap {
        let mut out = Bitmap::new(width, height);
        for y in 0..height {
            for x in 0..width {
                let (sx, sy) = (left + x as i32, top + y as i32);
                if sx >= 0 && sy >= 0 {
                    out.set(x, y, self.get(sx as u32, sy as u32));
                }
            }
        }
        out
    }

    /// White on black, leaving `spare` columns (byte rounding) white, half on each side.
    fn invert_box(&mut self, spare: u32) {
        let (from, to) = (spare / 2, self.width - (spare - spare / 2));
        for y in 0..self.height {
            for x in from..to {
                let on = self.get(x, y);
                self.set(x, y, !on);
            }
        }
    }

    /// Rows of whole bytes, most significant bit leftmost, and the row length in bytes.
    pub(crate) fn pack(&self) -> (Vec<u8>, u16) {
        let row = self.width.div_ceil(8) as usize;
        let mut out = vec![0u8; row * self.height as usize];
        for y in 0..self.height {
            for x in 0..self.width {
                if self.get(x, y) {
                    out[y as usize * row + x as usize / 8] |= 0x80 >> (x % 8);
                }
            }
        }
        (out, u16::try_from(row).unwrap_or(u16::MAX))
    }

    /// The inverse of [`Bitmap::pack`].
    pub(crate) fn unpack(data: &[u8], width_bytes: u16, height: u16) -> Bitmap {
        let row = usize::from(width_bytes);
        let mut out = Bitmap::new(u32::from(width_bytes) * 8, u32::from(height));
        for (y, bytes) in data
            .chunks(row.max(1))
            .take(usize::from(height))
            .enumerate()
        {
            for (bx, byte) in bytes.iter().enumerate() {
                for bit in 0..8 {
                    if byte & (0x80 >> bit) != 0 {
                        out.set((bx * 8 + bit) as u32, y as u32, true);
                    }
                }
            }
        }
        out
    }
}
