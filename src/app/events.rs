//! Events from worker threads to the UI. Workers never touch Slint objects: they send an event,
//! and it is applied on the UI thread, through the event loop, by the window's [`Screens`].

use std::cell::RefCell;
use std::rc::{Rc, Weak};
use std::sync::mpsc;

use slint::ComponentHandle;

use super::admin::{AdminEvent, AdminScreen};
use super::catalog::CatalogScreen;
use super::dossier::DossierScreen;
use super::feedback::FeedbackScreen;
use super::queue::QueueScreen;
use crate::server::link::LinkReport;
use crate::ui::AppWindow;
use crate::workers::Report;

#[derive(Debug, Clone)]
pub enum UiEvent {
    /// A report of one of the [`crate::workers`].
    Worker(Report),
    /// A dossier slip came out of the printer (or did not).
    SlipPrinted {
        tag: u64,
        ok: bool,
    },
    Admin(AdminEvent),
}

/// Cloneable, `Send` handle workers use to reach the UI.
#[derive(Clone)]
pub struct UiSender {
    window: slint::Weak<AppWindow>,
    /// Where events wait when there is no running event loop (headless tests pump it).
    pending: mpsc::Sender<UiEvent>,
}

impl UiSender {
    pub(super) fn new(window: &AppWindow) -> (Self, mpsc::Receiver<UiEvent>) {
        let (pending, inbox) = mpsc::channel();
        (
            Self {
                window: window.as_weak(),
                pending,
            },
            inbox,
        )
    }

    pub fn send(&self, event: UiEvent) {
        let window = self.window.clone();
        let queued = event.clone();
        let delivered = slint::invoke_from_event_loop(move || {
            if let Some(window) = window.upgrade() {
                apply(&window, queued);
            }
        });
        if delivered.is_err() {
            let _ = self.pending.send(event);
        }
    }
}

/// The screens of one window, for the events that arrive with only the window at hand.
pub(super) struct Screens {
    pub window: slint::Weak<AppWindow>,
    pub catalog: Rc<CatalogScreen>,
    pub queue: Rc<QueueScreen>,
    /// Kept alive here like the others (its callbacks hold it weakly); it gets no events.
    pub _feedback: Rc<FeedbackScreen>,
    pub dossier: Rc<DossierScreen>,
    pub admin: Rc<AdminScreen>,
}

thread_local! {
    /// Every window's screens on this thread (tests open several windows one after another).
    static SCREENS: RefCell<Vec<Weak<Screens>>> = const { RefCell::new(Vec::new()) };
}

impl Screens {
    /// Makes `screens` the ones worker events for their window go to.
    pub(super) fn register(screens: &Rc<Screens>) {
        SCREENS.with(|all| {
            let mut all = all.borrow_mut();
            all.retain(|s| s.strong_count() > 0);
            all.push(Rc::downgrade(screens));
        });
    }

    /// Runs on the UI thread: each event to the screen it is for.
    pub(super) fn apply(&self, window: &AppWindow, event: UiEvent) {
        let report = match event {
            UiEvent::Worker(report) => report,
            UiEvent::SlipPrinted { tag, ok } => return self.dossier.slip_printed(tag, ok),
            UiEvent::Admin(event) => return self.admin.apply(event),
        };
        match report {
            Report::Link(LinkReport::State(link)) => {
                super::shell::show_server(window, link);
                self.admin.show_server(link);
            }
            Report::Link(LinkReport::DemoSamples(codes)) => self.dossier.show_samples(codes),
            Report::Catalog(report) => self.catalog.apply(report),
            Report::Queue(report) => self.queue.apply(report),
            Report::Dossier(answer) => self.dossier.answer(answer),
            Report::Scanned(text) => self.dossier.open_scanned(&text),
            Report::Printer(state) => {
                super::shell::show_printer(window, state);
                self.queue.show_printer(state);
                self.catalog.show_printer(state);
                self.dossier.show_printer(state);
            }
        }
    }
}

fn apply(window: &AppWindow, event: UiEvent) {
    let screens = SCREENS.with(|all| {
        all.borrow().iter().find_map(|s| {
            let screens = s.upgrade()?;
            let same = screens
                .window
                .upgrade()
                .is_some_and(|w| std::ptr::eq(w.window(), window.window()));
            same.then_some(screens)
        })
    });
    if let Some(screens) = screens {
        screens.apply(window, event);
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
