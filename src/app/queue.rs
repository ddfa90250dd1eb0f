//! Taking a number on screen. The UI thread walks the citizen through service → priority →
//! phone; a queue thread owns the ticket database, asks the central system, prints through the
//! printer thread and replays the outbox. The printer's state decides whether the action is
//! offered at all.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::Duration;

use slint::{ComponentHandle, ModelRc, SharedString, VecModel};

use super::events::{self, UiEvent, UiSender};
use super::session::Session;
use crate::config::{Config, ServerEndpoint};
use crate::language::Language;
use crate::printer::{Printer, PrinterState as DeviceState};
use crate::queue::{self, IssueOutcome, IssueSettings, QueueStore, Refusal, TicketOrder};
use crate::server::link::{LinkStatus, SharedClient};
use crate::server::model::{FeedbackRequest, Priority, QueueService};
use crate::ui::{
    AppWindow, KioskState, Page, PrinterState, QueueAdapter, QueueRefusal, QueueStep, ServiceItem,
};

/// How often waiting counts are refreshed and the outbox retried.
const REFRESH_EVERY: Duration = Duration::from_secs(15);
/// The result stays on screen this long, then the kiosk is ready for the next citizen.
const RESULT_SHOWN_FOR: Duration = Duration::from_secs(20);

#[derive(Debug, Clone)]
pub enum QueueEvent {
    /// The central system's services with their queues, or `None` when it cannot be asked.
    Services(Option<Vec<QueueService>>),
    Issued {
        generation: u64,
        outcome: IssueOutcome,
    },
}

/// Work for the sync thread.
pub(super) enum SyncJob {
    /// Fresh waiting counts (and another try at the outbox).
    Refresh,
    /// A rating to keep and send.
    Rating(FeedbackRequest),
}

struct Order {
    order: TicketOrder,
    generation: u64,
}

/// Work for the queue thread.
enum DeskJob {
    Issue(Order),
    /// A reloaded config: services, hours, ticket texts, the tone.
    Settings(Box<IssueSettings>, Option<crate::tone::TonePlayer>),
}

/// A service as offered on screen.
#[derive(Debug, Clone)]
struct Offer {
    id: String,
    name_vi: String,
    name_en: String,
    prefix: String,
    priority_allowed: bool,
    waiting: Option<u32>,
    wait_min: Option<u32>,
    open: bool,
    closed_reason: String,
    now_serving: String,
}

pub struct QueueScreen {
    window: slint::Weak<AppWindow>,
    session: Rc<Session>,
    orders: Sender<DeskJob>,
    sync: Sender<SyncJob>,
    /// The config's services, shown while the central system cannot be asked.
    configured: RefCell<Vec<Offer>>,
    live: Cell<bool>,
    offers: RefCell<Vec<Offer>>,
    chosen: RefCell<Option<Offer>>,
    priority: Cell<Priority>,
    generation: Cell<u64>,
    back_home: slint::Timer,
}

thread_local! {
    static SCREENS: events::Registry<QueueScreen> = const { RefCell::new(Vec::new()) };
}

/// Starts the queue thread and wires the take-a-number page.
pub fn connect(
    window: &AppWindow,
    config: &Config,
    session: Rc<Session>,
    server: Option<SharedClient>,
    printer: Printer,
    link_status: LinkStatus,
    events: &UiSender,
) -> Rc<QueueScreen> {
    let settings = IssueSettings::from_config(config);
    let store_path = config.kiosk.data_dir.join("tickets.sqlite3");
    let tone = tone_player(config);
    let (orders, inbox) = mpsc::channel();
    let (sync_jobs, wake) = mpsc::channel();
    {
        let mut desk = IssueDesk {
            store_path: store_path.clone(),
            settings,
            server: server.clone(),
            printer,
            link_status: link_status.clone(),
            tone,
        };
        let events = events.clone();
        let spawned =
            crate::supervise::spawn("queue", move || issue_orders(&mut desk, &inbox, &events));
        if let Err(e) = spawned {
            tracing::error!("cannot start the queue thread: {e}");
        }
    }
    {
        // Waiting counts and the outbox on their own thread: a slow server never makes a
        // citizen's ticket wait behind them.
        let events = events.clone();
        let spawned = crate::supervise::spawn("queue-sync", move || {
            sync(&store_path, server.as_ref(), &link_status, &wake, &events);
        });
        if let Err(e) = spawned {
            tracing::error!("cannot start the queue sync thread: {e}");
        }
    }
    let configured = configured_offers(config);
    let screen = Rc::new(QueueScreen {
        window: window.as_weak(),
        session: session.clone(),
        orders,
        sync: sync_jobs,
        offers: RefCell::new(configured.clone()),
        configured: RefCell::new(configured),
        live: Cell::new(false),
        chosen: RefCell::new(None),
        priority: Cell::new(Priority::None),
        generation: Cell::new(0),
        back_home: slint::Timer::default(),
    });
    events::register(&SCREENS, window, &screen);

    let adapter = window.global::<QueueAdapter>();
    adapter.set_sms_available(config.server.endpoint != ServerEndpoint::NotConfigured);
    adapter.set_opening_hours(config.queue.opening_hours.to_string().into());
    adapter.on_format_phone(|digits| queue::phone::display(&digits).into());
    let weak = Rc::downgrade(&screen);
    adapter.on_choose_service(move |i| {
        if let Some(s) = weak.upgrade() {
            s.choose_service(usize::try_from(i).unwrap_or(usize::MAX));
        }
    });
    let weak = Rc::downgrade(&screen);
    adapter.on_choose_priority(move |kind| {
        if let Some(s) = weak.upgrade() {
            s.priority.set(match kind.as_str() {
                "elderly" => Priority::Elderly,
                "pregnant" => Priority::Pregnant,
                "disabled" => Priority::Disabled,
                "child" => Priority::Child,
                _ => Priority::None,
            });
            s.after_priority();
        }
    });
    let weak = Rc::downgrade(&screen);
    adapter.on_submit_phone(move || {
        if let Some(s) = weak.upgrade() {
            s.submit_phone();
        }
    });
    let weak = Rc::downgrade(&screen);
    adapter.on_skip_phone(move || {
        if let Some(s) = weak.upgrade() {
            s.issue(None);
        }
    });
    let weak = Rc::downgrade(&screen);
    session.on_language_change(Box::new(move |_| {
        if let Some(s) = weak.upgrade() {
            s.show_offers();
            s.relabel();
        }
    }));
    let weak = Rc::downgrade(&screen);
    session.on_clear(Box::new(move || {
        if let Some(s) = weak.upgrade() {
            s.clear();
        }
    }));
    screen.show_offers();
    screen
}

/// Applies a queue-thread event on the UI thread.
pub(super) fn apply(window: &AppWindow, event: QueueEvent) {
    let Some(screen) = events::screen_of(&SCREENS, window) else {
        return;
    };
    match event {
        QueueEvent::Services(services) => screen.services_arrived(services),
        QueueEvent::Issued {
            generation,
            outcome,
        } => screen.issued(generation, outcome),
    }
}

/// The printer's state on the status line, and whether tickets are offered.
pub(super) fn show_printer(window: &AppWindow, state: DeviceState) {
    window
        .global::<KioskState>()
        .set_printer_state(match state {
            DeviceState::Preview => PrinterState::Preview,
            DeviceState::Ready => PrinterState::Ready,
            DeviceState::PaperNearEnd => PrinterState::PaperNearEnd,
            DeviceState::PaperOut => PrinterState::PaperOut,
            DeviceState::CoverOpen => PrinterState::CoverOpen,
            DeviceState::NoAnswer => PrinterState::NoAnswer,
            DeviceState::Error => PrinterState::Error,
            DeviceState::NotConnected => PrinterState::NotConnected,
        });
    window
        .global::<QueueAdapter>()
        .set_can_issue(state.can_print());
    window
        .global::<crate::ui::CatalogAdapter>()
        .set_can_print(state.can_print());
    window
        .global::<crate::ui::DossierAdapter>()
        .set_can_print(state.can_print());
}

fn tone_player(config: &Config) -> Option<crate::tone::TonePlayer> {
    config
        .ui
        .ticket_tone
        .as_deref()
        .and_then(crate::tone::TonePlayer::new)
}

fn configured_offers(config: &Config) -> Vec<Offer> {
    config
        .queue
        .services
        .iter()
        .map(|s| Offer {
            id: s.id.clone(),
            name_vi: s.name_vi.clone(),
            name_en: s.name_en.clone(),
            prefix: s.prefix.clone(),
            priority_allowed: s.priority_allowed,
            waiting: None,
            wait_min: None,
            open: true,
            closed_reason: String::new(),
            now_serving: String::new(),
        })
        .collect()
}

impl QueueScreen {
    /// Where ratings go to be kept and sent.
    pub(super) fn sync_jobs(&self) -> Sender<SyncJob> {
        self.sync.clone()
    }

    /// Sends what waits in the outbox now, and fetches fresh waiting counts.
    pub(super) fn flush_now(&self) {
        let _ = self.sync.send(SyncJob::Refresh);
    }

    /// A reloaded config: the queue thread gets the new services, hours and ticket texts; the
    /// screen the new offline service list and hours.
    pub(super) fn reconfigure(&self, config: &Config) {
        let settings = Box::new(IssueSettings::from_config(config));
        if self
            .orders
            .send(DeskJob::Settings(settings, tone_player(config)))
            .is_err()
        {
            tracing::error!("the queue thread stopped: new ticket settings not taken");
        }
        *self.configured.borrow_mut() = configured_offers(config);
        if !self.live.get() {
            *self.offers.borrow_mut() = self.configured.borrow().clone();
            self.show_offers();
        }
        self.adapter(|a| a.set_opening_hours(config.queue.opening_hours.to_string().into()));
        self.flush_now();
    }

    fn adapter(&self, f: impl FnOnce(QueueAdapter<'_>)) {
        if let Some(window) = self.window.upgrade() {
            f(window.global::<QueueAdapter>());
        }
    }

    fn show_offers(&self) {
        let lang = self.session.language();
        let items: Vec<ServiceItem> = self
            .offers
            .borrow()
            .iter()
            .map(|o| ServiceItem {
                id: o.id.clone().into(),
                name: match lang {
                    Language::Vi => o.name_vi.clone(),
                    Language::En => o.name_en.clone(),
                }
                .into(),
                prefix: o.prefix.clone().into(),
                priority_allowed: o.priority_allowed,
                waiting: o
                    .waiting
                    .map_or(-1, |w| i32::try_from(w).unwrap_or(i32::MAX)),
                wait_min: o
                    .wait_min
                    .map_or(-1, |w| i32::try_from(w).unwrap_or(i32::MAX)),
                open: o.open,
                closed_reason: o.closed_reason.clone().into(),
                now_serving: o.now_serving.clone().into(),
            })
            .collect();
        self.adapter(|a| a.set_services(ModelRc::new(VecModel::from(items))));
    }

    fn services_arrived(&self, services: Option<Vec<QueueService>>) {
        let live = services.is_some();
        self.live.set(live);
        *self.offers.borrow_mut() = match services {
            Some(list) if !list.is_empty() => list
                .into_iter()
                .map(|s| Offer {
                    id: s.id,
                    name_vi: s.name_vi,
                    name_en: s.name_en,
                    prefix: s.prefix,
                    priority_allowed: s.priority_allowed,
                    waiting: Some(s.waiting),
                    wait_min: Some(s.estimated_wait_min),
                    open: s.open,
                    closed_reason: s.closed_reason.unwrap_or_default(),
                    now_serving: s.now_serving.unwrap_or_default(),
                })
                .collect(),
            _ => self.configured.borrow().clone(),
        };
        self.adapter(|a| a.set_live(live));
        self.show_offers();
    }

    fn choose_service(&self, index: usize) {
        let Some(offer) = self.offers.borrow().get(index).cloned() else {
            return;
        };
        if !offer.open {
            return;
        }
        let name = match self.session.language() {
            Language::Vi => offer.name_vi.clone(),
            Language::En => offer.name_en.clone(),
        };
        let allowed = offer.priority_allowed;
        *self.chosen.borrow_mut() = Some(offer);
        self.priority.set(Priority::None);
        self.adapter(|a| {
            a.set_service_name(name.into());
            if allowed {
                a.set_step(QueueStep::Priority);
            }
        });
        if !allowed {
            self.after_priority();
        }
    }

    fn after_priority(&self) {
        let wants_sms = self
            .window
            .upgrade()
            .is_some_and(|w| w.global::<QueueAdapter>().get_wants_sms());
        if wants_sms {
            self.adapter(|a| a.set_step(QueueStep::Phone));
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
        let Some(offer) = self.chosen.borrow().clone() else {
            return;
        };
        let generation = self.generation.get() + 1;
        self.generation.set(generation);
        let order = TicketOrder {
            service_id: offer.id.clone(),
            // Tickets are printed in Vietnamese, the office's language.
            service_name: offer.name_vi.clone(),
            prefix: offer.prefix.clone(),
            priority: self.priority.get(),
            phone,
        };
        self.adapter(|a| {
            a.set_step(QueueStep::Issuing);
            // The number is not needed on screen any longer than it takes to send it.
            a.set_phone(SharedString::new());
        });
        if self
            .orders
            .send(DeskJob::Issue(Order { order, generation }))
            .is_err()
        {
            self.refused(&Refusal::Storage("the queue thread stopped".into()));
        }
    }

    fn issued(&self, generation: u64, outcome: IssueOutcome) {
        let Some(window) = self.window.upgrade() else {
            return;
        };
        // The ticket printed either way; the screen only shows it to the citizen who asked.
        if generation != self.generation.get()
            || window.global::<KioskState>().get_page() != Page::Queue
        {
            return;
        }
        let adapter = window.global::<QueueAdapter>();
        match outcome {
            IssueOutcome::Printed { ticket, preview } => {
                self.show_ticket(&adapter, &ticket);
                let image = preview.and_then(|p| slint::Image::load_from_path(&p).ok());
                adapter.set_has_preview(image.is_some());
                adapter.set_preview(image.unwrap_or_default());
                adapter.set_step(QueueStep::Done);
            }
            IssueOutcome::NotPrinted { ticket, .. } => {
                self.show_ticket(&adapter, &ticket);
                adapter.set_has_preview(false);
                adapter.set_step(QueueStep::NotPrinted);
            }
            IssueOutcome::Refused(refusal) => self.refused(&refusal),
        }
        let weak = self.window.clone();
        self.back_home
            .start(slint::TimerMode::SingleShot, RESULT_SHOWN_FOR, {
                let session = Rc::downgrade(&self.session);
                move || {
                    let on_queue = weak
                        .upgrade()
                        .is_some_and(|w| w.global::<KioskState>().get_page() == Page::Queue);
                    if let (true, Some(session)) = (on_queue, session.upgrade()) {
                        session.navigate(Page::Home);
                    }
                }
            });
    }

    fn show_ticket(&self, adapter: &QueueAdapter<'_>, ticket: &queue::StoredTicket) {
        adapter.set_number(ticket.number.clone().into());
        adapter.set_priority_label(self.priority_label(ticket.priority).into());
        adapter.set_people_ahead(
            ticket
                .people_ahead
                .map_or(-1, |n| i32::try_from(n).unwrap_or(i32::MAX)),
        );
        adapter.set_wait_min(
            ticket
                .estimated_wait_min
                .map_or(-1, |n| i32::try_from(n).unwrap_or(i32::MAX)),
        );
        adapter.set_offline(ticket.offline);
    }

    fn priority_label(&self, priority: Priority) -> &'static str {
        match self.session.language() {
            Language::Vi => queue::priority_label(priority, Language::Vi),
            Language::En => priority_label_en(priority),
        }
        .unwrap_or_default()
    }

    /// The chosen service and priority in the language just selected.
    fn relabel(&self) {
        let Some(offer) = self.chosen.borrow().clone() else {
            return;
        };
        let name = match self.session.language() {
            Language::Vi => offer.name_vi,
            Language::En => offer.name_en,
        };
        let label = self.priority_label(self.priority.get());
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
        let _ = self.sync.send(SyncJob::Refresh);
    }

    /// Forgets the citizen's choices and phone number.
    fn clear(&self) {
        self.generation.set(self.generation.get() + 1);
        self.back_home.stop();
        *self.chosen.borrow_mut() = None;
        self.priority.set(Priority::None);
        self.adapter(|a| {
            a.set_step(QueueStep::Services);
            a.set_wants_sms(false);
            a.set_phone(SharedString::new());
            a.set_phone_invalid(false);
            a.set_number(SharedString::new());
            a.set_has_preview(false);
            a.set_preview(slint::Image::default());
        });
    }
}

fn priority_label_en(p: Priority) -> Option<&'static str> {
    match p {
        Priority::None => None,
        Priority::Elderly => Some("Older person"),
        Priority::Pregnant => Some("Pregnant woman"),
        Priority::Disabled => Some("Person with a disability"),
        Priority::Child => Some("With a small child"),
    }
}

fn shared(server: Option<&SharedClient>) -> Option<crate::server::CentralClient> {
    server.and_then(SharedClient::current)
}

/// What the queue thread works with.
struct IssueDesk {
    store_path: std::path::PathBuf,
    settings: IssueSettings,
    server: Option<SharedClient>,
    printer: Printer,
    link_status: LinkStatus,
    tone: Option<crate::tone::TonePlayer>,
}

/// The queue thread: one ticket at a time, each committed before it is printed.
fn issue_orders(desk: &mut IssueDesk, inbox: &Receiver<DeskJob>, ui: &UiSender) {
    let mut store = match QueueStore::open(&desk.store_path) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!("ticket database {}: {e}", desk.store_path.display());
            // Without the database no number can be committed: answer every order with a refusal.
            while let Ok(job) = inbox.recv() {
                if let DeskJob::Issue(Order { generation, .. }) = job {
                    ui.send(UiEvent::Queue(QueueEvent::Issued {
                        generation,
                        outcome: IssueOutcome::Refused(Refusal::Storage(e.to_string())),
                    }));
                }
            }
            return;
        }
    };
    match store.recover() {
        Ok(0) => {}
        Ok(n) => tracing::warn!("{n} ticket(s) were being printed when the kiosk stopped"),
        Err(e) => tracing::error!("ticket database: {e}"),
    }
    while let Ok(job) = inbox.recv() {
        let Order { order, generation } = match job {
            DeskJob::Issue(order) => order,
            DeskJob::Settings(settings, tone) => {
                desk.settings = *settings;
                desk.tone = tone;
                continue;
            }
        };
        let outcome = queue::issue(
            &order,
            &desk.settings,
            shared(desk.server.as_ref()).as_ref(),
            &mut store,
            &desk.printer,
            crate::clock::now(),
        );
        if let (Some(tone), IssueOutcome::Printed { .. }) = (&desk.tone, &outcome) {
            tone.play();
        }
        ui.send(UiEvent::Queue(QueueEvent::Issued {
            generation,
            outcome,
        }));
        desk.link_status.set_outbox(store.outbox_len().unwrap_or(0));
    }
}

/// The sync thread: waiting counts for the screen and the outbox for the central system, soon
/// after start, every [`REFRESH_EVERY`] and when the screen asks.
fn sync(
    store_path: &std::path::Path,
    server: Option<&SharedClient>,
    link_status: &LinkStatus,
    wake: &Receiver<SyncJob>,
    ui: &UiSender,
) {
    let store = match QueueStore::open(store_path) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!("ticket database {}: {e}", store_path.display());
            return;
        }
    };
    let mut wait = Duration::from_secs(2);
    loop {
        match wake.recv_timeout(wait) {
            Ok(SyncJob::Rating(rating)) => {
                if let Err(e) = store.record_rating(&rating) {
                    tracing::error!("cannot keep a rating: {e}");
                }
            }
            Ok(SyncJob::Refresh) | Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
        wait = REFRESH_EVERY;
        let client = shared(server);
        let services = client
            .as_ref()
            .and_then(|c| c.queue_services().ok())
            .map(|s| s.services);
        ui.send(UiEvent::Queue(QueueEvent::Services(services)));
        if let Some(c) = &client
            && let Err(e) = queue::flush(&store, c)
        {
            tracing::error!("outbox: {e}");
        }
        link_status.set_outbox(store.outbox_len().unwrap_or(0));
    }
}
