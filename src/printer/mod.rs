//! The receipt printer: transports (serial, TCP port 9100, device file such as a USB printer's
//! `/dev/usb/lp0`, preview folder),
//! ESC/POS real-time status (`DLE EOT`), and the printer thread that owns the transport, polls
//! the status and reconnects a printer that was unplugged.
//!
//! The UI thread only reads [`Printer::state`]; [`Printer::print`] and [`Printer::check_now`]
//! block their caller and belong on a worker thread.

mod device;
pub mod status;
pub mod transport;
mod worker;

pub use status::PrinterState;
pub use transport::{OpenError, RenderPreview, Transport};
pub use worker::{Job, JobOutcome, PrintFailure, Printer, PrinterSettings, SharedRender};
