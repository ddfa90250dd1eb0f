//! The catalog worker without a window: searches, details and checklists on its own thread, and
//! the sync schedule against the reference server.

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use motcua_kiosk::catalog::{CatalogReport, Worker, WorkerSettings};
use motcua_kiosk::config::PrinterTransport;
use motcua_kiosk::language::Language;
use motcua_kiosk::printer::{Printer, PrinterSettings};
use motcua_kiosk::server::link::{LinkStatus, SharedClient};
use motcua_kiosk::ticket::{Layout, TextMode};

use crate::support::net;
use crate::support::wait::{PATIENCE, first};

fn settings(dir: &Path) -> WorkerSettings {
    WorkerSettings {
        database: dir.join("catalog.sqlite3"),
        sync_every: Duration::from_secs(3600),
        layout: Layout {
            width_dots: 576,
            text_mode: TextMode::Ascii,
        },
        office: "Trung tâm Phục vụ hành chính công phường Hải Châu".into(),
    }
}

fn preview_printer(dir: &Path) -> Printer {
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

fn worker(
    settings: WorkerSettings,
    server: Option<SharedClient>,
    printer: Printer,
) -> (Worker, mpsc::Receiver<CatalogReport>) {
    let (reports, heard) = mpsc::channel();
    let worker = Worker::spawn(
        settings,
        server,
        printer,
        LinkStatus::new("preview"),
        move |report| {
            let _ = reports.send(report);
        },
    );
    (worker, heard)
}

fn ready_version(heard: &mpsc::Receiver<CatalogReport>) -> u64 {
    match first(heard, PATIENCE, |r| {
        matches!(r, CatalogReport::Ready { .. })
    }) {
        Some(CatalogReport::Ready { meta, fields }) => {
            assert!(!fields.is_empty());
            meta.version
        }
        _ => panic!("the catalog did not open"),
    }
}

#[test]
fn searches_opens_and_prints_a_checklist_on_its_own_thread() {
    let dir = tempfile::tempdir().unwrap();
    let preview = dir.path().join("preview");
    let (worker, heard) = worker(settings(dir.path()), None, preview_printer(&preview));
    assert_eq!(ready_version(&heard), 0, "the seed");

    // Typing fast: only the newest of the waiting searches has to be answered.
    for query in ["k", "kh", "khai sinh"] {
        worker.search(query, "");
    }
    let hits = loop {
        match first(&heard, PATIENCE, |r| matches!(r, CatalogReport::Results(_))) {
            Some(CatalogReport::Results(hits)) if hits.iter().any(|h| h.code == "2.000528") => {
                break hits;
            }
            Some(_) => continue,
            None => panic!("no results for \"khai sinh\""),
        }
    };
    assert!(hits.len() <= motcua_kiosk::catalog::RESULT_LIMIT);

    worker.open("2.000528");
    match first(&heard, PATIENCE, |r| matches!(r, CatalogReport::Detail(_))) {
        Some(CatalogReport::Detail(detail)) => assert_eq!(detail.code, "2.000528"),
        _ => panic!("no detail"),
    }

    worker.print_checklist("2.000528", Language::Vi);
    assert!(matches!(
        first(&heard, PATIENCE, |r| matches!(r, CatalogReport::Printed(_))),
        Some(CatalogReport::Printed(true))
    ));
    let printed = std::fs::read_dir(&preview)
        .unwrap()
        .filter_map(Result::ok)
        .any(|e| {
            e.file_name()
                .to_string_lossy()
                .contains("checklist-2-000528")
        });
    assert!(printed, "the checklist is in the preview folder");

    worker.print_checklist("no-such-code", Language::Vi);
    assert!(matches!(
        first(&heard, PATIENCE, |r| matches!(r, CatalogReport::Printed(_))),
        Some(CatalogReport::Printed(false))
    ));
}

#[test]
fn syncs_soon_after_start_and_when_asked() {
    let central = net::central();
    let dir = tempfile::tempdir().unwrap();
    let (worker, heard) = worker(
        settings(dir.path()),
        Some(central.client().into()),
        preview_printer(&dir.path().join("preview")),
    );
    assert_eq!(ready_version(&heard), 0, "the seed first");
    // The first sync comes by itself, a moment after start.
    let synced = ready_version(&heard);
    assert!(synced >= 1, "{synced}");
    // Asked again, the server has nothing new: no new announcement, the worker still answers.
    worker.sync_now();
    worker.search("khai sinh", "");
    assert!(matches!(
        first(&heard, PATIENCE, |r| !matches!(
            r,
            CatalogReport::Ready { .. }
        )),
        Some(CatalogReport::Results(_))
    ));
}

#[test]
fn a_catalog_that_cannot_be_opened_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    // A file where the catalog's folder should be.
    std::fs::write(dir.path().join("folder"), "").unwrap();
    let mut settings = settings(dir.path());
    settings.database = dir.path().join("folder").join("catalog.sqlite3");
    let (_worker, heard) = worker(settings, None, preview_printer(&dir.path().join("preview")));
    assert!(matches!(
        first(&heard, PATIENCE, |_| true),
        Some(CatalogReport::Unavailable)
    ));
}
