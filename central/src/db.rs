//! The SQLite store: opening, schema migrations, and running work off the async reactor.

use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use rusqlite::Connection;

use crate::problem::ApiError;

/// Schema versions, applied in order; `PRAGMA user_version` records how many ran.
const MIGRATIONS: &[&str] = &[r#"
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE catalog_versions (
    version    INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL
);
-- One row per procedure of the current catalog; `changed_in` is the version that last
-- added or changed it, so a delta since V is `changed_in > V`.
CREATE TABLE procedures (
    code       TEXT PRIMARY KEY,
    position   INTEGER NOT NULL,
    field      TEXT,
    json       TEXT NOT NULL,
    changed_in INTEGER NOT NULL REFERENCES catalog_versions(version)
);
CREATE TABLE procedures_removed (
    code       TEXT NOT NULL,
    removed_in INTEGER NOT NULL REFERENCES catalog_versions(version),
    PRIMARY KEY (code, removed_in)
);
CREATE TABLE queue_services (
    id               TEXT PRIMARY KEY,
    position         INTEGER NOT NULL,
    name_vi          TEXT NOT NULL,
    name_en          TEXT NOT NULL,
    prefix           TEXT NOT NULL,
    priority_allowed INTEGER NOT NULL,
    daily_cap        INTEGER NOT NULL
);
-- weekday: 1 = Monday … 7 = Sunday; times 'HH:MM' in the office's offset.
CREATE TABLE opening_hours (
    weekday INTEGER NOT NULL,
    opens   TEXT NOT NULL,
    closes  TEXT NOT NULL
);
CREATE TABLE tickets (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id  TEXT NOT NULL UNIQUE,
    service_id  TEXT NOT NULL REFERENCES queue_services(id),
    office_day  TEXT NOT NULL,
    number      TEXT NOT NULL,
    priority    TEXT NOT NULL,
    phone       TEXT,
    issued_at   TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    offline     INTEGER NOT NULL,
    kiosk_id    TEXT NOT NULL,
    called_at   TEXT,
    counter     TEXT,
    -- The first answer, replayed verbatim for a repeated request_id.
    response    TEXT NOT NULL
);
CREATE INDEX tickets_by_day ON tickets (service_id, office_day, called_at);
CREATE TABLE dossiers (
    code           TEXT PRIMARY KEY,
    procedure_code TEXT NOT NULL,
    procedure_name TEXT NOT NULL,
    applicant_name TEXT NOT NULL,
    status         INTEGER NOT NULL CHECK (status BETWEEN 1 AND 10),
    received_at    TEXT NOT NULL,
    due_at         TEXT NOT NULL,
    returned_at    TEXT,
    steps          TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE TABLE feedback (
    request_id  TEXT PRIMARY KEY,
    rating      INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
    service_id  TEXT REFERENCES queue_services(id),
    ticket      TEXT,
    ticket_day  TEXT,
    reason      TEXT,
    at          TEXT NOT NULL,
    received_at TEXT NOT NULL,
    kiosk_id    TEXT NOT NULL,
    response    TEXT NOT NULL
);
-- Ticket numbers repeat every day, so "one rating per ticket" is per office day.
CREATE UNIQUE INDEX feedback_one_per_ticket ON feedback (ticket, ticket_day) WHERE ticket IS NOT NULL;
CREATE TABLE kiosks (
    kiosk_id        TEXT PRIMARY KEY,
    last_seen       TEXT NOT NULL,
    version         TEXT NOT NULL,
    printer         TEXT NOT NULL,
    catalog_version INTEGER,
    outbox          INTEGER,
    uptime_s        INTEGER
);
"#];

/// Opens (creating if needed) the database and brings its schema up to date.
pub fn open(path: &Path) -> Result<Connection, rusqlite::Error> {
    let mut conn = Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    migrate(&mut conn)?;
    Ok(conn)
}

fn migrate(conn: &mut Connection) -> Result<(), rusqlite::Error> {
    let done: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    for (i, sql) in (0_i64..)
        .zip(MIGRATIONS)
        .skip(usize::try_from(done).unwrap_or(0))
    {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i + 1)?;
        tx.commit()?;
    }
    Ok(())
}

/// The shared connection. SQLite work runs on tokio's blocking pool so a slow disk
/// never stalls the reactor; one connection is plenty for one office.
#[derive(Clone)]
pub struct Db(Arc<Mutex<Connection>>);

impl Db {
    pub fn new(conn: Connection) -> Self {
        Self(Arc::new(Mutex::new(conn)))
    }

    /// Runs `f` with the connection on the blocking pool.
    pub async fn call<R, F>(&self, f: F) -> Result<R, ApiError>
    where
        R: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<R, ApiError> + Send + 'static,
    {
        let inner = Arc::clone(&self.0);
        tokio::task::spawn_blocking(move || {
            // A panic elsewhere must not take the store down with it.
            let mut conn = inner.lock().unwrap_or_else(PoisonError::into_inner);
            f(&mut conn)
        })
        .await
        .map_err(|e| ApiError::Internal(format!("store task: {e}")))?
    }
}
