//! Dossier lookups against the reference server over real HTTP: every status, on time and late,
//! not found, malformed codes, the server's rate limit, and a server that is down or broken.

use std::io::Write;

use serialport::SerialPort;
use std::sync::mpsc;
use std::time::Duration;

use chrono::{NaiveTime, TimeZone};
use motcua_kiosk::config::SerialScanner;
use motcua_kiosk::dossier::{
    self, CodeError, DossierView, Outcome, Timeliness, Tone, slip_lines, status_info, text_report,
};
use motcua_kiosk::language::Language;
use motcua_kiosk::server::CentralClient;
use motcua_kiosk::server::link::SharedClient;

use crate::support::net::{self, central, central_with, hostile};
use crate::support::wait::{PATIENCE, first};

/// Noon on the day the server seeded its sample dossiers: the day their timeliness is known.
fn seed_noon(c: &net::Central) -> chrono::DateTime<chrono::FixedOffset> {
    motcua_kiosk::clock::office_offset()
        .from_local_datetime(
            &c.server
                .seeded_on()
                .and_time(NaiveTime::from_hms_opt(12, 0, 0).unwrap()),
        )
        .single()
        .expect("a plain office time")
}

fn found(outcome: Outcome) -> motcua_kiosk::server::model::Dossier {
    match outcome {
        Outcome::Found(d) => *d,
        other => panic!("expected a dossier, got {other:?}"),
    }
}

#[test]
fn every_status_from_1_to_10_reads_in_both_languages() {
    let c = central_with(|cfg| cfg.dossier_lookups_per_minute = 100);
    let client = c.client();
    let samples = motcua_central::seed::sample_dossiers(c.server.seeded_on());
    let mut seen = std::collections::BTreeSet::new();
    for sample in &samples {
        let code = dossier::normalize(&sample.dossier.code.to_lowercase()).expect("valid code");
        let d = found(dossier::lookup(&client, &code));
        assert_eq!(d.code, sample.dossier.code);
        assert_eq!(d.status.code, sample.dossier.status);
        seen.insert(d.status.code);

        let info = status_info(d.status.code).expect("known status");
        let now = seed_noon(&c);
        let vi = DossierView::new(&d, Language::Vi, now);
        let en = DossierView::new(&d, Language::En, now);
        assert_eq!(vi.status, info.vi);
        assert_eq!(en.status, info.en);
        assert_eq!(vi.tone, info.tone);
        // The applicant is masked by the server and shown as it came.
        assert!(vi.applicant.contains('*'), "{}", vi.applicant);
        assert_eq!(vi.steps.len(), d.steps.len());
        assert!(!vi.due_date.is_empty() && vi.due_date != "—");

        // The kiosk's own timeliness agrees with what the seed says of its seed day.
        let expected = match sample.timeliness_on_seed_day {
            "early" => Some(Timeliness::Early),
            "on-time" => Some(Timeliness::OnTime),
            "due-today" => Some(Timeliness::DueToday),
            "late" => Some(Timeliness::Late),
            other => panic!("unknown timeliness {other}"),
        };
        let expected = if matches!(d.status.code, 3 | 7 | 8) {
            None
        } else {
            expected
        };
        assert_eq!(
            vi.timeliness, expected,
            "dossier with status {}",
            d.status.code
        );

        // What to do next is said exactly when the citizen has something to do.
        match d.status.code {
            5 | 6 => assert!(vi.next_step.is_some() && en.next_step.is_some()),
            1 | 2 | 4 | 10 if vi.timeliness != Some(Timeliness::Late) => {
                assert!(vi.next_step.is_none(), "status {}", d.status.code)
            }
            _ => {}
        }
        // The CLI and the slip carry the same facts.
        let report = text_report(&vi, Language::Vi, 78);
        assert!(report.contains(&d.code) && report.contains(info.vi));
        let slip = slip_lines(&vi, "Trung tâm", Language::Vi, now, 32);
        assert!(slip.iter().all(|l| l.chars().count() <= 32), "{slip:#?}");
        let flowing = slip
            .join(" ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        assert!(flowing.contains(info.vi), "{slip:#?}");
    }
    assert_eq!(seen, (1..=10).collect(), "the samples cover every status");
}

#[test]
fn late_and_on_time_dossiers_are_told_apart() {
    let c = central();
    let client = c.client();
    let now = seed_noon(&c);
    let samples = motcua_central::seed::sample_dossiers(c.server.seeded_on());
    let view_of = |status: u8, timeliness: &str| {
        let s = samples
            .iter()
            .find(|s| s.dossier.status == status && s.timeliness_on_seed_day == timeliness)
            .unwrap_or_else(|| panic!("a sample with status {status}, {timeliness}"));
        let code = dossier::normalize(&s.dossier.code).expect("valid");
        DossierView::new(&found(dossier::lookup(&client, &code)), Language::Vi, now)
    };
    let late = view_of(4, "late");
    assert_eq!(late.timeliness, Some(Timeliness::Late));
    assert_eq!(late.timeliness_text, "Đã quá ngày hẹn trả kết quả");
    assert!(
        late.next_step
            .as_deref()
            .is_some_and(|s| s.contains("xin lỗi")),
        "a late dossier tells the citizen about the apology letter"
    );
    let on_time = view_of(4, "on-time");
    assert_eq!(on_time.timeliness, Some(Timeliness::OnTime));
    assert_eq!(on_time.timeliness_text, "Đang trong hạn giải quyết");
    let done = samples
        .iter()
        .find(|s| s.dossier.status == 10)
        .expect("a handed-over sample");
    let code = dossier::normalize(&done.dossier.code).expect("valid");
    let view = DossierView::new(&found(dossier::lookup(&client, &code)), Language::En, now);
    assert_eq!(view.tone, Tone::Done);
    assert!(
        view.timeliness_text.starts_with("Finished"),
        "{}",
        view.timeliness_text
    );
}

#[test]
fn an_unknown_code_is_not_found() {
    let c = central();
    let code = dossier::normalize("000.00.20.H15-991231-9999").expect("valid shape");
    assert!(matches!(
        dossier::lookup(&c.client(), &code),
        Outcome::NotFound
    ));
}

/// Inputs a citizen, a scanner or a prankster might produce; none may reach the server.
const MALFORMED: &[(&str, &str)] = &[
    ("", "empty"),
    ("   ", "empty"),
    ("😀😀😀😀😀😀😀😀", "bad"),
    ("000.00.06.H56-2310😀27-0361", "bad"),
    ("' OR 1=1 --", "bad"),
    ("000'; DROP TABLE dossiers;--", "bad"),
    ("*", "bad"),
    ("000.00.06.H56-*", "bad"),
    ("%27%20OR%201", "bad"),
    ("../../admin/dossiers", "bad"),
    ("000_00_06_H56", "bad"),
    ("<script>alert(1)</script>", "bad"),
    ("000.00.06.\"H56\"-231027", "bad"),
    ("０００.００.０６.Ｈ５６-２３１０２７-０３６１", "bad"),
    ("٠٠٠.٠٠.٠٦.H56-٢٣١٠٢٧-٠٣٦١", "bad"),
    ("000.00.06.Н56-231027-0361", "bad"),
    ("Đ00.00.06.H56-231027", "bad"),
    ("000\u{0}00.06.H56", "bad"),
    ("000.00.06.H56\u{200b}-231027-0361", "bad"),
    ("H56-12", "short"),
    ("1234567", "short"),
    ("...---...", "empty-or-short"),
    ("0000000000000000000000000000000000000000000000000", "long"),
];

#[test]
fn malformed_codes_are_refused_before_any_request() {
    assert!(MALFORMED.len() >= 20);
    let long = "9".repeat(300);
    let huge = "A".repeat(5000);
    let mut inputs: Vec<(&str, &str)> = MALFORMED.to_vec();
    inputs.push((&long, "long"));
    inputs.push((&huge, "long"));
    for (input, kind) in inputs {
        let refused = dossier::normalize(input);
        let ok = matches!(
            (kind, &refused),
            ("empty", Err(CodeError::Empty))
                | ("bad", Err(CodeError::BadCharacter { .. }))
                | ("short", Err(CodeError::TooShort { .. }))
                | ("long", Err(CodeError::TooLong { .. }))
                | (
                    "empty-or-short",
                    Err(CodeError::Empty | CodeError::TooShort { .. })
                )
        );
        assert!(ok, "{input:?}: expected {kind}, got {refused:?}");
    }
}

#[test]
fn the_server_copes_with_what_the_kiosk_would_refuse() {
    // Defence in depth: sent raw, the same inputs are answered 400/404, never 5xx or a hang.
    let c = central_with(|cfg| cfg.dossier_lookups_per_minute = 1000);
    let client = c.client();
    for (input, _) in MALFORMED.iter().filter(|(i, _)| !i.trim().is_empty()) {
        match client.dossier(input) {
            Err(e) => assert!(
                matches!(
                    e.kind(),
                    motcua_kiosk::server::ErrorKind::NotFound
                        | motcua_kiosk::server::ErrorKind::Rejected
                ),
                "{input:?}: {e}"
            ),
            Ok(d) => panic!("{input:?} found {}", d.code),
        }
    }
}

#[test]
fn the_servers_rate_limit_reads_as_wait_a_moment() {
    let c = central_with(|cfg| cfg.dossier_lookups_per_minute = 2);
    let client = c.client();
    let code = dossier::normalize("000.00.20.H15-991231-9999").expect("valid");
    for _ in 0..2 {
        assert!(matches!(dossier::lookup(&client, &code), Outcome::NotFound));
    }
    match dossier::lookup(&client, &code) {
        Outcome::RateLimited { retry_after } => {
            let wait = retry_after.expect("Retry-After is passed on");
            assert!(
                wait > Duration::ZERO && wait <= Duration::from_secs(60),
                "{wait:?}"
            );
        }
        other => panic!("expected rate limited, got {other:?}"),
    }
}

#[test]
fn a_server_that_is_down_or_broken_never_shows_a_result() {
    let code = dossier::normalize("000.00.06.H56-231027-0361").expect("valid");
    // Nothing listening.
    let down = CentralClient::new(&net::settings(net::nobody_listening(), net::KIOSK_TOKEN))
        .expect("client");
    assert!(matches!(dossier::lookup(&down, &code), Outcome::Offline));

    type Expect = fn(&Outcome) -> bool;
    let answers: [(&str, Expect); 5] = [
        (
            "HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\n\r\n",
            |o| matches!(o, Outcome::Busy),
        ),
        (
            "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: 27\r\n\r\n<html><h1>Login</h1></html>",
            |o| matches!(o, Outcome::Busy),
        ),
        (
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 15\r\n\r\n{\"code\": 12345}",
            |o| matches!(o, Outcome::Busy),
        ),
        (
            "HTTP/1.1 401 Unauthorized\r\ncontent-length: 0\r\n\r\n",
            |o| matches!(o, Outcome::NotAuthorized),
        ),
        (
            "HTTP/1.1 429 Too Many Requests\r\nretry-after: 7\r\ncontent-length: 0\r\n\r\n",
            |o| matches!(o, Outcome::RateLimited { retry_after: Some(d) } if *d == Duration::from_secs(7)),
        ),
    ];
    for (answer, expected) in answers {
        let server = hostile(move |mut s| {
            use std::io::Write;
            let _ = s.write_all(answer.as_bytes());
        });
        let client = CentralClient::new(&net::settings(server.url(), "t")).expect("client");
        let outcome = dossier::lookup(&client, &code);
        assert!(expected(&outcome), "{answer:?} gave {outcome:?}");
    }

    // A server that never answers: the request timeout ends the wait.
    let silent = hostile(|s| {
        std::thread::sleep(Duration::from_secs(10));
        drop(s);
    });
    let client = CentralClient::new(&net::settings(silent.url(), "t")).expect("client");
    assert!(matches!(dossier::lookup(&client, &code), Outcome::Offline));
}

#[test]
fn the_cli_prints_what_the_kiosk_shows() {
    let c = central_with(|cfg| cfg.dossier_lookups_per_minute = 100);
    let sample = motcua_central::seed::sample_dossiers(c.server.seeded_on())
        .into_iter()
        .find(|s| s.dossier.status == 5)
        .expect("a sample waiting for documents");
    let config = crate::support::write_config(&crate::support::MINIMAL.replace(
        "url = \"\"",
        &format!("url = \"{}\"\ntoken = \"{}\"", c.url(), net::KIOSK_TOKEN),
    ));
    let cwd = config.dir.path();
    let code = sample.dossier.code.to_lowercase().replace('-', " ");

    let out = crate::support::kiosk_cmd(cwd, &["dossier", &code]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains(&sample.dossier.code), "{stdout}");
    assert!(
        stdout.contains("Trạng thái: Cần bổ sung giấy tờ"),
        "{stdout}"
    );
    assert!(stdout.contains("Quá trình xử lý:"), "{stdout}");

    let out = crate::support::kiosk_cmd(cwd, &["dossier", &code, "--lang", "en"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("Status: More documents needed"), "{stdout}");

    let out = crate::support::kiosk_cmd(cwd, &["dossier", "000.00.20.H15-991231-9999"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not found"));

    let out = crate::support::kiosk_cmd(cwd, &["dossier", "' OR 1=1 --"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot contain"));
}

// ---------------------------------------------------------------- the workers, without a window

#[test]
fn the_lookup_worker_answers_with_the_tag_of_each_lookup() {
    let c = central_with(|cfg| cfg.dossier_lookups_per_minute = 100);
    let sample = motcua_central::seed::sample_dossiers(c.server.seeded_on())
        .into_iter()
        .next()
        .expect("a sample dossier")
        .dossier
        .code;
    let (answers, heard) = mpsc::channel();
    let worker = dossier::Worker::spawn(c.client().into(), move |r| {
        if let dossier::WorkerReport::Lookup(a) = r {
            let _ = answers.send(a);
        }
    });
    worker
        .look_up(dossier::normalize(&sample).unwrap(), 3)
        .unwrap();
    let answer = first(&heard, PATIENCE, |_| true).expect("an answer");
    assert_eq!(answer.tag, 3);
    assert_eq!(found(answer.outcome).code, sample);

    // Before the link is up there is no client: offline, answered all the same.
    let (answers, heard) = mpsc::channel();
    let unlinked = dossier::Worker::spawn(SharedClient::default(), move |r| {
        if let dossier::WorkerReport::Lookup(a) = r {
            let _ = answers.send(a);
        }
    });
    unlinked
        .look_up(dossier::normalize(&sample).unwrap(), 4)
        .unwrap();
    let answer = first(&heard, PATIENCE, |_| true).expect("an answer");
    assert!(
        answer.tag == 4 && matches!(answer.outcome, Outcome::Offline),
        "{answer:?}"
    );
}

#[test]
fn the_worker_takes_a_subscription_once_and_says_why_it_could_not() {
    let c = central_with(|cfg| cfg.dossier_lookups_per_minute = 100);
    let sample = motcua_central::seed::sample_dossiers(c.server.seeded_on())
        .into_iter()
        .find(|s| s.dossier.status == 4)
        .expect("a dossier in progress")
        .dossier
        .code;
    let (answers, heard) = mpsc::channel();
    let worker = dossier::Worker::spawn(c.client().into(), move |r| {
        if let dossier::WorkerReport::Subscription(a) = r {
            let _ = answers.send(a);
        }
    });
    let code = dossier::normalize(&sample).unwrap();
    // This office sends no SMS.
    worker
        .subscribe(code.clone(), "0912345678".into(), "sub-1".into(), 7)
        .unwrap();
    let answer = first(&heard, PATIENCE, |_| true).expect("an answer");
    assert_eq!(answer.tag, 7);
    assert_eq!(answer.outcome, dossier::SubscriptionOutcome::Unavailable);

    // Without a link: offline, and nothing is kept to try later.
    let (answers, heard) = mpsc::channel();
    let unlinked = dossier::Worker::spawn(SharedClient::default(), move |r| {
        if let dossier::WorkerReport::Subscription(a) = r {
            let _ = answers.send(a);
        }
    });
    unlinked
        .subscribe(code, "0912345678".into(), "sub-2".into(), 8)
        .unwrap();
    let answer = first(&heard, PATIENCE, |_| true).expect("an answer");
    assert_eq!(answer.outcome, dossier::SubscriptionOutcome::Offline);
}

#[test]
fn the_serial_scanner_hands_on_each_line() {
    let (mut scanner, port) = serialport::TTYPort::pair().expect("pty pair");
    let port_name = port.name().expect("pty name");
    // The thread opens the device itself, exclusively, as it would a real scanner.
    drop(port);
    let (codes, heard) = mpsc::channel();
    let _reading = dossier::scanner::spawn(
        SerialScanner {
            port: port_name,
            baud: 9600,
        },
        move |code| {
            let _ = codes.send(code);
        },
    );
    // Scan until the thread has the port open: before that, writing fails or is lost.
    let mut got = None;
    for _ in 0..100 {
        let _ = scanner.write_all(b"000.00.06.H56-231027-0361\r\n");
        got = heard.recv_timeout(Duration::from_millis(300)).ok();
        if got.is_some() {
            break;
        }
    }
    assert_eq!(got.as_deref(), Some("000.00.06.H56-231027-0361"));
    scanner.write_all(b"\nA1B2C3D4\r").expect("scan");
    assert_eq!(
        first(&heard, PATIENCE, |c| c != "000.00.06.H56-231027-0361").as_deref(),
        Some("A1B2C3D4")
    );
}

#[test]
fn a_slip_goes_to_the_printer_and_stays_on_screen_with_the_preview_printer() {
    use motcua_kiosk::dossier::{Slip, deliver_slip};
    use motcua_kiosk::printer::{Printer, PrinterSettings};

    let c = central();
    let sample = &motcua_central::seed::sample_dossiers(c.server.seeded_on())[0];
    let code = dossier::normalize(&sample.dossier.code).expect("valid code");
    let d = found(dossier::lookup(&c.client(), &code));
    let now = seed_noon(&c);
    let view = DossierView::new(&d, Language::Vi, now);
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = crate::support::parse(&crate::support::with_data_dir(
        crate::support::MINIMAL,
        dir.path(),
    ))
    .expect("config");

    // The preview printer writes pictures to disk: the slip is only shown.
    let preview = dir.path().join("preview");
    config.printer.transport = motcua_kiosk::config::PrinterTransport::Preview {
        dir: preview.clone(),
    };
    let printer = Printer::spawn(PrinterSettings::from_config(&config), |_| {});
    let (answered, answer) = mpsc::channel();
    let sent = answered.clone();
    let shown = deliver_slip(&view, &config, Language::Vi, now, printer, move |ok| {
        let _ = sent.send(ok);
    });
    let Ok(Slip::OnScreen(lines)) = shown else {
        panic!("{shown:?}");
    };
    assert!(lines.iter().any(|l| l.contains(&d.code)), "{lines:#?}");
    assert!(answer.recv_timeout(Duration::from_millis(300)).is_err());
    assert!(!preview.exists() || std::fs::read_dir(&preview).unwrap().next().is_none());

    // A real printer gets the slip, and the answer always comes.
    let fake = crate::support::printer::FakePrinter::start();
    config.printer.transport = fake.transport();
    let printer = Printer::spawn(PrinterSettings::from_config(&config), |_| {});
    let sent = answered.clone();
    let printing = deliver_slip(&view, &config, Language::Vi, now, printer, move |ok| {
        let _ = sent.send(ok);
    });
    assert_eq!(printing.expect("print started"), Slip::Printing);
    assert_eq!(answer.recv_timeout(PATIENCE), Ok(true));
    // Raster by default: the paper got a picture and a cut.
    let paper = fake.received();
    assert!(paper.len() > 1000 && paper.windows(2).any(|w| w == [0x1D, b'V']));

    // Out of paper: the slip is refused and the screen hears so.
    fake.set_mode(crate::support::printer::Mode::PaperOut);
    let printer = Printer::spawn(PrinterSettings::from_config(&config), |_| {});
    let refused = deliver_slip(&view, &config, Language::Vi, now, printer, move |ok| {
        let _ = answered.send(ok);
    });
    assert_eq!(refused.expect("print started"), Slip::Printing);
    assert_eq!(answer.recv_timeout(PATIENCE), Ok(false));
}
