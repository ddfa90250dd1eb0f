//! What each fuzz target checks, in one place: the fuzz targets (`fuzz/fuzz_targets/*.rs`) and
//! the seed replay test on stable Rust (`tests/fuzz_seeds.rs`) both include this file, so the
//! two cannot drift apart.
//!
//! Every check takes arbitrary bytes. Refusing the input is fine; a panic (including a failed
//! `assert!` below) is a bug.

use std::io;
use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset};
use motcua_kiosk::catalog::{Catalog, CatalogError};
use motcua_kiosk::config;
use motcua_kiosk::dossier::lines::LineReader;
use motcua_kiosk::dossier::scan::{self, ScanDetector};
use motcua_kiosk::dossier::{self, DossierView, code};
use motcua_kiosk::language::Language;
use motcua_kiosk::printer::status::{self, PrinterState};
use motcua_kiosk::server::ServerError;
use motcua_kiosk::server::model::{
    CatalogSnapshot, Dossier, FeedbackAck, HeartbeatAck, Problem, QueueServices, Ticket, decode,
};
use serde::de::DeserializeOwned;

/// What a target runs on one input; it panics on a bug.
pub type Check = fn(&[u8]);

/// Every target: its name (the folder under `fuzz/corpus/`) and its check.
pub const TARGETS: &[(&str, Check)] = &[
    ("config", config),
    ("dossier_code", dossier_code),
    ("search_query", search_query),
    ("printer_status", printer_status),
    ("server_response", server_response),
];

/// `kiosk-config.toml` text: valid configs summarise and reload onto themselves without a
/// change; refused ones name problems at a line and column inside the text.
pub fn config(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match config::parse(&text, Path::new(config::FILE_NAME)) {
        Ok(cfg) => {
            let _ = config::Summary(&cfg).to_string();
            let reload = config::reload::merge(&cfg, &cfg);
            assert!(
                reload.applied.is_empty() && reload.need_restart.is_empty(),
                "a config reloaded onto itself changed {:?} / {:?}",
                reload.applied,
                reload.need_restart
            );
            assert_eq!(reload.running, cfg);
        }
        Err(e) => {
            let shown = e.to_string();
            assert!(
                !e.problems().is_empty(),
                "refused without a problem: {shown}"
            );
            let lines: Vec<&str> = text.split('\n').collect();
            for p in e.problems() {
                assert!(
                    p.line >= 1 && p.line <= lines.len(),
                    "line {} outside the text ({} lines): {shown}",
                    p.line,
                    lines.len()
                );
                let columns = lines[p.line - 1].chars().count() + 1;
                assert!(
                    p.column >= 1 && p.column <= columns,
                    "column {} outside line {} ({columns} columns): {shown}",
                    p.column,
                    p.line
                );
                assert!(!p.key.is_empty(), "a problem without a key: {shown}");
                assert!(shown.contains(&p.message));
            }
        }
    }
}

/// What a citizen types, pastes or scans as a dossier code: on the keypad, through a keyboard
/// scanner (timing taken from the bytes) and through a serial scanner.
pub fn dossier_code(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    check_code(&text);
    let shown = code::format_as_typed(&text);
    assert!(shown.len() <= text.len() + 5, "{text:?} shown as {shown:?}");

    let mut detector = ScanDetector::default();
    let mut at = Instant::now();
    for (i, c) in text.char_indices() {
        // Most keys a scanner's few milliseconds apart, some a person's pause.
        let gap = data.get(i).map_or(0, |b| u64::from(b % 64));
        at += Duration::from_millis(gap);
        if let Some(scanned) = detector.key(&text[i..i + c.len_utf8()], at) {
            check_scan(&scanned);
        }
    }
    // The same text as one event (a scanner that sends a whole line at once).
    if let Some(scanned) = detector.key(&text, at + Duration::from_secs(1)) {
        check_scan(&scanned);
    }

    let mut reader = LineReader::default();
    let (first, second) = data.split_at(data.len() / 2);
    for line in reader.push(first).into_iter().chain(reader.push(second)) {
        assert!(!line.is_empty() && line.trim() == line, "{line:?}");
        check_code(&line);
    }
}

fn check_scan(scanned: &str) {
    let len = scanned.chars().count();
    assert!(
        (scan::MIN_LEN..=scan::MAX_LEN).contains(&len),
        "a scan of {len} characters"
    );
    check_code(scanned);
}

/// A code that is accepted is valid, and stays the same when normalised again.
fn check_code(text: &str) {
    match dossier::normalize(text) {
        Ok(found) => {
            let c = found.as_str();
            assert!(
                (code::MIN_LEN..=code::MAX_LEN).contains(&c.len()),
                "{text:?} → {c:?}"
            );
            assert!(
                c.bytes().all(|b| b.is_ascii_uppercase()
                    || b.is_ascii_digit()
                    || b == b'.'
                    || b == b'-'),
                "{text:?} → {c:?}"
            );
            assert_eq!(dossier::normalize(c).as_ref(), Ok(&found), "{text:?}");
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
}

thread_local! {
    /// The bundled seed catalog, opened once per thread.
    static CATALOG: Catalog =
        Catalog::open_in_memory().expect("the in-memory catalog with the bundled seed opens");
}

/// What a citizen types in the search box, run as real searches on the seed catalog. No text
/// may reach SQLite as syntax: any SQLite error (an FTS5 syntax error above all) is a bug.
pub fn search_query(data: &[u8]) {
    let query = String::from_utf8_lossy(data);
    CATALOG.with(|catalog| {
        for (field, limit) in [(None, 20), (None, 1), (Some("Hộ tịch"), 5)] {
            match catalog.search(&query, field, limit) {
                Ok(hits) => assert!(hits.len() <= limit, "{} hits for {limit}", hits.len()),
                Err(CatalogError::Sqlite(e)) => {
                    panic!("search for {query:?} failed in SQLite: {e}")
                }
                Err(_) => {}
            }
        }
        // The text as a field name: only ever a parameter.
        match catalog.in_field(&query, 5) {
            Ok(hits) => assert!(hits.len() <= 5),
            Err(CatalogError::Sqlite(e)) => panic!("field {query:?} failed in SQLite: {e}"),
            Err(_) => {}
        }
    });
}

/// Bytes as answers to `DLE EOT 1`, `2`, `4`: every three in a row read as one state, then a
/// whole status check served from the bytes (0x00 stands for a broken link, the end of the
/// bytes for a silent printer).
pub fn printer_status(data: &[u8]) {
    for &b in data {
        check_answers(b, b, b);
    }
    for w in data.windows(3) {
        check_answers(w[0], w[1], w[2]);
    }

    let mut bytes = data.iter().copied();
    let mut asked = Vec::new();
    let state = status::query(|n| {
        asked.push(n);
        match bytes.next() {
            None => Ok(None),
            Some(0) => Err(io::Error::from(io::ErrorKind::BrokenPipe)),
            Some(b) => Ok(Some(b)),
        }
    });
    assert!(asked.len() <= 2 * status::QUERIES.len(), "asked {asked:?}");
    assert!(
        asked.iter().all(|n| status::QUERIES.contains(n)),
        "asked {asked:?}"
    );
    assert_ne!(state, PrinterState::Preview);
    assert_eq!(state.to_string(), state.code());
}

fn check_answers(printer: u8, offline_cause: u8, paper: u8) {
    let state = PrinterState::from_answers(printer, offline_cause, paper);
    let valid = [printer, offline_cause, paper]
        .into_iter()
        .all(status::is_status_byte);
    assert_eq!(
        state.is_some(),
        valid,
        "{printer:#04x} {offline_cause:#04x} {paper:#04x}"
    );
    if let Some(s) = state {
        assert!(
            !matches!(
                s,
                PrinterState::NoAnswer | PrinterState::NotConnected | PrinterState::Preview
            ),
            "{printer:#04x} {offline_cause:#04x} {paper:#04x} → {s}"
        );
    }
}

/// Bytes as the body of every answer the kiosk decodes; a dossier that decodes is also laid out
/// for the screen, the slip and the CLI. Then the first two bytes as an HTTP error status and
/// the rest as its `Retry-After` and problem document.
pub fn server_response(data: &[u8]) {
    decoded::<CatalogSnapshot>(data);
    decoded::<QueueServices>(data);
    decoded::<Ticket>(data);
    decoded::<FeedbackAck>(data);
    decoded::<HeartbeatAck>(data);
    decoded::<Problem>(data);
    if let Some(found) = decoded::<Dossier>(data) {
        let now: DateTime<FixedOffset> =
            DateTime::parse_from_rfc3339("2026-11-27T10:00:00+07:00").expect("a valid time");
        for lang in [Language::Vi, Language::En] {
            let view = DossierView::new(&found, lang, now);
            for columns in [32, 48] {
                let _ = dossier::slip_lines(&view, "Bộ phận Một cửa", lang, now, columns);
            }
            let _ = dossier::text_report(&view, lang, 80);
        }
    }

    if let [hi, lo, rest @ ..] = data {
        let status = u16::from_be_bytes([*hi, *lo]);
        let retry_after = std::str::from_utf8(rest).ok();
        let e = ServerError::from_status(status, retry_after, Some(rest));
        let _ = e.to_string();
        let _ = e.kind();
        let _ = e.is_transient();
    }
}

fn decoded<T: DeserializeOwned>(body: &[u8]) -> Option<T> {
    match decode::<T>(body) {
        Ok(value) => Some(value),
        Err(e) => {
            assert!(matches!(e, ServerError::BadResponse(_)), "{e:?}");
            let _ = e.to_string();
            None
        }
    }
}
