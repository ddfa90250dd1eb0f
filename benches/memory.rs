//! Memory over a long day: the whole kiosk (window, workers, the demo central server, the
//! printer thread) in this process, headless, driven through the same callbacks the screen's
//! buttons call: 1,000 tickets (service, priority, issued, printed, back home), then 10,000
//! catalog searches as typed. Resident memory is sampled along the way; the target is < 80 MB
//! and no growth once warm.
//!
//! `cargo bench --bench memory` (release). `MEMORY_TICKETS` and `MEMORY_SEARCHES` change the
//! counts.

mod common;

use std::time::{Duration, Instant};

use motcua_kiosk::app::Kiosk;
use motcua_kiosk::ui::{
    CatalogAdapter, KioskState, Page, Priority, QueueAdapter, QueueStep, ServerState,
};
use slint::{ComponentHandle, Model};

fn rss_kib() -> u64 {
    common::own_rss_kib()
}

fn settle() {
    i_slint_backend_testing::mock_elapsed_time(Duration::from_millis(20));
}

/// Applies worker events until `done` or `limit`.
fn wait(kiosk: &Kiosk, limit: Duration, done: impl Fn() -> bool) -> bool {
    let start = Instant::now();
    loop {
        kiosk.pump_events();
        settle();
        if done() {
            return true;
        }
        if start.elapsed() > limit {
            return false;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
}

/// What a citizen types, letter by letter: each prefix is one search.
const QUERIES: &[&str] = &[
    "khai sinh",
    "dang ky ket hon",
    "chung thuc ban sao",
    "giay xac nhan tinh trang hon nhan",
    "dang ky thuong tru",
    "cap doi giay phep lai xe",
    "ho kinh doanh",
    "khai tu",
    "nhan cha me con",
    "trich luc",
];

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    // RUST_LOG=warn shows what the kiosk logs during the run.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .try_init();
    // `cargo test --all-targets` runs benches without `--bench`: a short smoke run then.
    let full = std::env::args().any(|a| a == "--bench");
    let tickets: u32 = std::env::var("MEMORY_TICKETS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if full { 1_000 } else { 20 });
    let searches: u32 = std::env::var("MEMORY_SEARCHES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if full { 10_000 } else { 200 });
    slint::platform::set_platform(Box::new(i_slint_backend_testing::TestingBackend::new(
        i_slint_backend_testing::TestingBackendOptions {
            mock_time: true,
            threading: false,
            renderer_name: None,
        },
    )))
    .expect("platform");

    // The shipped config: demo server on loopback, preview printer; state in a fresh folder.
    let dir = tempfile::tempdir().expect("temp dir");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("kiosk-config.toml"))
        .expect("shipped config")
        // A file printer: every ticket goes through the printer thread without a picture per
        // ticket piling up in the preview folder.
        .replace(
            "transport = \"preview\"",
            "transport = \"file\"\npath = \"/dev/null\"",
        )
        .replace("daily_cap = 500", "daily_cap = 9999")
        .replace(
            "open_days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\", \"sat\"]",
            "open_days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\", \"sat\", \"sun\"]",
        )
        .replace(
            "opening_hours = \"07:30-11:30,13:30-17:00\"",
            "opening_hours = \"00:00-24:00\"",
        );
    let path = dir.path().join("kiosk-config.toml");
    std::fs::write(&path, &text).expect("write config");
    let config = motcua_kiosk::config::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let kiosk = Kiosk::new(&config).expect("kiosk");
    kiosk
        .window()
        .window()
        .set_size(slint::PhysicalSize::new(1920, 1080));
    kiosk.window().show().expect("show");
    let state = kiosk.window().global::<KioskState>();
    let queue = kiosk.window().global::<QueueAdapter>();
    let catalog = kiosk.window().global::<CatalogAdapter>();
    assert!(
        wait(&kiosk, Duration::from_secs(90), || {
            state.get_server_state() == ServerState::Online && queue.get_live()
        }),
        "the demo server answers: {:?}, live queues {}",
        state.get_server_state(),
        queue.get_live()
    );
    // The demo server's cap (500 a service a day) is below this many tickets.
    rusqlite::Connection::open(config.kiosk.data_dir.join("demo-central.sqlite3"))
        .and_then(|c| c.execute("UPDATE queue_services SET daily_cap = 100000", []))
        .expect("lift the demo server's daily caps");
    let rss_ready = rss_kib();
    println!("memory: kiosk started, {} KiB", rss_ready);

    let started = Instant::now();
    let mut samples = vec![(0u32, rss_ready)];
    let mut issued = 0u32;
    for n in 1..=tickets {
        state.invoke_navigate(Page::Queue);
        settle();
        queue.invoke_choose_service(i32::try_from(n % 2).unwrap_or(0));
        settle();
        if queue.get_step() == QueueStep::Priority {
            queue.invoke_choose_priority(if n.is_multiple_of(5) {
                Priority::Elderly
            } else {
                Priority::None
            });
        }
        if wait(&kiosk, Duration::from_secs(20), || {
            matches!(
                queue.get_step(),
                QueueStep::Done | QueueStep::NotPrinted | QueueStep::Refused
            )
        }) && queue.get_step() == QueueStep::Done
        {
            issued += 1;
        }
        state.invoke_navigate(Page::Home);
        settle();
        if n.is_multiple_of(100) {
            samples.push((n, rss_kib()));
        }
    }
    let ticket_time = started.elapsed();
    let rss_tickets = rss_kib();

    let started = Instant::now();
    let mut done = 0u32;
    let mut answered = 0u32;
    let mut search_samples = vec![(0u32, rss_tickets)];
    state.invoke_navigate(Page::Catalog);
    settle();
    'typing: loop {
        for query in QUERIES {
            for end in 1..=query.len() {
                if done == searches {
                    break 'typing;
                }
                let before = catalog.get_results();
                catalog.set_query(query[..end].into());
                catalog.invoke_search();
                // Each keystroke's results replace the list on screen.
                if wait(&kiosk, Duration::from_secs(5), || {
                    catalog.get_results() != before
                }) {
                    answered += 1;
                }
                done += 1;
                if done.is_multiple_of(1000) {
                    search_samples.push((done, rss_kib()));
                }
            }
        }
    }
    let search_time = started.elapsed();
    let rss_end = rss_kib();
    let results = catalog.get_results().row_count();

    println!(
        "tickets: {issued} of {tickets} issued and printed in {:.1} s",
        ticket_time.as_secs_f64()
    );
    for (n, kib) in &samples {
        println!("  after {n:>5} tickets: {kib:>7} KiB");
    }
    println!(
        "searches: {done} typed ({answered} answered, last list {results} rows) in {:.1} s",
        search_time.as_secs_f64()
    );
    for (n, kib) in &search_samples {
        println!("  after {n:>5} searches: {kib:>7} KiB");
    }
    // Growth once warm: the second half of each run against its middle.
    let half = |v: &[(u32, u64)]| v[v.len() / 2].1;
    let growth_tickets = rss_tickets as i64 - half(&samples) as i64;
    let growth_searches = rss_end as i64 - half(&search_samples) as i64;
    println!(
        "RSS: ready {:.1} MiB, after tickets {:.1} MiB, after searches {:.1} MiB (target < 80 MB); \
         growth over the second half: tickets {growth_tickets:+} KiB, searches {growth_searches:+} KiB",
        rss_ready as f64 / 1024.0,
        rss_tickets as f64 / 1024.0,
        rss_end as f64 / 1024.0,
    );
    if issued < tickets || answered < searches {
        eprintln!("memory: not every ticket or search went through");
        std::process::exit(1);
    }
}
