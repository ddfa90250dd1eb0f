//! Tells systemd how the kiosk is doing (`sd_notify`): ready once the window is up, and a
//! watchdog ping from the UI thread's event loop, so a frozen UI stops the pings and systemd
//! restarts the kiosk (`WatchdogSec=` in the unit).
//!
//! The protocol is one datagram per message to the socket in `NOTIFY_SOCKET`; no library needed.
//! Outside systemd (no `NOTIFY_SOCKET`) every call does nothing.

use std::io;
use std::os::unix::net::UnixDatagram;
use std::path::PathBuf;
use std::time::Duration;

/// Where systemd listens, and how often it wants to hear from us.
#[derive(Debug)]
pub struct Notifier {
    socket: UnixDatagram,
    target: Target,
    watchdog: Option<Duration>,
}

#[derive(Debug, Clone)]
enum Target {
    Path(PathBuf),
    /// `@name`: Linux's abstract socket namespace.
    Abstract(Vec<u8>),
}

#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error("NOTIFY_SOCKET {0:?} is neither a path nor an abstract socket name")]
    BadAddress(String),
    #[error("cannot reach systemd's notification socket: {0}")]
    Io(#[from] io::Error),
}

impl Notifier {
    /// From the environment systemd gives the service; `Ok(None)` when not run by systemd.
    pub fn from_env() -> Result<Option<Self>, NotifyError> {
        let Some(address) = std::env::var_os("NOTIFY_SOCKET") else {
            return Ok(None);
        };
        Self::connect(&address.to_string_lossy(), watchdog_from_env()).map(Some)
    }

    /// Talks to the socket at `address` (a path, or `@name` for an abstract one); pings are
    /// due within `watchdog`.
    pub fn connect(address: &str, watchdog: Option<Duration>) -> Result<Self, NotifyError> {
        let target = if let Some(name) = address.strip_prefix('@') {
            Target::Abstract(name.as_bytes().to_vec())
        } else if address.starts_with('/') {
            Target::Path(PathBuf::from(address))
        } else {
            return Err(NotifyError::BadAddress(address.to_string()));
        };
        Ok(Self {
            socket: UnixDatagram::unbound()?,
            target,
            watchdog,
        })
    }

    /// How often to ping: half of `WATCHDOG_USEC`, as systemd advises; `None` without a watchdog.
    pub fn ping_every(&self) -> Option<Duration> {
        self.watchdog.map(|limit| limit / 2)
    }

    pub fn ready(&self) -> Result<(), NotifyError> {
        self.send("READY=1")
    }

    pub fn ping(&self) -> Result<(), NotifyError> {
        self.send("WATCHDOG=1")
    }

    pub fn stopping(&self) -> Result<(), NotifyError> {
        self.send("STOPPING=1")
    }

    /// `READY=1`, logged either way.
    pub fn announce_ready(&self) {
        match self.ready() {
            Ok(()) => tracing::info!("told systemd the kiosk is ready"),
            Err(e) => tracing::warn!("{e}"),
        }
    }

    /// `WATCHDOG=1`; a failure is logged.
    pub fn keep_alive(&self) {
        if let Err(e) = self.ping() {
            tracing::warn!("watchdog: {e}");
        }
    }

    /// A line `systemctl status` shows.
    pub fn status(&self, text: &str) -> Result<(), NotifyError> {
        self.send(&format!("STATUS={}", text.replace('\n', " ")))
    }

    fn send(&self, message: &str) -> Result<(), NotifyError> {
        match &self.target {
            Target::Path(path) => self.socket.send_to(message.as_bytes(), path)?,
            Target::Abstract(name) => {
                use std::os::linux::net::SocketAddrExt;
                let address = std::os::unix::net::SocketAddr::from_abstract_name(name)?;
                self.socket.send_to_addr(message.as_bytes(), &address)?
            }
        };
        Ok(())
    }
}

/// `WATCHDOG_USEC`, if it is meant for this process (`WATCHDOG_PID` absent or ours).
fn watchdog_from_env() -> Option<Duration> {
    if let Some(pid) = std::env::var_os("WATCHDOG_PID")
        && pid.to_string_lossy().parse::<u32>().ok() != Some(std::process::id())
    {
        return None;
    }
    let usec: u64 = std::env::var("WATCHDOG_USEC").ok()?.parse().ok()?;
    (usec > 0).then(|| Duration::from_micros(usec))
}

/// Keeps systemd informed while the event loop runs; dropping it stops the pings.
pub struct SystemdReport {
    notifier: std::rc::Rc<Notifier>,
    _ready: slint::Timer,
    _watchdog: slint::Timer,
}

/// Says "ready" once the event loop turns, then pings the watchdog from the event loop: if the
/// UI thread hangs, the pings stop and systemd restarts the kiosk.
pub fn report_to_systemd(notifier: Notifier) -> SystemdReport {
    let notifier = std::rc::Rc::new(notifier);
    let (ready, watchdog) = (slint::Timer::default(), slint::Timer::default());
    let n = notifier.clone();
    ready.start(slint::TimerMode::SingleShot, Duration::ZERO, move || {
        n.announce_ready()
    });
    if let Some(every) = notifier.ping_every() {
        let n = notifier.clone();
        watchdog.start(slint::TimerMode::Repeated, every, move || n.keep_alive());
    }
    SystemdReport {
        notifier,
        _ready: ready,
        _watchdog: watchdog,
    }
}

impl SystemdReport {
    /// Tells systemd the kiosk is stopping on purpose.
    pub fn stopping(&self) {
        let _ = self.notifier.stopping();
    }
}
