//! Running the server on its own thread and tokio runtime, so blocking callers (the Slint
//! kiosk, tests) can embed it without a runtime of their own.

use std::net::SocketAddr;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use chrono::NaiveDate;
use tokio::sync::watch;

use crate::auth::Tokens;
use crate::config::CentralConfig;
use crate::notify::{Sms, sender::Sender};
use crate::routes::{self, AppState};
use crate::seed;
use crate::sms::{Gateway, GatewaySettings, KannelDlr, kannel_dlr};
use crate::store::{Store, StoreError};

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum CentralError {
    #[error("invalid configuration: {0}")]
    Config(String),
    #[error("database {what}: {source}")]
    Database {
        what: String,
        #[source]
        source: StoreError,
    },
    #[error("seeding the database: {0}")]
    Seed(String),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("starting the server thread: {0}")]
    Runtime(#[source] std::io::Error),
}

/// How long open connections may delay a shutdown.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(3);

/// A server running on its own thread. Dropping it stops the server and joins the thread.
#[derive(Debug)]
pub struct RunningCentral {
    addr: SocketAddr,
    seeded_on: NaiveDate,
    stop: watch::Sender<bool>,
    thread: Option<JoinHandle<()>>,
}

impl RunningCentral {
    /// The bound address (the real port when the config asked for port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash or the `/api/v1` base path.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The office day the database was first seeded: [`seed::sample_dossiers`] of this day
    /// gives the sample dossier codes it holds.
    pub fn seeded_on(&self) -> NaiveDate {
        self.seeded_on
    }

    /// Stops accepting, lets in-flight requests finish (a few seconds at most), joins.
    pub fn shutdown(self) {
        drop(self);
    }
}

impl Drop for RunningCentral {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            tracing::error!("the central server thread panicked");
        }
    }
}

/// Opens and seeds the database, binds, and serves on a new thread. Returns once listening.
pub fn spawn(config: CentralConfig) -> Result<RunningCentral, CentralError> {
    config.check().map_err(CentralError::Config)?;
    let voice = match &config.voice_dir {
        None => crate::web::voice::Voice::builtin(),
        Some(dir) => crate::web::voice::Voice::with_folder(dir)
            .map_err(|e| CentralError::Config(format!("voice_dir: {e}")))?,
    };
    if !voice.replaced.is_empty() {
        tracing::info!(clips = ?voice.replaced, "the office's own recordings replace these clips");
    }
    let web = Arc::new(crate::web::WebSettings {
        notice: config
            .display_notice
            .clone()
            .filter(|n| !n.trim().is_empty()),
        voice,
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        // Every store script waits on its own blocking thread (PostgreSQL round trips).
        .max_blocking_threads(config.pool_size.max(4) + 4)
        .thread_name("motcua-central-worker")
        .enable_all()
        .build()
        .map_err(CentralError::Runtime)?;
    let store = runtime
        .block_on(Store::open(&config.database, config.pool_size))
        .map_err(|source| CentralError::Database {
            what: config.database.describe(),
            source,
        })?;
    let office_name = config.office_name.clone();
    let now = config.clock.now();
    let seeded_on = runtime
        .block_on(store.write(move |sql| {
            let day = seed::seed_if_empty(sql, &office_name, now)?;
            crate::offices::name_default_office(sql, &office_name)?;
            Ok(day)
        }))
        .map_err(|e| CentralError::Seed(e.detail()))?;
    let bind_error = |source| CentralError::Bind {
        addr: config.listen,
        source,
    };
    let listener = std::net::TcpListener::bind(config.listen).map_err(bind_error)?;
    listener.set_nonblocking(true).map_err(bind_error)?;
    let addr = listener.local_addr().map_err(bind_error)?;
    let sms = config
        .sms
        .clone()
        .filter(|s| !matches!(s.gateway, GatewaySettings::None))
        .map(|settings| Sms {
            settings: Arc::new(settings),
            wake: Arc::default(),
        });
    let state = AppState {
        store,
        metrics: Arc::default(),
        clock: config.clock.clone(),
        tokens: Arc::new(Tokens::new(&config)),
        lookups_per_minute: config.dossier_lookups_per_minute,
        always_open: config.always_open,
        stopping: watch::channel(false).1,
        sms,
        housekeeping_every: config.housekeeping_every,
        web,
    };
    let (stop, stopped) = watch::channel(false);
    let state = AppState {
        stopping: stopped.clone(),
        ..state
    };
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let thread = std::thread::Builder::new()
        .name("motcua-central".into())
        .spawn(move || {
            runtime.block_on(serve(listener, state, stopped, ready_tx));
            runtime.shutdown_timeout(SHUTDOWN_GRACE);
        })
        .map_err(CentralError::Runtime)?;
    match ready_rx.recv() {
        Ok(Ok(())) => {}
        Ok(Err(source)) => {
            let _ = thread.join();
            return Err(CentralError::Bind { addr, source });
        }
        Err(_) => {
            let _ = thread.join();
            return Err(CentralError::Runtime(std::io::Error::other(
                "server thread ended early",
            )));
        }
    }
    tracing::info!(%addr, %seeded_on, database = %config.database.describe(), "central server listening");
    Ok(RunningCentral {
        addr,
        seeded_on,
        stop,
        thread: Some(thread),
    })
}

async fn serve(
    listener: std::net::TcpListener,
    state: AppState,
    stopped: watch::Receiver<bool>,
    ready: std::sync::mpsc::Sender<std::io::Result<()>>,
) {
    let listener = match tokio::net::TcpListener::from_std(listener) {
        Ok(l) => l,
        Err(e) => {
            let _ = ready.send(Err(e));
            return;
        }
    };
    let (sender, dlr_routes) = match start_sms(&state) {
        Ok(started) => started,
        Err(e) => {
            let _ = ready.send(Err(std::io::Error::other(e.to_string())));
            return;
        }
    };
    let _ = ready.send(Ok(()));
    let chores = tokio::spawn(housekeeping(state.clone()));
    let app = routes::router(state);
    let app = match dlr_routes {
        Some(dlr) => app.merge(dlr),
        None => app,
    };
    let wait_stop = |mut rx: watch::Receiver<bool>| async move {
        // An error means the handle is gone: stop too.
        let _ = rx.wait_for(|stop| *stop).await;
    };
    let graceful = axum::serve(listener, app).with_graceful_shutdown(wait_stop(stopped.clone()));
    let deadline = async {
        wait_stop(stopped).await;
        tokio::time::sleep(SHUTDOWN_GRACE).await;
    };
    tokio::select! {
        result = graceful => {
            if let Err(e) = result {
                tracing::error!(error = %e, "central server stopped");
            }
        }
        () = deadline => tracing::warn!("shutdown grace elapsed; dropping open connections"),
    }
    chores.abort();
    // The message in hand is finished and recorded before the server goes.
    if let Some(sender) = sender
        && tokio::time::timeout(SHUTDOWN_GRACE, sender).await.is_err()
    {
        tracing::warn!("the SMS sender did not finish within the shutdown grace");
    }
}

/// Starts the gateway and the sender task when the office sends SMS; with Kannel delivery
/// reports, also the route Kannel calls back.
fn start_sms(
    state: &AppState,
) -> Result<(Option<tokio::task::JoinHandle<()>>, Option<axum::Router>), crate::sms::GatewayError> {
    let Some(sms) = &state.sms else {
        return Ok((None, None));
    };
    let (reports_tx, reports) = tokio::sync::mpsc::channel(1024);
    let gateway = Gateway::start(&sms.settings, reports_tx.clone())?;
    let dlr = KannelDlr::from_settings(&sms.settings, reports_tx).map(|dlr| {
        axum::Router::new()
            .route(crate::sms::KANNEL_DLR_ROUTE, axum::routing::get(kannel_dlr))
            .with_state(dlr)
    });
    let sender = Sender {
        store: state.store.clone(),
        clock: state.clock.clone(),
        settings: Arc::clone(&sms.settings),
        gateway: Arc::new(gateway),
        wake: Arc::clone(&sms.wake),
        reports,
        stopping: state.stopping.clone(),
    };
    Ok((Some(tokio::spawn(sender.run())), dlr))
}

/// How long phone numbers of dossier subscriptions and messages are kept without `[sms]`.
const DEFAULT_KEEP_DAYS: u32 = 30;

/// Removes what is kept only for a while (request ids after 30 days, spent rate-limit
/// windows, events after a day, ticket phones after their office day, SMS subscriptions and
/// messages after `[sms] keep_days`) and tells subscribers of dossiers that ran late, once at
/// start and then every hour.
async fn housekeeping(state: AppState) {
    let mut every = tokio::time::interval(state.housekeeping_every);
    loop {
        every.tick().await;
        let now = state.clock.now();
        let sms = state.sms.as_ref().map(|s| Arc::clone(&s.settings));
        let keep_days = sms.as_ref().map_or(DEFAULT_KEEP_DAYS, |s| s.keep_days);
        let done = state
            .store
            .write(move |sql| {
                let ids = crate::idempotency::forget_old(sql, now)?;
                crate::rate_limit::forget_old(sql, now)?;
                crate::events::forget_old(sql, now)?;
                crate::notify::triggers::forget_old(sql, keep_days, now)?;
                if let Some(sms) = &sms {
                    crate::notify::triggers::late_dossiers(sql, sms, now)?;
                }
                Ok(ids)
            })
            .await;
        if let Some(sms) = &state.sms {
            sms.poke();
        }
        match done {
            Ok(0) => {}
            Ok(n) => tracing::info!(
                request_ids = n,
                "forgot request ids past their keeping time"
            ),
            Err(e) => tracing::warn!(error = %e, "housekeeping failed; will try again"),
        }
    }
}
