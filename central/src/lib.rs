//! `motcua-central`: the reference central server of the Một Cửa kiosk, implementing
//! Central API v1 (`docs/central-api.md`) over plain HTTP with SQLite or PostgreSQL storage.
//!
//! Module map (one job each):
//! - [`config`] / [`clock`]: what the embedder decides; the injectable "now".
//! - [`config_file`]: `central.toml`, checked, every problem with file:line:column.
//! - `server`: [`spawn`] on its own thread and tokio runtime; [`RunningCentral`].
//! - [`store`]: SQLite or PostgreSQL behind one interface; migrations for both.
//! - [`offices`]: offices with their services and hours.
//! - [`seed`]: first-start data (55 real procedures, services, hours, sample dossiers).
//! - `catalog`, `queue` (numbering), `counter` (calling), `dossiers`, `feedback`, `fleet`:
//!   storage and rules per area.
//! - [`dossier`]: pure dossier rules (code syntax, labels, masking, timeliness).
//! - [`events`]: live events of an office, published when their transaction commits.
//! - `idempotency`: request ids per kiosk, replayed or refused when reused.
//! - `observe`: request ids, Prometheus metrics, `/healthz` and `/readyz`.
//! - [`sms`]: message text, the `[sms]` configuration, gateways (SMPP, Kannel, HTTP).
//! - [`notify`]: SMS to citizens: triggers, the outbox, dossier subscriptions, the sender.
//! - [`web`]: the counter page, the lobby display and its voice; static files, security
//!   headers, templates and texts reusable by any page.
//! - `routes`: the HTTP handlers; `auth`, `extract` (with `strict`), `validate`, `problem`,
//!   `rate_limit` serve them.
#![deny(clippy::unwrap_used)]

mod auth;
mod catalog;
pub mod clock;
pub mod config;
pub mod config_file;
mod counter;
pub mod dossier;
pub mod dossiers;
pub mod events;
mod extract;
mod feedback;
mod fleet;
mod idempotency;
pub mod notify;
mod observe;
pub mod offices;
mod problem;
mod queue;
mod rate_limit;
mod routes;
pub mod seed;
mod server;
pub mod sms;
pub mod store;
mod strict;
mod validate;
pub mod web;

pub use clock::{Clock, ManualTime, office_offset};
pub use config::{CentralConfig, CounterToken, DEFAULT_KIOSK, KioskToken};
pub use server::{CentralError, RunningCentral, spawn};
pub use store::Database;
