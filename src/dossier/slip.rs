//! The slip a citizen takes away after a lookup: printed off the UI thread, or shown on screen
//! when the kiosk has only the preview printer, whose pictures are files: a dossier result never
//! touches the disk.

use std::time::Duration;

use chrono::{DateTime, FixedOffset};

use super::view::{DossierView, slip_job, slip_lines};
use crate::config::{Config, PrinterTransport};
use crate::language::Language;
use crate::printer::{JobOutcome, Printer};

/// A slip waits at most this long for the printer.
const SLIP_TIMEOUT: Duration = Duration::from_secs(60);

/// Where [`deliver_slip`] sent the slip.
#[derive(Debug, Clone, PartialEq)]
pub enum Slip {
    /// The lines to show: the kiosk prints to the preview printer.
    OnScreen(Vec<String>),
    /// On its way to the printer; `printed` will answer.
    Printing,
}

/// The slip's lines at the width of the kiosk's paper, for the screen.
pub fn screen_slip(
    view: &DossierView,
    config: &Config,
    lang: Language,
    now: DateTime<FixedOffset>,
) -> Vec<String> {
    let columns = crate::ticket::columns(&config.printer.layout());
    slip_lines(view, &config.kiosk.office_name, lang, now, columns)
}

/// Prints the slip on `printer`, or gives its lines back for the screen when the kiosk prints
/// to the preview printer. A print always answers through `printed` (a print that failed badly
/// reads as not printed); an error means the print could not start.
pub fn deliver_slip(
    view: &DossierView,
    config: &Config,
    lang: Language,
    now: DateTime<FixedOffset>,
    printer: Printer,
    printed: impl FnOnce(bool) + Send + 'static,
) -> std::io::Result<Slip> {
    if matches!(config.printer.transport, PrinterTransport::Preview { .. }) {
        tracing::info!("dossier slip shown on the preview printer");
        return Ok(Slip::OnScreen(screen_slip(view, config, lang, now)));
    }
    let layout = config.printer.layout();
    let job = slip_job(view, &config.kiosk.office_name, lang, now, &layout);
    let print = move || {
        let ok = matches!(printer.print(job, SLIP_TIMEOUT), JobOutcome::Printed { .. });
        tracing::info!(ok, "dossier slip printed");
        ok
    };
    crate::supervise::once("dossier-slip", false, print, printed)?;
    Ok(Slip::Printing)
}
