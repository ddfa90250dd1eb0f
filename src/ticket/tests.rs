//! Golden jobs (as a readable command listing), wire sizes and the preview.
//!
//! `TICKET_PNG_DIR=/some/dir cargo test ticket` also writes the preview of every golden job there,
//! to look at.

use std::fmt::Write as _;

use super::commands::{Command, QrFunction, parse};
use super::encode::{shortened, wrap};
use super::preview::{render, render_png};
use super::raster::Bitmap;
use super::*;

const MODES: [(&str, TextMode); 4] = [
    ("raster", TextMode::Raster),
    (
        "wpc1258",
        TextMode::Codepage {
            table: CodeTable::Wpc1258,
            page: 52,
        },
    ),
    (
        "tcvn3",
        TextMode::Codepage {
            table: CodeTable::Tcvn3,
            page: 30,
        },
    ),
    ("ascii", TextMode::Ascii),
];
const WIDTHS: [u16; 2] = [384, 576];

fn layout(width_dots: u16, text_mode: TextMode) -> Layout {
    Layout {
        width_dots,
        text_mode,
    }
}

/// An ordinary ticket: no priority, online, no QR code.
fn sample() -> Ticket {
    Ticket {
        office: "Trung tâm Phục vụ hành chính công phường Liên Chiểu".into(),
        number: "HT-042".into(),
        service: "Hộ tịch".into(),
        issued_at: "08:05 28/11/2026".into(),
        people_ahead: Some(5),
        estimated_wait_min: Some(15),
        priority: None,
        qr: None,
        header_lines: vec!["UBND THÀNH PHỐ ĐÀ NẴNG".into()],
        footer_lines: vec![
            "Vui lòng theo dõi số trên màn hình".into(),
            "Xin cảm ơn Quý khách!".into(),
        ],
        offline: false,
        ..Ticket::default()
    }
}

/// Everything a ticket can carry: priority, offline mark, QR code.
fn full() -> Ticket {
    Ticket {
        number: "UT-007".into(),
        service: "Đất đai - Nhà ở".into(),
        priority: Some("Người cao tuổi".into()),
        qr: Some("https://motcua.example.vn/hang-doi/UT-007".into()),
        offline: true,
        ..sample()
    }
}

/// A document checklist as its maker lays it out: wrapped to the paper's columns.
fn checklist(columns: usize) -> Vec<String> {
    let cols = columns as f32;
    let chars = |s: &str| s.chars().count() as f32;
    let hanging = |marker: &str, text: &str| {
        let pad = " ".repeat(marker.len());
        let mut lines = wrap(&format!("{pad}{text}"), cols, chars);
        lines[0] = format!("{marker}{}", &lines[0][pad.len()..]);
        lines
    };
    let rule = "-".repeat(columns);
    let mut lines = wrap(
        "Trung tâm Phục vụ hành chính công phường Liên Chiểu",
        cols,
        chars,
    );
    lines.push(rule.clone());
    lines.push("DANH MỤC HỒ SƠ CẦN CHUẨN BỊ".into());
    lines.push("Đăng ký khai sinh".into());
    lines.push("Mã thủ tục: 1.001193".into());
    lines.push(rule);
    lines.extend(hanging(
        "[ ] 1. ",
        "Tờ khai đăng ký khai sinh theo mẫu (01 bản chính)",
    ));
    lines.extend(hanging("[ ] 2. ", "Giấy chứng sinh (01 bản chính)"));
    lines.push(String::new());
    lines.push("In lúc 08:05 28/11/2026".into());
    lines
}

/// FNV-1a: a short, stable fingerprint of picture data for the listings.
fn fingerprint(data: &[u8]) -> u32 {
    data.iter().fold(0x811c_9dc5u32, |h, &b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

fn quoted(bytes: &[u8]) -> String {
    let mut s = String::from("\"");
    for &b in bytes {
        match b {
            b'"' | b'\\' => write!(s, "\\{}", char::from(b)).unwrap(),
            0x20..=0x7E => s.push(char::from(b)),
            _ => write!(s, "\\x{b:02X}").unwrap(),
        }
    }
    s.push('"');
    s
}

/// The job as one command per line; text shows its bytes and, if not ASCII, what they read as.
fn listing(bytes: &[u8], mode: TextMode) -> String {
    let mut out = format!("{} bytes\n", bytes.len());
    for (_, command) in parse(bytes).unwrap() {
        let line = match command {
            Command::Init => "ESC @".to_string(),
            Command::CodePage(n) => format!("ESC t {n}"),
            Command::Align(n) => format!("ESC a {n}"),
            Command::Bold(on) => format!("ESC E {}", u8::from(on)),
            Command::FontB(on) => format!("ESC M {}", u8::from(on)),
            Command::Reverse(on) => format!("GS B {}", u8::from(on)),
            Command::Size { width, height } => format!("GS ! {width}x{height}"),
            Command::FeedDots(n) => format!("ESC J {n}"),
            Command::FeedLines(n) => format!("ESC d {n}"),
            Command::LineFeed => "LF".to_string(),
            Command::Text(t) => {
                let mut line = format!("TEXT {}", quoted(t));
                if let TextMode::Codepage { table, .. } = mode
                    && !t.is_ascii()
                {
                    write!(line, "  = {:?}", codepage::decode(t, table)).unwrap();
                }
                line
            }
            Command::Raster {
                width_bytes,
                height,
                data,
            } => format!(
                "GS v 0 {}x{height} #{:08x}",
                u32::from(width_bytes) * 8,
                fingerprint(data)
            ),
            Command::Qr(f) => match f {
                QrFunction::Model(m) => format!("GS ( k QR model {}", m - 48),
                QrFunction::ModuleSize(n) => format!("GS ( k QR module {n}"),
                QrFunction::ErrorCorrection(l) => format!("GS ( k QR error correction {l}"),
                QrFunction::Store(d) => format!("GS ( k QR store {}", quoted(d)),
                QrFunction::Print => "GS ( k QR print".to_string(),
            },
            Command::Cut { function, feed } => format!("GS V {function} {feed}"),
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// Checks the preview of a golden job, and writes it out when asked to.
fn check_preview(name: &str, bytes: &[u8], width: u16, mode: TextMode) {
    let png = render_png(bytes, width, mode).unwrap();
    let decoder = png::Decoder::new(std::io::Cursor::new(&png));
    let mut reader = decoder.read_info().unwrap();
    let mut data = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut data).unwrap();
    assert_eq!(info.width, u32::from(width), "{name}");
    assert!(info.height > 100, "{name}");
    assert!(data.iter().any(|&b| b != 0xFF), "{name}: no ink");
    if let Some(dir) = std::env::var_os("TICKET_PNG_DIR") {
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), &png).unwrap();
    }
}

fn golden(name: &str, bytes: &[u8], width: u16, mode: TextMode) {
    insta::assert_snapshot!(name, listing(bytes, mode));
    check_preview(name, bytes, width, mode);
}

/// `ticket` on 80 mm paper in raster and code-page mode, each checked against its golden
/// (`ticket_{name}_{mode}_576`); the bytes by mode name.
fn goldens_at_576(name: &str, ticket: &Ticket) -> Vec<(&'static str, Vec<u8>)> {
    [MODES[0], MODES[1]]
        .into_iter()
        .map(|(mode_name, mode)| {
            let bytes = encode_ticket(ticket, &layout(576, mode));
            golden(&format!("ticket_{name}_{mode_name}_576"), &bytes, 576, mode);
            (mode_name, bytes)
        })
        .collect()
}

/// TCVN-3 has no toned capitals: a line with one ("SỐ THỨ TỰ", "UBND THÀNH PHỐ ĐÀ NẴNG") goes
/// as a picture, and only such lines; everything the table holds stays printer text. The golden
/// listing is `ticket_tcvn3_exact_576`; the preview shows the capitals as written.
#[test]
fn tcvn3_lines_the_table_cannot_hold_are_drawn() {
    let tcvn3 = TextMode::Codepage {
        table: CodeTable::Tcvn3,
        page: 30,
    };
    let ticket = Ticket {
        header_lines: vec!["UBND THÀNH PHỐ ĐÀ NẴNG".into(), "Phường Liên Chiểu".into()],
        ..sample()
    };
    let bytes = encode_ticket(&ticket, &layout(576, tcvn3));
    golden("ticket_tcvn3_exact_576", &bytes, 576, tcvn3);
    let commands = parse(&bytes).unwrap();
    let text: Vec<String> = commands
        .iter()
        .filter_map(|(_, c)| match c {
            Command::Text(t) => Some(codepage::decode(t, CodeTable::Tcvn3)),
            _ => None,
        })
        .collect();
    let pictures = commands
        .iter()
        .filter(|(_, c)| matches!(c, Command::Raster { .. }))
        .count();
    // Drawn: the header line with toned capitals and "SỐ THỨ TỰ"; never as lower case text.
    assert_eq!(pictures, 2, "{text:?}");
    for never in ["Số THứ Tự", "SỐ THỨ TỰ", "THàNH PHố", "THÀNH PHỐ"] {
        assert!(
            !text.iter().any(|t| t.contains(never)),
            "{never} as text: {text:?}"
        );
    }
    // Printer text: every line the table holds exactly.
    for printed in [
        "Phường Liên Chiểu",
        "Hộ tịch",
        "Giờ lấy số: 08:05 28/11/2026",
        "Xin cảm ơn Quý khách!",
    ] {
        assert!(
            text.iter().any(|t| t.contains(printed)),
            "{printed} not printed as text: {text:?}"
        );
    }
    // Windows-1258 holds every Vietnamese letter: nothing is drawn there.
    let wpc = TextMode::Codepage {
        table: CodeTable::Wpc1258,
        page: 52,
    };
    let bytes = encode_ticket(&ticket, &layout(576, wpc));
    assert!(
        !parse(&bytes)
            .unwrap()
            .iter()
            .any(|(_, c)| matches!(c, Command::Raster { .. }))
    );
}

#[test]
fn tickets_in_every_mode_and_width() {
    for (mode_name, mode) in MODES {
        for width in WIDTHS {
            let l = layout(width, mode);
            golden(
                &format!("ticket_{mode_name}_{width}"),
                &encode_ticket(&sample(), &l),
                width,
                mode,
            );
            golden(
                &format!("ticket_full_{mode_name}_{width}"),
                &encode_ticket(&full(), &l),
                width,
                mode,
            );
        }
    }
}

/// An English ticket: its own words in English (printer text in every mode), the service's
/// Vietnamese name under the English one, the office's name as it is, the masked SMS number.
#[test]
fn an_english_ticket_in_raster_and_code_page_modes() {
    let english = Ticket {
        service: "Civil status".into(),
        service_vi: Some("Hộ tịch".into()),
        language: TicketLanguage::English,
        priority: Some("Older person".into()),
        sms_to: Some("09xx xxx 678".into()),
        ..sample()
    };
    for (mode_name, bytes) in goldens_at_576("english", &english) {
        let text = String::from_utf8_lossy(&bytes);
        for words in [
            "YOUR NUMBER",
            "PRIORITY: Older person",
            "Civil status",
            "Issued: 08:05 28/11/2026",
            "People waiting ahead of you: 5",
            "Estimated wait: about 15 min",
            "We will text 09xx xxx 678 when your turn is near",
        ] {
            assert!(text.contains(words), "{mode_name}: {words:?} missing");
        }
    }
}

/// A number taken from a procedure's page: the procedure and its first documents under the
/// number, long names cut at a word, the rest counted; hostile catalog text stays text.
#[test]
fn a_ticket_for_a_procedure_lists_its_documents() {
    let procedure = ProcedureNote {
        code: "1.001193".into(),
        name: "Đăng ký khai sinh".into(),
        documents: vec![
            "Tờ khai đăng ký khai sinh theo mẫu".into(),
            "Giấy chứng sinh".into(),
            "Văn bản ủy quyền theo quy định của pháp luật trong trường hợp ủy quyền thực hiện việc đăng ký khai sinh cho người khác".into(),
            "<script>alert(1)</script> \"*\" 🙂".into(),
            "Giấy tờ tùy thân".into(),
            "Sổ hộ khẩu".into(),
            "Giấy tờ khác".into(),
        ],
    };
    let ticket = Ticket {
        procedure: Some(procedure),
        ..sample()
    };
    goldens_at_576("procedure", &ticket);
    let ascii = encode_ticket(&ticket, &layout(576, TextMode::Ascii));
    let text = String::from_utf8_lossy(&ascii);
    for words in [
        "Thu tuc 1.001193:",
        "Dang ky khai sinh",
        "Giay to can chuan bi:",
        "- Giay chung sinh",
        "<script>alert(1)</script>",
        "va 2 giay to khac",
    ] {
        assert!(text.contains(words), "{words:?} missing from {text}");
    }
    assert!(
        !text.contains("So ho khau"),
        "only the first five are listed"
    );
    assert!(!text.contains("cho nguoi khac"), "a long name is cut");
    let long = shortened(&"chữ ".repeat(40));
    assert!(long.chars().count() <= ProcedureNote::DOCUMENT_CHARS + 1 && long.ends_with('…'));
}

#[test]
fn lines_in_every_mode() {
    for (mode_name, mode) in MODES {
        for width in WIDTHS {
            let l = layout(width, mode);
            golden(
                &format!("lines_{mode_name}_{width}"),
                &encode_lines(&checklist(columns(&l)), &l),
                width,
                mode,
            );
        }
    }
}

#[test]
fn code_page_chart_lists_exactly_the_pages_given() {
    let pages_on = |bytes: &[u8]| -> Vec<u8> {
        let text = listing(bytes, TextMode::Ascii);
        (0..=255u8)
            .filter(|p| text.contains(&format!("ESC t {p}:")))
            .collect()
    };
    // A technician's own list: those pages, once each, nothing else.
    let own = code_page_chart(&layout(576, TextMode::Raster), &[52, 255, 52]);
    assert_eq!(pages_on(&own), [52, 255]);
    for width in WIDTHS {
        let bytes = code_page_chart(&layout(width, TextMode::Raster), &CHART_PAGES);
        assert_eq!(pages_on(&bytes), CHART_PAGES);
        let wpc = TextMode::Codepage {
            table: CodeTable::Wpc1258,
            page: 52,
        };
        golden(&format!("chart_{width}"), &bytes, width, wpc);
    }
}

/// Wire bytes of the sample tickets; `--nocapture` prints the table.
#[test]
fn raster_ticket_fits_the_wire_budget() {
    let mut table = String::from("mode     width  plain  +priority+offline  +QR\n");
    for (mode_name, mode) in MODES {
        for width in WIDTHS {
            let l = layout(width, mode);
            let plain = encode_ticket(&sample(), &l).len();
            let marked = encode_ticket(&Ticket { qr: None, ..full() }, &l).len();
            let full = encode_ticket(&full(), &l).len();
            writeln!(
                table,
                "{mode_name:8} {width:5}  {plain:5}  {marked:17}  {full:5}"
            )
            .unwrap();
        }
    }
    eprintln!("{table}");
    let raster_80mm = encode_ticket(&sample(), &layout(576, TextMode::Raster)).len();
    assert!(raster_80mm < 12_000, "{raster_80mm} bytes");
    // Priority and offline mark add two drawn lines, the box being the costlier.
    let no_qr = Ticket { qr: None, ..full() };
    let raster_80mm_full = encode_ticket(&no_qr, &layout(576, TextMode::Raster)).len();
    assert!(raster_80mm_full < 14_000, "{raster_80mm_full} bytes");
}

#[test]
fn ascii_lines_stay_printer_text_in_raster_mode() {
    let bytes = encode_lines(
        &["Ma thu tuc: 1.001193".into()],
        &layout(576, TextMode::Raster),
    );
    assert!(bytes.windows(20).any(|w| w == b"Ma thu tuc: 1.001193"));
    assert!(!bytes.windows(3).any(|w| w == b"\x1dv0"));
}

#[test]
fn the_number_takes_the_largest_size_that_fits() {
    let size_of = |width| {
        let bytes = encode_ticket(&sample(), &layout(width, TextMode::Ascii));
        let listing = listing(&bytes, TextMode::Ascii);
        let before = listing.split("TEXT \"HT-042\"").next().unwrap();
        before
            .lines()
            .rev()
            .find(|l| l.starts_with("GS !"))
            .unwrap()
            .to_string()
    };
    assert_eq!(size_of(576), "GS ! 8x8");
    assert_eq!(size_of(384), "GS ! 5x5");
}

#[test]
fn drawn_lines_fit_the_paper_and_are_cropped() {
    for width in WIDTHS {
        let bytes = encode_ticket(&full(), &layout(width, TextMode::Raster));
        for (_, command) in parse(&bytes).unwrap() {
            if let Command::Raster {
                width_bytes,
                height,
                data,
            } = command
            {
                assert!(u32::from(width_bytes) * 8 <= u32::from(width));
                assert!((10..60).contains(&height), "{height}");
                assert!(data.iter().any(|&b| b != 0));
            }
        }
    }
}

#[test]
fn preview_copies_a_raster_image_dot_for_dot() {
    // 16x3 dots: a diagonal, a full byte, a single dot at the right edge.
    let data = [0b1000_0000, 0b0000_0001, 0b0100_0000, 0xFF, 0, 0b0000_0001];
    let mut bytes = vec![0x1B, b'@', 0x1B, b'a', 1];
    bytes.extend([0x1D, b'v', b'0', 0, 2, 0, 3, 0]);
    bytes.extend(data);
    let paper = render(&bytes, 384, TextMode::Raster).unwrap();
    assert_eq!((paper.width, paper.height), (384, 3));
    let left = (384 - 16) / 2;
    let mut black = Vec::new();
    for y in 0..3 {
        for x in 0..384 {
            if paper.get(x, y) {
                black.push((x - left, y));
            }
        }
    }
    let mut expected = vec![(0, 0), (15, 0), (1, 1), (15, 2)];
    expected.extend((8..16).map(|x| (x, 1)));
    expected.sort_by_key(|&(x, y)| (y, x));
    assert_eq!(black, expected);
}

#[test]
fn preview_reports_what_it_cannot_read() {
    let err = render_png(&[0x1B, b'@', 0x1B, b'Z'], 384, TextMode::Raster).unwrap_err();
    assert!(err.to_string().contains("unsupported"), "{err}");
    let err = render_png(&[0x1D, b'v', b'0', 0, 2, 0, 3], 384, TextMode::Raster).unwrap_err();
    assert!(err.to_string().contains("cut short"), "{err}");
}

#[test]
fn preview_decodes_code_page_text() {
    let mode = TextMode::Codepage {
        table: CodeTable::Tcvn3,
        page: 30,
    };
    let ascii = render(b"\x1b@Ho tich\n", 384, mode).unwrap();
    let vietnamese = render(b"\x1b@H\xE9 t\xDEch\n", 384, mode).unwrap();
    // Same width of cells, but the tone marks add ink.
    let ink = |b: &Bitmap| {
        (0..b.height)
            .flat_map(|y| (0..b.width).map(move |x| (x, y)))
            .filter(|&(x, y)| b.get(x, y))
            .count()
    };
    assert!(ink(&vietnamese) > ink(&ascii));
}

/// A tone mark one dot thick survives the picture's shrinking to the screen's size as grey in
/// every column, where sampling (what a screen does) keeps some rows and drops the others.
#[test]
fn a_shrunk_preview_keeps_one_dot_strokes() {
    let (width, height) = (576u32, 60u32);
    let mut rgba = vec![255u8; (width * height * 4) as usize];
    for y in [10u32, 21, 33, 47] {
        for x in 0..width {
            let p = ((y * width + x) * 4) as usize;
            rgba[p..p + 3].copy_from_slice(&[0, 0, 0]);
        }
    }
    let paper = super::preview::Picture {
        width,
        height,
        rgba,
    };
    let small = paper.scaled_to_width(400);
    assert_eq!((small.width, small.height), (400, 41));
    let darkest_row = |y0: u32, y1: u32| {
        (y0..y1)
            .map(|y| small.rgba[((y * 400 + 200) * 4) as usize])
            .min()
            .unwrap()
    };
    // Each stroke is still there, around 0.69 of its old row.
    for y in [10u32, 21, 33, 47] {
        let at = y * 400 / 576;
        let ink = darkest_row(at.saturating_sub(1), (at + 2).min(41));
        assert!(ink < 200, "stroke at row {y}: darkest {ink}");
    }
    // Paper stays white away from the strokes, and the picture is opaque.
    assert_eq!(small.rgba[((2 * 400 + 5) * 4) as usize], 255);
    assert!(small.rgba.chunks_exact(4).all(|p| p[3] == 255));
}

#[test]
fn a_preview_decodes_to_a_picture_for_the_screen() {
    let bytes = encode_ticket(&sample(), &layout(384, TextMode::Raster));
    let png = render_png(&bytes, 384, TextMode::Raster).unwrap();
    let picture = super::preview::Picture::from_png(&png).unwrap();
    assert_eq!(picture.width, 384);
    assert_eq!(
        picture.rgba.len(),
        (picture.width * picture.height * 4) as usize
    );
    assert!(
        picture.rgba.chunks_exact(4).any(|p| p == [0, 0, 0, 255]),
        "ink"
    );
    assert!(
        picture
            .rgba
            .chunks_exact(4)
            .any(|p| p == [255, 255, 255, 255]),
        "paper"
    );
    assert!(super::preview::Picture::from_png(b"not a picture").is_err());
}
