//! Một Cửa Kiosk: the lobby touchscreen of a Vietnamese one-stop public-service office.
//!
//! Module map, floor by floor (a module uses only lower floors; DEVELOPERS.md, "Architecture";
//! `tests/architecture.rs` checks it). Only `app` knows both Slint and the rest.
//! - Foundations: [`language`] (Vietnamese and English); [`ticket`] (a ticket or lines → ESC/POS
//!   bytes in raster, code-page or ASCII text; preview PNG); [`pin`] (the admin PIN hash);
//!   [`supervise`] (worker threads restarted after a panic, one-shot jobs that always answer);
//!   [`systemd`] (readiness and the watchdog); [`tone`] (the ticket tone); [`ui`] (code
//!   generated from `ui/*.slint`).
//! - The kiosk's words: [`clock`] (office time, dates in both languages); [`config`]
//!   (`kiosk-config.toml` → validated [`config::Config`], errors with file:line:column).
//! - The outside world: [`logging`] (stderr, daily log files, the recent problems); [`server`]
//!   (the central API client and its link worker); [`printer`] (transports, real-time status,
//!   the printer thread).
//! - The domains, each with its worker: [`catalog`] (SQLite cache, Vietnamese
//!   search-as-you-type, sync, checklists); [`queue`] (server or offline numbers, SQLite, outbox,
//!   the desk); [`dossier`] (codes, lookups, scanners, statuses in citizens' words); [`feedback`]
//!   (satisfaction ratings).
//! - Putting them together: [`workers`] (every worker from one config, one report callback);
//!   [`admin`] (the admin screen's PIN lock, facts and one-shot jobs).
//! - [`app`]: the Slint window; maps worker reports to screens and taps to work. Never blocks.
//! - [`cli`]: the technician's command line; its run command opens the window.
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
pub mod speech;
pub mod supervise;
pub mod systemd;
pub mod ticket;
pub mod tone;
pub mod ui;
pub mod workers;
