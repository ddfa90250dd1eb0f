//! PostgreSQL: a `deadpool` pool of async `tokio-postgres` connections. Scripts run on the
//! blocking pool and wait on each statement through the runtime's handle, so one script serves
//! both databases and the reactor never waits.

use std::error::Error as StdError;
use std::time::Duration;

use bytes::BytesMut;
use chrono::{DateTime, NaiveDate, Utc};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use tokio::runtime::Handle;
use tokio_postgres::NoTls;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::{IsNull, ToSql, Type, to_sql_checked};

use super::StoreError;
use super::sql::{Cell, Dialect, Param, Row, Sql, SqlError, postgres_placeholders};
use crate::events::{Bus, Event};
use crate::problem::ApiError;

/// Schema versions, applied in order and recorded in `schema_migrations`.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/postgres/001_schema.sql"),
    include_str!("migrations/postgres/002_counters_and_events.sql"),
    include_str!("migrations/postgres/003_sms.sql"),
    include_str!("migrations/postgres/004_voided_tickets.sql"),
    include_str!("migrations/postgres/005_follow.sql"),
    include_str!("migrations/postgres/006_catalog_synonyms.sql"),
    include_str!("migrations/postgres/007_board_indexes.sql"),
];

/// Any number held by every instance: the advisory lock that runs migrations one at a time.
const MIGRATION_LOCK: i64 = 0x6d6f_7463_7561;

/// How long a request waits for a connection, and a new connection for the server.
const WAIT: Duration = Duration::from_secs(5);
const CONNECT: Duration = Duration::from_secs(3);

pub struct PgStore {
    pool: Pool,
    url: String,
}

/// The channel every instance LISTENs on; payloads are [`Event::to_notify`].
const CHANNEL: &str = "motcua_events";

/// The URL with its password replaced, for logs.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        Ok(u) => u.to_string(),
        Err(_) => "postgres://(unreadable URL)".into(),
    }
}

impl PgStore {
    pub async fn open(url: &str, pool_size: usize) -> Result<Self, StoreError> {
        let config: tokio_postgres::Config = url
            .parse()
            .map_err(|e| StoreError::Postgres(format!("{}: {e}", redact(url))))?;
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(pool_size.max(1))
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(WAIT))
            .create_timeout(Some(CONNECT))
            .recycle_timeout(Some(CONNECT))
            .build()
            .map_err(|e| StoreError::Postgres(e.to_string()))?;
        let store = Self {
            pool,
            url: url.to_string(),
        };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        let failed = |version: i64| {
            move |e: tokio_postgres::Error| StoreError::Migration {
                version,
                why: e.to_string(),
            }
        };
        let mut client = self
            .pool
            .get()
            .await
            .map_err(|e| StoreError::Postgres(format!("{}: {e}", redact(&self.url))))?;
        let tx = client.transaction().await.map_err(failed(0))?;
        // Several instances may start at once: one migrates, the others wait and find it done.
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .await
            .map_err(failed(0))?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                 version bigint PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
        )
        .await
        .map_err(failed(0))?;
        let done: i64 = tx
            .query_one(
                "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
                &[],
            )
            .await
            .and_then(|r| r.try_get(0))
            .map_err(failed(0))?;
        for (version, sql) in (1_i64..)
            .zip(MIGRATIONS)
            .skip(usize::try_from(done).unwrap_or(0))
        {
            tx.batch_execute(sql).await.map_err(failed(version))?;
            tx.execute(
                "INSERT INTO schema_migrations (version) VALUES ($1)",
                &[&version],
            )
            .await
            .map_err(failed(version))?;
        }
        tx.commit().await.map_err(failed(0))?;
        Ok(())
    }

    /// Runs a script in one transaction, waiting on each statement through `handle`.
    pub fn run<R>(
        &self,
        handle: &Handle,
        write: bool,
        script: &dyn Fn(&mut dyn Sql) -> Result<R, ApiError>,
    ) -> Result<R, ApiError> {
        let mut client = handle.block_on(self.pool.get()).map_err(|e| {
            tracing::warn!(error = %e, "no database connection");
            ApiError::Unavailable
        })?;
        let (value, events) = transact(&mut client, handle, write, script)?;
        notify(handle, &client, &events);
        Ok(value)
    }
}

/// Runs the script in one transaction on `client`; on commit, the events it announced.
fn transact<R>(
    client: &mut deadpool_postgres::Client,
    handle: &Handle,
    write: bool,
    script: &dyn Fn(&mut dyn Sql) -> Result<R, ApiError>,
) -> Result<(R, Vec<Event>), ApiError> {
    let tx = handle
        .block_on(client.build_transaction().read_only(!write).start())
        .map_err(|e| ApiError::from(sql_error(&e)))?;
    let mut pg = PgTx {
        tx,
        handle,
        events: Vec::new(),
    };
    match script(&mut pg) {
        Ok(value) => {
            handle
                .block_on(pg.tx.commit())
                .map_err(|e| ApiError::from(sql_error(&e)))?;
            Ok((value, pg.events))
        }
        Err(e) => {
            let _ = handle.block_on(pg.tx.rollback());
            Err(e)
        }
    }
}

/// Sends committed events to every instance's LISTEN (this one's too), in their order.
///
/// After the commit, in a transaction of their own, and not inside the script's: PostgreSQL
/// holds one lock, for the whole cluster, over the commit of every transaction that notifies,
/// from before its flush to disk until after it. Notifying inside would make every ticket of the
/// province wait for the flush of the one before it, with no group commit (the commit rate is
/// then one flush time's worth, whatever the number of connections). A transaction that only
/// notifies writes nothing to the WAL, so it commits without waiting for the disk. Events that
/// fail to go out here are not lost: they are in the `events` table, and subscribers get the
/// next `waiting` board or ask with `Last-Event-ID`.
fn notify(handle: &Handle, client: &deadpool_postgres::Client, events: &[Event]) {
    if events.is_empty() {
        return;
    }
    let payloads: Vec<String> = events.iter().map(Event::to_notify).collect();
    let sent = handle.block_on(async {
        let statement = client
            .prepare_cached(
                "SELECT pg_notify($1, e.payload)
                 FROM unnest($2::text[]) WITH ORDINALITY AS e(payload, n)
                 ORDER BY e.n",
            )
            .await?;
        client.execute(&statement, &[&CHANNEL, &payloads]).await
    });
    if let Err(e) = sent {
        tracing::warn!(error = %e, "events not sent to the other instances");
    }
}

fn sql_error(e: &tokio_postgres::Error) -> SqlError {
    match e.code() {
        Some(code) if *code == SqlState::UNIQUE_VIOLATION => SqlError::Unique(e.to_string()),
        Some(code)
            if *code == SqlState::T_R_SERIALIZATION_FAILURE
                || *code == SqlState::T_R_DEADLOCK_DETECTED =>
        {
            SqlError::Conflict(e.to_string())
        }
        Some(code)
            if *code == SqlState::ADMIN_SHUTDOWN
                || *code == SqlState::CRASH_SHUTDOWN
                || *code == SqlState::CANNOT_CONNECT_NOW
                || *code == SqlState::TOO_MANY_CONNECTIONS =>
        {
            SqlError::Unavailable(e.to_string())
        }
        Some(_) => SqlError::Other(e.to_string()),
        // No SQL state: the connection itself failed.
        None => SqlError::Unavailable(e.to_string()),
    }
}

struct PgTx<'a> {
    tx: deadpool_postgres::Transaction<'a>,
    handle: &'a Handle,
    events: Vec<Event>,
}

#[derive(Debug)]
struct PgParam<'a>(&'a Param);

impl ToSql for PgParam<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn StdError + Sync + Send>> {
        match self.0 {
            Param::Null => Ok(IsNull::Yes),
            Param::Int(v) => match *ty {
                Type::INT4 => i32::try_from(*v)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(*v)?.to_sql(ty, out),
                Type::FLOAT8 => (*v as f64).to_sql(ty, out),
                _ => v.to_sql(ty, out),
            },
            Param::Real(v) => v.to_sql(ty, out),
            Param::Text(v) => v.to_sql(ty, out),
            Param::Bool(v) => v.to_sql(ty, out),
            Param::Time(t) => t.to_sql(ty, out),
            Param::Date(d) => d.to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

fn cell(row: &tokio_postgres::Row, i: usize) -> Result<Cell, SqlError> {
    let wrong = |e: tokio_postgres::Error| SqlError::Column {
        index: i,
        why: e.to_string(),
    };
    let ty = row.columns()[i].type_().clone();
    Ok(match ty {
        Type::INT8 => row
            .try_get::<_, Option<i64>>(i)
            .map_err(wrong)?
            .map_or(Cell::Null, Cell::Int),
        Type::INT4 => row
            .try_get::<_, Option<i32>>(i)
            .map_err(wrong)?
            .map_or(Cell::Null, |v| Cell::Int(i64::from(v))),
        Type::INT2 => row
            .try_get::<_, Option<i16>>(i)
            .map_err(wrong)?
            .map_or(Cell::Null, |v| Cell::Int(i64::from(v))),
        Type::FLOAT8 => row
            .try_get::<_, Option<f64>>(i)
            .map_err(wrong)?
            .map_or(Cell::Null, Cell::Real),
        Type::BOOL => row
            .try_get::<_, Option<bool>>(i)
            .map_err(wrong)?
            .map_or(Cell::Null, Cell::Bool),
        Type::TIMESTAMPTZ => row
            .try_get::<_, Option<DateTime<Utc>>>(i)
            .map_err(wrong)?
            .map_or(Cell::Null, |t| Cell::Time(t.fixed_offset())),
        Type::DATE => row
            .try_get::<_, Option<NaiveDate>>(i)
            .map_err(wrong)?
            .map_or(Cell::Null, Cell::Date),
        _ => row
            .try_get::<_, Option<String>>(i)
            .map_err(wrong)?
            .map_or(Cell::Null, Cell::Text),
    })
}

impl PgTx<'_> {
    fn statement(&self, sql: &str) -> Result<tokio_postgres::Statement, SqlError> {
        let sql = postgres_placeholders(sql);
        self.handle
            .block_on(self.tx.prepare_cached(&sql))
            .map_err(|e| sql_error(&e))
    }
}

impl Sql for PgTx<'_> {
    fn query(&mut self, sql: &str, params: &[Param]) -> Result<Vec<Row>, SqlError> {
        let stmt = self.statement(sql)?;
        let bound: Vec<PgParam<'_>> = params.iter().map(PgParam).collect();
        let refs: Vec<&(dyn ToSql + Sync)> =
            bound.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        let rows = self
            .handle
            .block_on(self.tx.query(&stmt, &refs))
            .map_err(|e| sql_error(&e))?;
        rows.iter()
            .map(|r| {
                (0..r.len())
                    .map(|i| cell(r, i))
                    .collect::<Result<Vec<_>, _>>()
                    .map(Row)
            })
            .collect()
    }

    fn execute(&mut self, sql: &str, params: &[Param]) -> Result<u64, SqlError> {
        let stmt = self.statement(sql)?;
        let bound: Vec<PgParam<'_>> = params.iter().map(PgParam).collect();
        let refs: Vec<&(dyn ToSql + Sync)> =
            bound.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        self.handle
            .block_on(self.tx.execute(&stmt, &refs))
            .map_err(|e| sql_error(&e))
    }

    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn announce(&mut self, event: Event) {
        self.events.push(event);
    }
}

/// Forwards every instance's events (NOTIFY) to this instance's bus, reconnecting with backoff
/// for as long as the runtime lives. Events sent while the listener is away are not replayed
/// here; subscribers recover with `Last-Event-ID` and the next `waiting` event.
pub async fn listen(url: String, bus: Bus) {
    let mut backoff = Duration::from_millis(500);
    loop {
        match listen_once(&url, &bus).await {
            Ok(()) => backoff = Duration::from_millis(500),
            Err(e) => tracing::warn!(error = %e, "event listener: reconnecting"),
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(10));
    }
}

async fn listen_once(url: &str, bus: &Bus) -> Result<(), tokio_postgres::Error> {
    use futures_util::StreamExt;
    let (client, mut connection) = tokio_postgres::connect(url, NoTls).await?;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let stream = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
    let pump = tokio::spawn(async move {
        let mut stream = std::pin::pin!(stream);
        while let Some(message) = stream.next().await {
            match message {
                Ok(tokio_postgres::AsyncMessage::Notification(n)) => {
                    if tx.send(n.payload().to_string()).is_err() {
                        break;
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "event listener connection");
                    break;
                }
            }
        }
    });
    client.batch_execute(&format!("LISTEN {CHANNEL}")).await?;
    tracing::info!("listening for events of every instance");
    while let Some(payload) = rx.recv().await {
        match Event::from_notify(&payload) {
            Some(event) => bus.publish(event),
            None => tracing::warn!("event listener: unreadable notification"),
        }
    }
    pump.abort();
    Ok(())
}
