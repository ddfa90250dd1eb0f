//! The printer thread: the only owner of the transport. It polls the printer's status, reopens a
//! lost port, and prints jobs one at a time; everyone else holds a cheap [`Printer`] handle.

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::status::PrinterState;
use super::transport::{self, RenderPreview, Transport};
use crate::config::{Config, PrinterTransport};

/// How long [`Printer::check_now`] waits for the printer thread before settling for the last
/// known state (the thread may be busy with a long job).
const CHECK_WAIT: Duration = Duration::from_millis(1500);

pub struct Job {
    /// Names the job in logs and the preview folder, e.g. `ticket-HT-042`.
    pub name: String,
    pub bytes: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobOutcome {
    Printed {
        /// The picture of the job when printing to the preview folder.
        preview_png: Option<PathBuf>,
    },
    /// Not a byte was sent: the printer could not print when the job's turn came.
    Refused(PrintFailure),
    /// Sent, whole or in part, then failed (or not known to have come out): the paper may
    /// hold some of it.
    Failed(PrintFailure),
}

impl JobOutcome {
    pub fn is_printed(&self) -> bool {
        matches!(self, Self::Printed { .. })
    }

    /// Why it did not print, if it did not.
    pub fn failure(&self) -> Option<PrintFailure> {
        match self {
            Self::Printed { .. } => None,
            Self::Refused(f) | Self::Failed(f) => Some(*f),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PrintFailure {
    #[error("the printer is out of paper")]
    PaperOut,
    #[error("the printer's cover is open")]
    CoverOpen,
    #[error("the printer does not answer")]
    NoAnswer,
    #[error("no printer is connected")]
    NotConnected,
    #[error("the printer is offline (it stopped itself; check for a paper jam)")]
    Offline,
    #[error("the printer reports an error")]
    Error,
    /// The write itself failed.
    #[error("sending the job to the printer failed")]
    WriteFailed,
    /// The caller stopped waiting; a job already being sent may still come out.
    #[error("the printer did not finish in time")]
    TimedOut,
}

impl PrintFailure {
    /// Why a printer in `state` cannot print, or `None` when it can.
    pub fn from_state(state: PrinterState) -> Option<Self> {
        match state {
            PrinterState::Ready
            | PrinterState::PaperNearEnd
            | PrinterState::Preview
            | PrinterState::NoStatus => None,
            PrinterState::PaperOut => Some(Self::PaperOut),
            PrinterState::CoverOpen => Some(Self::CoverOpen),
            PrinterState::Offline => Some(Self::Offline),
            PrinterState::Error => Some(Self::Error),
            PrinterState::NoAnswer => Some(Self::NoAnswer),
            PrinterState::NotConnected => Some(Self::NotConnected),
        }
    }
}

/// Draws a job as a PNG for the preview folder; `None` when it cannot.
pub type SharedRender = Arc<dyn Fn(&[u8]) -> Option<Vec<u8>> + Send + Sync>;

pub struct PrinterSettings {
    pub transport: PrinterTransport,
    /// How often the status is asked while the printer is connected (about 5 s).
    pub poll_every: Duration,
    /// How often a lost printer is looked for again (about 2 s).
    pub reconnect_every: Duration,
    pub render_preview: Option<SharedRender>,
}

/// How often the kiosk's printer is asked for its state, and how often a lost one is looked for.
pub const POLL_EVERY: Duration = Duration::from_secs(5);
pub const RECONNECT_EVERY: Duration = Duration::from_secs(2);

impl PrinterSettings {
    /// The printer of `[printer]`: its transport, the kiosk's poll and reconnect periods, and
    /// the preview picture drawn with the configured paper and text mode.
    pub fn from_config(config: &Config) -> Self {
        let layout = config.printer.layout();
        Self {
            transport: config.printer.transport.clone(),
            poll_every: POLL_EVERY,
            reconnect_every: RECONNECT_EVERY,
            render_preview: Some(Arc::new(move |bytes: &[u8]| {
                crate::ticket::preview::render_png(bytes, layout.width_dots, layout.text_mode).ok()
            })),
        }
    }
}

enum Command {
    Check(Sender<PrinterState>),
    Print {
        job: Job,
        /// The caller gives up then; a job still queued by that time is dropped unprinted.
        deadline: Option<Instant>,
        reply: Sender<JobOutcome>,
    },
}

/// A handle on the printer thread. Cheap to clone; the thread stops once the last handle is
/// dropped.
#[derive(Clone)]
pub struct Printer {
    commands: Sender<Command>,
    state: Arc<Mutex<PrinterState>>,
}

impl Printer {
    /// Starts the thread; `on_state` is called from the printer thread whenever the state changes
    /// (and once at start).
    pub fn spawn(
        settings: PrinterSettings,
        on_state: impl Fn(PrinterState) + Send + 'static,
    ) -> Printer {
        let initial = match settings.transport {
            PrinterTransport::Preview { .. } => PrinterState::Preview,
            _ => PrinterState::NotConnected,
        };
        let state = Arc::new(Mutex::new(initial));
        let (commands, inbox) = mpsc::channel();
        let mut worker = Worker {
            config: settings.transport,
            render: settings.render_preview,
            poll_every: settings.poll_every,
            reconnect_every: settings.reconnect_every,
            transport: None,
            open_error_logged: false,
            published: None,
            shared: Arc::clone(&state),
            on_state: Box::new(on_state),
        };
        let spawned = crate::supervise::spawn("printer", move || worker.run(&inbox));
        if let Err(e) = spawned {
            // Every request then fails as "not connected"; the kiosk keeps running without paper.
            tracing::error!("cannot start the printer thread: {e}");
        }
        Printer { commands, state }
    }

    /// Last known state, without blocking.
    pub fn state(&self) -> PrinterState {
        *self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Asks the printer now and returns the fresh state. Blocks the caller for at most about
    /// 1.5 s (then it returns the last known state): never call it on the UI thread.
    pub fn check_now(&self) -> PrinterState {
        let (reply, answer) = mpsc::channel();
        if self.commands.send(Command::Check(reply)).is_err() {
            return self.state();
        }
        answer
            .recv_timeout(CHECK_WAIT)
            .unwrap_or_else(|_| self.state())
    }

    /// Prints on the printer thread: checks the status first (and refuses if the printer cannot
    /// print), writes, then checks again, so that paper running out during the job fails it and
    /// the caller can mark the ticket unprinted. Blocks the caller until done or `timeout`.
    pub fn print(&self, job: Job, timeout: Duration) -> JobOutcome {
        let (reply, answer) = mpsc::channel();
        let command = Command::Print {
            job,
            deadline: Instant::now().checked_add(timeout),
            reply,
        };
        if self.commands.send(command).is_err() {
            return JobOutcome::Refused(PrintFailure::NotConnected);
        }
        match answer.recv_timeout(timeout) {
            Ok(outcome) => outcome,
            Err(RecvTimeoutError::Timeout) => JobOutcome::Failed(PrintFailure::TimedOut),
            // The thread dropped the job without an answer: it is gone.
            Err(RecvTimeoutError::Disconnected) => JobOutcome::Failed(PrintFailure::NotConnected),
        }
    }
}

struct Worker {
    config: PrinterTransport,
    render: Option<SharedRender>,
    poll_every: Duration,
    reconnect_every: Duration,
    transport: Option<Box<dyn Transport>>,
    /// An unplugged printer fails to open every few seconds; say so once per outage.
    open_error_logged: bool,
    published: Option<PrinterState>,
    shared: Arc<Mutex<PrinterState>>,
    on_state: Box<dyn Fn(PrinterState) + Send>,
}

impl Worker {
    fn run(&mut self, inbox: &Receiver<Command>) {
        // After a panic the port may be mid-job: open it afresh.
        self.transport = None;
        self.refresh();
        let mut next_check = Instant::now() + self.interval();
        loop {
            let wait = next_check.saturating_duration_since(Instant::now());
            match inbox.recv_timeout(wait) {
                Ok(Command::Check(reply)) => {
                    let state = self.refresh();
                    let _ = reply.send(state);
                }
                Ok(Command::Print {
                    job,
                    deadline,
                    reply,
                }) => {
                    if deadline.is_some_and(|deadline| Instant::now() >= deadline) {
                        tracing::warn!("print job {} dropped: it waited too long", job.name);
                        continue;
                    }
                    let outcome = self.print(&job);
                    let _ = reply.send(outcome);
                }
                Err(RecvTimeoutError::Timeout) => {
                    self.refresh();
                }
                Err(RecvTimeoutError::Disconnected) => break,
            }
            next_check = Instant::now() + self.interval();
        }
        tracing::debug!("printer thread stopped");
    }

    /// A printer that can print is asked every `poll_every`; one that cannot (missing, silent,
    /// out of paper, cover open) is asked at the reconnect pace, so a refilled roll or a
    /// closed cover is seen in seconds, as an unplugged printer coming back is.
    fn interval(&self) -> Duration {
        let printing =
            self.transport.is_some() && self.published.is_some_and(PrinterState::can_print);
        if printing {
            self.poll_every
        } else {
            self.reconnect_every
        }
    }

    fn connect(&mut self) {
        let render = self
            .render
            .clone()
            .map(|render| -> RenderPreview { Box::new(move |bytes: &[u8]| render(bytes)) });
        match transport::open(&self.config, render) {
            Ok(transport) => {
                self.transport = Some(transport);
                self.open_error_logged = false;
            }
            Err(e) if !self.open_error_logged => {
                tracing::warn!("{e}");
                self.open_error_logged = true;
            }
            Err(e) => tracing::debug!("{e}"),
        }
    }

    /// Asks the printer (opening it first if needed) and publishes the answer.
    fn refresh(&mut self) -> PrinterState {
        let mut state = self.ask();
        if state == PrinterState::NotConnected {
            // Closing lets the device be opened afresh. One immediate retry covers a network
            // printer that closed an idle connection and an adapter already plugged back in.
            self.transport = None;
            self.connect();
            state = self.ask();
            if state == PrinterState::NotConnected {
                self.transport = None;
            }
        }
        self.publish(state);
        state
    }

    fn ask(&mut self) -> PrinterState {
        self.transport
            .as_mut()
            .map_or(PrinterState::NotConnected, |transport| transport.status())
    }

    fn publish(&mut self, state: PrinterState) {
        let previous = self.published.replace(state);
        if previous == Some(state) {
            return;
        }
        let was = previous.map_or("start", PrinterState::code);
        if state.can_print() && state != PrinterState::PaperNearEnd {
            tracing::info!("printer: {state} (was {was})");
        } else {
            tracing::warn!("printer: {state} (was {was})");
        }
        *self.shared.lock().unwrap_or_else(PoisonError::into_inner) = state;
        (self.on_state)(state);
    }

    fn print(&mut self, job: &Job) -> JobOutcome {
        if let Some(failure) = PrintFailure::from_state(self.refresh()) {
            tracing::warn!("print job {} refused: {failure}", job.name);
            return JobOutcome::Refused(failure);
        }
        let Some(transport) = self.transport.as_mut() else {
            return JobOutcome::Refused(PrintFailure::NotConnected);
        };
        let written = transport.write_job(&job.name, &job.bytes);
        // Asked even after a failed write: it tells whether the printer is still there.
        let after = self.refresh();
        match written {
            Err(e) => {
                tracing::warn!("print job {} failed: {e}", job.name);
                JobOutcome::Failed(PrintFailure::WriteFailed)
            }
            Ok(preview_png) => match PrintFailure::from_state(after) {
                Some(failure) => {
                    tracing::warn!("print job {} sent, then: {failure}", job.name);
                    JobOutcome::Failed(failure)
                }
                None => {
                    tracing::info!("print job {} printed ({} bytes)", job.name, job.bytes.len());
                    JobOutcome::Printed { preview_png }
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn the_handle_can_go_to_any_thread() {
        assert_send_sync::<Printer>();
    }

    #[test]
    fn failures_follow_the_state() {
        assert_eq!(PrintFailure::from_state(PrinterState::Ready), None);
        assert_eq!(PrintFailure::from_state(PrinterState::PaperNearEnd), None);
        assert_eq!(PrintFailure::from_state(PrinterState::Preview), None);
        assert_eq!(
            PrintFailure::from_state(PrinterState::PaperOut),
            Some(PrintFailure::PaperOut)
        );
        assert_eq!(
            PrintFailure::from_state(PrinterState::NoAnswer),
            Some(PrintFailure::NoAnswer)
        );
        for state in [
            PrinterState::Ready,
            PrinterState::PaperNearEnd,
            PrinterState::PaperOut,
            PrinterState::CoverOpen,
            PrinterState::Offline,
            PrinterState::Error,
            PrinterState::NoAnswer,
            PrinterState::NotConnected,
            PrinterState::Preview,
            PrinterState::NoStatus,
        ] {
            assert_eq!(PrintFailure::from_state(state).is_none(), state.can_print());
        }
    }

    #[test]
    fn a_missing_printer_refuses_jobs_and_the_thread_ends_with_the_last_handle() {
        let dir = tempfile::tempdir().unwrap();
        let (tx, states) = mpsc::channel();
        let printer = Printer::spawn(
            PrinterSettings {
                transport: PrinterTransport::File {
                    path: dir.path().join("no-such-device"),
                },
                poll_every: Duration::from_secs(3600),
                reconnect_every: Duration::from_secs(3600),
                render_preview: None,
            },
            move |state| {
                let _ = tx.send(state);
            },
        );
        let job = Job {
            name: "ticket-HT-001".into(),
            bytes: b"x".to_vec(),
        };
        let outcome = printer.clone().print(job, Duration::from_secs(60));
        assert_eq!(outcome, JobOutcome::Refused(PrintFailure::NotConnected));
        assert!(!dir.path().join("no-such-device").exists());
        assert_eq!(printer.state(), PrinterState::NotConnected);
        drop(printer);
        // Published once at start; the sender inside `on_state` goes when the thread ends.
        let mut seen = Vec::new();
        loop {
            match states.recv_timeout(Duration::from_secs(60)) {
                Ok(state) => seen.push(state),
                Err(RecvTimeoutError::Disconnected) => break,
                Err(RecvTimeoutError::Timeout) => panic!("the printer thread outlived its handles"),
            }
        }
        assert_eq!(seen, [PrinterState::NotConnected]);
    }
}
