//! Worker reports on the UI thread: each to the [`Screens`] it is for. Workers reach the UI
//! thread through [`crate::ui::jobs`]; without a running event loop (headless use, tests) their
//! jobs wait for [`super::Kiosk::pump_events`].

use std::rc::Rc;

use super::admin::AdminScreen;
use super::catalog::CatalogScreen;
use super::dossier::DossierScreen;
use super::feedback::FeedbackScreen;
use super::queue::QueueScreen;
use crate::dossier;
use crate::server::link::LinkReport;
use crate::ui::AppWindow;
use crate::workers::Report;

pub(super) use crate::ui::bind::{weak_call, weak_call_with};

/// Cloneable, `Send` handle other threads use to reach the window's screens.
pub(super) type UiSender = crate::ui::jobs::UiSender<Screens>;

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
