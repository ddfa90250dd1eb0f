//! The satisfaction rating on screen: optionally the service it is about, a face, for the two
//! lower ones an optional reason, then thanks. Ratings are kept by the queue desk in the ticket
//! database and sent with the outbox, so none is lost while the central system is away.

use std::rc::Rc;
use std::time::Duration;

use slint::ComponentHandle;

use super::events::{weak_call, weak_call_with};
use super::session::Session;
use crate::queue::Desk;
use crate::server::model::{FeedbackRequest, RatingReason};
use crate::ui::{self, AppWindow, FeedbackAdapter, FeedbackStep, KioskState, Page};

/// The thanks stay this long, then the kiosk is ready for the next citizen.
const THANKS_FOR: Duration = Duration::from_secs(8);

pub struct FeedbackScreen {
    window: slint::Weak<AppWindow>,
    session: std::rc::Weak<Session>,
    desk: Rc<Desk>,
    back_home: slint::Timer,
}

pub(super) fn connect(
    window: &AppWindow,
    session: &Rc<Session>,
    desk: Rc<Desk>,
) -> Rc<FeedbackScreen> {
    let screen = Rc::new(FeedbackScreen {
        window: window.as_weak(),
        session: Rc::downgrade(session),
        desk,
        back_home: slint::Timer::default(),
    });
    let adapter = window.global::<FeedbackAdapter>();
    adapter.on_choose(weak_call_with(&screen, |s, choice| s.choose(choice)));
    adapter.on_give_reason(weak_call_with(&screen, |s, reason| {
        s.send(reason_of(reason))
    }));
    session.on_clear(weak_call(&screen, |s| s.clear()));
    screen
}

fn reason_of(reason: ui::RatingReason) -> Option<RatingReason> {
    match reason {
        ui::RatingReason::None => None,
        ui::RatingReason::WaitTime => Some(RatingReason::WaitTime),
        ui::RatingReason::Staff => Some(RatingReason::Staff),
        ui::RatingReason::Procedure => Some(RatingReason::Procedure),
        ui::RatingReason::Facilities => Some(RatingReason::Facilities),
        ui::RatingReason::Other => Some(RatingReason::Other),
    }
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

    /// Keeps the rating (the desk stores and sends it) and thanks the citizen.
    fn send(&self, reason: Option<RatingReason>) {
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
            reason: reason.map(|r| r.as_str().to_string()),
            at: Some(crate::clock::now().to_rfc3339()),
        };
        match self.desk.keep_rating(request) {
            Ok(()) => tracing::info!(rating, "rating given"),
            Err(e) => tracing::error!("rating lost: {e}"),
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
