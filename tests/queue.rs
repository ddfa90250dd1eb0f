//! Issuing tickets through the real parts: the ticket database on disk, the reference server
//! over HTTP (up, down, back again), the printer thread on a pty printer or the preview folder,
//! and a kiosk process killed mid-issue.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use motcua_kiosk::config::{Config, PrinterTransport};
use motcua_kiosk::language::Language;
use motcua_kiosk::printer::{PrintFailure, Printer, PrinterSettings};
use motcua_kiosk::queue::{
    self, Desk, DeskReport, DeskSettings, IssueOutcome, PrintStatus, QueueStore, Refusal,
    TicketOrder,
};
use motcua_kiosk::server::CentralClient;
use motcua_kiosk::server::link::{LinkStatus, SharedClient};
use motcua_kiosk::server::model::{FeedbackRequest, Priority};
use motcua_kiosk::ticket::preview::Picture;

use crate::support::net::{self, central_with};
use crate::support::printer::{FakePrinter, Mode};
use crate::support::wait::{PATIENCE, eventually, first};
use crate::support::{self, MINIMAL};

/// Open around the clock, every day, so offline numbering never depends on when tests run.
pub fn always_open(text: &str, data_dir: &Path) -> String {
    let open = text.replace(
        "opening_hours = \"07:30-11:30,13:30-17:00\"",
        "opening_hours = \"00:00-24:00\"\nopen_days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\", \"sat\", \"sun\"]\ndaily_cap = 9999",
    );
    support::with_data_dir(&open, data_dir)
}

pub fn config(data_dir: &Path) -> Config {
    support::parse(&always_open(MINIMAL, data_dir)).unwrap_or_else(|e| panic!("{e}"))
}

/// A kiosk's ticket state in a temporary folder, as the kiosk keeps it: the folder, its config
/// (open around the clock, state kept in the folder) and the ticket database there.
pub fn kiosk_dir() -> (tempfile::TempDir, Config, QueueStore) {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path());
    let store = QueueStore::open(&dir.path().join("tickets.sqlite3")).unwrap();
    (dir, config, store)
}

/// For the command line: `kiosk-config.toml` in `dir`, open around the clock, keeping its state
/// in `dir` and printing to `/dev/null` (paper that never runs out); its path.
pub fn command_line_config(dir: &Path) -> std::path::PathBuf {
    let text = always_open(MINIMAL, dir).replace(
        "transport = \"preview\"\npreview_dir = \"preview\"",
        "transport = \"file\"\npath = \"/dev/null\"",
    );
    let path = dir.join("kiosk-config.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// The printer thread on the fake, once it has opened the port and heard the printer (on a busy
/// machine that can take a moment; a kiosk that starts refuses tickets until then).
pub fn serial_printer(fake: &FakePrinter) -> Printer {
    let printer = Printer::spawn(
        PrinterSettings {
            transport: fake.transport(),
            poll_every: Duration::from_secs(5),
            reconnect_every: Duration::from_millis(300),
            render_preview: None,
        },
        |_| {},
    );
    let heard = || printer.state() != motcua_kiosk::printer::PrinterState::NotConnected;
    eventually(Duration::from_secs(10), heard);
    printer
}

pub fn preview_printer(dir: &Path) -> Printer {
    Printer::spawn(
        PrinterSettings {
            transport: PrinterTransport::Preview {
                dir: dir.to_path_buf(),
            },
            poll_every: Duration::from_secs(5),
            reconnect_every: Duration::from_secs(1),
            render_preview: None,
        },
        |_| {},
    )
}

pub fn order() -> TicketOrder {
    TicketOrder {
        service_id: "ho-tich".into(),
        service_name: "Hộ tịch".into(),
        service_name_en: "Civil status".into(),
        language: Language::Vi,
        prefix: "HT".into(),
        priority: Priority::None,
        phone: None,
        procedure: None,
    }
}

pub fn issue(
    config: &Config,
    store: &mut QueueStore,
    printer: &Printer,
    client: Option<&CentralClient>,
) -> IssueOutcome {
    queue::issue(
        &order(),
        &motcua_kiosk::queue::IssueSettings::from_config(config),
        client,
        store,
        printer,
        motcua_kiosk::clock::now(),
    )
}

pub fn today() -> chrono::NaiveDate {
    motcua_kiosk::clock::now().date_naive()
}

#[test]
fn a_ticket_reaches_the_pty_printer_whole() {
    let fake = FakePrinter::start();
    let (_dir, config, mut store) = kiosk_dir();
    let printer = serial_printer(&fake);
    let outcome = issue(&config, &mut store, &printer, None);
    let IssueOutcome::Printed { ticket, .. } = outcome else {
        panic!("expected a printed ticket, got {outcome:?}");
    };
    assert_eq!(ticket.number, "K01-HT-001");
    assert!(ticket.offline);
    let received = fake.received();
    assert!(received.starts_with(&[0x1b, b'@']), "starts with ESC @");
    assert!(
        received
            .windows(ticket.number.len())
            .any(|w| w == ticket.number.as_bytes()),
        "the number is on the paper"
    );
    assert!(
        received.windows(2).any(|w| w == [0x1d, b'V']),
        "the paper is cut"
    );
    assert_eq!(
        store.get(&ticket.request_id).unwrap().unwrap().print,
        PrintStatus::Printed
    );
}

#[test]
fn paper_out_before_issuing_refuses_without_taking_a_number() {
    let fake = FakePrinter::start();
    fake.set_mode(Mode::PaperOut);
    let (_dir, config, mut store) = kiosk_dir();
    let printer = serial_printer(&fake);
    assert_eq!(
        issue(&config, &mut store, &printer, None),
        IssueOutcome::Refused(Refusal::PrinterNotReady(PrintFailure::PaperOut))
    );
    fake.set_mode(Mode::CoverOpen);
    assert_eq!(
        issue(&config, &mut store, &printer, None),
        IssueOutcome::Refused(Refusal::PrinterNotReady(PrintFailure::CoverOpen))
    );
    assert!(
        store.tickets_of(today()).unwrap().is_empty(),
        "no number was taken"
    );
    assert!(fake.received().is_empty(), "nothing was printed");

    // Paper loaded: the first number is still 001.
    fake.set_mode(Mode::Ok);
    match issue(&config, &mut store, &printer, None) {
        IssueOutcome::Printed { ticket, .. } => assert_eq!(ticket.number, "K01-HT-001"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn paper_out_or_silence_mid_ticket_marks_it_unprinted() {
    let fake = FakePrinter::start();
    let (_dir, config, mut store) = kiosk_dir();
    let printer = serial_printer(&fake);

    fake.paper_out_after(64);
    let IssueOutcome::NotPrinted { ticket, problem } = issue(&config, &mut store, &printer, None)
    else {
        panic!("expected an unprinted ticket");
    };
    assert_eq!(problem, PrintFailure::PaperOut);
    assert_eq!(
        store.get(&ticket.request_id).unwrap().unwrap().print,
        PrintStatus::Failed
    );

    // The printer goes quiet while the ticket is on its way.
    fake.set_mode(Mode::Ok);
    fake.mode_after(64, Mode::Silent);
    let outcome = issue(&config, &mut store, &printer, None);
    let IssueOutcome::NotPrinted { ticket, problem } = outcome else {
        panic!("expected an unprinted ticket, got {outcome:?}");
    };
    assert_eq!(problem, PrintFailure::NoAnswer);
    assert_eq!(ticket.number, "K01-HT-002", "numbers are never reused");
}

/// The roll ends between the kiosk's check and the ticket's turn at the printer (a busy hour,
/// tickets one after another): nothing comes out, the citizen is told the printer is out of
/// paper, and the server's number is given back, so the counter never calls it.
#[test]
fn a_ticket_refused_mid_batch_gives_its_server_number_back() {
    let fake = FakePrinter::start();
    let c = central_with(|_| {});
    let (_dir, config, mut store) = kiosk_dir();
    let printer = serial_printer(&fake);
    let client = c.client();
    let first = match issue(&config, &mut store, &printer, Some(&client)) {
        IssueOutcome::Printed { ticket, .. } => ticket,
        other => panic!("{other:?}"),
    };
    assert_eq!(first.number, "HT-001");
    // The kiosk's check (three requests) sees paper; the printer thread's, before the job, not.
    fake.mode_after_queries(3, Mode::PaperOut);
    let printed_before = fake.received().len();
    assert_eq!(
        issue(&config, &mut store, &printer, Some(&client)),
        IssueOutcome::Refused(Refusal::PrinterNotReady(PrintFailure::PaperOut))
    );
    assert_eq!(fake.received().len(), printed_before, "nothing came out");
    assert_eq!(store.outbox_len().unwrap(), 0, "given back at once");
    // The counter calls HT-001, then nobody: HT-002 is nobody's.
    let services = client.queue_services().unwrap().services;
    let ho_tich = services.iter().find(|s| s.id == "ho-tich").unwrap();
    assert_eq!(ho_tich.waiting, 1);
    let call = |expect: u16| {
        let answer = reqwest::blocking::Client::new()
            .post(format!(
                "{}api/v1/queue/services/ho-tich/call-next",
                c.url()
            ))
            .bearer_auth(net::COUNTER_TOKEN)
            .json(&serde_json::json!({ "counter": "1" }))
            .send()
            .unwrap();
        assert_eq!(answer.status().as_u16(), expect);
        answer.json::<serde_json::Value>().unwrap()
    };
    assert_eq!(call(200)["number"], "HT-001");
    assert_eq!(call(404)["code"], "queue-empty");
    // Paper loaded: the next number is new, never HT-002 again.
    fake.set_mode(Mode::Ok);
    match issue(&config, &mut store, &printer, Some(&client)) {
        IssueOutcome::Printed { ticket, .. } => assert_eq!(ticket.number, "HT-003"),
        other => panic!("{other:?}"),
    }
}

/// The same with the server away: the kiosk's own number is never sent, and a void waits in
/// the outbox in case the ticket was on its way.
#[test]
fn an_offline_ticket_refused_by_the_printer_is_never_sent() {
    let fake = FakePrinter::start();
    let (_dir, config, mut store) = kiosk_dir();
    let printer = serial_printer(&fake);
    let down =
        CentralClient::new(&net::settings(net::nobody_listening(), net::KIOSK_TOKEN)).unwrap();
    fake.mode_after_queries(3, Mode::PaperOut);
    assert_eq!(
        issue(&config, &mut store, &printer, Some(&down)),
        IssueOutcome::Refused(Refusal::PrinterNotReady(PrintFailure::PaperOut))
    );
    assert!(store.outbox().unwrap().is_empty(), "the ticket is not sent");
    assert_eq!(store.outbox_len().unwrap(), 1, "its void waits");
    let c = central_with(|_| {});
    let report = queue::flush(&store, &c.client()).unwrap();
    assert_eq!((report.sent, report.remaining), (1, 0));
    let services = c.client().queue_services().unwrap().services;
    assert!(
        services.iter().all(|s| s.waiting == 0),
        "nothing waits on the server"
    );
}

#[test]
fn offline_tickets_reach_the_server_with_the_numbers_printed_on_them() {
    // The server runs, then stops: its address and database are kept to bring it back.
    let server_dir = tempfile::tempdir().unwrap();
    let db = server_dir.path().join("central.sqlite3");
    let first = central_with(|c| c.database = motcua_central::Database::Sqlite(db.clone()));
    let addr = first.server.addr();
    let url = first.url();
    first.server.shutdown();

    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path());
    let client = CentralClient::new(&net::settings(url, net::KIOSK_TOKEN)).unwrap();
    let mut store = QueueStore::open(&dir.path().join("tickets.sqlite3")).unwrap();
    let printer = preview_printer(&dir.path().join("preview"));
    let mut printed = Vec::new();
    for _ in 0..20 {
        match issue(&config, &mut store, &printer, Some(&client)) {
            IssueOutcome::Printed { ticket, .. } => {
                assert!(ticket.offline);
                printed.push(ticket.number);
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(store.outbox_len().unwrap(), 20);
    // With the server still down, a flush leaves everything waiting.
    assert_eq!(queue::flush(&store, &client).unwrap().remaining, 20);

    let _again = central_with(|c| {
        c.database = motcua_central::Database::Sqlite(db.clone());
        c.listen = addr;
    });
    let report = queue::flush(&store, &client).unwrap();
    assert_eq!((report.sent, report.remaining), (20, 0));
    assert_eq!(store.outbox_len().unwrap(), 0);
    // A second flush sends nothing twice.
    assert_eq!(queue::flush(&store, &client).unwrap().sent, 0);

    let central = rusqlite::Connection::open(&db).unwrap();
    let mut stmt = central
        .prepare("SELECT number, offline FROM tickets WHERE kiosk_id = ?1 ORDER BY id")
        .unwrap();
    let recorded: Vec<(String, bool)> = stmt
        .query_map([net::KIOSK_ID], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        recorded.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>(),
        printed,
        "the server holds exactly the printed numbers, in order"
    );
    assert!(recorded.iter().all(|(_, offline)| *offline));
}

#[test]
fn tickets_come_from_the_server_when_it_answers() {
    let c = central_with(|_| {});
    let (dir, config, mut store) = kiosk_dir();
    let printer = preview_printer(&dir.path().join("preview"));
    let client = c.client();
    let mut numbers = BTreeSet::new();
    for _ in 0..3 {
        match issue(&config, &mut store, &printer, Some(&client)) {
            IssueOutcome::Printed { ticket, preview } => {
                assert!(!ticket.offline);
                assert!(ticket.number.starts_with("HT-"), "{}", ticket.number);
                assert!(ticket.people_ahead.is_some());
                assert!(preview.is_none(), "no picture without a renderer");
                numbers.insert(ticket.number);
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(numbers.len(), 3);
    assert_eq!(store.outbox_len().unwrap(), 0, "nothing waits to be sent");
}

/// Kills a kiosk process issuing tickets at random moments, restarts it, and checks that no
/// number was given twice and that every number it reported is in its database.
#[test]
fn a_kiosk_killed_mid_issue_never_gives_a_number_twice() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let config_path = command_line_config(dir.path());
    let mut reported = Vec::new();
    for round in 0..6u64 {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_motcua-kiosk"))
            .args(["--config", config_path.to_str().unwrap()])
            .args(["ticket", "issue", "--service", "ho-tich", "--count", "5000"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let lines = std::thread::spawn(move || {
            BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .collect::<Vec<_>>()
        });
        // Let it issue a few, then kill it wherever it is.
        std::thread::sleep(Duration::from_millis(300 + 97 * round));
        child.kill().unwrap();
        child.wait().unwrap();
        reported.extend(lines.join().unwrap());
    }
    let store = QueueStore::open(&dir.path().join("tickets.sqlite3")).unwrap();
    let tickets = store.tickets_of(today()).unwrap();
    let numbers: BTreeSet<&str> = tickets.iter().map(|t| t.number.as_str()).collect();
    assert!(
        tickets.len() >= 6,
        "the kiosk issued tickets ({})",
        tickets.len()
    );
    assert_eq!(numbers.len(), tickets.len(), "no number was given twice");
    // The series has no holes: every number up to the last exists.
    let last = tickets.len();
    for n in 1..=last {
        assert!(
            numbers.contains(format!("K01-HT-{n:03}").as_str()),
            "{n} is missing"
        );
    }
    for line in &reported {
        let number = line.split_whitespace().next().unwrap();
        assert!(
            numbers.contains(number),
            "{number} was reported but is not recorded"
        );
    }
    // A ticket cut off mid-print is marked for staff at the next start.
    store.recover().unwrap();
    let after = store.tickets_of(today()).unwrap();
    assert!(after.iter().all(|t| t.print != PrintStatus::Pending));
}

#[test]
fn the_office_logo_and_the_queue_qr_code_are_on_the_ticket() {
    let dir = tempfile::tempdir().unwrap();
    // A 300x100 logo: a black bar on transparent.
    let logo = dir.path().join("logo.png");
    {
        let file = std::fs::File::create(&logo).unwrap();
        let mut enc = png::Encoder::new(file, 300, 100);
        enc.set_color(png::ColorType::Rgba);
        let mut w = enc.write_header().unwrap();
        let data: Vec<u8> = (0..100u32)
            .flat_map(|y| {
                (0..300u32).flat_map(move |_| {
                    if (40..60).contains(&y) {
                        [0, 0, 0, 255]
                    } else {
                        [0, 0, 0, 0]
                    }
                })
            })
            .collect();
        w.write_image_data(&data).unwrap();
    }
    let text = always_open(MINIMAL, dir.path()).replace(
        "preview_dir = \"preview\"",
        &format!(
            "preview_dir = \"preview\"\nlogo = \"{}\"\nqr_url = \"https://dichvucong.example.gov.vn/hang-doi?so={{number}}&dv={{service}}\"",
            logo.display()
        ),
    );
    let config = support::parse(&text).unwrap_or_else(|e| panic!("{e}"));
    let fake = FakePrinter::start();
    let mut store = QueueStore::open(&dir.path().join("tickets.sqlite3")).unwrap();
    let printer = serial_printer(&fake);
    let IssueOutcome::Printed { ticket, .. } = issue(&config, &mut store, &printer, None) else {
        panic!("expected a printed ticket");
    };
    let received = fake.received();
    // The logo is the first picture, right after ESC @ and the centring.
    let first_raster = received
        .windows(4)
        .position(|w| w == [0x1d, b'v', b'0', 0])
        .expect("a raster picture");
    assert!(first_raster < 10, "the logo comes first ({first_raster})");
    let width_bytes = u16::from_le_bytes([received[first_raster + 4], received[first_raster + 5]]);
    assert_eq!(width_bytes, 288 / 8, "scaled to half the paper");
    // The QR code the printer draws holds the address with this ticket's number and service.
    let url = format!(
        "https://dichvucong.example.gov.vn/hang-doi?so={}&dv=ho-tich",
        ticket.number
    );
    assert!(
        received.windows(url.len()).any(|w| w == url.as_bytes()),
        "the QR data is the queue address"
    );
    assert!(received.windows(3).any(|w| w == [0x1d, b'(', b'k']));
}

/// An English-speaking citizen's ticket: its words in English, the service's Vietnamese name
/// under the English one for the counter, the office's name as it is, and the SMS promise with
/// the masked number only; an offline ticket promises no text.
#[test]
fn a_ticket_speaks_the_citizens_language_and_confirms_the_sms_masked() {
    let c = central_with(|_| {});
    let fake = FakePrinter::start();
    let (_dir, config, mut store) = kiosk_dir();
    let printer = serial_printer(&fake);
    let settings = motcua_kiosk::queue::IssueSettings::from_config(&config);
    let order = TicketOrder {
        language: Language::En,
        priority: Priority::Elderly,
        phone: Some("0912345678".into()),
        procedure: None,
        ..order()
    };
    let now = motcua_kiosk::clock::now();
    let client = c.client();
    let outcome = queue::issue(&order, &settings, Some(&client), &mut store, &printer, now);
    assert!(
        matches!(outcome, IssueOutcome::Printed { .. }),
        "{outcome:?}"
    );
    let paper = String::from_utf8_lossy(&fake.take_received()).into_owned();
    for words in [
        "YOUR NUMBER",
        "PRIORITY: Older person",
        "Civil status",
        "Issued: ",
        "We will text 09xx xxx 678",
    ] {
        assert!(
            paper.contains(words),
            "{words:?} not on the ticket:\n{paper}"
        );
    }
    assert!(
        !paper.contains("0912345678"),
        "the whole number is never printed"
    );
    assert!(!paper.contains("SỐ THỨ TỰ") && !paper.contains("Giờ lấy số"));

    // The same order with the central system gone: numbered offline, no text promised.
    let outcome = queue::issue(&order, &settings, None, &mut store, &printer, now);
    let IssueOutcome::Printed { ticket, .. } = outcome else {
        panic!("expected an offline ticket, got {outcome:?}");
    };
    assert!(ticket.offline);
    let paper = String::from_utf8_lossy(&fake.received()).into_owned();
    assert!(paper.contains("Numbered while"), "{paper}");
    assert!(!paper.contains("We will text"), "{paper}");
}

#[test]
fn a_server_that_hangs_does_not_keep_the_citizen_waiting() {
    let hanging = crate::support::net::hostile(|s| {
        std::thread::sleep(Duration::from_secs(20));
        drop(s);
    });
    let client = CentralClient::new(&net::settings(hanging.url(), net::KIOSK_TOKEN)).unwrap();
    let (dir, config, mut store) = kiosk_dir();
    let printer = preview_printer(&dir.path().join("preview"));
    let started = std::time::Instant::now();
    match issue(&config, &mut store, &printer, Some(&client)) {
        IssueOutcome::Printed { ticket, .. } => {
            assert!(ticket.offline, "numbered by the kiosk");
            assert_eq!(ticket.number, "K01-HT-001");
        }
        other => panic!("{other:?}"),
    }
    // The kiosk's patience (1.5 s, and 1 s asking once more), not the server's 20 s; generous
    // for a loaded machine.
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    // The offline ticket, and the void of the request that may have taken a number.
    assert_eq!(store.outbox_len().unwrap(), 2);
    assert_eq!(store.outbox().unwrap().len(), 1);
}

// ---------------------------------------------------------------- the desk, without a window

/// A desk on the config's ticket database and preview printer, reporting into a channel.
fn desk(config: &Config) -> (Desk, LinkStatus, mpsc::Receiver<DeskReport>) {
    let (reports, heard) = mpsc::channel();
    let link_status = LinkStatus::new("preview");
    let desk = Desk::spawn(
        DeskSettings::from_config(config),
        None,
        Printer::spawn(PrinterSettings::from_config(config), |_| {}),
        link_status.clone(),
        move |report| {
            let _ = reports.send(report);
        },
    );
    (desk, link_status, heard)
}

/// The desk's answer to the order tagged `tag`.
fn issued(heard: &mpsc::Receiver<DeskReport>, tag: u64) -> (IssueOutcome, Option<Picture>) {
    let report = first(
        heard,
        PATIENCE,
        |r| matches!(r, DeskReport::Issued { tag: t, .. } if *t == tag),
    );
    match report {
        Some(DeskReport::Issued {
            outcome, picture, ..
        }) => (outcome, picture),
        _ => panic!("no answer to order {tag}"),
    }
}

/// With the preview folder in the test's own folder (the config reads as if from /etc).
fn desk_config(dir: &Path) -> Config {
    let mut config = config(dir);
    config.printer.transport = PrinterTransport::Preview {
        dir: dir.join("preview"),
    };
    config
}

#[test]
fn the_desk_answers_each_order_with_its_tag_and_the_preview_picture() {
    let dir = tempfile::tempdir().unwrap();
    let config = desk_config(dir.path());
    let (desk, link_status, heard) = desk(&config);
    desk.issue(order(), 7).unwrap();
    let (outcome, picture) = issued(&heard, 7);
    let IssueOutcome::Printed { ticket, .. } = outcome else {
        panic!("{outcome:?}");
    };
    assert_eq!(ticket.number, "K01-HT-001");
    let picture = picture.expect("the preview printer's picture");
    // Made the size the screen shows it, never wider than the paper.
    let paper = u32::from(config.printer.paper_width_dots);
    assert_eq!(picture.width, paper.min(400));
    assert!(picture.height > picture.width / 2, "the whole ticket");

    // Without a server the offline ticket and a rating wait in the outbox; the fleet hears so.
    desk.keep_rating(FeedbackRequest {
        request_id: motcua_kiosk::server::new_request_id(),
        rating: 1,
        service_id: None,
        ticket: None,
        reason: None,
        at: Some(motcua_kiosk::clock::now().to_rfc3339()),
    })
    .unwrap();
    desk.refresh();
    assert!(matches!(
        first(&heard, PATIENCE, |r| matches!(r, DeskReport::Services(_))),
        Some(DeskReport::Services(None))
    ));
    assert!(eventually(PATIENCE, || link_status.outbox() == 2));
}

#[test]
fn a_desk_without_its_database_refuses_every_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = desk_config(dir.path());
    // A file where the data folder should be: the ticket database cannot be opened.
    let not_a_folder = dir.path().join("data");
    std::fs::write(&not_a_folder, "").unwrap();
    config.kiosk.data_dir = not_a_folder;
    let (desk, _, heard) = desk(&config);
    for tag in [1, 2] {
        desk.issue(order(), tag).unwrap();
        let (outcome, _) = issued(&heard, tag);
        assert!(
            matches!(outcome, IssueOutcome::Refused(Refusal::Storage(_))),
            "{outcome:?}"
        );
    }
}

#[test]
fn a_reconfigured_desk_numbers_with_the_new_settings() {
    let dir = tempfile::tempdir().unwrap();
    let config = desk_config(dir.path());
    let (desk, _, heard) = desk(&config);
    desk.issue(order(), 1).unwrap();
    assert!(
        matches!(issued(&heard, 1).0, IssueOutcome::Printed { ticket, .. } if ticket.number == "K01-HT-001")
    );
    let mut settings = DeskSettings::from_config(&config);
    settings.issue.kiosk_tag = "K02".into();
    desk.reconfigure(settings);
    desk.issue(order(), 2).unwrap();
    // The new tag; the service's series of the day goes on.
    assert!(
        matches!(issued(&heard, 2).0, IssueOutcome::Printed { ticket, .. } if ticket.number == "K02-HT-002")
    );
}

// ---------------------------------------------------------------- the live strip

/// A counter calls the next citizen: the desk hears it from the live events, well before the next
/// poll of the waiting counts (every 15 s).
#[test]
fn a_call_at_a_counter_reaches_the_desk_from_the_live_events() {
    let c = central_with(|_| {});
    let dir = tempfile::tempdir().unwrap();
    let config = desk_config(dir.path());
    let (reports, heard) = mpsc::channel();
    let _desk = Desk::spawn(
        DeskSettings::from_config(&config),
        Some(SharedClient::from(c.client())),
        Printer::spawn(PrinterSettings::from_config(&config), |_| {}),
        LinkStatus::new("preview"),
        move |report| {
            let _ = reports.send(report);
        },
    );
    let serving = |report: &DeskReport| match report {
        DeskReport::Services(Some(services)) => services
            .iter()
            .find(|s| s.id == "ho-tich")
            .map(|s| (s.waiting, s.now_serving.clone())),
        _ => None,
    };
    // The first look (the stream's board, then the full list).
    assert!(first(&heard, PATIENCE, |r| serving(r).is_some()).is_some());

    let client = c.client();
    client
        .issue_ticket(&motcua_kiosk::server::model::TicketRequest {
            request_id: motcua_kiosk::server::new_request_id(),
            service_id: "ho-tich".into(),
            priority: Priority::None,
            phone: None,
            offline: None,
            procedure_code: None,
        })
        .unwrap();
    let seen = first(&heard, Duration::from_secs(8), |r| {
        serving(r) == Some((1, None))
    });
    assert!(
        seen.is_some(),
        "the new ticket's count came from the events"
    );

    let called = reqwest::blocking::Client::new()
        .post(c.url().join("api/v1/queue/call-next").unwrap())
        .bearer_auth(net::COUNTER_TOKEN)
        .json(&serde_json::json!({ "services": ["ho-tich"] }))
        .send()
        .unwrap();
    assert!(called.status().is_success(), "{}", called.status());
    let seen = first(&heard, Duration::from_secs(8), |r| {
        serving(r) == Some((0, Some("HT-001".into())))
    });
    assert!(
        seen.is_some(),
        "the call came from the events, not the 15 s poll"
    );
}

/// A server that answers the event stream with a web page (a captive portal, a proxy's error):
/// refused as unusable, and the desk still gets the waiting counts by asking.
#[test]
fn an_event_stream_that_is_a_web_page_is_refused() {
    let html = crate::support::net::hostile(|mut s| {
        use std::io::Write;
        let body = "<html><body>Đăng nhập Wi-Fi</body></html>";
        let _ = write!(
            s,
            "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
    });
    let client = CentralClient::new(&net::settings(html.url(), net::KIOSK_TOKEN)).unwrap();
    match client.events(None) {
        Err(motcua_kiosk::server::ServerError::BadResponse(why)) => {
            assert!(why.contains("text/html"), "{why}")
        }
        Err(other) => panic!("{other}"),
        Ok(_) => panic!("a web page taken for an event stream"),
    }
}

/// A number taken from a procedure's page: the procedure and its documents on the paper, its
/// code to the counter with the catalog's name, online and from the offline outbox, also in a
/// ticket database made before tickets carried a procedure.
#[test]
fn a_ticket_for_a_procedure_reaches_the_counter_online_and_from_the_outbox() {
    let server_dir = tempfile::tempdir().unwrap();
    let db = server_dir.path().join("central.sqlite3");
    let c = central_with(|cfg| cfg.database = motcua_central::Database::Sqlite(db.clone()));
    let fake = FakePrinter::start();
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path());
    // The ticket table as kiosks kept it before, with an offline ticket still waiting in it.
    let path = dir.path().join("tickets.sqlite3");
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch(
            "CREATE TABLE tickets (request_id TEXT PRIMARY KEY, number TEXT NOT NULL,
                 service_id TEXT NOT NULL, priority TEXT NOT NULL, issued_at TEXT NOT NULL,
                 office_day TEXT NOT NULL, offline INTEGER NOT NULL, people_ahead INTEGER,
                 estimated_wait_min INTEGER, print TEXT NOT NULL DEFAULT 'pending',
                 sync TEXT NOT NULL, phone TEXT, UNIQUE (office_day, number));",
        )
        .unwrap();
    let mut store = QueueStore::open(&path).unwrap();
    let printer = serial_printer(&fake);
    let settings = motcua_kiosk::queue::IssueSettings::from_config(&config);
    let order = TicketOrder {
        language: Language::En,
        procedure: Some(motcua_kiosk::ticket::ProcedureNote {
            code: "2.000528".into(),
            name: "Thủ tục đăng ký khai sinh có yếu tố nước ngoài".into(),
            documents: vec!["Tờ khai đăng ký khai sinh".into(), "Giấy chứng sinh".into()],
        }),
        ..order()
    };
    let client = c.client();
    let now = motcua_kiosk::clock::now();
    let online = queue::issue(&order, &settings, Some(&client), &mut store, &printer, now);
    assert!(matches!(online, IssueOutcome::Printed { .. }), "{online:?}");
    let paper = String::from_utf8_lossy(&fake.take_received()).into_owned();
    for words in ["Procedure 2.000528:", "Documents to have ready:"] {
        assert!(
            paper.contains(words),
            "{words:?} not on the ticket:\n{paper}"
        );
    }

    // The counter sees why the citizen came, in the office catalog's words.
    let called = c.call_next("ho-tich", "2");
    assert_eq!(called["procedure"]["code"], "2.000528", "{called}");
    assert_eq!(
        called["procedure"]["name"],
        "Thủ tục đăng ký khai sinh có yếu tố nước ngoài"
    );

    // Offline: the code waits with the ticket and goes with it.
    let offline = queue::issue(&order, &settings, None, &mut store, &printer, now);
    assert!(
        matches!(offline, IssueOutcome::Printed { .. }),
        "{offline:?}"
    );
    let waiting = store.outbox().unwrap();
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].procedure_code.as_deref(), Some("2.000528"));
    assert_eq!(queue::flush(&store, &client).unwrap().sent, 1);
    let sent: Option<String> = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT procedure_code FROM tickets WHERE number = ?1",
            [&waiting[0].number],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(sent.as_deref(), Some("2.000528"));
}
