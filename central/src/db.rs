//! The SQLite store: opening, schema migrations, and running work off the async reactor.

use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use rusqlite::Connection;

use crate::problem::ApiError;

/// One schema step: SQL, or Rust for what SQL cannot say (rewriting stored JSON).
enum Migration {
    Sql(&'static str),
    Code(fn(&rusqlite::Transaction<'_>) -> Result<(), rusqlite::Error>),
}

/// Schema versions, applied in order; `PRAGMA user_version` records how many ran.
const MIGRATIONS: &[Migration] = &[
    Migration::Sql(V1),
    Migration::Sql(V2_REQUESTS_PER_KIOSK),
    Migration::Code(crate::catalog::normalize_stored),
];

const V1: &str = r#"
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
"#;

/// Request ids become per kiosk and remember a fingerprint of the body (tickets and ratings
/// lose their own copies); an offline number is recorded once per service and office day.
const V2_REQUESTS_PER_KIOSK: &str = r#"
CREATE TABLE requests (
    kiosk_id    TEXT NOT NULL,
    request_id  TEXT NOT NULL,
    -- The request without personal data; 'legacy' for rows from before fingerprints.
    fingerprint TEXT NOT NULL,
    -- The first answer, replayed verbatim.
    response    TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (kiosk_id, request_id)
);
CREATE INDEX requests_by_age ON requests (created_at);
INSERT OR IGNORE INTO requests (kiosk_id, request_id, fingerprint, response, created_at)
    SELECT kiosk_id, request_id, 'legacy', response, recorded_at FROM tickets;
INSERT OR IGNORE INTO requests (kiosk_id, request_id, fingerprint, response, created_at)
    SELECT kiosk_id, request_id, 'legacy', response, received_at FROM feedback;

CREATE TABLE tickets_v2 (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
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
    counter     TEXT
);
INSERT INTO tickets_v2 (id, service_id, office_day, number, priority, phone, issued_at,
        recorded_at, offline, kiosk_id, called_at, counter)
    SELECT id, service_id, office_day, number, priority, phone, issued_at, recorded_at, offline,
        kiosk_id, called_at, counter FROM tickets;
DROP TABLE tickets;
ALTER TABLE tickets_v2 RENAME TO tickets;
-- Offline numbers recorded twice before this rule keep their row under a marked number.
UPDATE tickets SET number = number || '-' || id
    WHERE id NOT IN (SELECT MIN(id) FROM tickets GROUP BY service_id, office_day, upper(number));
CREATE UNIQUE INDEX tickets_one_number ON tickets (service_id, office_day, upper(number));
CREATE INDEX tickets_by_day ON tickets (service_id, office_day, called_at);

CREATE TABLE feedback_v2 (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    rating      INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
    service_id  TEXT REFERENCES queue_services(id),
    ticket      TEXT,
    ticket_day  TEXT,
    reason      TEXT,
    at          TEXT NOT NULL,
    received_at TEXT NOT NULL,
    kiosk_id    TEXT NOT NULL
);
INSERT INTO feedback_v2 (rating, service_id, ticket, ticket_day, reason, at, received_at, kiosk_id)
    SELECT rating, service_id, ticket, ticket_day, reason, at, received_at, kiosk_id FROM feedback;
DROP TABLE feedback;
ALTER TABLE feedback_v2 RENAME TO feedback;
CREATE UNIQUE INDEX feedback_one_per_ticket ON feedback (ticket, ticket_day) WHERE ticket IS NOT NULL;
"#;

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
    for (i, step) in (0_i64..)
        .zip(MIGRATIONS)
        .skip(usize::try_from(done).unwrap_or(0))
    {
        let tx = conn.transaction()?;
        match step {
            Migration::Sql(sql) => tx.execute_batch(sql)?,
            Migration::Code(f) => f(&tx)?,
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A database as the first release left it: global request ids, an offline number
    /// recorded twice, a procedure stored with `legal_basis: null`.
    fn first_release(path: &Path) {
        let conn = Connection::open(path).expect("open");
        conn.execute_batch(V1).expect("v1");
        conn.pragma_update(None, "user_version", 1)
            .expect("version");
        conn.execute_batch(
            r#"
            INSERT INTO catalog_versions VALUES (1, '2026-11-20T08:00:00+07:00');
            INSERT INTO procedures VALUES ('local-1', 0, 'Hộ tịch',
                '{"code":"local-1","name":"Thủ tục cũ","legal_basis":null,"documents":"oops"}', 1);
            INSERT INTO queue_services VALUES ('ho-tich', 0, 'Hộ tịch', 'Civil status', 'HT', 1, 500);
            INSERT INTO tickets (request_id, service_id, office_day, number, priority, issued_at,
                recorded_at, offline, kiosk_id, response) VALUES
                ('r1', 'ho-tich', '2026-11-20', 'K1-HT-003', 'none', 't', 't', 1, 'KIOSK-01', '{"number":"K1-HT-003"}'),
                ('r2', 'ho-tich', '2026-11-20', 'K1-HT-003', 'none', 't', 't', 1, 'KIOSK-02', '{"number":"K1-HT-003"}');
            INSERT INTO feedback VALUES ('f1', 1, NULL, 'HT-001', '2026-11-20', NULL, 't', 't',
                'KIOSK-01', '{"accepted":true}');
            "#,
        )
        .expect("rows");
    }

    #[test]
    fn the_first_release_database_is_brought_up_to_date() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("central.db");
        first_release(&path);
        let conn = open(&path).expect("migrated");
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .expect("version");
        assert_eq!(version, MIGRATIONS.len() as i64);
        // Old request ids replay for their own kiosk, whatever the body.
        let replay = crate::idempotency::replay(&conn, "KIOSK-01", "r1", "anything");
        assert!(matches!(replay, Ok(Some(_))));
        assert!(matches!(
            crate::idempotency::replay(&conn, "KIOSK-02", "f1", "x"),
            Ok(None)
        ));
        let numbers: Vec<String> = conn
            .prepare("SELECT number FROM tickets ORDER BY id")
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
            .expect("numbers");
        assert_eq!(numbers, ["K1-HT-003", "K1-HT-003-2"]);
        let json: String = conn
            .query_row("SELECT json FROM procedures", [], |r| r.get(0))
            .expect("procedure");
        let p: serde_json::Value = serde_json::from_str(&json).expect("json");
        assert_eq!(p["legal_basis"], serde_json::json!([]));
        assert_eq!(p["documents"], serde_json::json!([]));
    }
}
