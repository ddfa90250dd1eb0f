//! Every worker thread behind the screen, started from one config: the server link, the printer
//! thread, the catalog worker, the queue desk, dossier lookups and a serial scanner. They all
//! report through one callback, so the screen (or a test) hears them in one place; the handles
//! ask them for work. The printer's state and the catalog's version reach the fleet's heartbeat
//! here, without the screen in between.

use crate::catalog::{self, CatalogReport};
use crate::config::{Config, PrinterTransport};
use crate::dossier::{self, scanner::Scanner};
use crate::printer::{Printer, PrinterSettings, PrinterState};
use crate::queue::{Desk, DeskReport, DeskSettings};
use crate::server::link::{Link, LinkReport, LinkSettings, LinkStatus, SharedClient};

/// What any worker reports.
#[derive(Debug, Clone)]
pub enum Report {
    Link(LinkReport),
    Printer(PrinterState),
    Catalog(CatalogReport),
    Queue(DeskReport),
    Dossier(dossier::WorkerReport),
    /// Text read by the serial scanner.
    Scanned(String),
}

/// The running workers; each stops when its handle is dropped.
pub struct Workers {
    pub printer: Printer,
    /// What the heartbeat tells the fleet, kept current by the workers.
    pub link_status: LinkStatus,
    pub catalog: catalog::Worker,
    pub desk: Desk,
    /// `None` when no server is configured.
    pub lookups: Option<dossier::Worker>,
    pub scanner: Option<Scanner>,
    pub link: Option<Link>,
}

impl Workers {
    /// Starts every worker `config` asks for; `report` is called from their threads.
    pub fn start(config: &Config, report: impl Fn(Report) + Clone + Send + 'static) -> Self {
        let link_status = LinkStatus::new(match config.printer.transport {
            PrinterTransport::Preview { .. } => "preview",
            _ => "offline",
        });
        let shared = SharedClient::default();
        let link = LinkSettings::from_config(config, &link_status).map(|settings| {
            let report = report.clone();
            Link::spawn(settings, shared.clone(), move |r| report(Report::Link(r)))
        });
        let server = link.as_ref().map(|_| shared);
        if let Some(link) = &link {
            link_status.wake_on_change(link.waker());
        }
        let printer = {
            let (report, status) = (report.clone(), link_status.clone());
            let waker = link.as_ref().map(Link::waker);
            // The fleet hears of a printer change at once, not at the next heartbeat.
            Printer::spawn(PrinterSettings::from_config(config), move |state| {
                status.set_printer(state.heartbeat_code());
                if let Some(waker) = &waker {
                    waker.wake();
                }
                report(Report::Printer(state));
            })
        };
        let catalog = {
            let report = report.clone();
            catalog::Worker::spawn(
                catalog::WorkerSettings::from_config(config),
                server.clone(),
                printer.clone(),
                link_status.clone(),
                move |r| report(Report::Catalog(r)),
            )
        };
        let desk = {
            let report = report.clone();
            Desk::spawn(
                DeskSettings::from_config(config),
                server.clone(),
                printer.clone(),
                link_status.clone(),
                move |r| report(Report::Queue(r)),
            )
        };
        let lookups = server.map(|server| {
            let report = report.clone();
            dossier::Worker::spawn(server, move |a| report(Report::Dossier(a)))
        });
        let scanner =
            config.scanner.serial.clone().map(|port| {
                dossier::scanner::spawn(port, move |code| report(Report::Scanned(code)))
            });
        Self {
            printer,
            link_status,
            catalog,
            desk,
            lookups,
            scanner,
            link,
        }
    }
}
