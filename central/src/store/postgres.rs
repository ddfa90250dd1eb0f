//! PostgreSQL: a pool of `tokio-postgres` connections, each driven by the thread that runs the
//! script on it ([`super::pg_pool`]), so one script serves both databases and the server's
//! runtime never waits.

use std::error::Error as StdError;
use std::time::Duration;

use bytes::BytesMut;
use chrono::{DateTime, NaiveDate, Utc};
use futures_util::future::join;
use tokio_postgres::NoTls;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::{IsNull, ToSql, Type, to_sql_checked};

use super::StoreError;
use super::pg_pool::{Conn, Pool};
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
    include_str!("migrations/postgres/008_ticket_procedure.sql"),
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
    /// Connects and brings the schema up to date; blocks (call it off the runtime).
    pub fn open(url: &str, pool_size: usize) -> Result<Self, StoreError> {
        let config: tokio_postgres::Config = url
            .parse()
            .map_err(|e| StoreError::Postgres(format!("{}: {e}", redact(url))))?;
        let store = Self {
            pool: Pool::new(config, pool_size, WAIT, CONNECT),
            url: url.to_string(),
        };
        store.migrate()?;
        Ok(store)
    }

    fn migrate(&self) -> Result<(), StoreError> {
        let failed = |version: i64| {
            move |e: tokio_postgres::Error| StoreError::Migration {
                version,
                why: e.to_string(),
            }
        };
        let mut conn = self
            .pool
            .get()
            .map_err(|e| StoreError::Postgres(format!("{}: {e}", redact(&self.url))))?;
        let client = &conn.client;
        let migrated = async {
            client.batch_execute("BEGIN").await.map_err(failed(0))?;
            // Several instances may start at once: one migrates, the others wait and find it
            // done.
            client
                .execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
                .await
                .map_err(failed(0))?;
            client
                .batch_execute(
                    "CREATE TABLE IF NOT EXISTS schema_migrations (
                         version bigint PRIMARY KEY,
                         applied_at timestamptz NOT NULL DEFAULT now())",
                )
                .await
                .map_err(failed(0))?;
            let done: i64 = client
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
                client.batch_execute(sql).await.map_err(failed(version))?;
                client
                    .execute(
                        "INSERT INTO schema_migrations (version) VALUES ($1)",
                        &[&version],
                    )
                    .await
                    .map_err(failed(version))?;
            }
            client.batch_execute("COMMIT").await.map_err(failed(0))
        };
        let result = conn.block_on(migrated);
        // After a failure the connection is inside a failed transaction: not for reuse.
        conn.in_transaction = result.is_err();
        result
    }

    /// Runs a script in one transaction on this thread; blocks (call it off the runtime).
    pub fn run<R>(
        &self,
        write: bool,
        script: &dyn Fn(&mut dyn Sql) -> Result<R, ApiError>,
    ) -> Result<R, ApiError> {
        let mut fresh = false;
        loop {
            let mut conn = self.pool.get().map_err(|e| {
                tracing::warn!(error = %e, "no database connection");
                ApiError::Unavailable
            })?;
            match transact(&mut conn, write, script) {
                Ok((value, events)) => {
                    notify(&mut conn, &events);
                    return Ok(value);
                }
                // A connection cut while idle (the database restarted): nothing ran, so the
                // script runs again, once, on a new connection.
                Err(Failure::Cut(why)) if !fresh => {
                    tracing::info!(error = %why, "database connection was cut; reconnecting");
                    conn.discard();
                    self.pool.close_idle();
                    fresh = true;
                }
                Err(Failure::Cut(why)) => return Err(SqlError::Unavailable(why).into()),
                Err(Failure::Script(e)) => return Err(e),
            }
        }
    }
}

/// Why a transaction did not commit.
enum Failure {
    /// Its `BEGIN` found the connection cut: nothing was done.
    Cut(String),
    Script(ApiError),
}

/// Runs the script in one transaction on `conn`; on commit, the events it announced.
fn transact<R>(
    conn: &mut Conn,
    write: bool,
    script: &dyn Fn(&mut dyn Sql) -> Result<R, ApiError>,
) -> Result<(R, Vec<Event>), Failure> {
    let mut pg = PgTx {
        conn,
        begin: Some(if write {
            "BEGIN READ WRITE"
        } else {
            "BEGIN READ ONLY"
        }),
        cut: None,
        events: Vec::new(),
    };
    let result = script(&mut pg);
    let PgTx {
        conn,
        begin,
        cut,
        events,
        ..
    } = pg;
    if let Some(why) = cut {
        return Err(Failure::Cut(why));
    }
    if begin.is_some() {
        // The script sent no statement: there is no transaction to end.
        return result.map(|value| (value, events)).map_err(Failure::Script);
    }
    let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
    let ended = conn.block_on(conn.client.batch_execute(end));
    match (result, ended) {
        (Ok(value), Ok(())) => {
            conn.in_transaction = false;
            Ok((value, events))
        }
        (Ok(_), Err(e)) => Err(Failure::Script(sql_error(&e).into())),
        (Err(e), rolled_back) => {
            // A failed rollback leaves `in_transaction` set: the pool closes the connection.
            conn.in_transaction = rolled_back.is_err();
            Err(Failure::Script(e))
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
fn notify(conn: &mut Conn, events: &[Event]) {
    if events.is_empty() {
        return;
    }
    let payloads: Vec<String> = events.iter().map(Event::to_notify).collect();
    let sent = conn
        .prepared(
            "SELECT pg_notify($1, e.payload)
             FROM unnest($2::text[]) WITH ORDINALITY AS e(payload, n)
             ORDER BY e.n",
        )
        .and_then(|statement| {
            conn.block_on(conn.client.execute(&statement, &[&CHANNEL, &payloads]))
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
    conn: &'a mut Conn,
    /// The `BEGIN` not sent yet: it goes out with the first statement, in one round trip.
    begin: Option<&'static str>,
    /// Set when the `BEGIN` found the connection cut.
    cut: Option<String>,
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
    /// Sends `statement`, preceded by the transaction's `BEGIN` if it is the first.
    fn send<T>(
        &mut self,
        sql: &str,
        params: &[Param],
        run: impl AsyncFnOnce(
            &tokio_postgres::Client,
            &tokio_postgres::Statement,
            &[&(dyn ToSql + Sync)],
        ) -> Result<T, tokio_postgres::Error>,
    ) -> Result<T, SqlError> {
        let statement = match self.conn.prepared(&postgres_placeholders(sql)) {
            Ok(statement) => statement,
            Err(e) => {
                let error = sql_error(&e);
                if let (Some(_), SqlError::Unavailable(why)) = (self.begin, &error) {
                    self.cut = Some(why.clone());
                }
                return Err(error);
            }
        };
        let bound: Vec<PgParam<'_>> = params.iter().map(PgParam).collect();
        let refs: Vec<&(dyn ToSql + Sync)> =
            bound.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        let conn = &*self.conn;
        let Some(begin) = self.begin.take() else {
            return conn
                .block_on(run(&conn.client, &statement, &refs))
                .map_err(|e| sql_error(&e));
        };
        // Requests polled together are written together: one round trip for both.
        let (begun, result) = conn.block_on(join(
            conn.client.batch_execute(begin),
            run(&conn.client, &statement, &refs),
        ));
        match begun {
            Ok(()) => {
                self.conn.in_transaction = true;
                result.map_err(|e| sql_error(&e))
            }
            Err(e) => {
                let error = sql_error(&e);
                if let SqlError::Unavailable(why) = &error {
                    self.cut = Some(why.clone());
                }
                // Whatever PostgreSQL began, the pool must not reuse this connection as is.
                self.conn.in_transaction = true;
                Err(error)
            }
        }
    }
}

impl Sql for PgTx<'_> {
    fn query(&mut self, sql: &str, params: &[Param]) -> Result<Vec<Row>, SqlError> {
        let rows = self.send(sql, params, async |client, statement, params| {
            client.query(statement, params).await
        })?;
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
        self.send(sql, params, async |client, statement, params| {
            client.execute(statement, params).await
        })
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
