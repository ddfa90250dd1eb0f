//! The workers behind the screen started from one config, without a window: each reports
//! through the one callback.

use std::sync::mpsc;

use motcua_kiosk::catalog::CatalogReport;
use motcua_kiosk::config::{Config, PrinterTransport};
use motcua_kiosk::printer::PrinterState;
use motcua_kiosk::queue::DeskReport;
use motcua_kiosk::server::link::{LinkReport, LinkState};
use motcua_kiosk::workers::{Report, Workers};

use crate::support::net::{self, central};
use crate::support::wait::{PATIENCE, first};
use crate::support::{self, MINIMAL};

/// `text` with its state, catalog and preview folder in `dir`.
fn config(text: &str, dir: &std::path::Path) -> Config {
    let mut config =
        support::parse(&support::with_data_dir(text, dir)).unwrap_or_else(|e| panic!("{e}"));
    config.catalog.database = dir.join("catalog.sqlite3");
    config.printer.transport = PrinterTransport::Preview {
        dir: dir.join("preview"),
    };
    config
}

fn start(config: &Config) -> (Workers, mpsc::Receiver<Report>) {
    let (reports, heard) = mpsc::channel();
    let workers = Workers::start(config, move |r| {
        let _ = reports.send(r);
    });
    (workers, heard)
}

#[test]
fn an_offline_kiosk_hears_its_printer_catalog_and_queue() {
    let dir = tempfile::tempdir().unwrap();
    let (workers, heard) = start(&config(MINIMAL, dir.path()));
    assert!(
        workers.link.is_none() && workers.lookups.is_none(),
        "no server configured"
    );
    assert!(matches!(
        first(&heard, PATIENCE, |r| matches!(r, Report::Printer(_))),
        Some(Report::Printer(PrinterState::Preview))
    ));
    assert!(
        first(&heard, PATIENCE, |r| matches!(
            r,
            Report::Catalog(CatalogReport::Ready { .. })
        ))
        .is_some()
    );
    workers.desk.refresh();
    assert!(matches!(
        first(&heard, PATIENCE, |r| matches!(r, Report::Queue(_))),
        Some(Report::Queue(DeskReport::Services(None)))
    ));
}

#[test]
fn a_connected_kiosk_hears_the_server_and_its_queues() {
    let central = central();
    let dir = tempfile::tempdir().unwrap();
    let text = support::with_server(MINIMAL, central.url().as_str(), net::KIOSK_TOKEN);
    let (workers, heard) = start(&config(&text, dir.path()));
    assert!(
        first(&heard, PATIENCE, |r| matches!(
            r,
            Report::Link(LinkReport::State(LinkState::Online { .. }))
        ))
        .is_some()
    );
    workers.desk.refresh();
    assert!(
        first(&heard, PATIENCE, |r| matches!(
            r,
            Report::Queue(DeskReport::Services(Some(services))) if !services.is_empty()
        ))
        .is_some()
    );
}
