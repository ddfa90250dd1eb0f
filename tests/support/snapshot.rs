//! Pictures of the real window, drawn headless by Slint's software renderer: taken, halved (so
//! committed references stay small and anti-aliasing noise averages out), saved as PNG and
//! compared with a tolerance.

use std::path::Path;

use motcua_kiosk::app::Kiosk;
use slint::ComponentHandle;

/// An RGB picture.
#[derive(Clone, PartialEq, Eq)]
pub struct Picture {
    pub width: u32,
    pub height: u32,
    pub rgb: Vec<u8>,
}

impl std::fmt::Debug for Picture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Picture {}x{}", self.width, self.height)
    }
}

/// How far two pictures are apart.
#[derive(Debug)]
pub struct Difference {
    /// Pixels whose colour moved by more than `PIXEL_TOLERANCE` in any channel.
    pub changed: usize,
    pub total: usize,
}

impl Difference {
    pub fn changed_share(&self) -> f64 {
        self.changed as f64 / self.total.max(1) as f64
    }
}

/// A channel may move this much (out of 255) without the pixel counting as changed.
pub const PIXEL_TOLERANCE: u8 = 24;

/// Draws the window as it is now, at half size.
pub fn take(kiosk: &Kiosk) -> Picture {
    let shot = kiosk
        .window()
        .window()
        .take_snapshot()
        .expect("the software renderer draws the window");
    let (width, height) = (shot.width(), shot.height());
    let rgb = shot
        .as_slice()
        .iter()
        .flat_map(|p| [p.r, p.g, p.b])
        .collect();
    halve(&Picture { width, height, rgb })
}

/// Averages each 2x2 block into one pixel.
fn halve(full: &Picture) -> Picture {
    let (width, height) = (full.width / 2, full.height / 2);
    let mut rgb = Vec::with_capacity((width * height * 3) as usize);
    for y in 0..height {
        for x in 0..width {
            for c in 0..3 {
                let at = |dx: u32, dy: u32| {
                    u32::from(full.rgb[(((2 * y + dy) * full.width + 2 * x + dx) * 3 + c) as usize])
                };
                rgb.push(((at(0, 0) + at(1, 0) + at(0, 1) + at(1, 1) + 2) / 4) as u8);
            }
        }
    }
    Picture { width, height, rgb }
}

pub fn save(picture: &Picture, path: &Path) {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).expect("folder for the picture");
    }
    let file = std::fs::File::create(path).expect("picture file");
    let mut encoder =
        png::Encoder::new(std::io::BufWriter::new(file), picture.width, picture.height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::High);
    let mut writer = encoder.write_header().expect("png header");
    writer.write_image_data(&picture.rgb).expect("png data");
}

pub fn load(path: &Path) -> Option<Picture> {
    let file = std::fs::File::open(path).ok()?;
    let mut decoder = png::Decoder::new(std::io::BufReader::new(file));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().ok()?;
    let mut buffer = vec![0; reader.output_buffer_size()?];
    let info = reader.next_frame(&mut buffer).ok()?;
    buffer.truncate(info.buffer_size());
    let channels = info.color_type.samples();
    let rgb = buffer
        .chunks(channels)
        .flat_map(|p| [p[0], p[1 % channels], p[2 % channels]])
        .collect();
    Some(Picture {
        width: info.width,
        height: info.height,
        rgb,
    })
}

pub fn compare(a: &Picture, b: &Picture) -> Difference {
    assert_eq!(
        (a.width, a.height),
        (b.width, b.height),
        "pictures of different sizes"
    );
    let changed = a
        .rgb
        .chunks(3)
        .zip(b.rgb.chunks(3))
        .filter(|(p, q)| {
            p.iter()
                .zip(q.iter())
                .any(|(x, y)| x.abs_diff(*y) > PIXEL_TOLERANCE)
        })
        .count();
    Difference {
        changed,
        total: (a.width * a.height) as usize,
    }
}
