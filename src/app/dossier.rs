//! Dossier lookups on screen: the citizen's code goes through [`crate::dossier::Enquiry`] (well
//! formed, within the kiosk's own limit) to the lookup worker. A result lives only in memory and
//! on screen: it is dropped when the citizen leaves the page or walks away, and an answer that
//! arrives after that is discarded unseen. The same holds for a phone number given for SMS
//! about the dossier: it goes to the server and is forgotten with the session.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use slint::{ComponentHandle, Model, ModelRc, SharedString};

use super::Shared;
use super::events::{weak_call, weak_call_with};
use super::{model, print_state};
use crate::dossier::scan::ScanDetector;
use crate::dossier::{
    self, Answer, CodeError, DossierView, Enquiry, Outcome, Refused, Slip, SubscriptionAnswer,
    SubscriptionOutcome, Tone,
};
use crate::ui::values::whole_seconds as seconds;
use crate::ui::{
    AppWindow, CodeProblem, DossierAdapter, DossierResult, DossierStep, DossierStepItem,
    KioskState, Page, PrintState, SmsStep, StatusTone,
};

pub struct DossierScreen {
    window: slint::Weak<AppWindow>,
    shared: Rc<Shared>,
    enquiry: RefCell<Enquiry>,
    scanner: RefCell<ScanDetector>,
    sms: RefCell<dossier::SmsOffer>,
}

/// Wires the dossier page of `window`; the workers stop when the screen is dropped.
pub(super) fn connect(window: &AppWindow, shared: &Rc<Shared>) -> Rc<DossierScreen> {
    let (session, config) = (&shared.session, shared.session.running());
    let screen = Rc::new(DossierScreen {
        window: window.as_weak(),
        shared: shared.clone(),
        enquiry: RefCell::new(Enquiry::new(config.dossier.lookups_per_minute)),
        scanner: RefCell::new(ScanDetector::default()),
        sms: RefCell::default(),
    });
    let adapter = window.global::<DossierAdapter>();
    adapter.set_server_configured(shared.workers.lookups.is_some());
    adapter.on_format_code(|text| dossier::code::format_as_typed(&text).into());
    adapter.on_look_up(weak_call(&screen, |s| s.look_up()));
    adapter.on_edit(weak_call(&screen, |s| {
        s.enquiry.borrow_mut().abandon();
        s.adapter(|a| a.set_step(DossierStep::Entry));
    }));
    adapter.on_start_over(weak_call(&screen, |s| s.clear()));
    adapter.on_print_slip(weak_call(&screen, |s| s.print_slip()));
    adapter.on_ask_sms(weak_call(&screen, |s| {
        s.adapter(|a| a.set_sms_step(SmsStep::Phone))
    }));
    adapter.on_submit_sms(weak_call(&screen, |s| s.submit_sms()));
    adapter.on_close_sms(weak_call(&screen, |s| s.close_sms()));
    adapter.on_close_slip(weak_call(&screen, |s| {
        s.adapter(|a| a.set_slip(ModelRc::default()));
    }));
    window
        .global::<KioskState>()
        .on_key_typed(weak_call_with(&screen, |s, text: SharedString| {
            s.key_typed(&text, Instant::now());
        }));
    session.on_language_change(weak_call_with(&screen, |s, _| s.redraw()));
    session.on_clear(weak_call(&screen, |s| s.clear()));
    screen
}

impl DossierScreen {
    /// Offers the demo server's sample codes on the entry screen.
    pub(super) fn show_samples(&self, codes: Vec<String>) {
        self.adapter(|a| a.set_samples(model(codes.into_iter().map(Into::into))));
    }

    pub(super) fn slip_printed(&self, tag: u64, ok: bool) {
        if tag == self.enquiry.borrow().tag() {
            self.adapter(|a| a.set_print_state(print_state(ok)));
        }
    }

    adapter_accessor!(DossierAdapter);

    /// Checks what was typed and, if the enquiry allows, asks the server.
    fn look_up(&self) {
        let Some(window) = self.window.upgrade() else {
            return;
        };
        let adapter = window.global::<DossierAdapter>();
        let Some(lookups) = &self.shared.workers.lookups else {
            return adapter.set_step(DossierStep::Offline);
        };
        let asked = self
            .enquiry
            .borrow_mut()
            .ask(&adapter.get_code(), Instant::now());
        match asked {
            Ok((code, tag)) => {
                adapter.set_code(code.as_str().into());
                adapter.set_problem(CodeProblem::None);
                adapter.set_step(DossierStep::Checking);
                if let Err(e) = lookups.look_up(code, tag) {
                    tracing::error!("{e}");
                    adapter.set_step(DossierStep::Busy);
                }
            }
            Err(Refused::Malformed(e)) => show_problem(&adapter, &e),
            Err(Refused::TooSoon(wait)) => {
                adapter.set_retry_after_s(seconds(wait));
                adapter.set_step(DossierStep::RateLimited);
            }
        }
    }

    /// The lookup worker's answer, on the UI thread.
    pub(super) fn answer(&self, answer: Answer) {
        let Some(window) = self.window.upgrade() else {
            return;
        };
        let on_page = self.shared.session.page() == Some(Page::Dossier);
        let outcome = on_page.then(|| self.enquiry.borrow_mut().answer(answer));
        let Some(Some(outcome)) = outcome else {
            tracing::debug!("dossier answer dropped: the citizen moved on");
            return;
        };
        let adapter = window.global::<DossierAdapter>();
        let step = match outcome {
            Outcome::Found(dossier) => {
                adapter.set_print_state(PrintState::Idle);
                self.forget_sms(&adapter);
                let offered = self.sms.borrow().offered(dossier.status.code);
                adapter.set_sms_offered(self.shared.workers.lookups.is_some() && offered);
                self.redraw();
                DossierStep::Result
            }
            Outcome::Invalid(e) => return show_problem(&adapter, &e),
            Outcome::NotFound => DossierStep::NotFound,
            Outcome::Offline => DossierStep::Offline,
            Outcome::Busy => DossierStep::Busy,
            Outcome::NotAuthorized => DossierStep::NotAuthorized,
            Outcome::RateLimited { retry_after } => {
                adapter.set_retry_after_s(seconds(retry_after.unwrap_or(ASSUMED_RETRY_AFTER)));
                DossierStep::RateLimited
            }
        };
        adapter.set_step(step);
    }

    /// Sends the typed number to the server for the shown dossier.
    fn submit_sms(&self) {
        let Some(window) = self.window.upgrade() else {
            return;
        };
        let adapter = window.global::<DossierAdapter>();
        let Some((phone, request_id)) = self.sms.borrow_mut().ask(&adapter.get_sms_phone()) else {
            adapter.set_sms_phone_invalid(true);
            return adapter.set_sms_step(SmsStep::Phone);
        };
        let code = self
            .enquiry
            .borrow()
            .shown()
            .and_then(|d| dossier::normalize(&d.code).ok());
        let (Some(code), Some(lookups)) = (code, &self.shared.workers.lookups) else {
            return adapter.set_sms_step(SmsStep::Busy);
        };
        adapter.set_sms_step(SmsStep::Sending);
        let tag = self.enquiry.borrow().tag();
        if let Err(e) = lookups.subscribe(code, phone, request_id, tag) {
            tracing::error!("{e}");
            adapter.set_sms_step(SmsStep::Busy);
        }
    }

    /// The worker's answer to a subscription, on the UI thread.
    pub(super) fn subscribed(&self, answer: SubscriptionAnswer) {
        let current = self.shared.session.page() == Some(Page::Dossier)
            && answer.tag == self.enquiry.borrow().tag();
        let Some(window) = self.window.upgrade().filter(|_| current) else {
            tracing::debug!("subscription answer dropped: the citizen moved on");
            return;
        };
        let adapter = window.global::<DossierAdapter>();
        if adapter.get_sms_step() != SmsStep::Sending {
            return;
        }
        if !self.sms.borrow_mut().answered(&answer.outcome) {
            adapter.set_sms_offered(false);
            adapter.set_sms_phone(SharedString::new());
        }
        let step = match answer.outcome {
            SubscriptionOutcome::Subscribed { phone, keep_until } => {
                adapter.set_sms_masked(phone.into());
                adapter.set_sms_keep_until(keep_until.into());
                adapter.set_sms_phone(SharedString::new());
                SmsStep::Subscribed
            }
            SubscriptionOutcome::Unavailable => SmsStep::Unavailable,
            SubscriptionOutcome::Finished => SmsStep::Finished,
            SubscriptionOutcome::Full => SmsStep::Full,
            SubscriptionOutcome::BadNumber => {
                adapter.set_sms_phone_invalid(true);
                SmsStep::Phone
            }
            SubscriptionOutcome::Offline => SmsStep::Offline,
            SubscriptionOutcome::Busy | SubscriptionOutcome::NotAuthorized => SmsStep::Busy,
            SubscriptionOutcome::RateLimited { retry_after } => {
                adapter.set_retry_after_s(seconds(retry_after.unwrap_or(ASSUMED_RETRY_AFTER)));
                SmsStep::RateLimited
            }
        };
        adapter.set_sms_step(step);
    }

    /// Back to the result; a number not yet taken is forgotten.
    fn close_sms(&self) {
        self.sms.borrow_mut().forget();
        self.adapter(|a| a.invoke_close_sms_entry());
    }

    /// Forgets the number and any subscription shown (not the office's refusal).
    fn forget_sms(&self, adapter: &DossierAdapter<'_>) {
        self.sms.borrow_mut().forget();
        adapter.invoke_forget_sms();
    }

    /// The dossier shown (if any) in the session's language.
    fn view(&self) -> Option<DossierView> {
        let enquiry = self.enquiry.borrow();
        let dossier = enquiry.shown()?;
        Some(DossierView::new(
            dossier,
            self.shared.session.language(),
            crate::clock::now(),
        ))
    }

    /// Draws the shown dossier (if any) in the session's language.
    fn redraw(&self) {
        let Some(view) = self.view() else {
            return;
        };
        self.adapter(|adapter| {
            adapter.set_result(result_item(&view));
            if adapter.get_slip().row_count() > 0 {
                adapter.set_slip(self.slip(&view));
            }
        });
    }

    fn print_slip(&self) {
        let Some(view) = self.view() else {
            return;
        };
        let (config, lang) = (
            self.shared.session.running(),
            self.shared.session.language(),
        );
        let (events, tag) = (self.shared.events.clone(), self.enquiry.borrow().tag());
        let printed = move |ok| events.run(move |s| s.dossier.slip_printed(tag, ok));
        let printer = self.shared.workers.printer.clone();
        let delivered =
            dossier::deliver_slip(&view, &config, lang, crate::clock::now(), printer, printed);
        self.adapter(|a| match delivered {
            // No paper spent: the slip may be shown again.
            Ok(Slip::OnScreen(lines)) => a.set_slip(model(lines.into_iter().map(Into::into))),
            Ok(Slip::Printing) => a.set_print_state(PrintState::Printing),
            Err(e) => {
                tracing::error!("cannot print the dossier slip: {e}");
                a.set_print_state(PrintState::Failed);
            }
        });
    }

    fn slip(&self, view: &DossierView) -> ModelRc<SharedString> {
        let (config, lang) = (
            self.shared.session.running(),
            self.shared.session.language(),
        );
        let lines = dossier::screen_slip(view, &config, lang, crate::clock::now());
        model(lines.into_iter().map(Into::into))
    }

    /// A key from a physical keyboard: a scanner's burst opens the lookup from any page.
    fn key_typed(&self, text: &str, at: Instant) {
        let listening = self.shared.session.running().scanner.keyboard;
        let scanned = listening.then(|| self.scanner.borrow_mut().key(text, at));
        if let Some(scanned) = scanned.flatten() {
            self.open_scanned(&scanned);
        }
    }

    pub(super) fn open_scanned(&self, text: &str) {
        tracing::info!("receipt scanned");
        self.clear();
        self.adapter(|a| a.set_code(dossier::as_scanned(text).into()));
        self.shared.session.navigate(Page::Dossier);
        self.look_up();
    }

    /// Forgets everything about the citizen's lookup: code, result, slip.
    fn clear(&self) {
        self.enquiry.borrow_mut().abandon();
        self.sms.borrow_mut().forget();
        self.adapter(|adapter| adapter.invoke_reset());
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

/// The wait shown when the server asks to slow down without saying how long.
const ASSUMED_RETRY_AFTER: Duration = Duration::from_secs(30);

fn result_item(view: &DossierView) -> DossierResult {
    let steps = view.steps.iter().map(|s| DossierStepItem {
        when: s.when.clone().into(),
        unit: s.unit.clone().into(),
        action: s.action.clone().into(),
    });
    DossierResult {
        code: view.code.clone().into(),
        procedure: view.procedure.clone().into(),
        applicant: view.applicant.clone().into(),
        received: view.received.clone().into(),
        due_date: view.due_date.clone().into(),
        due_time: view.due_time.clone().into(),
        status: view.status.clone().into(),
        status_code: view.status_code.into(),
        tone: match view.tone {
            Tone::Progress => StatusTone::Progress,
            Tone::Action => StatusTone::Action,
            Tone::Done => StatusTone::Done,
            Tone::Stopped => StatusTone::Stopped,
        },
        timeliness: view.timeliness_text.clone().into(),
        late: view.timeliness == Some(dossier::Timeliness::Late),
        next_step: view.next_step.clone().unwrap_or_default().into(),
        steps: model(steps),
    }
}
