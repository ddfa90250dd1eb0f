//! PostgreSQL connections that the thread running a script drives itself.
//!
//! Each connection has a single-threaded runtime of its own, run only by the thread that holds
//! the connection: a statement's round trip is that thread writing to the socket and sleeping in
//! `epoll` until PostgreSQL answers. A connection on the server's shared runtime instead hands
//! every statement to a worker thread and is woken by it when the answer comes: two more thread
//! switches per statement, which under load were most of the server's CPU.

use std::collections::HashMap;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use tokio::runtime::{Builder, Runtime};
use tokio_postgres::{Client, Config, NoTls, Statement};

/// Why no connection was handed out.
#[derive(Debug, thiserror::Error)]
pub enum PoolError {
    #[error("every connection stayed busy for {0:?}")]
    Busy(Duration),
    #[error("connecting: {0}")]
    Connect(String),
}

/// One connection, its runtime and its prepared statements.
pub struct Conn {
    /// `None` only while dropping.
    runtime: Option<Runtime>,
    pub client: Client,
    statements: HashMap<String, Statement>,
    /// Set between `BEGIN` and the end of the transaction: a connection given back in this
    /// state (a script that panicked) is closed, not reused.
    pub in_transaction: bool,
}

impl Conn {
    fn connect(config: &Config, timeout: Duration) -> Result<Self, PoolError> {
        let runtime = Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| PoolError::Connect(format!("runtime: {e}")))?;
        let (client, connection) = runtime
            .block_on(tokio::time::timeout(timeout, config.connect(NoTls)))
            .map_err(|_| PoolError::Connect(format!("no answer within {timeout:?}")))?
            .map_err(|e| PoolError::Connect(e.to_string()))?;
        // Polled whenever the holder waits on this runtime, which is when it has work for it.
        runtime.spawn(connection);
        Ok(Self {
            runtime: Some(runtime),
            client,
            statements: HashMap::new(),
            in_transaction: false,
        })
    }

    /// Runs `future` (a statement of this connection) on this thread until it is done.
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        match &self.runtime {
            Some(runtime) => runtime.block_on(future),
            None => unreachable!("the runtime is taken only by drop"),
        }
    }

    /// The statement, prepared once per connection.
    pub fn prepared(&mut self, sql: &str) -> Result<Statement, tokio_postgres::Error> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.block_on(self.client.prepare(sql))?;
        self.statements.insert(sql.to_string(), statement.clone());
        Ok(statement)
    }
}

impl Drop for Conn {
    fn drop(&mut self) {
        // Without waiting: the pool may be dropped on a worker of the server's runtime, where
        // a runtime must not block.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// At most `max` connections, opened when needed and kept open.
pub struct Pool {
    config: Config,
    max: usize,
    wait: Duration,
    connect: Duration,
    state: Mutex<State>,
    freed: Condvar,
}

struct State {
    idle: Vec<Conn>,
    /// Connections handed out or idle.
    open: usize,
}

impl Pool {
    /// `wait`: how long [`Pool::get`] waits for a busy pool; `connect`: for a new connection.
    pub fn new(config: Config, max: usize, wait: Duration, connect: Duration) -> Self {
        Self {
            config,
            max: max.max(1),
            wait,
            connect,
            state: Mutex::new(State {
                idle: Vec::new(),
                open: 0,
            }),
            freed: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// An idle connection, a new one, or the first one given back within `wait`.
    pub fn get(&self) -> Result<Lease<'_>, PoolError> {
        let deadline = Instant::now() + self.wait;
        let mut state = self.lock();
        loop {
            while let Some(conn) = state.idle.pop() {
                if !conn.client.is_closed() {
                    return Ok(Lease {
                        pool: self,
                        conn: Some(conn),
                    });
                }
                state.open -= 1;
            }
            if state.open < self.max {
                state.open += 1;
                drop(state);
                return match Conn::connect(&self.config, self.connect) {
                    Ok(conn) => Ok(Lease {
                        pool: self,
                        conn: Some(conn),
                    }),
                    Err(e) => {
                        self.forget(1);
                        Err(e)
                    }
                };
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(PoolError::Busy(self.wait));
            }
            state = self
                .freed
                .wait_timeout(state, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    fn forget(&self, closed: usize) {
        let mut state = self.lock();
        state.open -= closed;
        drop(state);
        self.freed.notify_all();
    }

    /// Closes every idle connection: once one was found cut (the database restarted), the
    /// others are too, and each would fail its next request.
    pub fn close_idle(&self) {
        let idle = std::mem::take(&mut self.lock().idle);
        self.forget(idle.len());
    }
}

/// A connection lent by the pool; given back when dropped, or closed if it is broken or was
/// left inside a transaction.
pub struct Lease<'a> {
    pool: &'a Pool,
    conn: Option<Conn>,
}

impl Lease<'_> {
    /// Closes the connection instead of giving it back.
    pub fn discard(mut self) {
        if self.conn.take().is_some() {
            self.pool.forget(1);
        }
    }
}

impl std::ops::Deref for Lease<'_> {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        match &self.conn {
            Some(conn) => conn,
            None => unreachable!("the connection is taken only by drop and discard"),
        }
    }
}

impl std::ops::DerefMut for Lease<'_> {
    fn deref_mut(&mut self) -> &mut Conn {
        match &mut self.conn {
            Some(conn) => conn,
            None => unreachable!("the connection is taken only by drop and discard"),
        }
    }
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else { return };
        if conn.in_transaction || conn.client.is_closed() {
            drop(conn);
            self.pool.forget(1);
        } else {
            self.pool.lock().idle.push(conn);
            self.pool.freed.notify_one();
        }
    }
}
