//! Central API v1 over real HTTP: each test starts its own server via `spawn()` on
//! 127.0.0.1:0 with a temporary database and a hand-moved clock. The same suite runs on
//! PostgreSQL from `tests/api_postgres.rs`.

mod pg;
mod support;

/// This binary runs the suite on SQLite; `api_postgres` runs it on PostgreSQL.
const BACKEND: support::Backend = support::Backend::Sqlite;

mod calling;
mod catalog;
mod command;
mod contract;
mod dossiers;
mod errors;
mod feedback;
mod fleet;
mod lifecycle;
mod offices;
mod operations;
mod pages;
mod public;
mod queue;
mod sms;
mod ticket_procedure;
mod void;
