//! Catalog benchmark: import of synthetic catalogs, sync of 10,000 procedures from the reference
//! server over HTTP (first a full copy, then a 1 % change as a delta, then "unchanged"), and
//! search latency per keystroke over 10,000 procedures for 200 short queries and 40 long real
//! names, typed letter by letter. An import or a sync is timed until its commit (the catalog is
//! searchable by name from then on), and again until the document index built after it is
//! committed too.
//!
//! `cargo bench --bench catalog` (release). Criterion reports means; the keystroke loop below
//! prints the percentiles the kiosk's targets are written in (p99 ≤ 3 ms, max ≤ 16 ms).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BatchSize, Criterion};
use motcua_kiosk::catalog::{Catalog, synth};

const SEED: u64 = 2026;
/// What the search screen asks for.
const LIMIT: usize = 20;

fn catalog_json(n: usize) -> String {
    serde_json::to_string(&synth::procedures(n, SEED)).unwrap_or_default()
}

/// A file-backed catalog (WAL, as on a kiosk) holding `n` synthetic procedures.
fn filled_catalog(dir: &std::path::Path, n: usize) -> Catalog {
    let mut catalog = Catalog::open(&dir.join("catalog.sqlite3")).expect("open");
    catalog.import_json(&catalog_json(n)).expect("import");
    // Keystrokes that fall through to the documents must find them.
    catalog.wait_for_documents().expect("document index");
    catalog
}

/// Every prefix of every query, as a touchscreen sends them.
fn keystrokes(queries: &[String]) -> Vec<String> {
    queries
        .iter()
        .flat_map(|q| {
            q.char_indices()
                .map(|(i, c)| q[..i + c.len_utf8()].to_string())
                .collect::<Vec<_>>()
        })
        .collect()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

/// Times each keystroke's search once (after one warm-up pass) and prints percentiles.
fn keystroke_percentiles(catalog: &Catalog, what: &str, queries: &[String]) {
    let keys = keystrokes(queries);
    for k in &keys {
        black_box(catalog.search(k, None, LIMIT).expect("search"));
    }
    let mut timed: Vec<(Duration, &str)> = keys
        .iter()
        .map(|k| {
            let start = Instant::now();
            black_box(catalog.search(k, None, LIMIT).expect("search"));
            (start.elapsed(), k.as_str())
        })
        .collect();
    timed.sort_by_key(|(d, _)| *d);
    let sorted: Vec<Duration> = timed.iter().map(|(d, _)| *d).collect();
    println!(
        "catalog/keystroke over {} procedures, {what}: {} keystrokes, limit {LIMIT}",
        catalog.meta().map(|m| m.procedures).unwrap_or_default(),
        keys.len()
    );
    println!(
        "  p50 {}  p90 {}  p99 {}  max {}",
        ms(percentile(&sorted, 50.0)),
        ms(percentile(&sorted, 90.0)),
        ms(percentile(&sorted, 99.0)),
        ms(percentile(&sorted, 100.0))
    );
    println!("  slowest keystrokes:");
    for (d, k) in timed.iter().rev().take(5) {
        println!("    {}  {k:?}", ms(*d));
    }
}

/// One timed import per size (criterion's means follow).
fn import_once(n: usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    let json = catalog_json(n);
    let mut catalog = Catalog::open(&dir.path().join("catalog.sqlite3")).expect("open");
    catalog.wait_for_documents().expect("seed's document index");
    let start = Instant::now();
    let report = catalog.import_json(&json).expect("import");
    let elapsed = start.elapsed();
    catalog.wait_for_documents().expect("document index");
    let documents = start.elapsed();
    println!(
        "catalog/import {n}: {} ({} procedures, {} KiB of JSON); documents searchable after {}",
        ms(elapsed),
        report.procedures,
        json.len() / 1024,
        ms(documents)
    );
}

/// The reference server on loopback, given a catalog of `n` procedures through its admin call;
/// a kiosk catalog syncs it, then a 1 % change, then nothing new.
fn sync_once(n: usize) {
    const ADMIN: &str = "bench-admin";
    const TOKEN: &str = "bench-token";
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = motcua_central::CentralConfig::demo(
        dir.path().join("central.sqlite3"),
        "BENCH-01".into(),
        TOKEN.into(),
    );
    config.admin_token = Some(ADMIN.into());
    config.clock = motcua_central::Clock::system();
    let server = motcua_central::spawn(config).expect("central");
    let upload = |procedures: &[motcua_kiosk::server::model::Procedure]| {
        let answer = reqwest::blocking::Client::new()
            .post(format!("{}/api/v1/admin/catalog", server.base_url()))
            .bearer_auth(ADMIN)
            .header("content-type", "application/json")
            .body(serde_json::to_string(procedures).expect("json"))
            .timeout(Duration::from_secs(300))
            .send()
            .expect("upload");
        assert!(answer.status().is_success(), "{}", answer.status());
    };
    let client = motcua_kiosk::server::CentralClient::new(&motcua_kiosk::server::ClientSettings {
        base_url: url::Url::parse(&server.base_url()).expect("url"),
        token: motcua_kiosk::config::Secret::new(TOKEN),
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_secs(120),
        ca_file: None,
        max_body: motcua_kiosk::server::DEFAULT_MAX_BODY,
        max_catalog_body: motcua_kiosk::server::DEFAULT_MAX_CATALOG_BODY,
        retries: 1,
    })
    .expect("client");
    let mut procedures = synth::procedures(n, SEED);
    upload(&procedures);
    let mut catalog = Catalog::open(&dir.path().join("kiosk.sqlite3")).expect("open");
    catalog.wait_for_documents().expect("seed's document index");
    let mut timed = |what: &str| {
        let start = Instant::now();
        let outcome = motcua_kiosk::catalog::sync(&mut catalog, &client).expect("sync");
        let elapsed = start.elapsed();
        catalog.wait_for_documents().expect("document index");
        let documents = start.elapsed();
        match outcome {
            motcua_kiosk::catalog::SyncOutcome::Updated(r) => println!(
                "catalog/sync {n}, {what}: {} (version {}, {} procedures, {} changed, {} removed); \
                 documents searchable after {}",
                ms(elapsed),
                r.version,
                r.procedures,
                r.changed,
                r.removed,
                ms(documents)
            ),
            motcua_kiosk::catalog::SyncOutcome::Unchanged => {
                println!("catalog/sync {n}, {what}: {} (304, unchanged)", ms(elapsed))
            }
        }
    };
    timed("full copy");
    for p in procedures.iter_mut().take(n / 100) {
        p.name.push_str(" (sửa đổi)");
    }
    upload(&procedures);
    timed("1 % changed");
    timed("nothing new");
}

fn criterion_benches(c: &mut Criterion, catalog: &Catalog, queries: &[String]) {
    let mut group = c.benchmark_group("catalog");
    group.sample_size(10);
    for n in [1_000, 10_000] {
        let json = catalog_json(n);
        group.bench_function(format!("import_{n}"), |b| {
            b.iter_batched(
                || {
                    let dir = tempfile::tempdir().expect("temp dir");
                    let mut catalog = Catalog::open(&dir.path().join("c.sqlite3")).expect("open");
                    catalog.wait_for_documents().expect("seed's document index");
                    (dir, catalog)
                },
                |(dir, mut catalog)| {
                    black_box(catalog.import_json(&json).expect("import"));
                    (dir, catalog)
                },
                BatchSize::PerIteration,
            )
        });
    }
    // Means for a few whole queries typed letter by letter (the percentiles above cover all
    // 200; timing all of them here would take minutes).
    group.sample_size(20);
    for query in queries.iter().take(3) {
        let keys = keystrokes(std::slice::from_ref(query));
        group.bench_function(format!("type_{:?}_10000", query), |b| {
            b.iter(|| {
                for k in &keys {
                    black_box(catalog.search(k, None, LIMIT).expect("search"));
                }
            })
        });
    }
    group.finish();
}

fn main() {
    // RUST_LOG=motcua_kiosk=debug shows the import phases.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .try_init();
    // `cargo test --all-targets` runs benches without `--bench`: a smoke run only.
    if !std::env::args().any(|a| a == "--bench") {
        let dir = tempfile::tempdir().expect("temp dir");
        let catalog = filled_catalog(dir.path(), 200);
        keystroke_percentiles(&catalog, "smoke", &synth::queries(5, SEED));
        return;
    }
    import_once(1_000);
    import_once(10_000);
    sync_once(10_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let catalog = filled_catalog(dir.path(), 10_000);
    let queries = synth::queries(200, SEED);
    keystroke_percentiles(&catalog, "200 short queries", &queries);
    keystroke_percentiles(
        &catalog,
        "40 long real names",
        &synth::long_queries(40, SEED),
    );
    let mut c = Criterion::default().configure_from_args();
    criterion_benches(&mut c, &catalog, &queries);
    c.final_summary();
}
