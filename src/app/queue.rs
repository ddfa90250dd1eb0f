//! The take-a-number page: service → priority → phone on the UI thread; the queue desk
//! ([`crate::queue::Desk`]) issues, prints and syncs on its own threads. The printer's state
//! decides whether the action is offered at all.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use slint::{ComponentHandle, SharedString};

use super::Shared;
use super::events::{weak_call, weak_call_with};
use super::{model, number_or_unknown};
use crate::config::Config;
use crate::queue::{self, DeskReport, DeskSettings, IssueOutcome, Refusal, Selection};
use crate::server::model::Priority;
use crate::ticket::preview::Picture;
use crate::ui::values::rgba_image;
use crate::ui::{self, AppWindow, Page, QueueAdapter, QueueRefusal, QueueStep};

/// The result stays on screen this long, then the kiosk is ready for the next citizen.
const RESULT_SHOWN_FOR: Duration = Duration::from_secs(20);

pub struct QueueScreen {
    window: slint::Weak<AppWindow>,
    shared: Rc<Shared>,
    selection: RefCell<Selection>,
    /// The masked number of the ticket being issued, until the citizen leaves.
    sms_to: RefCell<Option<String>>,
    back_home: slint::Timer,
}

/// Wires the take-a-number page to the queue desk.
pub(super) fn connect(window: &AppWindow, shared: &Rc<Shared>) -> Rc<QueueScreen> {
    let (session, config) = (&shared.session, shared.session.running());
    let screen = Rc::new(QueueScreen {
        window: window.as_weak(),
        shared: shared.clone(),
        selection: RefCell::new(Selection::new(&config)),
        sms_to: RefCell::default(),
        back_home: slint::Timer::default(),
    });
    let adapter = window.global::<QueueAdapter>();
    adapter.set_opening_hours(config.queue.opening_hours.to_string().into());
    adapter.on_format_phone(|digits| queue::phone::display(&digits).into());
    adapter.on_choose_service(weak_call_with(&screen, |s, i: i32| {
        s.choose_service(usize::try_from(i).unwrap_or(usize::MAX));
    }));
    adapter.on_choose_priority(weak_call_with(&screen, |s, kind| {
        s.selection.borrow_mut().set_priority(priority(kind));
        s.after_priority();
    }));
    adapter.on_submit_phone(weak_call(&screen, |s| s.submit_phone()));
    adapter.on_skip_phone(weak_call(&screen, |s| s.issue(None)));
    adapter.on_take_for_procedure(weak_call(&screen, |s| s.for_procedure()));
    session.on_language_change(weak_call_with(&screen, |s, _| {
        s.show_offers();
        s.relabel();
    }));
    session.on_clear(weak_call(&screen, |s| s.clear()));
    session.on_reconfigure(weak_call_with(&screen, |s, config: Rc<Config>| {
        s.reconfigure(&config)
    }));
    screen.show_offers();
    screen
}

fn priority(kind: ui::Priority) -> Priority {
    match kind {
        ui::Priority::None => Priority::None,
        ui::Priority::Elderly => Priority::Elderly,
        ui::Priority::Pregnant => Priority::Pregnant,
        ui::Priority::Disabled => Priority::Disabled,
        ui::Priority::Child => Priority::Child,
    }
}

impl QueueScreen {
    /// A report of the desk, on the UI thread.
    pub(super) fn apply(&self, report: DeskReport) {
        match report {
            DeskReport::Services(services) => self.services_arrived(services),
            DeskReport::Issued {
                tag,
                outcome,
                picture,
            } => self.issued(tag, outcome, picture),
        }
    }

    /// A reloaded config: the desk gets the new services, hours and ticket texts; the screen
    /// the new offline service list and hours.
    fn reconfigure(&self, config: &Config) {
        self.shared
            .workers
            .desk
            .reconfigure(DeskSettings::from_config(config));
        self.selection.borrow_mut().reconfigure(config);
        self.show_offers();
        self.adapter(|a| a.set_opening_hours(config.queue.opening_hours.to_string().into()));
        self.shared.workers.desk.refresh();
    }

    adapter_accessor!(QueueAdapter);

    fn show_offers(&self) {
        let lang = self.shared.session.language();
        let items: Vec<ui::ServiceItem> = self
            .selection
            .borrow()
            .offers()
            .iter()
            .map(|o| ui::ServiceItem {
                id: o.id.clone().into(),
                name: o.name(lang).into(),
                prefix: o.prefix.clone().into(),
                priority_allowed: o.priority_allowed,
                waiting: number_or_unknown(o.waiting),
                wait_min: number_or_unknown(o.wait_min),
                open: o.open,
                closed_reason: o.closed_reason.clone().into(),
                now_serving: o.now_serving.clone().into(),
            })
            .collect();
        let closed = self.selection.borrow().all_closed();
        self.adapter(|a| {
            a.set_all_closed(closed.is_some());
            a.set_all_closed_reason(closed.unwrap_or_default().into());
            a.set_services(model(items));
        });
    }

    fn services_arrived(&self, services: Option<Vec<crate::server::model::QueueService>>) {
        let live = {
            let mut selection = self.selection.borrow_mut();
            selection.services_arrived(services);
            selection.is_live()
        };
        self.adapter(|a| a.set_live(live));
        self.show_offers();
    }

    /// "Lấy số cho thủ tục này": the take-a-number page for the procedure on screen, its
    /// service chosen when the kiosk knows which (the citizen picks otherwise).
    fn for_procedure(&self) {
        let Some((note, field)) = self.shared.workers.catalog.last_opened() else {
            return;
        };
        self.clear();
        let name = note.name.clone();
        let service = self.selection.borrow_mut().for_procedure(note, &field);
        self.adapter(|a| a.set_procedure(name.into()));
        self.shared.session.navigate(Page::Queue);
        if let Some(index) = service {
            self.choose_service(index);
        }
    }

    fn choose_service(&self, index: usize) {
        let lang = self.shared.session.language();
        let chosen = self
            .selection
            .borrow_mut()
            .choose(index)
            .map(|o| (o.name(lang).to_string(), o.priority_allowed));
        let Some((name, priority_allowed)) = chosen else {
            return;
        };
        self.adapter(|a| a.set_service_name(name.into()));
        if priority_allowed {
            self.adapter(|a| a.set_step(QueueStep::Priority));
        } else {
            self.after_priority();
        }
    }

    /// With the service (and priority) chosen: the SMS offer while the central system answers
    /// (an offline number never reaches it, so no text could come).
    fn after_priority(&self) {
        if self.selection.borrow().is_live() {
            self.adapter(|a| a.set_step(QueueStep::SmsOffer));
        } else {
            self.issue(None);
        }
    }

    fn submit_phone(&self) {
        let Some(window) = self.window.upgrade() else {
            return;
        };
        let adapter = window.global::<QueueAdapter>();
        match queue::phone::normalize(&adapter.get_phone()) {
            Some(phone) => self.issue(Some(phone)),
            None => adapter.set_phone_invalid(true),
        }
    }

    fn issue(&self, phone: Option<String>) {
        *self.sms_to.borrow_mut() = phone.as_deref().map(queue::phone::masked);
        let Some((order, tag)) = self
            .selection
            .borrow_mut()
            .order(phone, self.shared.session.language())
        else {
            return;
        };
        self.adapter(|a| {
            a.set_step(QueueStep::Issuing);
            // The number is not needed on screen any longer than it takes to send it.
            a.set_phone(SharedString::new());
        });
        if let Err(e) = self.shared.workers.desk.issue(order, tag) {
            tracing::error!("{e}");
            self.refused(&Refusal::Storage(e.to_string()));
        }
    }

    fn issued(&self, tag: u64, outcome: IssueOutcome, picture: Option<Picture>) {
        let Some(window) = self.window.upgrade() else {
            return;
        };
        // The ticket printed either way; the screen only shows it to the citizen who asked.
        if !self.selection.borrow().is_newest(tag)
            || self.shared.session.page() != Some(Page::Queue)
        {
            return;
        }
        let adapter = window.global::<QueueAdapter>();
        match outcome {
            IssueOutcome::Printed { ticket, .. } => {
                self.show_ticket(&adapter, &ticket);
                adapter.set_has_preview(picture.is_some());
                adapter.set_preview(
                    picture
                        .map(|p| rgba_image(&p.rgba, p.width, p.height))
                        .unwrap_or_default(),
                );
                adapter.set_step(QueueStep::Done);
            }
            IssueOutcome::NotPrinted { ticket, .. } => {
                self.show_ticket(&adapter, &ticket);
                adapter.set_has_preview(false);
                adapter.set_step(QueueStep::NotPrinted);
            }
            IssueOutcome::Refused(refusal) => self.refused(&refusal),
        }
        self.shared
            .session
            .home_after(&self.back_home, RESULT_SHOWN_FOR, Page::Queue);
    }

    fn show_ticket(&self, adapter: &QueueAdapter<'_>, ticket: &queue::StoredTicket) {
        // An offline number never reached the central system: no text will come.
        let sms_to = self.sms_to.borrow().clone().filter(|_| !ticket.offline);
        adapter.set_sms_to(sms_to.unwrap_or_default().into());
        adapter.set_number(ticket.number.clone().into());
        adapter.set_priority_label(self.priority_label(ticket.priority).into());
        adapter.set_people_ahead(number_or_unknown(ticket.people_ahead));
        adapter.set_wait_min(number_or_unknown(ticket.estimated_wait_min));
        adapter.set_offline(ticket.offline);
    }

    fn priority_label(&self, priority: Priority) -> &'static str {
        queue::priority_label(priority, self.shared.session.language()).unwrap_or_default()
    }

    /// The chosen service and priority in the language just selected.
    fn relabel(&self) {
        let lang = self.shared.session.language();
        let selection = self.selection.borrow();
        let Some(offer) = selection.chosen() else {
            return;
        };
        let name = offer.name(lang).to_string();
        let label = self.priority_label(selection.priority());
        self.adapter(|a| {
            a.set_service_name(name.into());
            a.set_priority_label(label.into());
        });
    }

    fn refused(&self, refusal: &Refusal) {
        self.adapter(|a| {
            a.set_refusal(match refusal {
                Refusal::PrinterNotReady(_) => QueueRefusal::Printer,
                Refusal::ClosedHours => QueueRefusal::ClosedHours,
                Refusal::DailyCap => QueueRefusal::DailyCap,
                Refusal::UnknownService => QueueRefusal::UnknownService,
                Refusal::Rejected(_) => QueueRefusal::Rejected,
                Refusal::Storage(_) => QueueRefusal::Storage,
            });
            a.set_step(QueueStep::Refused);
        });
        // Fresh counts: a refusal often means the list on screen is stale.
        self.shared.workers.desk.refresh();
    }

    /// Forgets the citizen's choices and phone number.
    fn clear(&self) {
        self.selection.borrow_mut().clear();
        self.sms_to.borrow_mut().take();
        self.back_home.stop();
        self.adapter(|a| a.invoke_reset());
    }
}
