//! Events from worker threads to the UI. Workers never touch Slint objects: they send an event,
//! and it is applied on the UI thread through the event loop.

use std::cell::RefCell;
use std::rc::{Rc, Weak};
use std::sync::mpsc;
use std::thread::LocalKey;

use slint::ComponentHandle;

use crate::server::link::LinkState;
use crate::ui::{AppWindow, KioskState, ServerState};

#[derive(Debug, Clone)]
pub enum UiEvent {
    Server(LinkState),
    /// The built-in demo server is up with these sample dossier codes.
    DemoSamples(Vec<String>),
    Catalog(super::catalog::CatalogEvent),
    Dossier(super::dossier::DossierEvent),
    Queue(super::queue::QueueEvent),
    Printer(crate::printer::PrinterState),
    Admin(super::admin::AdminEvent),
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

/// Runs on the UI thread: turns an event into property changes.
pub(super) fn apply(window: &AppWindow, event: UiEvent) {
    let state = window.global::<KioskState>();
    match event {
        UiEvent::Server(link) => {
            let latency = match link {
                LinkState::Online { latency_ms } => i32::try_from(latency_ms).unwrap_or(i32::MAX),
                _ => -1,
            };
            window
                .global::<crate::ui::AdminAdapter>()
                .set_latency_ms(latency);
            state.set_server_state(match link {
                LinkState::Connecting => ServerState::Connecting,
                LinkState::Online { .. } => ServerState::Online,
                LinkState::Offline(_) => ServerState::Offline,
                LinkState::Unauthorized => ServerState::Unauthorized,
            });
        }
        UiEvent::DemoSamples(codes) => super::dossier::show_samples(window, codes),
        UiEvent::Catalog(event) => super::catalog::apply(window, event),
        UiEvent::Dossier(event) => super::dossier::apply(window, event),
        UiEvent::Queue(event) => super::queue::apply(window, event),
        UiEvent::Printer(state) => super::queue::show_printer(window, state),
        UiEvent::Admin(event) => super::admin::apply(window, event),
    }
}

/// The screens whose worker events arrive with only the window at hand (`apply` has nothing
/// else): each registers itself with its window, and an event finds its screen again.
pub(super) type Registry<T> = RefCell<Vec<(slint::Weak<AppWindow>, Weak<T>)>>;

pub(super) fn register<T>(
    registry: &'static LocalKey<Registry<T>>,
    window: &AppWindow,
    screen: &Rc<T>,
) {
    registry.with(|all| {
        let mut all = all.borrow_mut();
        all.retain(|(_, s)| s.strong_count() > 0);
        all.push((window.as_weak(), Rc::downgrade(screen)));
    });
}

pub(super) fn screen_of<T>(
    registry: &'static LocalKey<Registry<T>>,
    window: &AppWindow,
) -> Option<Rc<T>> {
    registry.with(|all| {
        all.borrow().iter().find_map(|(w, s)| {
            let same = w
                .upgrade()
                .is_some_and(|w| std::ptr::eq(w.window(), window.window()));
            if same { s.upgrade() } else { None }
        })
    })
}
