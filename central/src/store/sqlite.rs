//! SQLite: one file, one connection behind a mutex (one office needs no more), WAL journal.

use std::path::Path;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use rusqlite::types::{ToSqlOutput, Value, ValueRef};
use rusqlite::{Connection, ErrorCode, TransactionBehavior};

use super::StoreError;
use super::sql::{Cell, Dialect, Param, Row, Sql, SqlError, sqlite_time};
use crate::events::{Bus, Event};
use crate::problem::ApiError;

/// One schema step: SQL, or a script for what SQL cannot say (rewriting stored JSON).
enum Migration {
    Sql(&'static str),
    Script(fn(&mut dyn Sql) -> Result<(), ApiError>),
}

/// Schema versions, applied in order; `PRAGMA user_version` records how many ran.
const MIGRATIONS: &[Migration] = &[
    Migration::Sql(include_str!("migrations/sqlite/001_first_release.sql")),
    Migration::Sql(include_str!("migrations/sqlite/002_requests_per_kiosk.sql")),
    Migration::Script(crate::catalog::normalize_stored),
    Migration::Sql(include_str!("migrations/sqlite/004_offices.sql")),
    Migration::Sql(include_str!(
        "migrations/sqlite/005_counters_and_events.sql"
    )),
    Migration::Sql(include_str!("migrations/sqlite/006_sms.sql")),
    Migration::Sql(include_str!("migrations/sqlite/007_voided_tickets.sql")),
    Migration::Sql(include_str!("migrations/sqlite/008_follow.sql")),
    Migration::Sql(include_str!("migrations/sqlite/009_catalog_synonyms.sql")),
    Migration::Sql(include_str!("migrations/sqlite/010_board_indexes.sql")),
    Migration::Sql(include_str!("migrations/sqlite/011_ticket_procedure.sql")),
];

pub struct SqliteStore {
    conn: Mutex<Connection>,
    bus: Bus,
}

impl SqliteStore {
    /// Opens (creating if needed) the database file and brings its schema up to date.
    pub fn open(path: &Path, bus: Bus) -> Result<Self, StoreError> {
        let mut conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        // A deleted phone number is overwritten, not left in a free page of the file.
        conn.pragma_update(None, "secure_delete", "ON")?;
        conn.busy_timeout(Duration::from_secs(5))?;
        migrate(&mut conn)?;
        Ok(Self {
            conn: Mutex::new(conn),
            bus,
        })
    }

    /// Runs a script in a transaction (IMMEDIATE for writes: numbering reads then writes).
    pub fn run<R>(
        &self,
        write: bool,
        script: &dyn Fn(&mut dyn Sql) -> Result<R, ApiError>,
    ) -> Result<R, ApiError> {
        // A panic elsewhere must not take the store down with it.
        let mut conn = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        let behavior = if write {
            TransactionBehavior::Immediate
        } else {
            TransactionBehavior::Deferred
        };
        let tx = conn
            .transaction_with_behavior(behavior)
            .map_err(|e| ApiError::from(sql_error(e)))?;
        let mut sqlite = SqliteTx {
            conn: &tx,
            events: Vec::new(),
        };
        let result = script(&mut sqlite)?;
        let events = std::mem::take(&mut sqlite.events);
        tx.commit().map_err(|e| ApiError::from(sql_error(e)))?;
        for event in events {
            self.bus.publish(event);
        }
        Ok(result)
    }
}

fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let done: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    for (i, step) in (0_i64..)
        .zip(MIGRATIONS)
        .skip(usize::try_from(done).unwrap_or(0))
    {
        let tx = conn.transaction()?;
        match step {
            Migration::Sql(sql) => tx.execute_batch(sql)?,
            Migration::Script(f) => f(&mut SqliteTx {
                conn: &tx,
                events: Vec::new(),
            })
            .map_err(|e| StoreError::Migration {
                version: i + 1,
                why: e.to_string(),
            })?,
        }
        tx.pragma_update(None, "user_version", i + 1)?;
        tx.commit()?;
    }
    Ok(())
}

/// The number of migrations, for tests of old databases.
#[cfg(test)]
pub fn schema_version() -> i64 {
    MIGRATIONS.len() as i64
}

struct SqliteTx<'a> {
    conn: &'a Connection,
    events: Vec<Event>,
}

fn bind(p: &Param) -> ToSqlOutput<'_> {
    ToSqlOutput::Owned(match p {
        Param::Null => Value::Null,
        Param::Int(v) => Value::Integer(*v),
        Param::Real(v) => Value::Real(*v),
        Param::Text(v) => Value::Text(v.clone()),
        Param::Bool(v) => Value::Integer(i64::from(*v)),
        Param::Time(t) => Value::Text(sqlite_time(*t)),
        Param::Date(d) => Value::Text(d.format("%Y-%m-%d").to_string()),
    })
}

struct Bound<'a>(&'a Param);

impl rusqlite::ToSql for Bound<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(bind(self.0))
    }
}

fn sql_error(e: rusqlite::Error) -> SqlError {
    match &e {
        rusqlite::Error::SqliteFailure(f, _) => match f.code {
            ErrorCode::ConstraintViolation
                if matches!(
                    f.extended_code,
                    rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                        | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
                ) =>
            {
                SqlError::Unique(e.to_string())
            }
            ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => {
                SqlError::Conflict(e.to_string())
            }
            ErrorCode::CannotOpen | ErrorCode::DiskFull | ErrorCode::SystemIoFailure => {
                SqlError::Unavailable(e.to_string())
            }
            _ => SqlError::Other(e.to_string()),
        },
        _ => SqlError::Other(e.to_string()),
    }
}

impl Sql for SqliteTx<'_> {
    fn query(&mut self, sql: &str, params: &[Param]) -> Result<Vec<Row>, SqlError> {
        let mut stmt = self.conn.prepare_cached(sql).map_err(sql_error)?;
        let bound: Vec<Bound<'_>> = params.iter().map(Bound).collect();
        let refs: Vec<&dyn rusqlite::ToSql> =
            bound.iter().map(|b| b as &dyn rusqlite::ToSql).collect();
        let columns = stmt.column_count();
        let mut rows = stmt.query(refs.as_slice()).map_err(sql_error)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(sql_error)? {
            let mut cells = Vec::with_capacity(columns);
            for i in 0..columns {
                cells.push(match row.get_ref(i).map_err(sql_error)? {
                    ValueRef::Null => Cell::Null,
                    ValueRef::Integer(v) => Cell::Int(v),
                    ValueRef::Real(v) => Cell::Real(v),
                    ValueRef::Text(t) => Cell::Text(String::from_utf8_lossy(t).into_owned()),
                    ValueRef::Blob(b) => Cell::Text(String::from_utf8_lossy(b).into_owned()),
                });
            }
            out.push(Row(cells));
        }
        Ok(out)
    }

    fn execute(&mut self, sql: &str, params: &[Param]) -> Result<u64, SqlError> {
        let mut stmt = self.conn.prepare_cached(sql).map_err(sql_error)?;
        let bound: Vec<Bound<'_>> = params.iter().map(Bound).collect();
        let refs: Vec<&dyn rusqlite::ToSql> =
            bound.iter().map(|b| b as &dyn rusqlite::ToSql).collect();
        let n = stmt.execute(refs.as_slice()).map_err(sql_error)?;
        Ok(n as u64)
    }

    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn announce(&mut self, event: Event) {
        self.events.push(event);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A database as the first release left it: global request ids, an offline number
    /// recorded twice, a procedure stored with `legal_basis: null`.
    fn first_release(path: &Path) {
        let conn = Connection::open(path).expect("open");
        conn.execute_batch(include_str!("migrations/sqlite/001_first_release.sql"))
            .expect("v1");
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
        let store = SqliteStore::open(&path, Bus::default()).expect("migrated");
        let version: i64 = store
            .conn
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .expect("version");
        assert_eq!(version, schema_version());
        let check = |sql: &mut dyn Sql| -> Result<(), ApiError> {
            // Old request ids replay for their own kiosk, whatever the body.
            let replay = crate::idempotency::replay(sql, "KIOSK-01", "r1", "anything")?;
            assert!(replay.is_some());
            assert!(crate::idempotency::replay(sql, "KIOSK-02", "f1", "x")?.is_none());
            let numbers: Vec<String> = sql
                .query("SELECT number, office_id FROM tickets ORDER BY id", &[])?
                .iter()
                .map(|r| {
                    format!(
                        "{} {}",
                        r.text(0).unwrap_or_default(),
                        r.text(1).unwrap_or_default()
                    )
                })
                .collect();
            assert_eq!(numbers, ["K1-HT-003 main", "K1-HT-003-2 main"]);
            let json = sql.query_one("SELECT json FROM procedures", &[])?.text(0)?;
            let p: serde_json::Value = serde_json::from_str(&json)?;
            assert_eq!(p["legal_basis"], serde_json::json!([]));
            assert_eq!(p["documents"], serde_json::json!([]));
            let service = crate::queue::service(sql, "main", "ho-tich")?;
            assert_eq!(service.prefix, "HT");
            Ok(())
        };
        store.run(false, &check).expect("checks");
    }
}
