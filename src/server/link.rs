//! The link worker: owns the connection to the central server, sends the heartbeat, and reports
//! whether the server is reachable. It runs on its own thread; the UI only hears its events.

use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::error::{ErrorKind, ServerError};
use super::model::Heartbeat;
use super::{CentralClient, ClientSettings, DemoServer};
use crate::config::{Config, ServerEndpoint};

/// How often a healthy kiosk reports in, and how soon an offline one tries again.
pub const HEARTBEAT_EVERY: Duration = Duration::from_secs(60);
pub const RETRY_EVERY: Duration = Duration::from_secs(15);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    Connecting,
    Online {
        latency_ms: u32,
    },
    Offline(ErrorKind),
    /// The server refuses this kiosk's token: staff must act.
    Unauthorized,
}

impl LinkState {
    /// How long the last heartbeat took, while the server answers.
    pub fn latency_ms(self) -> Option<u32> {
        match self {
            LinkState::Online { latency_ms } => Some(latency_ms),
            _ => None,
        }
    }
}

/// What the heartbeat reports beyond the kiosk's id and uptime; other workers keep it current.
#[derive(Debug, Clone, Default)]
pub struct LinkStatus(Arc<Mutex<Reported>>);

#[derive(Debug, Clone, Default)]
struct Reported {
    printer: String,
    outbox: u32,
    catalog_version: Option<u64>,
    /// Sends a heartbeat at once when the catalog version changes.
    waker: Option<LinkWaker>,
}

impl LinkStatus {
    pub fn new(printer: &str) -> Self {
        Self(Arc::new(Mutex::new(Reported {
            printer: printer.to_string(),
            ..Reported::default()
        })))
    }

    /// `ok`, `paper-near-end`, `paper-out`, `preview`...
    pub fn set_printer(&self, code: &str) {
        self.lock().printer = code.to_string();
    }

    pub fn set_outbox(&self, waiting: u32) {
        self.lock().outbox = waiting;
    }

    /// The catalog version the kiosk searches (0 for the seed it was installed with); a new
    /// one is reported to the central system at once.
    pub fn set_catalog_version(&self, version: u64) {
        let mut s = self.lock();
        if s.catalog_version != Some(version) {
            s.catalog_version = Some(version);
            if let Some(waker) = &s.waker {
                waker.wake();
            }
        }
    }

    /// Whom to wake when something the fleet should hear of at once changes.
    pub fn wake_on_change(&self, waker: LinkWaker) {
        self.lock().waker = Some(waker);
    }

    /// Tickets and ratings waiting to be sent, as last counted.
    pub fn outbox(&self) -> u32 {
        self.snapshot().outbox
    }

    fn snapshot(&self) -> Reported {
        self.lock().clone()
    }

    /// Each field is written whole, so what a panicking holder of the lock left is still true.
    fn lock(&self) -> MutexGuard<'_, Reported> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Asks the link worker for a heartbeat now (e.g. the printer ran out of paper); `Send`.
#[derive(Debug, Clone)]
pub struct LinkWaker(mpsc::Sender<Command>);

impl LinkWaker {
    pub fn wake(&self) {
        let _ = self.0.send(Command::CheckNow);
    }
}

/// What the link worker tells the UI.
#[derive(Debug, Clone)]
pub enum LinkReport {
    State(LinkState),
    /// The built-in demo server is up; these sample dossier codes can be looked up.
    DemoSamples(Vec<String>),
}

/// The connected client, for other workers (catalog sync, tickets, lookups): empty until the
/// link is up. Cheap to clone.
#[derive(Clone, Default)]
pub struct SharedClient(Arc<Mutex<Option<CentralClient>>>);

impl SharedClient {
    /// The client once the link is up, `None` before. The client is only ever replaced whole, so
    /// a lock poisoned by a panic elsewhere still holds a usable one: it is read, not taken to
    /// mean "offline".
    pub fn current(&self) -> Option<CentralClient> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn set(&self, client: CentralClient) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some(client);
    }
}

/// A client already connected, for workers started without a link (tools and tests).
impl From<CentralClient> for SharedClient {
    fn from(client: CentralClient) -> Self {
        Self(Arc::new(Mutex::new(Some(client))))
    }
}

/// Where the server is: a configured URL, or the built-in demo server to start first.
#[derive(Debug, Clone)]
pub enum LinkTarget {
    Remote(ClientSettings),
    Demo(DemoSettings),
}

#[derive(Debug, Clone)]
pub struct DemoSettings {
    pub db_path: std::path::PathBuf,
    pub kiosk_id: String,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
}

#[derive(Debug, Clone)]
pub struct LinkSettings {
    pub target: LinkTarget,
    pub kiosk_id: String,
    /// What the heartbeat reports about this kiosk, kept current by other workers.
    pub status: LinkStatus,
    pub heartbeat_every: Duration,
    pub retry_every: Duration,
}

impl LinkSettings {
    /// The link of `[server]`, reporting `status`; `None` when no server is configured.
    pub fn from_config(config: &Config, status: &LinkStatus) -> Option<Self> {
        let target = match &config.server.endpoint {
            ServerEndpoint::NotConfigured => return None,
            ServerEndpoint::Remote(url) => {
                LinkTarget::Remote(ClientSettings::from_config(&config.server, url.clone()))
            }
            ServerEndpoint::Demo => LinkTarget::Demo(DemoSettings {
                db_path: config.kiosk.data_dir.join("demo-central.sqlite3"),
                kiosk_id: config.kiosk.id.clone(),
                connect_timeout: config.server.connect_timeout,
                request_timeout: config.server.request_timeout,
            }),
        };
        Some(Self {
            target,
            kiosk_id: config.kiosk.id.clone(),
            status: status.clone(),
            heartbeat_every: HEARTBEAT_EVERY,
            retry_every: RETRY_EVERY,
        })
    }
}

enum Command {
    CheckNow,
    Stop,
}

pub struct Link {
    commands: mpsc::Sender<Command>,
    _thread: Option<JoinHandle<()>>,
}

impl Link {
    /// Starts the worker; `report` is called from the worker thread on every check.
    pub fn spawn(
        settings: LinkSettings,
        shared: SharedClient,
        report: impl Fn(LinkReport) + Send + 'static,
    ) -> Self {
        let (commands, inbox) = mpsc::channel();
        let thread = crate::supervise::spawn("server-link", move || {
            run(&settings, &shared, &inbox, &report);
        })
        .map_err(|e| tracing::error!("cannot start the server link thread: {e}"))
        .ok();
        Self {
            commands,
            _thread: thread,
        }
    }

    /// Checks the server now instead of at the next heartbeat.
    pub fn check_now(&self) {
        let _ = self.commands.send(Command::CheckNow);
    }

    pub fn waker(&self) -> LinkWaker {
        LinkWaker(self.commands.clone())
    }
}

impl Drop for Link {
    // No join: the worker may be inside a request; it stops by itself once that ends, and the UI
    // thread must not wait for it.
    fn drop(&mut self) {
        let _ = self.commands.send(Command::Stop);
    }
}

/// Resolves the target to a client; for the demo this starts the built-in server, which lives as
/// long as the returned guard.
fn connect(target: &LinkTarget) -> Result<(CentralClient, Option<DemoServer>), ServerError> {
    match target {
        LinkTarget::Remote(settings) => Ok((CentralClient::new(settings)?, None)),
        LinkTarget::Demo(demo) => {
            let server = DemoServer::start(demo.db_path.clone(), &demo.kiosk_id)?;
            tracing::info!("demo server listening on {}", server.base_url);
            let client =
                CentralClient::new(&server.settings(demo.connect_timeout, demo.request_timeout))?;
            Ok((client, Some(server)))
        }
    }
}

fn run(
    settings: &LinkSettings,
    shared: &SharedClient,
    inbox: &mpsc::Receiver<Command>,
    report: &dyn Fn(LinkReport),
) {
    report(LinkReport::State(LinkState::Connecting));
    // A setup that fails (the demo server's folder not there yet, a CA file being replaced) is
    // tried again: the kiosk must not stay offline until a restart.
    let (client, demo_server) = loop {
        match connect(&settings.target) {
            Ok(pair) => break pair,
            Err(e) => {
                tracing::error!(
                    "server link cannot start: {e}; trying again in {} s",
                    settings.retry_every.as_secs()
                );
                report(LinkReport::State(LinkState::Offline(e.kind())));
                match inbox.recv_timeout(settings.retry_every) {
                    Ok(Command::Stop) | Err(mpsc::RecvTimeoutError::Disconnected) => return,
                    Ok(Command::CheckNow) | Err(mpsc::RecvTimeoutError::Timeout) => {}
                }
            }
        }
    };
    shared.set(client.clone());
    if let Some(demo) = &demo_server {
        report(LinkReport::DemoSamples(demo.sample_codes()));
    }
    let started = Instant::now();
    let mut last: Option<LinkState> = None;
    loop {
        let reported = settings.status.snapshot();
        let heartbeat = Heartbeat {
            kiosk_id: settings.kiosk_id.clone(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            printer: reported.printer,
            catalog_version: reported.catalog_version,
            outbox: reported.outbox,
            uptime_s: started.elapsed().as_secs(),
        };
        let sent = Instant::now();
        let state = match client.heartbeat(&heartbeat) {
            Ok(_) => LinkState::Online {
                latency_ms: u32::try_from(sent.elapsed().as_millis()).unwrap_or(u32::MAX),
            },
            Err(e) => {
                if last.is_none_or(|s| matches!(s, LinkState::Online { .. })) {
                    tracing::warn!("central server unreachable: {e}");
                }
                match e.kind() {
                    ErrorKind::NotAuthorized => LinkState::Unauthorized,
                    kind => LinkState::Offline(kind),
                }
            }
        };
        if matches!(state, LinkState::Online { .. })
            && !last.is_some_and(|s| matches!(s, LinkState::Online { .. }))
        {
            tracing::info!("central server online");
        }
        report(LinkReport::State(state));
        last = Some(state);
        let wait = if matches!(state, LinkState::Online { .. }) {
            settings.heartbeat_every
        } else {
            settings.retry_every
        };
        match inbox.recv_timeout(wait) {
            Ok(Command::CheckNow) | Err(RecvTimeoutError::Timeout) => {}
            Ok(Command::Stop) | Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}
