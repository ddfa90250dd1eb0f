//! Ticket benchmark: bytes and wire time per ticket for each text mode and paper width, layout
//! time, and tap-to-first-byte: from the citizen's tap (the issue call the tap triggers) until
//! the first byte of the ticket reaches the printer, with the reference server on loopback.
//!
//! `cargo bench --bench ticket` (release). The tables are printed before criterion's timings.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use criterion::Criterion;
use motcua_kiosk::config::PrinterTransport;
use motcua_kiosk::language::Language;
use motcua_kiosk::printer::{Printer, PrinterSettings};
use motcua_kiosk::queue::{self, IssueOutcome, IssueSettings, QueueStore, TicketOrder};
use motcua_kiosk::server::model::Priority;
use motcua_kiosk::server::{CentralClient, ClientSettings};
use motcua_kiosk::ticket::{self, Layout, Ticket};
use motcua_kiosk::ticket::{CodeTable, TextMode};

const MODES: [(&str, TextMode); 4] = [
    ("raster", TextMode::Raster),
    (
        "codepage wpc1258",
        TextMode::Codepage {
            table: CodeTable::Wpc1258,
            page: 52,
        },
    ),
    (
        "codepage tcvn3",
        TextMode::Codepage {
            table: CodeTable::Tcvn3,
            page: 30,
        },
    ),
    ("ascii", TextMode::Ascii),
];

fn ticket(offline: bool, priority: bool) -> Ticket {
    Ticket {
        office: "Trung tâm Phục vụ hành chính công phường Liên Chiểu".into(),
        number: if offline { "K01-HT-007" } else { "HT-042" }.into(),
        service: "Hộ tịch".into(),
        issued_at: "08:05 28/11/2026".into(),
        people_ahead: (!offline).then_some(5),
        estimated_wait_min: (!offline).then_some(18),
        priority: priority.then(|| "Người cao tuổi".to_string()),
        qr: None,
        header_lines: Vec::new(),
        footer_lines: vec!["Xin cảm ơn quý vị!".into()],
        offline,
        ..Ticket::default()
    }
}

fn wire_s(bytes: usize, baud: u32) -> f64 {
    // 8N1: ten bits on the wire per byte.
    bytes as f64 * 10.0 / f64::from(baud)
}

fn print_sizes() {
    println!("\nBytes per ticket (the shipped config's footer, no QR) and wire time at 8N1:");
    println!("| text mode | paper | ticket | bytes | 115200 baud | 9600 baud |");
    println!("|---|---|---|---|---|---|");
    for (name, mode) in MODES {
        for width in [576u16, 384] {
            for (label, t) in [
                ("online", ticket(false, false)),
                ("offline + priority", ticket(true, true)),
            ] {
                let n = ticket::encode_ticket(
                    &t,
                    &Layout {
                        width_dots: width,
                        text_mode: mode,
                    },
                )
                .len();
                println!(
                    "| {name} | {} mm | {label} | {n} | {:.2} s | {:.2} s |",
                    if width == 576 { 80 } else { 58 },
                    wire_s(n, 115_200),
                    wire_s(n, 9600)
                );
            }
        }
    }
    println!();
}

/// A network printer on loopback that answers every status query "ready" and notes when the
/// first byte of a job arrives.
fn fake_printer(first_byte: Arc<Mutex<Option<Instant>>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let first_byte = first_byte.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let mut pending: Vec<u8> = Vec::new();
                while let Ok(n) = stream.read(&mut buf) {
                    if n == 0 {
                        return;
                    }
                    pending.extend_from_slice(&buf[..n]);
                    // DLE EOT n: answer "no fault"; any other byte is the job.
                    let mut i = 0;
                    while i < pending.len() {
                        if pending[i..].starts_with(&[0x10, 0x04]) {
                            if pending.len() - i < 3 {
                                break;
                            }
                            let _ = stream.write_all(&[0x12]);
                            i += 3;
                        } else {
                            let mut slot = first_byte.lock().expect("lock");
                            if slot.is_none() {
                                *slot = Some(Instant::now());
                            }
                            i += 1;
                        }
                    }
                    pending.drain(..i);
                }
            });
        }
    });
    addr
}

/// Tickets issued for the tap-to-first-byte figures, spread over the demo services.
const TAPS: usize = 400;
const SERVICES: [(&str, &str); 4] = [
    ("ho-tich", "HT"),
    ("chung-thuc", "CT"),
    ("dat-dai", "DD"),
    ("tra-ket-qua", "TK"),
];

fn tap_to_first_byte() {
    // On disk like a kiosk's data folder (not a tmpfs), so commits pay for their fsync.
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("temp dir");
    let token = "bench-token".to_string();
    let mut central = motcua_central::CentralConfig::demo(
        dir.path().join("central.sqlite3"),
        "BENCH-01".into(),
        token.clone(),
    );
    central.always_open = true;
    let server = motcua_central::spawn(central).expect("reference server");
    let client = CentralClient::new(&ClientSettings {
        base_url: url::Url::parse(&server.base_url()).expect("url"),
        token: motcua_kiosk::config::Secret::new(token.clone()),
        connect_timeout: Duration::from_millis(1500),
        request_timeout: Duration::from_secs(5),
        ca_file: None,
        max_body: motcua_kiosk::server::DEFAULT_MAX_BODY,
        max_catalog_body: motcua_kiosk::server::DEFAULT_MAX_CATALOG_BODY,
        retries: 1,
    })
    .expect("client");
    let first_byte = Arc::new(Mutex::new(None));
    let printer = Printer::spawn(
        PrinterSettings {
            transport: PrinterTransport::Tcp {
                address: fake_printer(first_byte.clone()),
            },
            poll_every: Duration::from_secs(5),
            reconnect_every: Duration::from_millis(200),
            render_preview: None,
        },
        |_| {},
    );
    let mut store = QueueStore::open(&dir.path().join("tickets.sqlite3")).expect("store");
    let settings = IssueSettings {
        kiosk_tag: "K01".into(),
        office: "Trung tâm Phục vụ hành chính công phường Liên Chiểu".into(),
        layout: Layout {
            width_dots: 576,
            text_mode: TextMode::Raster,
        },
        header_lines: Vec::new(),
        footer_lines: vec!["Xin cảm ơn quý vị!".into()],
        opening_hours: motcua_kiosk::config::OpeningHours::parse("00:00-24:00").expect("hours"),
        open_days: Vec::new(),
        daily_cap: 9999,
        logo: None,
        qr_url: motcua_kiosk::config::QrUrl::Off,
    };
    let order = TicketOrder {
        service_id: "ho-tich".into(),
        service_name: "Hộ tịch".into(),
        service_name_en: "Civil status".into(),
        language: Language::Vi,
        prefix: "HT".into(),
        priority: Priority::None,
        phone: None,
        procedure: None,
    };
    // A plain loop rather than criterion's: every iteration issues a real ticket, and each
    // service has a daily cap on the server.
    let mut samples = Vec::new();
    for i in 0..TAPS {
        let order = TicketOrder {
            service_id: SERVICES[i % SERVICES.len()].0.into(),
            prefix: SERVICES[i % SERVICES.len()].1.into(),
            ..order.clone()
        };
        *first_byte.lock().expect("lock") = None;
        let tapped = Instant::now();
        let outcome = queue::issue(
            &order,
            &settings,
            Some(&client),
            &mut store,
            &printer,
            motcua_kiosk::clock::now(),
        );
        assert!(
            matches!(outcome, IssueOutcome::Printed { .. }),
            "{outcome:?}"
        );
        let at = first_byte.lock().expect("lock").expect("bytes arrived");
        samples.push(at.duration_since(tapped));
    }
    samples.sort();
    if !samples.is_empty() {
        let p = |q: f64| samples[((samples.len() - 1) as f64 * q) as usize];
        println!(
            "tap to first byte over {} tickets: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            samples.len(),
            p(0.5).as_secs_f64() * 1e3,
            p(0.99).as_secs_f64() * 1e3,
            p(1.0).as_secs_f64() * 1e3
        );
    }
}

fn layout_time(c: &mut Criterion) {
    let t = ticket(false, false);
    for (name, mode) in MODES {
        let layout = Layout {
            width_dots: 576,
            text_mode: mode,
        };
        c.bench_function(&format!("lay out a ticket, {name}, 80 mm"), |b| {
            b.iter(|| ticket::encode_ticket(std::hint::black_box(&t), &layout))
        });
    }
}

fn main() {
    print_sizes();
    let mut c = Criterion::default().configure_from_args();
    layout_time(&mut c);
    tap_to_first_byte();
    c.final_summary();
}
