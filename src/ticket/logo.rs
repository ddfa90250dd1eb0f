//! The office's logo (`[printer] logo`, a PNG) as a 1-bit picture for the top of tickets.

use super::raster::Bitmap;

/// Logos are kept small: at most half the paper wide and this tall, so a ticket stays quick on
/// the wire (a full-size logo would cost more bytes than the rest of the ticket).
const MAX_HEIGHT: u32 = 120;

#[derive(Debug, thiserror::Error)]
pub enum LogoError {
    #[error("not a PNG image: {0}")]
    Decode(String),
    #[error("the image is empty")]
    Empty,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logo(pub(crate) Bitmap);

impl Logo {
    /// Decodes `png`, flattens it on white, scales it down to fit `paper_width_dots / 2` by
    /// [`MAX_HEIGHT`] dots (never up), thresholds it at mid-grey and crops it to its ink.
    pub fn from_png(png: &[u8], paper_width_dots: u16) -> Result<Self, LogoError> {
        let mut decoder = png::Decoder::new(std::io::Cursor::new(png));
        decoder.set_transformations(png::Transformations::normalize_to_color8());
        let mut reader = decoder
            .read_info()
            .map_err(|e| LogoError::Decode(e.to_string()))?;
        let size = reader
            .output_buffer_size()
            .ok_or_else(|| LogoError::Decode("the image is too large".into()))?;
        let mut buf = vec![0; size];
        let frame = reader
            .next_frame(&mut buf)
            .map_err(|e| LogoError::Decode(e.to_string()))?;
        let (w, h) = (frame.width, frame.height);
        if w == 0 || h == 0 {
            return Err(LogoError::Empty);
        }
        let channels = frame.color_type.samples();
        // Luminance over white, 0 (black) to 255 (white).
        let light = |x: u32, y: u32| -> u32 {
            let i = (y as usize * w as usize + x as usize) * channels;
            let px = &buf[i..i + channels];
            let (lum, alpha) = match channels {
                1 => (u32::from(px[0]), 255),
                2 => (u32::from(px[0]), u32::from(px[1])),
                3 => (luma(px), 255),
                _ => (luma(px), u32::from(px[3])),
            };
            (lum * alpha + 255 * (255 - alpha)) / 255
        };
        let max_w = u32::from(paper_width_dots / 2).max(8);
        let scale = (f64::from(max_w) / f64::from(w))
            .min(f64::from(MAX_HEIGHT) / f64::from(h))
            .min(1.0);
        let out_w = ((f64::from(w) * scale).round() as u32).max(1);
        let out_h = ((f64::from(h) * scale).round() as u32).max(1);
        let mut image = Bitmap::new(out_w, out_h);
        for oy in 0..out_h {
            for ox in 0..out_w {
                // Average of the source pixels this dot covers (box filter).
                let (x0, x1) = span(ox, out_w, w);
                let (y0, y1) = span(oy, out_h, h);
                let mut sum = 0u64;
                for y in y0..y1 {
                    for x in x0..x1 {
                        sum += u64::from(light(x, y));
                    }
                }
                let count = u64::from((x1 - x0) * (y1 - y0)).max(1);
                image.set(ox, oy, sum / count < 128);
            }
        }
        let (l, t, r, b) = image.ink_bounds().ok_or(LogoError::Empty)?;
        Ok(Logo(image.crop(l as i32, t as i32, r - l + 1, b - t + 1)))
    }

    pub fn width(&self) -> u32 {
        self.0.width
    }

    pub fn height(&self) -> u32 {
        self.0.height
    }
}

fn luma(px: &[u8]) -> u32 {
    (299 * u32::from(px[0]) + 587 * u32::from(px[1]) + 114 * u32::from(px[2])) / 1000
}

/// Source range `[from, to)` covered by output index `i` of `out` when scaling from `src`.
fn span(i: u32, out: u32, src: u32) -> (u32, u32) {
    let from = (u64::from(i) * u64::from(src) / u64::from(out)) as u32;
    let to = ((u64::from(i + 1) * u64::from(src)).div_ceil(u64::from(out)) as u32).max(from + 1);
    (from, to.min(src))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32, pixel: impl Fn(u32, u32) -> [u8; 4]) -> Vec<u8> {
        let mut out = Vec::new();
        {
            let mut enc = png::Encoder::new(&mut out, width, height);
            enc.set_color(png::ColorType::Rgba);
            enc.set_depth(png::BitDepth::Eight);
            let mut w = enc.write_header().unwrap();
            let data: Vec<u8> = (0..height)
                .flat_map(|y| (0..width).map(move |x| (x, y)))
                .flat_map(|(x, y)| pixel(x, y))
                .collect();
            w.write_image_data(&data).unwrap();
        }
        out
    }

    #[test]
    fn a_logo_is_scaled_down_thresholded_and_cropped() {
        // 1000x400, a black square in the middle on transparent.
        let image = png(1000, 400, |x, y| {
            if (400..600).contains(&x) && (100..300).contains(&y) {
                [0, 0, 0, 255]
            } else {
                [0, 0, 0, 0]
            }
        });
        let logo = Logo::from_png(&image, 576).unwrap();
        // Scaled to fit 288 wide and 120 high (factor 0.288), then cropped to the square.
        assert!((56..=60).contains(&logo.width()), "{}", logo.width());
        assert!((56..=60).contains(&logo.height()), "{}", logo.height());
        assert!(logo.0.get(logo.width() / 2, logo.height() / 2));
    }

    #[test]
    fn small_logos_are_not_enlarged_and_junk_is_refused() {
        let image = png(40, 20, |_, _| [10, 10, 10, 255]);
        let logo = Logo::from_png(&image, 384).unwrap();
        assert_eq!((logo.width(), logo.height()), (40, 20));
        assert!(matches!(
            Logo::from_png(b"GIF89a....", 576),
            Err(LogoError::Decode(_))
        ));
        let blank = png(30, 30, |_, _| [255, 255, 255, 255]);
        assert!(matches!(Logo::from_png(&blank, 576), Err(LogoError::Empty)));
    }
}
