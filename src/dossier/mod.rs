//! Dossier status lookup: what a citizen typed or scanned becomes a valid code, the central
//! system's answer becomes words, colours and dates for the screen, a slip and the CLI. The
//! [`Enquiry`] checks and tags the screen's lookups, the [`Worker`] asks (and takes SMS
//! subscriptions) on its own thread;
//! [`scanner`] reads a serial barcode scanner.
//!
//! Privacy: nothing here writes to disk or logs a code or a result; callers log only outcomes.

pub mod code;
mod enquiry;
pub mod limit;
pub mod lines;
mod lookup;
pub mod scan;
pub mod scanner;
mod slip;
mod status;
mod subscribe;
mod view;
mod worker;

pub use code::{CodeError, DossierCode, normalize};
pub use enquiry::{Enquiry, Refused, as_scanned};
pub use lookup::{Outcome, lookup};
pub use slip::{Slip, deliver_slip, screen_slip};
pub use status::{StatusInfo, Timeliness, Tone, status_info, timeliness};
pub use subscribe::{SmsOffer, SubscriptionOutcome};
pub use view::{DossierView, LATE_EN, LATE_VI, StepView, slip_lines, text_report};
pub use worker::{Answer, SubscriptionAnswer, Worker, WorkerReport, WorkerStopped};
