//! The queue desk: the threads behind the take-a-number screen. The issue thread owns the ticket
//! database and issues one ticket at a time (committed before it is printed); the sync thread
//! keeps the waiting counts fresh, keeps ratings and sends the outbox, so a slow server never
//! makes a citizen's ticket wait behind them. A third thread follows the office's live events so a
//! call at a counter shows on the queue strip at once. All report through one callback.

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::Duration;

use super::{IssueOutcome, IssueSettings, QueueStore, Refusal, TicketOrder};
use crate::config::Config;
use crate::printer::Printer;
use crate::server::ServerError;
use crate::server::events::ServerEvent;
use crate::server::link::{LinkStatus, SharedClient};
use crate::server::model::{BoardLine, FeedbackRequest, QueueService, WaitingEvent};
use crate::ticket::preview::Picture;
use crate::tone::TonePlayer;

/// The first refresh soon after start; then this often (and whenever asked).
const FIRST_REFRESH_AFTER: Duration = Duration::from_secs(2);
const REFRESH_EVERY: Duration = Duration::from_secs(15);
/// The first wait before following the events again after a failure; it doubles up to
/// [`RECONNECT_AT_MOST`].
const RECONNECT_FIRST: Duration = Duration::from_secs(1);
const RECONNECT_AT_MOST: Duration = Duration::from_secs(60);
/// A server without live events (or refusing this kiosk them) is asked again this rarely; the
/// waiting counts keep coming every [`REFRESH_EVERY`] meanwhile.
const EVENTS_NOT_OFFERED_WAIT: Duration = Duration::from_secs(600);
/// Events that ask for a full refresh cause at most one this often (a flood costs one call).
const REFRESH_AT_MOST_EVERY: Duration = Duration::from_secs(1);

/// What the desk needs from the config.
pub struct DeskSettings {
    /// The ticket database.
    pub store: PathBuf,
    pub issue: IssueSettings,
    /// Played when a ticket comes out.
    pub tone: Option<TonePlayer>,
}

impl DeskSettings {
    pub fn from_config(config: &Config) -> Self {
        Self {
            store: config.kiosk.data_dir.join("tickets.sqlite3"),
            issue: IssueSettings::from_config(config),
            tone: config.ui.ticket_tone.as_deref().and_then(TonePlayer::new),
        }
    }
}

/// What the desk tells whoever started it.
#[derive(Debug, Clone)]
pub enum DeskReport {
    /// The central system's services with their queues, or `None` when it cannot be asked.
    Services(Option<Vec<QueueService>>),
    /// The answer to [`Desk::issue`] with the same `tag`; `picture` is the ticket as the preview
    /// printer drew it.
    Issued {
        tag: u64,
        outcome: IssueOutcome,
        picture: Option<Picture>,
    },
}

/// The desk's threads are gone: nothing sent to it is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the queue desk stopped")]
pub struct DeskStopped;

enum IssueJob {
    Issue {
        order: TicketOrder,
        tag: u64,
    },
    /// A reloaded config: services, hours, ticket texts, the tone.
    Settings(Box<IssueSettings>, Option<TonePlayer>),
}

enum SyncJob {
    /// Fresh waiting counts, and another try at the outbox.
    Refresh,
    /// A rating to keep and send.
    Rating(FeedbackRequest),
    /// The office's board after a change, from the live events.
    Board(Vec<BoardLine>),
}

/// A handle on the desk's threads; they stop when it is dropped.
pub struct Desk {
    issue: Sender<IssueJob>,
    sync: Sender<SyncJob>,
    /// Dropped with the desk: the events thread sees the other end close and stops.
    _events_stop: Sender<()>,
}

impl Desk {
    /// Starts both threads. `report` is called from them; the issue thread answers every
    /// [`Desk::issue`], also when the ticket database cannot be opened.
    pub fn spawn(
        settings: DeskSettings,
        server: Option<SharedClient>,
        printer: Printer,
        link_status: LinkStatus,
        report: impl Fn(DeskReport) + Clone + Send + 'static,
    ) -> Self {
        let (issue, issue_inbox) = mpsc::channel();
        let (sync, sync_inbox) = mpsc::channel();
        let mut desk = IssueThread {
            store: settings.store.clone(),
            settings: settings.issue,
            tone: settings.tone,
            server: server.clone(),
            printer,
            link_status: link_status.clone(),
        };
        let to_ui = report.clone();
        if let Err(e) = crate::supervise::spawn("queue", move || desk.run(&issue_inbox, &to_ui)) {
            tracing::error!("cannot start the queue thread: {e}");
        }
        let (events_stop, stop) = mpsc::channel();
        if let Some(server) = server.clone() {
            let to_sync = sync.clone();
            if let Err(e) = crate::supervise::spawn("queue-events", move || {
                follow_events(&server, &to_sync, &stop);
            }) {
                tracing::error!("cannot start the queue events thread: {e}");
            }
        }
        let store = settings.store;
        if let Err(e) = crate::supervise::spawn("queue-sync", move || {
            sync_run(&store, server.as_ref(), &link_status, &sync_inbox, &report);
        }) {
            tracing::error!("cannot start the queue sync thread: {e}");
        }
        Self {
            issue,
            sync,
            _events_stop: events_stop,
        }
    }

    /// Issues and prints a ticket; [`DeskReport::Issued`] with `tag` follows.
    pub fn issue(&self, order: TicketOrder, tag: u64) -> Result<(), DeskStopped> {
        self.issue
            .send(IssueJob::Issue { order, tag })
            .map_err(|_| DeskStopped)
    }

    /// Keeps a rating in the ticket database and sends it with the outbox.
    pub fn keep_rating(&self, rating: FeedbackRequest) -> Result<(), DeskStopped> {
        self.sync
            .send(SyncJob::Rating(rating))
            .map_err(|_| DeskStopped)
    }

    /// Fetches fresh waiting counts and sends what waits in the outbox, now.
    pub fn refresh(&self) {
        let _ = self.sync.send(SyncJob::Refresh);
    }

    /// New ticket settings and tone (a reloaded config), from the next ticket on. The ticket
    /// database stays: it changes only with a restart.
    pub fn reconfigure(&self, settings: DeskSettings) {
        let job = IssueJob::Settings(Box::new(settings.issue), settings.tone);
        if self.issue.send(job).is_err() {
            tracing::error!("the queue thread stopped: new ticket settings not taken");
        }
    }
}

/// What the issue thread works with.
struct IssueThread {
    store: PathBuf,
    settings: IssueSettings,
    tone: Option<TonePlayer>,
    server: Option<SharedClient>,
    printer: Printer,
    link_status: LinkStatus,
}

impl IssueThread {
    fn run(&mut self, inbox: &Receiver<IssueJob>, report: &impl Fn(DeskReport)) {
        let mut store = match QueueStore::open(&self.store) {
            Ok(s) => s,
            Err(e) => {
                tracing::error!("ticket database {}: {e}", self.store.display());
                // Without the database no number can be committed: every order is refused.
                while let Ok(job) = inbox.recv() {
                    if let IssueJob::Issue { tag, .. } = job {
                        report(DeskReport::Issued {
                            tag,
                            outcome: IssueOutcome::Refused(Refusal::Storage(e.to_string())),
                            picture: None,
                        });
                    }
                }
                return;
            }
        };
        match store.recover() {
            Ok(0) => {}
            Ok(n) => tracing::warn!("{n} ticket(s) were being printed when the kiosk stopped"),
            Err(e) => tracing::error!("ticket database: {e}"),
        }
        while let Ok(job) = inbox.recv() {
            let (order, tag) = match job {
                IssueJob::Issue { order, tag } => (order, tag),
                IssueJob::Settings(settings, tone) => {
                    self.settings = *settings;
                    self.tone = tone;
                    continue;
                }
            };
            let client = self.server.as_ref().and_then(SharedClient::current);
            let outcome = super::issue(
                &order,
                &self.settings,
                client.as_ref(),
                &mut store,
                &self.printer,
                crate::clock::now(),
            );
            if let (Some(tone), IssueOutcome::Printed { .. }) = (&self.tone, &outcome) {
                tone.play();
            }
            let picture = match &outcome {
                IssueOutcome::Printed {
                    preview: Some(path),
                    ..
                } => read_picture(path),
                _ => None,
            };
            report(DeskReport::Issued {
                tag,
                outcome,
                picture,
            });
            count_outbox(&store, &self.link_status);
        }
    }
}

/// The widest the result page shows a ticket (inside its frame on a portrait screen): the
/// picture is made that size here rather than shrunk by the screen, which loses tone marks.
const PREVIEW_WIDTH: u32 = 400;

/// The preview printer's picture of a ticket, read here so the screen never waits for the disk.
fn read_picture(path: &std::path::Path) -> Option<Picture> {
    let read = std::fs::read(path)
        .map_err(|e| e.to_string())
        .and_then(|png| Picture::from_png(&png).map_err(|e| e.to_string()))
        .map(|picture| picture.scaled_to_width(PREVIEW_WIDTH));
    read.map_err(|e| tracing::warn!("preview {} not shown: {e}", path.display()))
        .ok()
}

/// The sync thread: waiting counts for the screen and the outbox for the central system, soon
/// after start, every [`REFRESH_EVERY`] and when asked.
fn sync_run(
    store_path: &std::path::Path,
    server: Option<&SharedClient>,
    link_status: &LinkStatus,
    inbox: &Receiver<SyncJob>,
    report: &impl Fn(DeskReport),
) {
    let store = match QueueStore::open(store_path) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!("ticket database {}: {e}", store_path.display());
            return;
        }
    };
    let mut wait = FIRST_REFRESH_AFTER;
    // The last services the server named, which live boards update between refreshes.
    let mut known: Option<Vec<QueueService>> = None;
    loop {
        match inbox.recv_timeout(wait) {
            Ok(SyncJob::Rating(rating)) => {
                if let Err(e) = store.record_rating(&rating) {
                    tracing::error!("cannot keep a rating: {e}");
                }
            }
            Ok(SyncJob::Board(board)) => {
                if let Some(services) = &mut known {
                    apply_board(services, &board);
                    report(DeskReport::Services(Some(services.clone())));
                    continue;
                }
            }
            Ok(SyncJob::Refresh) | Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
        wait = REFRESH_EVERY;
        let client = server.and_then(SharedClient::current);
        known = client
            .as_ref()
            .and_then(|c| c.queue_services().ok())
            .map(|s| s.services);
        report(DeskReport::Services(known.clone()));
        if let Some(c) = &client
            && let Err(e) = super::flush(&store, c)
        {
            tracing::error!("outbox: {e}");
        }
        count_outbox(&store, link_status);
    }
}

/// Tells the fleet how much waits to be sent. A count that cannot be read is logged and the last
/// one kept: an unreadable outbox must not look empty.
fn count_outbox(store: &QueueStore, link_status: &LinkStatus) {
    match store.outbox_len() {
        Ok(waiting) => link_status.set_outbox(waiting),
        Err(e) => tracing::error!("cannot count the outbox (the last count is kept): {e}"),
    }
}

/// Puts a live board's counts on the services the server last named; services the board does not
/// mention keep theirs, and services only the board names wait for the next refresh (their names
/// are not in it).
fn apply_board(services: &mut [QueueService], board: &[BoardLine]) {
    for service in services {
        if let Some(line) = board.iter().find(|l| l.id == service.id) {
            service.waiting = line.waiting;
            service.now_serving.clone_from(&line.now_serving);
            service.estimated_wait_min = line.estimated_wait_min;
        }
    }
}

/// What the sync thread should do about one live event, if anything. Every change to the queue
/// is followed by a `waiting` board, so the other kinds need nothing here.
fn job_for(event: &ServerEvent) -> Option<SyncJob> {
    match event.kind.as_str() {
        "waiting" => Some(match serde_json::from_str::<WaitingEvent>(&event.data) {
            Ok(waiting) => SyncJob::Board(waiting.services),
            Err(e) => {
                tracing::debug!("a waiting event not understood ({e}): asking again");
                SyncJob::Refresh
            }
        }),
        // The server could not keep up with this kiosk: it asks for a fresh look.
        "reload" => Some(SyncJob::Refresh),
        _ => None,
    }
}

/// The events thread: follows `GET /queue/events`, reconnecting (with the last event id, so
/// nothing is missed) after a failure, waiting longer each time; until `stop` closes.
fn follow_events(server: &SharedClient, to_sync: &Sender<SyncJob>, stop: &Receiver<()>) {
    let mut last_id: Option<String> = None;
    let mut pause = RECONNECT_FIRST;
    let mut last_refresh: Option<std::time::Instant> = None;
    loop {
        if let Some(client) = server.current() {
            match client.events(last_id.as_deref()) {
                Ok(mut stream) => {
                    pause = RECONNECT_FIRST;
                    loop {
                        match stream.next_event() {
                            Ok(Some(event)) => {
                                let Some(job) = job_for(&event) else { continue };
                                if matches!(job, SyncJob::Refresh) {
                                    if last_refresh
                                        .is_some_and(|at| at.elapsed() < REFRESH_AT_MOST_EVERY)
                                    {
                                        continue;
                                    }
                                    last_refresh = Some(std::time::Instant::now());
                                }
                                if to_sync.send(job).is_err() {
                                    return;
                                }
                            }
                            Ok(None) => break,
                            Err(e) => {
                                tracing::debug!("live events: {e}");
                                break;
                            }
                        }
                    }
                    if let Some(id) = stream.last_id() {
                        last_id = Some(id.to_string());
                    }
                }
                Err(ServerError::NotFound { .. } | ServerError::Unauthorized { .. }) => {
                    tracing::info!(
                        "the server offers this kiosk no live events: the waiting counts are \
                         asked for every {} s",
                        REFRESH_EVERY.as_secs()
                    );
                    pause = EVENTS_NOT_OFFERED_WAIT;
                }
                Err(e) => tracing::debug!("live events: {e}"),
            }
        }
        match stop.recv_timeout(pause) {
            Err(RecvTimeoutError::Timeout) => {}
            _ => return,
        }
        if pause < EVENTS_NOT_OFFERED_WAIT {
            pause = (pause * 2).min(RECONNECT_AT_MOST);
        } else {
            pause = RECONNECT_FIRST;
        }
    }
}
