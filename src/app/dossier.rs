//! Dossier lookups on screen. The UI thread validates the code and applies the kiosk's own rate
//! limit; a worker thread asks the central system. A result lives only in memory and on screen:
//! it is dropped when the citizen leaves the page or walks away, and an answer that arrives after
//! that is discarded unseen.

use std::cell::{Cell, RefCell};
use std::io::Read;
use std::rc::Rc;
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::{Duration, Instant};

use slint::{ComponentHandle, Model, ModelRc, SharedString, VecModel};

use super::events::{self, UiEvent, UiSender};
use super::session::Session;
use crate::config::{Config, PrinterTransport, SerialScanner};
use crate::dossier::limit::RateLimit;
use crate::dossier::scan::ScanDetector;
use crate::dossier::{self, CodeError, DossierView, Outcome, Tone};
use crate::server::link::SharedClient;
use crate::server::model::Dossier;
use crate::ui::{
    AppWindow, CodeProblem, DossierAdapter, DossierResult, DossierScreen, DossierStepItem,
    KioskState, Page, PrintState, StatusTone,
};

/// What the dossier workers tell the UI.
#[derive(Debug, Clone)]
pub enum DossierEvent {
    Answer {
        generation: u64,
        outcome: Outcome,
    },
    /// Text read by the serial scanner.
    Scanned(String),
    /// The slip came out of the printer (or did not).
    SlipPrinted {
        generation: u64,
        ok: bool,
    },
}

struct Job {
    generation: u64,
    code: dossier::DossierCode,
}

pub struct DossierScreenControl {
    window: slint::Weak<AppWindow>,
    session: Rc<Session>,
    jobs: Option<Sender<Job>>,
    limit: RefCell<RateLimit>,
    scanner: RefCell<ScanDetector>,
    keyboard_scanner: bool,
    /// Bumped whenever what is on screen is abandoned; answers to older lookups are dropped.
    generation: Cell<u64>,
    /// The dossier on screen, kept only to redraw it in the other language or print it.
    shown: RefCell<Option<Dossier>>,
    office: RefCell<String>,
    columns: usize,
    preview: bool,
    printer: crate::printer::Printer,
    layout: crate::ticket::Layout,
    events: UiSender,
}

thread_local! {
    // `UiEvent`s are applied with only the window at hand; this finds its controller.
    static CONTROLS: events::Registry<DossierScreenControl> = const { RefCell::new(Vec::new()) };
}

/// Wires the dossier page of `window`; workers stop when the returned handle is dropped.
pub fn connect(
    window: &AppWindow,
    config: &Config,
    session: Rc<Session>,
    server: Option<SharedClient>,
    printer: crate::printer::Printer,
    events: &UiSender,
) -> Rc<DossierScreenControl> {
    let jobs = server.map(|server| spawn_worker(server, events.clone()));
    if let Some(serial) = &config.scanner.serial {
        spawn_serial_scanner(serial.clone(), events.clone());
    }
    let control = Rc::new(DossierScreenControl {
        window: window.as_weak(),
        session: session.clone(),
        jobs,
        limit: RefCell::new(RateLimit::per_minute(config.dossier.lookups_per_minute)),
        scanner: RefCell::new(ScanDetector::default()),
        keyboard_scanner: config.scanner.keyboard,
        generation: Cell::new(0),
        shown: RefCell::new(None),
        office: RefCell::new(config.kiosk.office_name.clone()),
        columns: crate::ticket::columns(&config.printer.layout()),
        preview: matches!(config.printer.transport, PrinterTransport::Preview { .. }),
        printer,
        layout: config.printer.layout(),
        events: events.clone(),
    });
    events::register(&CONTROLS, window, &control);

    let adapter = window.global::<DossierAdapter>();
    adapter.on_format_code(|text| dossier::code::format_as_typed(&text).into());
    let weak = Rc::downgrade(&control);
    adapter.on_look_up(move || {
        if let Some(c) = weak.upgrade() {
            c.look_up();
        }
    });
    let weak = Rc::downgrade(&control);
    adapter.on_edit(move || {
        if let Some(c) = weak.upgrade() {
            c.abandon();
            c.with_adapter(|a| a.set_screen(DossierScreen::Entry));
        }
    });
    let weak = Rc::downgrade(&control);
    adapter.on_start_over(move || {
        if let Some(c) = weak.upgrade() {
            c.clear();
        }
    });
    let weak = Rc::downgrade(&control);
    adapter.on_print_slip(move || {
        if let Some(c) = weak.upgrade() {
            c.print_slip();
        }
    });
    adapter.on_close_slip({
        let window = window.as_weak();
        move || {
            if let Some(w) = window.upgrade() {
                w.global::<DossierAdapter>()
                    .set_slip(ModelRc::new(VecModel::<SharedString>::default()));
            }
        }
    });
    let weak = Rc::downgrade(&control);
    window.global::<KioskState>().on_key_typed(move |text| {
        if let Some(c) = weak.upgrade() {
            c.key_typed(&text, Instant::now());
        }
    });
    let weak = Rc::downgrade(&control);
    session.on_language_change(Box::new(move |_| {
        if let Some(c) = weak.upgrade() {
            c.redraw();
        }
    }));
    let weak = Rc::downgrade(&control);
    session.on_clear(Box::new(move || {
        if let Some(c) = weak.upgrade() {
            c.clear();
        }
    }));
    control
}

/// Applies a worker's event on the UI thread.
pub(super) fn apply(window: &AppWindow, event: DossierEvent) {
    let Some(control) = events::screen_of(&CONTROLS, window) else {
        return;
    };
    match event {
        DossierEvent::Answer {
            generation,
            outcome,
        } => control.answer(generation, outcome),
        DossierEvent::Scanned(text) => control.open_scanned(&text),
        DossierEvent::SlipPrinted { generation, ok } => {
            if generation == control.generation.get() {
                control.with_adapter(|a| {
                    a.set_print_state(if ok {
                        PrintState::Done
                    } else {
                        PrintState::Failed
                    })
                });
            }
        }
    }
}

/// Offers the demo server's sample codes on the entry screen.
pub(super) fn show_samples(window: &AppWindow, codes: Vec<String>) {
    let codes: Vec<SharedString> = codes.into_iter().map(Into::into).collect();
    window
        .global::<DossierAdapter>()
        .set_samples(ModelRc::new(VecModel::from(codes)));
}

impl DossierScreenControl {
    /// The office name printed on dossier slips (a reloaded config).
    pub(super) fn set_office(&self, name: &str) {
        *self.office.borrow_mut() = name.to_string();
    }

    fn with_adapter(&self, f: impl FnOnce(DossierAdapter<'_>)) {
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
        let Some(jobs) = &self.jobs else {
            adapter.set_screen(DossierScreen::Offline);
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
            adapter.set_screen(DossierScreen::RateLimited);
            return;
        }
        let generation = self.generation.get() + 1;
        self.generation.set(generation);
        adapter.set_code(code.as_str().into());
        adapter.set_problem(CodeProblem::None);
        adapter.set_screen(DossierScreen::Checking);
        if jobs.send(Job { generation, code }).is_err() {
            adapter.set_screen(DossierScreen::Busy);
        }
    }

    fn answer(&self, generation: u64, outcome: Outcome) {
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
                DossierScreen::Result
            }
            Outcome::Invalid(e) => {
                show_problem(&adapter, &e);
                DossierScreen::Entry
            }
            Outcome::NotFound => DossierScreen::NotFound,
            Outcome::Offline => DossierScreen::Offline,
            Outcome::Busy => DossierScreen::Busy,
            Outcome::NotAuthorized => DossierScreen::NotAuthorized,
            Outcome::RateLimited { retry_after } => {
                adapter.set_retry_after_s(seconds(retry_after.unwrap_or(Duration::from_secs(30))));
                DossierScreen::RateLimited
            }
        };
        adapter.set_screen(screen);
    }

    /// Draws the shown dossier (if any) in the session's language.
    fn redraw(&self) {
        let shown = self.shown.borrow();
        let Some(dossier) = shown.as_ref() else {
            return;
        };
        let view = DossierView::new(dossier, self.session.language(), crate::clock::now());
        self.with_adapter(|adapter| {
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
            self.with_adapter(|adapter| {
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
            self.columns,
        );
        let job = crate::printer::Job {
            name: "dossier-slip".into(),
            bytes: crate::ticket::encode_lines(&lines, &self.layout),
        };
        let printer = self.printer.clone();
        let events = self.events.clone();
        let generation = self.generation.get();
        self.with_adapter(|a| a.set_print_state(PrintState::Printing));
        // The printer thread does the work; this thread only waits for it, off the UI thread.
        let spawned = std::thread::Builder::new()
            .name("dossier-slip".into())
            .spawn(move || {
                let ok = matches!(
                    printer.print(job, Duration::from_secs(60)),
                    crate::printer::JobOutcome::Printed { .. }
                );
                tracing::info!(ok, "dossier slip printed");
                events.send(UiEvent::Dossier(DossierEvent::SlipPrinted {
                    generation,
                    ok,
                }));
            });
        if spawned.is_err() {
            self.with_adapter(|a| a.set_print_state(PrintState::Failed));
        }
    }

    fn slip(&self, view: &DossierView) -> ModelRc<SharedString> {
        let lines: Vec<SharedString> = dossier::slip_lines(
            view,
            &self.office.borrow(),
            self.session.language(),
            crate::clock::now(),
            self.columns,
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

    fn open_scanned(&self, text: &str) {
        tracing::info!("receipt scanned");
        self.clear();
        let typed: String = match dossier::normalize(text) {
            Ok(code) => code.as_str().to_string(),
            // Shown so the citizen can see what was read; long junk is cut for the screen.
            Err(_) => text.chars().filter(|c| !c.is_control()).take(60).collect(),
        };
        self.with_adapter(|adapter| adapter.set_code(typed.into()));
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
        self.with_adapter(|adapter| {
            adapter.set_code(SharedString::new());
            adapter.set_full_keyboard(false);
            adapter.set_problem(CodeProblem::None);
            adapter.set_screen(DossierScreen::Entry);
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
    adapter.set_screen(DossierScreen::Entry);
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

fn spawn_worker(server: SharedClient, ui: UiSender) -> Sender<Job> {
    let (jobs, inbox) = mpsc::channel::<Job>();
    let spawned = crate::supervise::spawn("dossier", move || work(&server, &inbox, &ui));
    if let Err(e) = spawned {
        tracing::error!("cannot start the dossier thread: {e}");
    }
    jobs
}

fn work(server: &SharedClient, inbox: &Receiver<Job>, ui: &UiSender) {
    while let Ok(mut job) = inbox.recv() {
        // Only the newest request matters when several queued up.
        while let Ok(newer) = inbox.try_recv() {
            job = newer;
        }
        let client = server.current();
        let outcome = match client {
            Some(client) => dossier::lookup(&client, &job.code),
            None => Outcome::Offline,
        };
        // The outcome only: never the code or what the server said about it.
        tracing::info!("{}", outcome.label());
        ui.send(UiEvent::Dossier(DossierEvent::Answer {
            generation: job.generation,
            outcome,
        }));
    }
}

/// How often to try again after a serial scanner is unplugged or cannot be opened.
const SCANNER_RETRY: Duration = Duration::from_secs(3);

fn spawn_serial_scanner(scanner: SerialScanner, ui: UiSender) {
    let spawned = crate::supervise::spawn("scanner", move || read_serial_scanner(&scanner, &ui));
    if let Err(e) = spawned {
        tracing::error!("cannot start the scanner thread: {e}");
    }
}

/// Reads lines from the scanner for the life of the process, reopening the port after errors.
fn read_serial_scanner(scanner: &SerialScanner, ui: &UiSender) {
    let mut reported = false;
    loop {
        match serialport::new(&scanner.port, scanner.baud)
            .timeout(Duration::from_millis(500))
            .open()
        {
            Ok(mut port) => {
                tracing::info!("serial scanner {} open", scanner.port);
                reported = false;
                let mut lines = crate::dossier::lines::LineReader::default();
                let mut buf = [0u8; 256];
                loop {
                    match port.read(&mut buf) {
                        Ok(0) => break,
                        Ok(n) => {
                            for line in lines.push(&buf[..n]) {
                                ui.send(UiEvent::Dossier(DossierEvent::Scanned(line)));
                            }
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
                        Err(e) => {
                            tracing::warn!("serial scanner {}: {e}", scanner.port);
                            break;
                        }
                    }
                }
            }
            Err(e) => {
                if !reported {
                    tracing::warn!("serial scanner {} cannot be opened: {e}", scanner.port);
                    reported = true;
                }
            }
        }
        std::thread::sleep(SCANNER_RETRY);
    }
}
