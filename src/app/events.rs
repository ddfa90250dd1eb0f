//! Work for the UI thread from other threads. Workers never touch Slint objects: they send a
//! job, a closure over the window's [`Screens`], into a channel and wake the event loop through
//! `KioskState.jobs-waiting`, whose handler runs what waits. The handler belongs to the window,
//! so each job finds its own window's screens without a registry. Without a running event loop
//! (headless tests) jobs wait for [`super::Kiosk::pump_events`].

use std::rc::Rc;
use std::sync::mpsc;

use slint::ComponentHandle;

use super::admin::AdminScreen;
use super::catalog::CatalogScreen;
use super::dossier::DossierScreen;
use super::feedback::FeedbackScreen;
use super::queue::QueueScreen;
use crate::dossier;
use crate::server::link::LinkReport;
use crate::ui::{AppWindow, KioskState};
use crate::workers::Report;

pub(super) type UiJob = Box<dyn FnOnce(&Screens) + Send>;

/// Cloneable, `Send` handle other threads use to reach the window's screens.
#[derive(Clone)]
pub(super) struct UiSender {
    window: slint::Weak<AppWindow>,
    jobs: mpsc::Sender<UiJob>,
}

impl UiSender {
    /// The sender for `window`'s jobs and where they wait for [`Screens::serve`].
    pub(super) fn new(window: &AppWindow) -> (Self, mpsc::Receiver<UiJob>) {
        let (jobs, waiting) = mpsc::channel();
        let window = window.as_weak();
        (Self { window, jobs }, waiting)
    }

    /// Runs `job` with the screens on the UI thread, soon.
    pub(super) fn run(&self, job: impl FnOnce(&Screens) + Send + 'static) {
        if self.jobs.send(Box::new(job)).is_ok() {
            let window = self.window.clone();
            // This fails only without an event loop; the job then waits for `pump_events`.
            let _ = slint::invoke_from_event_loop(move || {
                if let Some(window) = window.upgrade() {
                    window.global::<KioskState>().invoke_jobs_waiting();
                }
            });
        }
    }
}

/// The screens of one window.
pub(super) struct Screens {
    pub window: slint::Weak<AppWindow>,
    pub catalog: Rc<CatalogScreen>,
    pub queue: Rc<QueueScreen>,
    /// Kept alive here like the others (its callbacks hold it weakly); it gets no jobs.
    pub _feedback: Rc<FeedbackScreen>,
    pub dossier: Rc<DossierScreen>,
    pub admin: Rc<AdminScreen>,
}

impl Screens {
    /// Runs the jobs waiting for `window` whenever it is woken for them, while these screens
    /// live (the kiosk owns them; the window only holds them weakly).
    pub(super) fn serve(self: &Rc<Self>, window: &AppWindow, waiting: mpsc::Receiver<UiJob>) {
        let screens = Rc::downgrade(self);
        window.global::<KioskState>().on_jobs_waiting(move || {
            while let (Some(screens), Ok(job)) = (screens.upgrade(), waiting.try_recv()) {
                job(&screens);
            }
        });
    }

    /// A worker's report, on the UI thread: each to the screen it is for.
    pub(super) fn apply(&self, report: Report) {
        let Some(window) = self.window.upgrade() else {
            return;
        };
        match report {
            Report::Link(LinkReport::State(link)) => {
                super::shell::show_server(&window, link);
                self.admin.show_server(link);
            }
            Report::Link(LinkReport::DemoSamples(codes)) => self.dossier.show_samples(codes),
            Report::Catalog(report) => self.catalog.apply(report),
            Report::Queue(report) => self.queue.apply(report),
            Report::Dossier(dossier::WorkerReport::Lookup(answer)) => self.dossier.answer(answer),
            Report::Dossier(dossier::WorkerReport::Subscription(answer)) => {
                self.dossier.subscribed(answer);
            }
            Report::Scanned(text) => self.dossier.open_scanned(&text),
            Report::Printer(state) => super::shell::show_printer(&window, state),
        }
    }
}

/// A callback that reaches `target` only while it lives. The window owns its callbacks, and
/// screens own the window's timers: a strong reference in a callback would keep them alive for
/// good.
pub(super) fn weak_call<T: 'static>(
    target: &Rc<T>,
    call: impl Fn(&Rc<T>) + 'static,
) -> impl Fn() + 'static {
    let weak = Rc::downgrade(target);
    move || {
        if let Some(target) = weak.upgrade() {
            call(&target);
        }
    }
}

/// [`weak_call`] for callbacks with an argument.
pub(super) fn weak_call_with<T: 'static, A>(
    target: &Rc<T>,
    call: impl Fn(&Rc<T>, A) + 'static,
) -> impl Fn(A) + 'static {
    let weak = Rc::downgrade(target);
    move |arg| {
        if let Some(target) = weak.upgrade() {
            call(&target, arg);
        }
    }
}
