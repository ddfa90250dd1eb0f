//! The satisfaction rating on screen: optionally the service it is about, a face, for the two
//! lower ones an optional reason, then thanks. Ratings are kept by the queue desk in the ticket
//! database and sent with the outbox, so none is lost while the central system is away.

use std::rc::Rc;
use std::time::Duration;

use slint::ComponentHandle;

use super::Shared;
use super::events::{weak_call, weak_call_with};
use crate::feedback::{self, Reason};
use crate::ui::{self, AppWindow, FeedbackAdapter, FeedbackStep, Page};

/// The thanks stay this long, then the kiosk is ready for the next citizen.
const THANKS_FOR: Duration = Duration::from_secs(8);

pub struct FeedbackScreen {
    window: slint::Weak<AppWindow>,
    shared: Rc<Shared>,
    back_home: slint::Timer,
}

pub(super) fn connect(window: &AppWindow, shared: &Rc<Shared>) -> Rc<FeedbackScreen> {
    let screen = Rc::new(FeedbackScreen {
        window: window.as_weak(),
        shared: shared.clone(),
        back_home: slint::Timer::default(),
    });
    let adapter = window.global::<FeedbackAdapter>();
    adapter.on_choose(weak_call_with(&screen, |s, choice| s.choose(choice)));
    adapter.on_give_reason(weak_call_with(&screen, |s, reason| {
        s.send(reason_of(reason))
    }));
    shared.session.on_clear(weak_call(&screen, |s| s.clear()));
    screen
}

fn reason_of(reason: ui::RatingReason) -> Option<Reason> {
    match reason {
        ui::RatingReason::None => None,
        ui::RatingReason::WaitTime => Some(Reason::WaitTime),
        ui::RatingReason::Staff => Some(Reason::Staff),
        ui::RatingReason::Procedure => Some(Reason::Procedure),
        ui::RatingReason::Facilities => Some(Reason::Facilities),
        ui::RatingReason::Other => Some(Reason::Other),
    }
}

impl FeedbackScreen {
    adapter_accessor!(FeedbackAdapter);

    /// A face: 0 (very satisfied) to 3 (not satisfied) on screen, 1 to 4 in the rating.
    fn choose(&self, choice: i32) {
        let Some(face) = u8::try_from(choice + 1)
            .ok()
            .filter(|f| feedback::FACES.contains(f))
        else {
            return;
        };
        self.adapter(|a| a.set_choice(choice));
        if feedback::asks_reason(face) {
            self.adapter(|a| a.set_step(FeedbackStep::Reason));
        } else {
            self.send(None);
        }
    }

    /// Keeps the rating (the desk stores and sends it) and thanks the citizen.
    fn send(&self, reason: Option<Reason>) {
        let Some(window) = self.window.upgrade() else {
            return;
        };
        let adapter = window.global::<FeedbackAdapter>();
        let service = adapter.get_service();
        let service = (!service.is_empty()).then(|| service.to_string());
        let face = u8::try_from(adapter.get_choice() + 1).unwrap_or(0);
        let Some(rating) = feedback::rating(face, service, reason) else {
            return;
        };
        if adapter.get_step() == FeedbackStep::Thanks {
            return;
        }
        match self.shared.workers.desk.keep_rating(rating) {
            Ok(()) => tracing::info!(rating = face, "rating given"),
            Err(e) => tracing::error!("rating lost: {e}"),
        }
        adapter.set_step(FeedbackStep::Thanks);
        self.shared
            .session
            .home_after(&self.back_home, THANKS_FOR, Page::Feedback);
    }

    fn clear(&self) {
        self.back_home.stop();
        self.adapter(|a| a.invoke_reset());
    }
}
