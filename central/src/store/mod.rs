//! Storage: one interface, two databases. SQLite is the embedded default (one office, one
//! process, one file); PostgreSQL serves a province (many offices, several server instances).
//!
//! Every operation is one transaction script over [`Sql`], written once in the SQL both
//! understand, run on tokio's blocking pool so neither a slow disk nor a slow network stalls the
//! reactor. PostgreSQL is reached through the `tokio-postgres` driver, each pooled connection
//! driven by the script's own thread (`pg_pool`).

mod pg_pool;
mod postgres;
mod sql;
mod sqlite;

use std::path::PathBuf;
use std::sync::Arc;

pub(crate) use sql::params;
pub use sql::{Cell, Dialect, Param, Row, Sql, SqlError};

use crate::events::Bus;
use crate::problem::ApiError;

/// Where the data lives: `--db FILE` or `--db postgres://user@host/db`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    Sqlite(PathBuf),
    Postgres(String),
}

impl Database {
    /// A `postgres://` or `postgresql://` URL, else a SQLite file path.
    pub fn parse(text: &str) -> Self {
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            Database::Postgres(text.to_string())
        } else {
            Database::Sqlite(PathBuf::from(text))
        }
    }

    /// For logs: the file, or the URL without its password.
    pub fn describe(&self) -> String {
        match self {
            Database::Sqlite(path) => path.display().to_string(),
            Database::Postgres(url) => postgres::redact(url),
        }
    }
}

/// Why the store could not open.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("{0}")]
    Postgres(String),
    #[error("migration {version}: {why}")]
    Migration { version: i64, why: String },
}

/// How many times a script runs when transactions collide before the caller gets a 503.
const CONFLICT_TRIES: usize = 4;

/// The store; cheap to clone.
#[derive(Clone)]
pub struct Store(Arc<Backend>, Bus);

enum Backend {
    Sqlite(sqlite::SqliteStore),
    Postgres(Box<postgres::PgStore>),
}

impl Store {
    /// Opens (creating a SQLite file if needed) and brings the schema up to date. For
    /// PostgreSQL it needs a tokio runtime; `pool_size` bounds its connections.
    pub async fn open(db: &Database, pool_size: usize) -> Result<Self, StoreError> {
        let bus = Bus::default();
        let backend = match db {
            Database::Sqlite(path) => {
                let (path, local) = (path.clone(), bus.clone());
                let store =
                    tokio::task::spawn_blocking(move || sqlite::SqliteStore::open(&path, local))
                        .await
                        .map_err(|e| StoreError::Postgres(format!("opening task: {e}")))??;
                Backend::Sqlite(store)
            }
            Database::Postgres(url) => {
                let url_for_task = url.clone();
                let store = tokio::task::spawn_blocking(move || {
                    postgres::PgStore::open(&url_for_task, pool_size)
                })
                .await
                .map_err(|e| StoreError::Postgres(format!("opening task: {e}")))??;
                tokio::spawn(postgres::listen(url.clone(), bus.clone()));
                Backend::Postgres(Box::new(store))
            }
        };
        Ok(Self(Arc::new(backend), bus))
    }

    /// Committed events of every office (see [`crate::events`]).
    pub fn events(&self) -> &Bus {
        &self.1
    }

    pub fn dialect(&self) -> Dialect {
        match &*self.0 {
            Backend::Sqlite(_) => Dialect::Sqlite,
            Backend::Postgres(_) => Dialect::Postgres,
        }
    }

    /// Runs `script` in one transaction: committed when it returns `Ok`, rolled back otherwise,
    /// run again (a few times) when it collides with another transaction.
    pub async fn write<R, F>(&self, script: F) -> Result<R, ApiError>
    where
        R: Send + 'static,
        F: Fn(&mut dyn Sql) -> Result<R, ApiError> + Send + 'static,
    {
        self.run(true, script).await
    }

    /// Runs `script` for reading (a snapshot where the database gives one).
    pub async fn read<R, F>(&self, script: F) -> Result<R, ApiError>
    where
        R: Send + 'static,
        F: Fn(&mut dyn Sql) -> Result<R, ApiError> + Send + 'static,
    {
        self.run(false, script).await
    }

    async fn run<R, F>(&self, write: bool, script: F) -> Result<R, ApiError>
    where
        R: Send + 'static,
        F: Fn(&mut dyn Sql) -> Result<R, ApiError> + Send + 'static,
    {
        let store = Arc::clone(&self.0);
        tokio::task::spawn_blocking(move || {
            let mut tries = 0;
            loop {
                tries += 1;
                let result = match &*store {
                    Backend::Sqlite(s) => s.run(write, &script),
                    Backend::Postgres(p) => p.run(write, &script),
                };
                match result {
                    Err(ApiError::RetryTransaction) if tries < CONFLICT_TRIES => continue,
                    Err(ApiError::RetryTransaction) => return Err(ApiError::Unavailable),
                    other => return other,
                }
            }
        })
        .await
        .map_err(|e| ApiError::Internal(format!("store task: {e}")))?
    }

    /// Whether the database answers now (for `/readyz`).
    pub async fn ping(&self) -> Result<(), ApiError> {
        self.read(|sql| {
            sql.query_one("SELECT 1", &[])
                .map(drop)
                .map_err(ApiError::from)
        })
        .await
    }
}

/// Lets the current transaction commit without waiting for its flush to disk: PostgreSQL's
/// `synchronous_commit` off for this transaction only. A crash in the fraction of a second after
/// such a commit may lose it, yet never leaves the database inconsistent, and a later durable
/// commit flushes it too. Only for writes nobody misses if lost: a heartbeat the kiosk repeats
/// within a minute, a rate-limit count. Under load the flush, not the work, is most of a small
/// write's time. SQLite needs nothing: in WAL mode with `synchronous = NORMAL` its commits do not
/// wait for the disk anyway.
pub fn commit_without_flush(sql: &mut dyn Sql) -> Result<(), SqlError> {
    match sql.dialect() {
        Dialect::Postgres => sql
            .execute("SET LOCAL synchronous_commit TO OFF", &[])
            .map(drop),
        Dialect::Sqlite => Ok(()),
    }
}

impl From<SqlError> for ApiError {
    fn from(e: SqlError) -> Self {
        match e {
            SqlError::Unavailable(why) => {
                tracing::warn!(error = %why, "database unavailable");
                ApiError::Unavailable
            }
            SqlError::Conflict(_) => ApiError::RetryTransaction,
            other => ApiError::Internal(other.to_string()),
        }
    }
}
