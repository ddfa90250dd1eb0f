//! The procedure catalog on screen: a worker thread owns the SQLite catalog (search, browse,
//! details, sync, checklist printing); the UI sends it commands and shows what comes back.

use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use slint::{ComponentHandle, ModelRc, VecModel};

use super::events::{UiEvent, UiSender};
use crate::catalog::{
    self, Catalog, CatalogMeta, FieldCount, ProcedureDetail, SearchHit, SyncOutcome,
};
use crate::config::Config;
use crate::server::link::{LinkStatus, SharedClient};
use crate::ui::{
    AppWindow, CatalogAdapter, DocumentGroupItem, DocumentItem, FieldItem, LegalItem, MethodItem,
    Page, PrintState, ProcedureItem,
};

/// Results shown per query: more than a citizen reads, few enough to lay out at once.
const RESULT_LIMIT: usize = 50;
/// First sync soon after start, then every `[catalog] sync_interval`; retry sooner after a failure.
const FIRST_SYNC_AFTER: Duration = Duration::from_secs(2);
const RETRY_SYNC_AFTER: Duration = Duration::from_secs(60);

pub enum Command {
    Search {
        query: String,
        field: String,
    },
    Open(String),
    Print(String),
    SyncNow,
    /// The office name for printed checklists changed (a reloaded config).
    Office(String),
}

/// What the catalog worker tells the UI.
#[derive(Debug, Clone)]
pub enum CatalogEvent {
    Ready {
        meta: CatalogMeta,
        fields: Vec<FieldCount>,
    },
    Unavailable,
    Results(Vec<SearchHit>),
    Detail(Box<ProcedureDetail>),
    Printed(bool),
}

struct PrintTarget {
    printer: crate::printer::Printer,
    layout: crate::ticket::Layout,
    columns: usize,
    office: String,
}

pub struct CatalogWorker {
    commands: Sender<Command>,
}

impl CatalogWorker {
    pub fn spawn(
        config: &Config,
        server: Option<SharedClient>,
        printer: crate::printer::Printer,
        link_status: LinkStatus,
        ui: UiSender,
    ) -> Self {
        let (commands, inbox) = mpsc::channel();
        let path = config.catalog.database.clone();
        let interval = config.catalog.sync_interval;
        let mut print = PrintTarget {
            printer,
            layout: config.printer.layout(),
            columns: crate::ticket::columns(&config.printer.layout()),
            office: config.kiosk.office_name.clone(),
        };
        let spawned = crate::supervise::spawn("catalog", move || {
            run(
                &path,
                interval,
                server.clone(),
                &mut print,
                &inbox,
                &link_status,
                &ui,
            );
        });
        if let Err(e) = spawned {
            tracing::error!("cannot start the catalog thread: {e}");
        }
        Self { commands }
    }

    pub fn send(&self, command: Command) {
        let _ = self.commands.send(command);
    }
}

fn run(
    path: &std::path::Path,
    interval: Duration,
    server: Option<SharedClient>,
    print: &mut PrintTarget,
    inbox: &Receiver<Command>,
    link_status: &LinkStatus,
    ui: &UiSender,
) {
    // A damaged cache is moved aside and rebuilt (logged); the kiosk keeps working.
    let mut catalog = match Catalog::open_or_rebuild(path) {
        Ok((c, _)) => c,
        Err(e) => {
            tracing::error!("catalog {} cannot be opened: {e}", path.display());
            ui.send(UiEvent::Catalog(CatalogEvent::Unavailable));
            return;
        }
    };
    announce(&catalog, link_status, ui);
    let mut next_sync = Instant::now() + FIRST_SYNC_AFTER;
    loop {
        let wait = if server.is_some() {
            next_sync.saturating_duration_since(Instant::now())
        } else {
            Duration::from_secs(3600)
        };
        let command = match inbox.recv_timeout(wait) {
            Ok(c) => c,
            Err(RecvTimeoutError::Timeout) => Command::SyncNow,
            Err(RecvTimeoutError::Disconnected) => return,
        };
        for command in batch(command, inbox) {
            match command {
                Command::Search { query, field } => {
                    let field = (!field.is_empty()).then_some(field.as_str());
                    let hits = if query.trim().is_empty() {
                        match field {
                            Some(f) => catalog.in_field(f, RESULT_LIMIT),
                            None => Ok(Vec::new()),
                        }
                    } else {
                        catalog.search(&query, field, RESULT_LIMIT)
                    };
                    match hits {
                        Ok(hits) => ui.send(UiEvent::Catalog(CatalogEvent::Results(hits))),
                        Err(e) => tracing::warn!("catalog search failed: {e}"),
                    }
                }
                Command::Open(code) => match catalog.procedure(&code) {
                    Ok(Some(detail)) => {
                        ui.send(UiEvent::Catalog(CatalogEvent::Detail(Box::new(detail))))
                    }
                    Ok(None) => tracing::warn!("procedure {code} is not in the catalog"),
                    Err(e) => tracing::warn!("cannot read procedure {code}: {e}"),
                },
                Command::Office(name) => print.office = name,
                Command::Print(code) => {
                    let ok = print_checklist(&catalog, &code, print);
                    ui.send(UiEvent::Catalog(CatalogEvent::Printed(ok)));
                }
                Command::SyncNow => {
                    let client = server.as_ref().and_then(SharedClient::current);
                    next_sync = Instant::now()
                        + match client {
                            None => RETRY_SYNC_AFTER.min(interval),
                            Some(client) => match catalog::sync(&mut catalog, &client) {
                                Ok(SyncOutcome::Unchanged) => interval,
                                Ok(SyncOutcome::Updated(report)) => {
                                    tracing::info!(
                                        version = report.version,
                                        procedures = report.procedures,
                                        changed = report.changed,
                                        removed = report.removed,
                                        "catalog updated from the server"
                                    );
                                    announce(&catalog, link_status, ui);
                                    interval
                                }
                                Err(e) => {
                                    tracing::warn!(
                                        "catalog sync failed, keeping the current catalog: {e}"
                                    );
                                    RETRY_SYNC_AFTER.min(interval)
                                }
                            },
                        };
                }
            }
        }
    }
}

/// Everything waiting, in order, keeping only the newest search: typing fast never queues work.
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

/// The catalog's version and fields to the screen, and its version to the fleet's heartbeat.
fn announce(catalog: &Catalog, link_status: &LinkStatus, ui: &UiSender) {
    match (catalog.meta(), catalog.fields()) {
        (Ok(meta), Ok(fields)) => {
            link_status.set_catalog_version(meta.version);
            ui.send(UiEvent::Catalog(CatalogEvent::Ready { meta, fields }));
        }
        (Err(e), _) | (_, Err(e)) => tracing::warn!("cannot read the catalog: {e}"),
    }
}

/// Prints the checklist on the kiosk's printer (or its preview folder). Runs on this worker, so
/// the UI never waits for paper.
fn print_checklist(catalog: &Catalog, code: &str, target: &PrintTarget) -> bool {
    let detail = match catalog.procedure(code) {
        Ok(Some(d)) => d,
        _ => return false,
    };
    let now = crate::clock::now();
    let lines = crate::catalog::checklist::lines(
        &detail,
        &target.office,
        &now.format("%H:%M %d/%m/%Y").to_string(),
        target.columns,
    );
    let job = crate::printer::Job {
        name: format!("checklist-{}", sanitize(code)),
        bytes: crate::ticket::encode_lines(&lines, &target.layout),
    };
    match target.printer.print(job, Duration::from_secs(60)) {
        crate::printer::JobOutcome::Printed { .. } => {
            tracing::info!("checklist for {code} printed");
            true
        }
        crate::printer::JobOutcome::Failed(f) => {
            tracing::warn!("checklist for {code} not printed: {f}");
            false
        }
    }
}

fn sanitize(code: &str) -> String {
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

/// Wires the catalog adapter's callbacks to the worker.
pub fn connect(window: &AppWindow, worker: std::rc::Rc<CatalogWorker>) {
    let adapter = window.global::<CatalogAdapter>();
    let weak = window.as_weak();
    let w = worker.clone();
    adapter.on_search(move || {
        if let Some(window) = weak.upgrade() {
            let a = window.global::<CatalogAdapter>();
            w.send(Command::Search {
                query: a.get_query().to_string(),
                field: a.get_field().to_string(),
            });
        }
    });
    let weak = window.as_weak();
    let w = worker.clone();
    adapter.on_open(move |code| {
        w.send(Command::Open(code.to_string()));
        if let Some(window) = weak.upgrade() {
            window
                .global::<CatalogAdapter>()
                .set_print_state(PrintState::Idle);
        }
    });
    let weak = window.as_weak();
    adapter.on_print_checklist(move || {
        if let Some(window) = weak.upgrade() {
            let a = window.global::<CatalogAdapter>();
            a.set_print_state(PrintState::Printing);
            worker.send(Command::Print(a.get_detail().code.to_string()));
        }
    });
}

/// Clears what a citizen searched and saw.
pub fn clear(window: &AppWindow) {
    let a = window.global::<CatalogAdapter>();
    a.set_query("".into());
    a.set_field("".into());
    a.set_results(ModelRc::default());
    a.set_print_state(PrintState::Idle);
}

/// Runs on the UI thread.
pub(super) fn apply(window: &AppWindow, event: CatalogEvent) {
    let a = window.global::<CatalogAdapter>();
    match event {
        CatalogEvent::Unavailable => a.set_available(false),
        CatalogEvent::Ready { meta, fields } => {
            a.set_available(true);
            a.set_version(meta.version.to_string().into());
            a.set_synced_at(
                meta.synced_at
                    .as_deref()
                    .map(short_time)
                    .unwrap_or_default()
                    .into(),
            );
            a.set_fields(model(fields.into_iter().map(|f| FieldItem {
                name: f.name.into(),
                count: i32::try_from(f.count).unwrap_or(i32::MAX),
            })));
        }
        CatalogEvent::Results(hits) => a.set_results(model(hits.into_iter().map(item))),
        CatalogEvent::Detail(d) => {
            let d = *d;
            a.set_detail(ProcedureItem {
                code: d.code.into(),
                name: d.name.into(),
                field: d.field.into(),
            });
            a.set_detail_level(d.level.unwrap_or_default().into());
            a.set_detail_time(d.processing_time.unwrap_or_default().into());
            a.set_detail_fee(d.fee.unwrap_or_default().into());
            a.set_detail_agency(d.agency.unwrap_or_default().into());
            a.set_detail_result(d.result.unwrap_or_default().into());
            a.set_detail_methods(model(d.methods.into_iter().map(|m| MethodItem {
                method: m.method.into(),
                time: m.time.unwrap_or_default().into(),
                fee: m.fee.unwrap_or_default().into(),
            })));
            a.set_detail_documents(model(d.documents.into_iter().map(|g| DocumentGroupItem {
                group: g.group.into(),
                documents: model(g.documents.into_iter().map(|doc| DocumentItem {
                    name: doc.name.into(),
                    copies: doc.copies.unwrap_or_default().into(),
                })),
            })));
            a.set_detail_legal(model(d.legal_basis.into_iter().map(|l| LegalItem {
                code: l.code.unwrap_or_default().into(),
                title: l.title.into(),
            })));
            window
                .global::<crate::ui::KioskState>()
                .invoke_navigate(Page::Procedure);
        }
        CatalogEvent::Printed(ok) => a.set_print_state(if ok {
            PrintState::Done
        } else {
            PrintState::Failed
        }),
    }
}

fn item(hit: SearchHit) -> ProcedureItem {
    ProcedureItem {
        code: hit.code.into(),
        name: hit.name.into(),
        field: hit.field.into(),
    }
}

fn model<T: Clone + 'static>(items: impl Iterator<Item = T>) -> ModelRc<T> {
    ModelRc::from(std::rc::Rc::new(VecModel::from(items.collect::<Vec<T>>())))
}

/// `2026-11-27T08:05:00+07:00` → `08:05 27/11`.
fn short_time(rfc3339: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| {
            t.with_timezone(&crate::clock::office_offset())
                .format("%H:%M %d/%m")
                .to_string()
        })
        .unwrap_or_else(|_| rfc3339.to_string())
}
