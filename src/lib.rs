//! Một Cửa Kiosk: the lobby touchscreen of a Vietnamese one-stop public-service office.
//!
//! Module map (one job each; only `app` knows both Slint and the rest):
//! - [`config`]: `kiosk-config.toml` → validated [`config::Config`], errors with file:line:column.
//! - [`cli`]: the technician's command line.
//! - [`logging`]: stderr + daily-rotated log files; the recent problems for the admin screen.
//! - [`language`]: Vietnamese and English.
//! - [`clock`]: office time and dates in Vietnamese and English.
//! - [`pin`]: the admin PIN hash.
//! - [`admin`]: the admin screen's wrong-PIN lock and network addresses.
//! - [`supervise`]: worker threads restarted after a panic; panics logged.
//! - [`server`]: the central API client.
//! - [`catalog`]: the procedure catalog: SQLite cache, Vietnamese search-as-you-type, sync.
//! - [`dossier`]: dossier lookup: code normalising, scanner input, statuses in citizens' words.
//! - [`queue`]: queue tickets: server or offline numbers, SQLite, outbox.
//! - [`feedback`]: satisfaction ratings: faces, reasons, the request kept and sent.
//! - [`ticket`]: a ticket (or lines) → ESC/POS bytes in raster, code-page or ASCII text; preview PNG.
//! - [`printer`]: printer transports, real-time status, the printer thread.
//! - [`tone`]: the optional ticket tone.
//! - [`systemd`]: readiness and the watchdog for systemd.
//! - [`workers`]: every worker thread started from one config, reporting through one callback.
//! - [`app`]: the Slint window wired to the rest; the UI thread never blocks.
//! - [`ui`]: code generated from `ui/*.slint`.
#![deny(clippy::unwrap_used)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod admin;
pub mod app;
pub mod catalog;
pub mod cli;
pub mod clock;
pub mod config;
pub mod dossier;
pub mod feedback;
pub mod language;
pub mod logging;
pub mod pin;
pub mod printer;
pub mod queue;
pub mod server;
pub mod supervise;
pub mod systemd;
pub mod ticket;
pub mod tone;
pub mod ui;
pub mod workers;
