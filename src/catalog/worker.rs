//! The catalog worker: one thread owns the SQLite catalog. It searches, opens procedures and
//! prints their checklists when asked, and keeps the catalog in step with the central server on
//! its own schedule: soon after start, then every `[catalog] sync_interval`, sooner again after a
//! failure.

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::{Catalog, CatalogMeta, FieldCount, ProcedureDetail, SearchHit, SyncOutcome};
use crate::config::Config;
use crate::language::Language;
use crate::printer::{Job, JobOutcome, Printer};
use crate::server::link::{LinkStatus, SharedClient};
use crate::ticket::{Layout, ProcedureNote};

/// Results per query: more than a citizen reads, few enough to lay out at once.
pub const RESULT_LIMIT: usize = 50;
/// The first sync soon after start; a failed one is tried again this soon (or at the interval,
/// if that is shorter).
const FIRST_SYNC_AFTER: Duration = Duration::from_secs(2);
const RETRY_SYNC_AFTER: Duration = Duration::from_secs(60);
/// Without a server there is nothing to sync: the worker only wakes for commands.
const IDLE_WAIT: Duration = Duration::from_secs(3600);
/// A checklist waits at most this long for the printer.
const PRINT_TIMEOUT: Duration = Duration::from_secs(60);

/// What the worker needs from the config.
#[derive(Debug, Clone)]
pub struct WorkerSettings {
    pub database: PathBuf,
    pub sync_every: Duration,
    /// Paper and text mode of printed checklists.
    pub layout: Layout,
    /// The office name at the top of printed checklists.
    pub office: String,
}

impl WorkerSettings {
    pub fn from_config(config: &Config) -> Self {
        Self {
            database: config.catalog.database.clone(),
            sync_every: config.catalog.sync_interval,
            layout: config.printer.layout(),
            office: config.kiosk.office_name.clone(),
        }
    }
}

/// What the worker tells whoever started it.
#[derive(Debug, Clone)]
pub enum CatalogReport {
    /// The catalog is open (or was just updated): its version and fields.
    Ready {
        meta: CatalogMeta,
        fields: Vec<FieldCount>,
    },
    /// No catalog could be opened.
    Unavailable,
    Results(Vec<SearchHit>),
    Detail(Box<ProcedureDetail>),
    /// The checklist came out of the printer (or did not).
    Printed(bool),
}

enum Command {
    Search { query: String, field: String },
    Open(String),
    Print(String, Language),
    SyncNow,
    Office(String),
}

/// A handle on the catalog thread; it stops when the handle is dropped.
pub struct Worker {
    commands: Sender<Command>,
    opened: LastOpened,
}

/// The procedure last opened and its field: a number taken from its page is for it.
type LastOpened = Arc<Mutex<Option<(ProcedureNote, String)>>>;

impl Worker {
    /// Starts the thread; `report` is called from it. Without a server the catalog is only
    /// searched, never synced.
    pub fn spawn(
        settings: WorkerSettings,
        server: Option<SharedClient>,
        printer: Printer,
        link_status: LinkStatus,
        report: impl Fn(CatalogReport) + Send + 'static,
    ) -> Self {
        let (commands, inbox) = mpsc::channel();
        let opened = LastOpened::default();
        let mut thread = WorkerThread {
            settings,
            server,
            printer,
            link_status,
            report: Box::new(report),
            opened: opened.clone(),
        };
        if let Err(e) = crate::supervise::spawn("catalog", move || thread.run(&inbox)) {
            tracing::error!("cannot start the catalog thread: {e}");
        }
        Self { commands, opened }
    }

    /// The procedure last opened, as a ticket taken from its page carries it, and its field.
    pub fn last_opened(&self) -> Option<(ProcedureNote, String)> {
        self.opened.lock().ok()?.clone()
    }

    /// Searches `query` within `field` ("" = every field); an empty query lists the field.
    /// Only the newest of several waiting searches is run: typing fast never queues work.
    pub fn search(&self, query: &str, field: &str) {
        self.send(Command::Search {
            query: query.to_string(),
            field: field.to_string(),
        });
    }

    pub fn open(&self, code: &str) {
        self.send(Command::Open(code.to_string()));
    }

    /// Prints `code`'s checklist with its own words in `language`.
    pub fn print_checklist(&self, code: &str, language: Language) {
        self.send(Command::Print(code.to_string(), language));
    }

    pub fn sync_now(&self) {
        self.send(Command::SyncNow);
    }

    /// The office name printed on checklists (a reloaded config).
    pub fn set_office(&self, name: &str) {
        self.send(Command::Office(name.to_string()));
    }

    fn send(&self, command: Command) {
        if self.commands.send(command).is_err() {
            tracing::error!("the catalog thread stopped");
        }
    }
}

struct WorkerThread {
    settings: WorkerSettings,
    server: Option<SharedClient>,
    printer: Printer,
    link_status: LinkStatus,
    report: Box<dyn Fn(CatalogReport) + Send>,
    opened: LastOpened,
}

impl WorkerThread {
    fn run(&mut self, inbox: &Receiver<Command>) {
        let path = &self.settings.database;
        // A damaged cache is moved aside and rebuilt (logged); the kiosk keeps working.
        let mut catalog = match Catalog::open_or_rebuild(path) {
            Ok((c, _)) => c,
            Err(e) => {
                tracing::error!("catalog {} cannot be opened: {e}", path.display());
                (self.report)(CatalogReport::Unavailable);
                return;
            }
        };
        self.announce(&catalog);
        let mut next_sync = Instant::now() + FIRST_SYNC_AFTER;
        loop {
            let wait = if self.server.is_some() {
                next_sync.saturating_duration_since(Instant::now())
            } else {
                IDLE_WAIT
            };
            let command = match inbox.recv_timeout(wait) {
                Ok(c) => c,
                Err(RecvTimeoutError::Timeout) => Command::SyncNow,
                Err(RecvTimeoutError::Disconnected) => return,
            };
            for command in batch(command, inbox) {
                match command {
                    Command::Search { query, field } => self.search(&catalog, &query, &field),
                    Command::Open(code) => match catalog.procedure(&code) {
                        Ok(Some(detail)) => {
                            if let Ok(mut opened) = self.opened.lock() {
                                *opened = Some((detail.ticket_note(), detail.field.clone()));
                            }
                            (self.report)(CatalogReport::Detail(Box::new(detail)));
                        }
                        Ok(None) => tracing::warn!("procedure {code} is not in the catalog"),
                        Err(e) => tracing::warn!("cannot read procedure {code}: {e}"),
                    },
                    Command::Office(name) => self.settings.office = name,
                    Command::Print(code, language) => {
                        let ok = self.print_checklist(&catalog, &code, language);
                        (self.report)(CatalogReport::Printed(ok));
                    }
                    Command::SyncNow => next_sync = Instant::now() + self.sync(&mut catalog),
                }
            }
        }
    }

    fn search(&self, catalog: &Catalog, query: &str, field: &str) {
        let field = (!field.is_empty()).then_some(field);
        let hits = if query.trim().is_empty() {
            match field {
                Some(f) => catalog.in_field(f, RESULT_LIMIT),
                None => Ok(Vec::new()),
            }
        } else {
            catalog.search(query, field, RESULT_LIMIT)
        };
        match hits {
            Ok(hits) => (self.report)(CatalogReport::Results(hits)),
            Err(e) => tracing::warn!("catalog search failed: {e}"),
        }
    }

    /// One sync (logged by [`super::sync`]); returns how long until the next.
    fn sync(&self, catalog: &mut Catalog) -> Duration {
        let every = self.settings.sync_every;
        let retry = RETRY_SYNC_AFTER.min(every);
        let Some(client) = self.server.as_ref().and_then(SharedClient::current) else {
            return retry;
        };
        match super::sync(catalog, &client) {
            Ok(SyncOutcome::Unchanged) => every,
            Ok(SyncOutcome::Updated(_)) => {
                self.announce(catalog);
                every
            }
            Err(_) => retry,
        }
    }

    /// The catalog's version and fields to the screen, and its version to the fleet's heartbeat.
    fn announce(&self, catalog: &Catalog) {
        match (catalog.meta(), catalog.fields()) {
            (Ok(meta), Ok(fields)) => {
                self.link_status.set_catalog_version(meta.version);
                (self.report)(CatalogReport::Ready { meta, fields });
            }
            (Err(e), _) | (_, Err(e)) => tracing::warn!("cannot read the catalog: {e}"),
        }
    }

    /// Prints the checklist on the kiosk's printer (or its preview folder), on this thread.
    fn print_checklist(&self, catalog: &Catalog, code: &str, language: Language) -> bool {
        let detail = match catalog.procedure(code) {
            Ok(Some(d)) => d,
            Ok(None) => {
                tracing::warn!("checklist for {code} not printed: not in the catalog");
                return false;
            }
            Err(e) => {
                tracing::warn!("checklist for {code} not printed: {e}");
                return false;
            }
        };
        let layout = &self.settings.layout;
        let lines = super::checklist::lines(
            &detail,
            &self.settings.office,
            &crate::clock::now().format("%H:%M %d/%m/%Y").to_string(),
            crate::ticket::columns(layout),
            language,
        );
        let job = Job {
            name: format!("checklist-{}", file_safe(code)),
            bytes: crate::ticket::encode_lines(&lines, layout),
        };
        match self.printer.print(job, PRINT_TIMEOUT) {
            JobOutcome::Printed { .. } => {
                tracing::info!("checklist for {code} printed");
                true
            }
            JobOutcome::Refused(f) | JobOutcome::Failed(f) => {
                tracing::warn!("checklist for {code} not printed: {f}");
                false
            }
        }
    }
}

/// Everything waiting, in order, keeping only the newest search.
fn batch(first: Command, inbox: &Receiver<Command>) -> Vec<Command> {
    let mut commands = vec![first];
    commands.extend(inbox.try_iter());
    let newest_search = commands
        .iter()
        .rposition(|c| matches!(c, Command::Search { .. }));
    commands
        .into_iter()
        .enumerate()
        .filter(|(i, c)| !matches!(c, Command::Search { .. }) || Some(*i) == newest_search)
        .map(|(_, c)| c)
        .collect()
}

/// A procedure code as part of a job (and preview file) name.
fn file_safe(code: &str) -> String {
    code.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect()
}
