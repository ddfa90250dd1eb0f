//! Fault injection: each test breaks one real part the way it breaks in an office — the printer,
//! the central server, the clock, the disk — says what the citizen sees, and checks that no
//! ticket was lost or given twice. Faults covered elsewhere are listed in the README's table
//! (paper out mid-ticket, a kiosk killed mid-issue, damaged databases, hostile servers).

use std::collections::BTreeSet;
use std::time::Duration;

use chrono::{NaiveDate, TimeZone};
use motcua_kiosk::printer::{PrintFailure, PrinterState};
use motcua_kiosk::queue::{self, IssueOutcome, PrintStatus, QueueStore, Refusal};
use motcua_kiosk::server::CentralClient;

use crate::queue::{command_line_config, config, issue, kiosk_dir, order, serial_printer};
use crate::support;
use crate::support::net::{self, ProxyMode, central_with};
use crate::support::printer::{FakePrinter, Mode};
use crate::support::wait::eventually;

/// The numbers the central system holds as waiting (neither called nor voided), in order.
fn waiting(db: &std::path::Path) -> Vec<String> {
    let central = rusqlite::Connection::open(db).unwrap();
    let mut stmt = central
        .prepare(
            "SELECT number FROM tickets WHERE called_at IS NULL AND voided_at IS NULL ORDER BY id",
        )
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// The numbers the central system recorded for this kiosk: (number, offline).
fn recorded(db: &std::path::Path) -> Vec<(String, bool)> {
    let central = rusqlite::Connection::open(db).unwrap();
    let mut stmt = central
        .prepare("SELECT number, offline FROM tickets WHERE kiosk_id = ?1 ORDER BY id")
        .unwrap();
    stmt.query_map([net::KIOSK_ID], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// The address of `url` swapped for the proxy's, path kept.
fn through(proxy: &net::Proxy, url: &url::Url) -> url::Url {
    let mut via = url.clone();
    via.set_port(Some(proxy.addr.port())).unwrap();
    via
}

/// Citizen sees: "Phiếu chưa in được" with their number, and is sent to the counter.
/// The number stays theirs (recorded, marked unprinted for staff); the next citizen, once the
/// printer is back, gets the next number.
#[test]
fn printer_unplugged_mid_ticket() {
    let fake = FakePrinter::start();
    let (_dir, config, mut store) = kiosk_dir();
    let printer = serial_printer(&fake);

    // The cable comes out once the first bytes of the ticket are through: from that byte on the
    // printer can no longer answer (set by the fake as it reads, so the end of the ticket can
    // never be confirmed however fast the machine), then the port goes.
    fake.mode_after(200, Mode::Silent);
    let pulled = std::thread::scope(|scope| {
        scope.spawn(|| {
            assert!(fake.wait_for_bytes(200, Duration::from_secs(10)));
            fake.unplug();
        });
        issue(&config, &mut store, &printer, None)
    });
    let IssueOutcome::NotPrinted { ticket, problem } = pulled else {
        panic!("expected an unprinted ticket, got {pulled:?}");
    };
    assert!(
        matches!(
            problem,
            PrintFailure::NotConnected | PrintFailure::WriteFailed | PrintFailure::NoAnswer
        ),
        "{problem:?}"
    );
    assert_eq!(ticket.number, "K01-HT-001");
    assert_eq!(
        store.get(&ticket.request_id).unwrap().unwrap().print,
        PrintStatus::Failed
    );

    // While it is out, nobody gets a number the kiosk cannot print.
    eventually(Duration::from_secs(10), || {
        printer.check_now() == PrinterState::NotConnected
    });
    assert!(matches!(
        issue(&config, &mut store, &printer, None),
        IssueOutcome::Refused(Refusal::PrinterNotReady(_))
    ));

    fake.replug();
    fake.set_mode(Mode::Ok);
    eventually(Duration::from_secs(10), || printer.check_now().can_print());
    match issue(&config, &mut store, &printer, None) {
        IssueOutcome::Printed { ticket, .. } => assert_eq!(ticket.number, "K01-HT-002"),
        other => panic!("{other:?}"),
    }
    let numbers: Vec<String> = store
        .tickets_of(crate::queue::today())
        .unwrap()
        .into_iter()
        .map(|t| t.number)
        .collect();
    assert_eq!(
        numbers,
        ["K01-HT-001", "K01-HT-002"],
        "none lost, none twice"
    );
}

/// Citizen sees: the "Lấy số thứ tự" tile greyed out ("Máy in đang tạm dừng"), so nobody takes a
/// number the printer may not print. A printer whose answers turn to garbage mid-ticket fails
/// that ticket like a silent one.
#[test]
fn printer_answering_garbage_status_bytes() {
    let fake = FakePrinter::start();
    let (_dir, config, mut store) = kiosk_dir();
    let printer = serial_printer(&fake);

    fake.set_mode(Mode::Garbage);
    let outcome = issue(&config, &mut store, &printer, None);
    assert!(
        matches!(outcome, IssueOutcome::Refused(Refusal::PrinterNotReady(_))),
        "{outcome:?}"
    );
    assert!(
        store.tickets_of(crate::queue::today()).unwrap().is_empty(),
        "no number taken"
    );

    fake.set_mode(Mode::Ok);
    fake.mode_after(64, Mode::Garbage);
    let outcome = issue(&config, &mut store, &printer, None);
    let IssueOutcome::NotPrinted { ticket, .. } = outcome else {
        panic!("expected an unprinted ticket, got {outcome:?}");
    };
    assert_eq!(ticket.number, "K01-HT-001");
    assert_eq!(
        store.get(&ticket.request_id).unwrap().unwrap().print,
        PrintStatus::Failed
    );
}

/// A kiosk (ticket database, preview printer) talking to the reference server through a
/// [`net::Proxy`] the test can make misbehave.
struct Proxied {
    _central: net::Central,
    db: std::path::PathBuf,
    proxy: net::Proxy,
    client: CentralClient,
    _dir: tempfile::TempDir,
    config: motcua_kiosk::config::Config,
    store: QueueStore,
    printer: motcua_kiosk::printer::Printer,
}

fn behind_proxy() -> Proxied {
    let central = central_with(|_| {});
    let db = central._dir.path().join("central.sqlite3");
    let proxy = net::proxy(central.server.addr());
    let client = CentralClient::new(&net::settings(
        through(&proxy, &central.url()),
        net::KIOSK_TOKEN,
    ))
    .unwrap();
    let (dir, config, store) = kiosk_dir();
    let printer = crate::queue::preview_printer(&dir.path().join("preview"));
    Proxied {
        _central: central,
        db,
        proxy,
        client,
        _dir: dir,
        config,
        store,
        printer,
    }
}

/// The server records the ticket, then dies before it answers (and again when asked once more).
/// Citizen sees: a ticket numbered by the kiosk (K01-HT-001, marked offline) within the kiosk's
/// patience. Once the server is back, the outbox delivers exactly that number, and gives back
/// the number the lost request took: no counter calls a ticket nobody holds.
#[test]
fn server_killed_mid_request() {
    let Proxied {
        _central,
        db,
        proxy,
        client,
        _dir,
        config,
        mut store,
        printer,
    } = behind_proxy();

    proxy.set_mode(ProxyMode::CutAnswers);
    let citizen = match issue(&config, &mut store, &printer, Some(&client)) {
        IssueOutcome::Printed { ticket, .. } => ticket,
        other => panic!("{other:?}"),
    };
    assert!(citizen.offline);
    assert_eq!(citizen.number, "K01-HT-001");
    let lost: Vec<_> = recorded(&db);
    assert_eq!(lost.len(), 1, "the server acted on the lost request");
    assert!(!lost[0].1, "as an ordinary server-numbered ticket");

    proxy.set_mode(ProxyMode::Pass);
    let report = queue::flush(&store, &client).unwrap();
    assert_eq!(
        (report.sent, report.remaining),
        (2, 0),
        "the offline ticket, then the void of the lost request"
    );
    let after = recorded(&db);
    let printed: Vec<_> = after.iter().filter(|(_, offline)| *offline).collect();
    assert_eq!(printed.len(), 1, "the printed number is recorded once");
    assert_eq!(printed[0].0, "K01-HT-001");
    assert_eq!(
        waiting(&db),
        ["K01-HT-001"],
        "the number nobody holds is given back"
    );
    assert_eq!(
        queue::flush(&store, &client).unwrap().sent,
        0,
        "nothing twice"
    );
}

/// The server records the ticket and its answer is lost on the way, once. Citizen sees: the
/// server's number, a moment later: the kiosk asks again with the same request id before
/// numbering offline, and gets the number the server gave the first time.
#[test]
fn an_answer_lost_once_is_asked_for_again() {
    let Proxied {
        _central,
        db,
        proxy,
        client,
        _dir,
        config,
        mut store,
        printer,
    } = behind_proxy();
    proxy.set_mode(ProxyMode::CutNextAnswer);
    let citizen = match issue(&config, &mut store, &printer, Some(&client)) {
        IssueOutcome::Printed { ticket, .. } => ticket,
        other => panic!("{other:?}"),
    };
    assert!(!citizen.offline);
    assert_eq!(citizen.number, "HT-001");
    assert_eq!(recorded(&db), [("HT-001".to_string(), false)], "one ticket");
    assert_eq!(
        store.outbox_len().unwrap(),
        0,
        "nothing to send, nothing to give back"
    );
}

/// The server takes 5 s to answer. Citizen sees: their ticket after the kiosk's patience
/// (1.5 s, then 1 s asking once more), numbered by the kiosk, never a screen that hangs; the
/// number reaches the server later, and the number the slow request took is given back.
#[test]
fn server_slow_5_s() {
    let Proxied {
        _central,
        db,
        proxy,
        client,
        _dir,
        config,
        mut store,
        printer,
    } = behind_proxy();

    proxy.set_mode(ProxyMode::Delay(Duration::from_secs(5)));
    let started = std::time::Instant::now();
    let citizen = match issue(&config, &mut store, &printer, Some(&client)) {
        IssueOutcome::Printed { ticket, .. } => ticket,
        other => panic!("{other:?}"),
    };
    // Well under the server's 5 s, with room for a loaded machine.
    assert!(
        started.elapsed() < Duration::from_millis(4500),
        "{:?}",
        started.elapsed()
    );
    assert!(citizen.offline);

    proxy.set_mode(ProxyMode::Pass);
    // The slow answer may still be on its way; the outbox is sent once the server is quick.
    assert!(eventually(Duration::from_secs(20), || {
        let _ = queue::flush(&store, &client);
        store.outbox_len().unwrap() == 0
    }));
    let offline: Vec<String> = recorded(&db)
        .into_iter()
        .filter(|(_, offline)| *offline)
        .map(|(n, _)| n)
        .collect();
    assert_eq!(
        offline,
        std::slice::from_ref(&citizen.number),
        "recorded once"
    );
    assert_eq!(
        waiting(&db),
        std::slice::from_ref(&citizen.number),
        "the number the slow request took is given back"
    );
}

/// The clock runs past midnight, and an NTP correction sets it back across midnight again.
/// Citizen sees: the first ticket of a new office day is 001 again; a ticket issued after the
/// clock went back continues the earlier day's series. No (day, number) is ever given twice.
#[test]
fn clock_jumps_across_midnight() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path());
    let settings = motcua_kiosk::queue::IssueSettings::from_config(&config);
    let mut store = QueueStore::open(&dir.path().join("tickets.sqlite3")).unwrap();
    let printer = crate::queue::preview_printer(&dir.path().join("preview"));
    let office = motcua_kiosk::clock::office_offset();
    let at = |d: u32, h: u32, m: u32, s: u32| {
        office
            .from_local_datetime(
                &NaiveDate::from_ymd_opt(2026, 11, d)
                    .unwrap()
                    .and_hms_opt(h, m, s)
                    .unwrap(),
            )
            .unwrap()
    };
    let mut given = Vec::new();
    for now in [
        at(26, 23, 59, 50),
        at(26, 23, 59, 59),
        at(27, 0, 0, 1),
        at(27, 0, 0, 30),
        // The clock is set back 40 s: it is 26 November again for a moment.
        at(26, 23, 59, 51),
        at(27, 0, 0, 2),
    ] {
        match queue::issue(&order(), &settings, None, &mut store, &printer, now) {
            IssueOutcome::Printed { ticket, .. } => given.push((now.date_naive(), ticket.number)),
            other => panic!("{other:?}"),
        }
    }
    let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
    assert_eq!(
        given,
        [
            (day(26), "K01-HT-001".to_string()),
            (day(26), "K01-HT-002".to_string()),
            (day(27), "K01-HT-001".to_string()),
            (day(27), "K01-HT-002".to_string()),
            (day(26), "K01-HT-003".to_string()),
            (day(27), "K01-HT-003".to_string()),
        ]
    );
    for d in [26, 27] {
        let tickets = store.tickets_of(day(d)).unwrap();
        let numbers: BTreeSet<_> = tickets.iter().map(|t| t.number.clone()).collect();
        assert_eq!(numbers.len(), tickets.len(), "a number twice on {d} Nov");
        assert_eq!(tickets.len(), 3);
    }
    assert_eq!(
        store.outbox_len().unwrap(),
        6,
        "all six wait for the server"
    );
}

/// The disk fills while tickets are committed (a file-size limit on the kiosk's process).
/// Citizen sees: no number and the "cannot take a number now, please ask at the counter" screen
/// (`Refusal::Storage`), never a printed number that is not recorded. After space is freed the
/// series continues where the recorded tickets end.
#[test]
fn disk_full_when_committing_a_ticket() {
    let dir = tempfile::tempdir().unwrap();
    let config_path = command_line_config(dir.path());
    let kiosk = env!("CARGO_BIN_EXE_motcua-kiosk");
    // 384 KiB for every file the process writes; SIGXFSZ ignored so a write fails with EFBIG
    // as it fails with ENOSPC on a full disk, instead of killing the process.
    let full = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "trap '' XFSZ; ulimit -f 768; exec '{kiosk}' --config '{}' ticket issue --service ho-tich --count 10000",
            config_path.display()
        ))
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&full.stdout);
    assert!(!full.status.success(), "the disk filled up: {out}");
    let last = out.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("refused: the ticket could not be recorded on this kiosk"),
        "last line: {last}"
    );
    let printed: Vec<&str> = out
        .lines()
        .filter(|l| l.ends_with(" printed (offline)"))
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert!(
        printed.len() >= 5,
        "{} tickets before the disk filled",
        printed.len()
    );

    let store = QueueStore::open(&dir.path().join("tickets.sqlite3")).unwrap();
    let tickets = store.tickets_of(crate::queue::today()).unwrap();
    let numbers: BTreeSet<&str> = tickets.iter().map(|t| t.number.as_str()).collect();
    assert_eq!(numbers.len(), tickets.len(), "no number twice");
    for n in &printed {
        assert!(numbers.contains(n), "{n} was printed but is not recorded");
    }
    let check: String = rusqlite::Connection::open(dir.path().join("tickets.sqlite3"))
        .unwrap()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");

    // Space again: the next number follows the last recorded one.
    let again = support::kiosk_cmd(
        dir.path(),
        &[
            "--config",
            config_path.to_str().unwrap(),
            "ticket",
            "issue",
            "--service",
            "ho-tich",
        ],
    );
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    let next = format!("K01-HT-{:03} printed (offline)", tickets.len() + 1);
    assert_eq!(String::from_utf8_lossy(&again.stdout).trim(), next);
}
