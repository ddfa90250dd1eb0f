//! The satisfaction rating on screen: optionally the service it is about, a face, for the two
//! lower ones an optional reason, then thanks. Ratings are kept in the ticket database and sent with the outbox, so none is lost
//! while the central system is away.

use std::rc::Rc;
use std::sync::mpsc::Sender;
use std::time::Duration;

use slint::ComponentHandle;

use super::queue::SyncJob;
use super::session::Session;
use crate::server::model::FeedbackRequest;
use crate::ui::{AppWindow, FeedbackAdapter, FeedbackStep, KioskState, Page};

/// The thanks stay this long, then the kiosk is ready for the next citizen.
const THANKS_FOR: Duration = Duration::from_secs(8);

pub struct FeedbackScreen {
    window: slint::Weak<AppWindow>,
    session: std::rc::Weak<Session>,
    sink: Sender<SyncJob>,
    back_home: slint::Timer,
}

pub fn connect(
    window: &AppWindow,
    session: &Rc<Session>,
    sink: Sender<SyncJob>,
) -> Rc<FeedbackScreen> {
    let screen = Rc::new(FeedbackScreen {
        window: window.as_weak(),
        session: Rc::downgrade(session),
        sink,
        back_home: slint::Timer::default(),
    });
    let adapter = window.global::<FeedbackAdapter>();
    let weak = Rc::downgrade(&screen);
    adapter.on_choose(move |choice| {
        if let Some(s) = weak.upgrade() {
            s.choose(choice);
        }
    });
    let weak = Rc::downgrade(&screen);
    adapter.on_give_reason(move |reason| {
        if let Some(s) = weak.upgrade() {
            s.send((!reason.is_empty()).then(|| reason.to_string()));
        }
    });
    let weak = Rc::downgrade(&screen);
    session.on_clear(Box::new(move || {
        if let Some(s) = weak.upgrade() {
            s.clear();
        }
    }));
    screen
}

impl FeedbackScreen {
    fn adapter(&self, f: impl FnOnce(FeedbackAdapter<'_>)) {
        if let Some(window) = self.window.upgrade() {
            f(window.global::<FeedbackAdapter>());
        }
    }

    fn choose(&self, choice: i32) {
        if !(0..=3).contains(&choice) {
            return;
        }
        self.adapter(|a| a.set_choice(choice));
        if choice >= 2 {
            self.adapter(|a| a.set_step(FeedbackStep::Reason));
        } else {
            self.send(None);
        }
    }

    /// Keeps the rating (the sync thread stores and sends it) and thanks the citizen.
    fn send(&self, reason: Option<String>) {
        let Some(window) = self.window.upgrade() else {
            return;
        };
        let adapter = window.global::<FeedbackAdapter>();
        let Ok(rating) = u8::try_from(adapter.get_choice() + 1) else {
            return;
        };
        if adapter.get_step() == FeedbackStep::Thanks || !(1..=4).contains(&rating) {
            return;
        }
        let service = adapter.get_service();
        let request = FeedbackRequest {
            request_id: crate::server::new_request_id(),
            rating,
            service_id: (!service.is_empty()).then(|| service.to_string()),
            ticket: None,
            reason,
            at: Some(crate::clock::now().to_rfc3339()),
        };
        if self.sink.send(SyncJob::Rating(request)).is_err() {
            tracing::error!("rating lost: the queue sync thread stopped");
        } else {
            tracing::info!(rating, "rating given");
        }
        adapter.set_step(FeedbackStep::Thanks);
        let (weak, session) = (self.window.clone(), self.session.clone());
        self.back_home
            .start(slint::TimerMode::SingleShot, THANKS_FOR, move || {
                let on_page = weak
                    .upgrade()
                    .is_some_and(|w| w.global::<KioskState>().get_page() == Page::Feedback);
                if let (true, Some(session)) = (on_page, session.upgrade()) {
                    session.navigate(Page::Home);
                }
            });
    }

    fn clear(&self) {
        self.back_home.stop();
        self.adapter(|a| {
            a.set_choice(-1);
            a.set_service(slint::SharedString::new());
            a.set_step(FeedbackStep::Faces);
        });
    }
}
