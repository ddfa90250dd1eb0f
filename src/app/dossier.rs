//! Dossier lookups on screen. The UI thread validates the code and applies the kiosk's own rate
//! limit; the lookup worker ([`crate::dossier::Worker`]) asks the central system. A result lives
//! only in memory and on screen: it is dropped when the citizen leaves the page or walks away,
//! and an answer that arrives after that is discarded unseen.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::{Duration, Instant};

use slint::{ComponentHandle, Model, ModelRc, SharedString, VecModel};

use super::events::{UiEvent, UiSender, weak_call, weak_call_config, weak_call_with};
use super::session::Session;
use crate::config::PrinterTransport;
use crate::dossier::limit::RateLimit;
use crate::dossier::scan::ScanDetector;
use crate::dossier::{self, Answer, CodeError, DossierView, Outcome, Tone};
use crate::printer::{Job, JobOutcome, Printer, PrinterState};
use crate::server::model::Dossier;
use crate::ui::{
    AppWindow, CodeProblem, DossierAdapter, DossierResult, DossierStep, DossierStepItem,
    KioskState, Page, PrintState, StatusTone,
};

/// A slip waits at most this long for the printer.
const PRINT_TIMEOUT: Duration = Duration::from_secs(60);

/// What the dossier page is wired to.
pub(super) struct Parts {
    /// `None` when no server is configured.
    pub lookups: Option<dossier::Worker>,
    /// A serial scanner's thread, kept (and running) for as long as the page.
    pub _scanner: Option<dossier::scanner::Scanner>,
    pub printer: Printer,
    pub events: UiSender,
}

pub struct DossierScreen {
    window: slint::Weak<AppWindow>,
    session: Rc<Session>,
    parts: Parts,
    limit: RefCell<RateLimit>,
    scanner: RefCell<ScanDetector>,
    keyboard_scanner: bool,
    /// Bumped whenever what is on screen is abandoned; answers to older lookups are dropped.
    generation: Cell<u64>,
    /// The dossier on screen, kept only to redraw it in the other language or print it.
    shown: RefCell<Option<Dossier>>,
    office: RefCell<String>,
    layout: crate::ticket::Layout,
    preview: bool,
}

/// Wires the dossier page of `window`; the workers stop when the screen is dropped.
pub(super) fn connect(
    window: &AppWindow,
    session: &Rc<Session>,
    parts: Parts,
) -> Rc<DossierScreen> {
    let config = session.running();
    let screen = Rc::new(DossierScreen {
        window: window.as_weak(),
        session: session.clone(),
        parts,
        limit: RefCell::new(RateLimit::per_minute(config.dossier.lookups_per_minute)),
        scanner: RefCell::new(ScanDetector::default()),
        keyboard_scanner: config.scanner.keyboard,
        generation: Cell::new(0),
        shown: RefCell::new(None),
        office: RefCell::new(config.kiosk.office_name.clone()),
        layout: config.printer.layout(),
        preview: matches!(config.printer.transport, PrinterTransport::Preview { .. }),
    });
    let adapter = window.global::<DossierAdapter>();
    adapter.set_server_configured(screen.parts.lookups.is_some());
    adapter.on_format_code(|text| dossier::code::format_as_typed(&text).into());
    adapter.on_look_up(weak_call(&screen, |s| s.look_up()));
    adapter.on_edit(weak_call(&screen, |s| {
        s.abandon();
        s.adapter(|a| a.set_step(DossierStep::Entry));
    }));
    adapter.on_start_over(weak_call(&screen, |s| s.clear()));
    adapter.on_print_slip(weak_call(&screen, |s| s.print_slip()));
    adapter.on_close_slip(weak_call(&screen, |s| {
        s.adapter(|a| a.set_slip(ModelRc::new(VecModel::<SharedString>::default())));
    }));
    window
        .global::<KioskState>()
        .on_key_typed(weak_call_with(&screen, |s, text: SharedString| {
            s.key_typed(&text, Instant::now());
        }));
    session.on_language_change(weak_call_with(&screen, |s, _| s.redraw()));
    session.on_clear(weak_call(&screen, |s| s.clear()));
    session.on_reconfigure(weak_call_config(&screen, |s, config| {
        *s.office.borrow_mut() = config.kiosk.office_name.clone();
    }));
    screen
}

impl DossierScreen {
    /// Offers the demo server's sample codes on the entry screen.
    pub(super) fn show_samples(&self, codes: Vec<String>) {
        let codes: Vec<SharedString> = codes.into_iter().map(Into::into).collect();
        self.adapter(|a| a.set_samples(ModelRc::new(VecModel::from(codes))));
    }

    /// Slips are offered only while the printer can print.
    pub(super) fn show_printer(&self, state: PrinterState) {
        self.adapter(|a| a.set_can_print(state.can_print()));
    }

    pub(super) fn slip_printed(&self, generation: u64, ok: bool) {
        if generation == self.generation.get() {
            self.adapter(|a| {
                a.set_print_state(if ok {
                    PrintState::Done
                } else {
                    PrintState::Failed
                })
            });
        }
    }

    fn adapter(&self, f: impl FnOnce(DossierAdapter<'_>)) {
        if let Some(window) = self.window.upgrade() {
            f(window.global::<DossierAdapter>());
        }
    }

    /// Validates what was typed and, if the kiosk's limit allows, asks the server.
    fn look_up(&self) {
        let Some(window) = self.window.upgrade() else {
            return;
        };
        let adapter = window.global::<DossierAdapter>();
        let Some(lookups) = &self.parts.lookups else {
            adapter.set_step(DossierStep::Offline);
            return;
        };
        let code = match dossier::normalize(&adapter.get_code()) {
            Ok(code) => code,
            Err(e) => {
                tracing::info!("dossier lookup refused: malformed code");
                show_problem(&adapter, &e);
                return;
            }
        };
        if let Err(wait) = self.limit.borrow_mut().try_acquire(Instant::now()) {
            tracing::info!("dossier lookup refused: kiosk rate limit");
            adapter.set_retry_after_s(seconds(wait));
            adapter.set_step(DossierStep::RateLimited);
            return;
        }
        let generation = self.generation.get() + 1;
        self.generation.set(generation);
        adapter.set_code(code.as_str().into());
        adapter.set_problem(CodeProblem::None);
        adapter.set_step(DossierStep::Checking);
        if let Err(e) = lookups.look_up(code, generation) {
            tracing::error!("{e}");
            adapter.set_step(DossierStep::Busy);
        }
    }

    /// The lookup worker's answer, on the UI thread.
    pub(super) fn answer(&self, answer: Answer) {
        let Answer {
            tag: generation,
            outcome,
        } = answer;
        let Some(window) = self.window.upgrade() else {
            return;
        };
        let on_page = window.global::<KioskState>().get_page() == Page::Dossier;
        if generation != self.generation.get() || !on_page {
            tracing::debug!("dossier answer dropped: the citizen moved on");
            return;
        }
        let adapter = window.global::<DossierAdapter>();
        let screen = match outcome {
            Outcome::Found(dossier) => {
                *self.shown.borrow_mut() = Some(*dossier);
                adapter.set_print_state(PrintState::Idle);
                self.redraw();
                DossierStep::Result
            }
            Outcome::Invalid(e) => {
                show_problem(&adapter, &e);
                DossierStep::Entry
            }
            Outcome::NotFound => DossierStep::NotFound,
            Outcome::Offline => DossierStep::Offline,
            Outcome::Busy => DossierStep::Busy,
            Outcome::NotAuthorized => DossierStep::NotAuthorized,
            Outcome::RateLimited { retry_after } => {
                adapter.set_retry_after_s(seconds(retry_after.unwrap_or(Duration::from_secs(30))));
                DossierStep::RateLimited
            }
        };
        adapter.set_step(screen);
    }

    /// Draws the shown dossier (if any) in the session's language.
    fn redraw(&self) {
        let shown = self.shown.borrow();
        let Some(dossier) = shown.as_ref() else {
            return;
        };
        let view = DossierView::new(dossier, self.session.language(), crate::clock::now());
        self.adapter(|adapter| {
            adapter.set_result(result_item(&view));
            if adapter.get_slip().row_count() > 0 {
                adapter.set_slip(self.slip(&view));
            }
        });
    }

    fn print_slip(&self) {
        let shown = self.shown.borrow();
        let Some(dossier) = shown.as_ref() else {
            return;
        };
        let lang = self.session.language();
        let view = DossierView::new(dossier, lang, crate::clock::now());
        if self.preview {
            // The preview printer shows the slip on screen only: dossier results never touch the disk.
            self.adapter(|adapter| {
                adapter.set_slip(self.slip(&view));
                adapter.set_print_state(PrintState::Done);
            });
            tracing::info!("dossier slip shown on the preview printer");
            return;
        }
        let lines = dossier::slip_lines(
            &view,
            &self.office.borrow(),
            lang,
            crate::clock::now(),
            crate::ticket::columns(&self.layout),
        );
        let job = Job {
            name: "dossier-slip".into(),
            bytes: crate::ticket::encode_lines(&lines, &self.layout),
        };
        let printer = self.parts.printer.clone();
        let events = self.parts.events.clone();
        let tag = self.generation.get();
        self.adapter(|a| a.set_print_state(PrintState::Printing));
        // The printer thread does the work; this one only waits for it, off the UI thread, and
        // always answers: a slip that failed badly reads as not printed.
        let spawned = crate::supervise::once(
            "dossier-slip",
            false,
            move || {
                let ok = matches!(
                    printer.print(job, PRINT_TIMEOUT),
                    JobOutcome::Printed { .. }
                );
                tracing::info!(ok, "dossier slip printed");
                ok
            },
            move |ok| events.send(UiEvent::SlipPrinted { tag, ok }),
        );
        if let Err(e) = spawned {
            tracing::error!("cannot print the dossier slip: {e}");
            self.adapter(|a| a.set_print_state(PrintState::Failed));
        }
    }

    fn slip(&self, view: &DossierView) -> ModelRc<SharedString> {
        let lines: Vec<SharedString> = dossier::slip_lines(
            view,
            &self.office.borrow(),
            self.session.language(),
            crate::clock::now(),
            crate::ticket::columns(&self.layout),
        )
        .into_iter()
        .map(Into::into)
        .collect();
        ModelRc::new(VecModel::from(lines))
    }

    /// A key from a physical keyboard: a scanner's burst opens the lookup from any page.
    fn key_typed(&self, text: &str, at: Instant) {
        if !self.keyboard_scanner {
            return;
        }
        let scanned = self.scanner.borrow_mut().key(text, at);
        if let Some(scanned) = scanned {
            self.open_scanned(&scanned);
        }
    }

    pub(super) fn open_scanned(&self, text: &str) {
        tracing::info!("receipt scanned");
        self.clear();
        let typed: String = match dossier::normalize(text) {
            Ok(code) => code.as_str().to_string(),
            // Shown so the citizen can see what was read; long junk is cut for the screen.
            Err(_) => text.chars().filter(|c| !c.is_control()).take(60).collect(),
        };
        self.adapter(|adapter| adapter.set_code(typed.into()));
        self.session.navigate(Page::Dossier);
        self.look_up();
    }

    /// Abandons any lookup on its way: its answer will be dropped.
    fn abandon(&self) {
        self.generation.set(self.generation.get() + 1);
        *self.shown.borrow_mut() = None;
    }

    /// Forgets everything about the citizen's lookup: code, result, slip.
    fn clear(&self) {
        self.abandon();
        self.adapter(|adapter| {
            adapter.set_code(SharedString::new());
            adapter.set_full_keyboard(false);
            adapter.set_problem(CodeProblem::None);
            adapter.set_step(DossierStep::Entry);
            adapter.set_result(DossierResult::default());
            adapter.set_slip(ModelRc::new(VecModel::<SharedString>::default()));
            adapter.set_print_state(PrintState::Idle);
        });
    }
}

fn show_problem(adapter: &DossierAdapter<'_>, e: &CodeError) {
    adapter.set_problem(match e {
        CodeError::Empty => CodeProblem::Empty,
        CodeError::TooShort { .. } => CodeProblem::TooShort,
        CodeError::TooLong { .. } => CodeProblem::TooLong,
        CodeError::BadCharacter { ch } => {
            adapter.set_bad_character(ch.to_string().into());
            CodeProblem::BadCharacter
        }
    });
    adapter.set_step(DossierStep::Entry);
}

fn seconds(d: Duration) -> i32 {
    i32::try_from(d.as_secs() + u64::from(d.subsec_nanos() > 0)).unwrap_or(i32::MAX)
}

fn result_item(view: &DossierView) -> DossierResult {
    let steps: Vec<DossierStepItem> = view
        .steps
        .iter()
        .map(|s| DossierStepItem {
            when: s.when.clone().into(),
            unit: s.unit.clone().into(),
            action: s.action.clone().into(),
        })
        .collect();
    DossierResult {
        code: view.code.clone().into(),
        procedure: view.procedure.clone().into(),
        applicant: view.applicant.clone().into(),
        received: view.received.clone().into(),
        due_date: view.due_date.clone().into(),
        due_time: view.due_time.clone().into(),
        status: view.status.clone().into(),
        tone: match view.tone {
            Tone::Progress => StatusTone::Progress,
            Tone::Action => StatusTone::Action,
            Tone::Done => StatusTone::Done,
            Tone::Stopped => StatusTone::Stopped,
        },
        timeliness: view.timeliness_text.clone().into(),
        late: view.timeliness == Some(dossier::Timeliness::Late),
        next_step: view.next_step.clone().unwrap_or_default().into(),
        steps: ModelRc::new(VecModel::from(steps)),
    }
}
