//! Soak: 10,000 tickets through the real printing path — the printer thread writing to a printer
//! on a pty that answers its status requests — and the reference server over HTTP, which goes
//! down and comes back at random moments. Afterwards: no ticket lost or given twice (kiosk
//! database, paper, central system), and the process's memory at the start and the end.
//!
//! `cargo bench --bench soak` (release, a few minutes). `SOAK_TICKETS=2000` for a shorter run,
//! `SOAK_SEED=n` to replay one run's outages.

mod common;

#[path = "../tests/support/printer.rs"]
#[allow(dead_code)]
mod fake_printer;
/// What the fake printer waits with.
#[path = "../tests/support/wait.rs"]
#[allow(dead_code)]
mod wait;

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::{Duration, Instant};

use motcua_central::{CentralConfig, Clock};
use motcua_kiosk::config::Secret;
use motcua_kiosk::language::Language;
use motcua_kiosk::printer::{Printer, PrinterSettings, PrinterState};
use motcua_kiosk::queue::{self, IssueOutcome, PrintStatus, QueueStore, TicketOrder};
use motcua_kiosk::server::model::Priority;
use motcua_kiosk::server::{CentralClient, ClientSettings};

const KIOSK_ID: &str = "SOAK-01";
const TOKEN: &str = "soak-token";

const CONFIG: &str = r#"[kiosk]
id = "SOAK-01"
office_name = "Trung tâm Phục vụ hành chính công phường Hải Châu"

[printer]
transport = "preview"
preview_dir = "preview"

[queue]
opening_hours = "00:00-24:00"
open_days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
daily_cap = 9999
offline_tag = "K01"

[[queue.services]]
id = "ho-tich"
name_vi = "Hộ tịch"
name_en = "Civil status"
prefix = "HT"
priority_allowed = true

[[queue.services]]
id = "chung-thuc"
name_vi = "Chứng thực"
name_en = "Certification"
prefix = "CT"
"#;

/// Small, seedable randomness for the outage schedule (xorshift64*).
struct Dice(u64);

impl Dice {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }
}

/// Tickets on a stretch of paper: each ends with a cut (`GS V`).
fn count_cuts(paper: &[u8]) -> usize {
    paper.windows(2).filter(|w| w == b"\x1dV").count()
}

fn rss_kib() -> u64 {
    common::own_rss_kib()
}

fn start_central(db: &Path, listen: SocketAddr) -> Option<motcua_central::RunningCentral> {
    let mut config = CentralConfig::demo(db.to_path_buf(), KIOSK_ID.into(), TOKEN.into());
    config.listen = listen;
    config.clock = Clock::system();
    motcua_central::spawn(config).ok()
}

/// The server alternates between up (0.2–1.5 s) and down (0.1–0.8 s) until `stop`.
fn outages(
    db: PathBuf,
    first: motcua_central::RunningCentral,
    seed: u64,
    stop: Arc<AtomicBool>,
    count: Arc<AtomicU32>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let mut dice = Dice(seed);
        let addr = first.addr();
        let mut running = Some(first);
        while !stop.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(200 + dice.below(1300)));
            if let Some(server) = running.take() {
                server.shutdown();
                count.fetch_add(1, Ordering::SeqCst);
            }
            std::thread::sleep(Duration::from_millis(100 + dice.below(700)));
            // The port may linger for a moment after a shutdown; try again shortly.
            while running.is_none() && !stop.load(Ordering::SeqCst) {
                running = start_central(&db, addr);
                if running.is_none() {
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
        }
        // Left running for the final flush.
        std::mem::forget(running);
    })
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo bench -- --list` asks benches to list their cases.
    }
    let total: u32 = std::env::var("SOAK_TICKETS")
        .ok()
        .and_then(|v| v.parse().ok())
        // `cargo test --all-targets` runs benches without `--bench`: a short smoke run then.
        .unwrap_or(if std::env::args().any(|a| a == "--bench") {
            10_000
        } else {
            200
        });
    let seed: u64 = std::env::var("SOAK_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64 | 1)
        });
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("central.sqlite3");
    let central = start_central(&db, "127.0.0.1:0".parse().expect("addr")).expect("central");
    // No daily cap on the server for this many tickets in one day.
    rusqlite::Connection::open(&db)
        .and_then(|c| c.execute("UPDATE queue_services SET daily_cap = 100000", []))
        .expect("lift the server's daily caps");
    let url = url::Url::parse(&central.base_url()).expect("url");
    let client = CentralClient::new(&ClientSettings {
        base_url: url,
        token: Secret::new(TOKEN),
        connect_timeout: Duration::from_millis(500),
        request_timeout: Duration::from_millis(1500),
        ca_file: None,
        max_body: motcua_kiosk::server::DEFAULT_MAX_BODY,
        max_catalog_body: motcua_kiosk::server::DEFAULT_MAX_CATALOG_BODY,
        retries: 1,
    })
    .expect("client");

    let config = motcua_kiosk::config::parse(CONFIG, &dir.path().join("kiosk-config.toml"))
        .unwrap_or_else(|e| panic!("{e}"));
    let settings = motcua_kiosk::queue::IssueSettings::from_config(&config);
    let fake = fake_printer::FakePrinter::start();
    let printer = Printer::spawn(
        PrinterSettings {
            transport: fake.transport(),
            poll_every: Duration::from_secs(5),
            reconnect_every: Duration::from_millis(300),
            render_preview: None,
        },
        |_| {},
    );
    let waiting = Instant::now();
    while printer.state() != PrinterState::Ready && waiting.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut store = QueueStore::open(&dir.path().join("tickets.sqlite3")).expect("ticket db");

    let stop = Arc::new(AtomicBool::new(false));
    let downs = Arc::new(AtomicU32::new(0));
    let chaos = outages(db.clone(), central, seed, stop.clone(), downs.clone());

    println!("soak: {total} tickets, outage seed {seed}");
    let rss_start = rss_kib();
    let started = Instant::now();
    let services = [
        ("ho-tich", "Hộ tịch", "HT"),
        ("chung-thuc", "Chứng thực", "CT"),
    ];
    let mut printed: Vec<(String, bool)> = Vec::new();
    let mut refused: BTreeMap<String, u32> = BTreeMap::new();
    let mut unprinted = 0u32;
    let mut samples = Vec::new();
    let mut cuts = 0usize;
    for i in 0..total {
        let (id, name, prefix) = services[(i % 2) as usize];
        let order = TicketOrder {
            service_id: id.into(),
            service_name: name.into(),
            service_name_en: String::new(),
            language: Language::Vi,
            prefix: prefix.into(),
            priority: if i.is_multiple_of(7) {
                Priority::Elderly
            } else {
                Priority::None
            },
            phone: None,
            procedure: None,
        };
        match queue::issue(
            &order,
            &settings,
            Some(&client),
            &mut store,
            &printer,
            motcua_kiosk::clock::now(),
        ) {
            IssueOutcome::Printed { ticket, .. } => printed.push((ticket.number, ticket.offline)),
            IssueOutcome::NotPrinted { ticket, problem } => {
                unprinted += 1;
                eprintln!("{} not printed: {problem}", ticket.number);
            }
            IssueOutcome::Refused(r) => *refused.entry(format!("{r:?}")).or_default() += 1,
        }
        // The sync thread's work, every 50 tickets here.
        if i % 50 == 49 {
            let _ = queue::flush(&store, &client);
        }
        if (i + 1).is_multiple_of(100) {
            // The paper so far: counted, then dropped, so the fake printer does not hold
            // 75 MB of tickets and the memory figures are the kiosk's.
            cuts += count_cuts(&fake.take_received());
        }
        if (i + 1).is_multiple_of(1000) {
            samples.push((i + 1, rss_kib(), started.elapsed()));
        }
    }
    let issuing = started.elapsed();
    let rss_end = rss_kib();
    stop.store(true, Ordering::SeqCst);
    chaos.join().expect("outage thread");

    // The server is up for good: everything waiting goes out.
    let flushing = Instant::now();
    while store.outbox_len().expect("outbox") > 0 && flushing.elapsed() < Duration::from_secs(120) {
        let _ = queue::flush(&store, &client);
    }

    // --- Checks ---
    let mut problems = Vec::new();
    let today = motcua_kiosk::clock::now().date_naive();
    let kept = store.tickets_of(today).expect("tickets");
    let kept_numbers: BTreeSet<&str> = kept.iter().map(|t| t.number.as_str()).collect();
    if kept_numbers.len() != kept.len() {
        problems.push(format!(
            "{} numbers given twice in the kiosk's database",
            kept.len() - kept_numbers.len()
        ));
    }
    let printed_numbers: BTreeSet<&str> = printed.iter().map(|(n, _)| n.as_str()).collect();
    if printed_numbers.len() != printed.len() {
        problems.push("a number was printed twice".into());
    }
    for (n, _) in &printed {
        if !kept_numbers.contains(n.as_str()) {
            problems.push(format!("{n} printed but not in the kiosk's database"));
        }
    }
    if kept.iter().any(|t| t.print != PrintStatus::Printed) && unprinted == 0 {
        problems.push("a ticket is not marked printed".into());
    }
    // On paper: every ticket ends with a cut (GS V).
    cuts += count_cuts(&fake.take_received());
    if cuts != printed.len() + unprinted as usize {
        problems.push(format!(
            "{cuts} cuts on paper for {} tickets",
            printed.len() + unprinted as usize
        ));
    }
    // Central system: each printed number once; the offline ones marked so.
    let central = rusqlite::Connection::open(&db).expect("central db");
    let mut stmt = central
        .prepare("SELECT number, offline FROM tickets WHERE kiosk_id = ?1")
        .expect("query");
    let recorded: Vec<(String, bool)> = stmt
        .query_map([KIOSK_ID], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("rows");
    let mut on_server: BTreeMap<&str, u32> = BTreeMap::new();
    for (n, _) in &recorded {
        *on_server.entry(n.as_str()).or_default() += 1;
    }
    for (n, offline) in &printed {
        match on_server.get(n.as_str()) {
            Some(1) => {}
            Some(k) => problems.push(format!("{n} recorded {k} times by the central system")),
            None => problems.push(format!(
                "{n} ({}) never reached the central system",
                if *offline { "offline" } else { "online" }
            )),
        }
    }
    let phantoms = recorded
        .iter()
        .filter(|(n, _)| !printed_numbers.contains(n.as_str()))
        .count();

    let offline = printed.iter().filter(|(_, o)| *o).count();
    println!(
        "issued {} tickets in {:.1} s ({:.1} ms each): {} from the server, {offline} offline, \
         {unprinted} unprinted, refused {refused:?}",
        printed.len() + unprinted as usize,
        issuing.as_secs_f64(),
        issuing.as_secs_f64() * 1000.0 / f64::from(total.max(1)),
        printed.len() - offline,
    );
    println!(
        "server outages: {}; outbox empty after {:.1} s; numbers the server gave to answers that \
         were lost in an outage (printed for nobody): {phantoms}",
        downs.load(Ordering::SeqCst),
        flushing.elapsed().as_secs_f64()
    );
    println!(
        "memory (VmRSS): start {} KiB, end {} KiB",
        rss_start, rss_end
    );
    for (n, rss, at) in &samples {
        println!(
            "  after {n:>6} tickets: {rss} KiB ({:.0} s)",
            at.as_secs_f64()
        );
    }
    if store.outbox_len().unwrap_or(1) > 0 {
        problems.push("the outbox did not empty".into());
    }
    if problems.is_empty() {
        println!("soak: OK — no ticket lost, none given twice");
    } else {
        for p in &problems {
            eprintln!("soak: {p}");
        }
        std::process::exit(1);
    }
}
