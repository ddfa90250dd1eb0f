//! The admin screen: a press held in the home page's corner, then the PIN (checked off the UI
//! thread; wrong ones lock the entry for longer and longer, see [`crate::admin::gate`]), then
//! the kiosk's facts and the technician's actions. Leaving it, or the idle timeout, locks it.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use std::time::{Duration, Instant};

use slint::{ComponentHandle, SharedString};

use super::Shared;
use super::events::weak_call;
use super::session::Session;
use super::{model, number};
use crate::admin::gate::{PinGate, Verdict};
use crate::admin::{Ending, Facts, jobs};
use crate::config::Config;
use crate::server::link::LinkState;
use crate::ui::{AdminAdapter, AdminOutcome, AdminStep, AppWindow, KioskState, Page, PinProblem};

/// The facts are refreshed this often while the panel is open.
const REFRESH_EVERY: Duration = Duration::from_secs(1);

pub struct AdminScreen {
    /// This screen, for its timers.
    me: Weak<AdminScreen>,
    window: slint::Weak<AppWindow>,
    shared: Rc<Shared>,
    gate: RefCell<PinGate>,
    started: Instant,
    refresh: slint::Timer,
    ending: Cell<Ending>,
}

pub(super) fn connect(window: &AppWindow, shared: &Rc<Shared>) -> Rc<AdminScreen> {
    let config = shared.session.running();
    let screen = Rc::new_cyclic(|me| AdminScreen {
        me: me.clone(),
        window: window.as_weak(),
        gate: RefCell::new(PinGate::new()),
        started: Instant::now(),
        refresh: slint::Timer::default(),
        ending: Cell::new(Ending::Closed),
        shared: shared.clone(),
    });
    let adapter = window.global::<AdminAdapter>();
    adapter.set_version(env!("CARGO_PKG_VERSION").into());
    adapter.set_config_file(config.full_source().display().to_string().into());
    adapter.on_dots(|n| vec!["●"; usize::try_from(n).unwrap_or(0)].join(" ").into());
    let state = window.global::<KioskState>();
    state.on_open_admin(weak_call(&screen, |s| s.open()));
    adapter.on_submit_pin(weak_call(&screen, |s| s.submit_pin()));
    adapter.on_test_print(weak_call(&screen, |s| s.test_print()));
    adapter.on_sync_catalog(weak_call(&screen, |s| s.sync_catalog()));
    adapter.on_flush_outbox(weak_call(&screen, |s| s.flush_outbox()));
    adapter.on_reload_config(weak_call(&screen, |s| s.reload_config()));
    adapter.on_restart(weak_call(&screen, |s| s.end(Ending::Restart)));
    adapter.on_quit(weak_call(&screen, |s| s.end(Ending::QuitToShell)));
    shared.session.on_clear(weak_call(&screen, |s| s.lock()));
    screen
}

impl AdminScreen {
    /// The server's latency among the facts (-1 while it does not answer).
    pub(super) fn show_server(&self, link: LinkState) {
        self.adapter(|a| a.set_latency_ms(link.latency_ms().map_or(-1, number)));
    }

    pub fn ending(&self) -> Ending {
        self.ending.get()
    }

    adapter_accessor!(AdminAdapter);

    fn on_panel(&self) -> bool {
        self.shared.session.page() == Some(Page::Admin)
            && self
                .window
                .upgrade()
                .is_some_and(|w| w.global::<AdminAdapter>().get_step() == AdminStep::Panel)
    }

    /// The long press: the PIN entry, or word that no PIN is set.
    fn open(&self) {
        let has_pin = self.shared.session.running().kiosk.admin_pin_hash.is_some();
        if !has_pin {
            tracing::warn!("admin screen asked for, but no admin PIN is set");
        }
        self.shared.session.navigate(Page::Admin);
        let problem = [PinProblem::NotSet, PinProblem::None][usize::from(has_pin)];
        self.adapter(|a| {
            a.invoke_reset();
            a.set_problem(problem);
        });
        self.show_gate(Instant::now());
    }

    /// Says whether the entry is locked, for how long, and how many tries are left.
    fn show_gate(&self, now: Instant) {
        let gate = self.gate.borrow();
        let verdict = gate.verdict(now);
        self.adapter(|a| {
            a.set_tries_left(number(gate.tries_left()));
            match verdict {
                Verdict::Locked(left) => {
                    a.set_problem(PinProblem::Locked);
                    a.set_locked_for_s(number(left.as_secs() + 1));
                }
                Verdict::Open if a.get_problem() == PinProblem::Locked => {
                    a.set_problem(PinProblem::None);
                }
                Verdict::Open => {}
            }
        });
        if let Verdict::Locked(left) = verdict {
            // Unlock the button when the time is up.
            let me = self.me.clone();
            slint::Timer::single_shot(left + Duration::from_millis(50), move || {
                if let Some(screen) = me.upgrade() {
                    screen.show_gate(Instant::now());
                }
            });
        }
    }

    fn submit_pin(&self) {
        let Some(window) = self.window.upgrade() else {
            return;
        };
        let adapter = window.global::<AdminAdapter>();
        let Some(hash) = self.shared.session.running().kiosk.admin_pin_hash.clone() else {
            return adapter.set_problem(PinProblem::NotSet);
        };
        if adapter.get_checking() {
            return;
        }
        let now = Instant::now();
        let Ok(attempt) = self.gate.borrow_mut().begin(now) else {
            return self.show_gate(now);
        };
        let pin = adapter.get_pin().to_string();
        adapter.set_pin(SharedString::new());
        adapter.set_checking(true);
        let events = self.shared.events.clone();
        let checked = move |right| events.run(move |s| s.admin.pin_checked(attempt, right));
        if let Err(e) = jobs::check_pin(pin, hash, checked) {
            tracing::error!("cannot check the admin PIN: {e}");
            adapter.set_checking(false);
        }
    }

    pub(super) fn pin_checked(&self, attempt: u64, right: bool) {
        self.adapter(|a| a.set_checking(false));
        let now = Instant::now();
        match self.gate.borrow_mut().answer(attempt, right, now) {
            None => return,
            Some(false) => self.adapter(|a| a.set_problem(PinProblem::Wrong)),
            Some(true) => {
                tracing::info!("admin screen opened");
                self.adapter(|a| {
                    a.set_problem(PinProblem::None);
                    a.set_step(AdminStep::Panel);
                });
                self.show_outcome(AdminOutcome::None, "");
                self.refresh_facts();
                let me = self.me.clone();
                let refresh = move || {
                    if let Some(screen) = me.upgrade() {
                        screen.refresh_facts();
                    }
                };
                self.refresh
                    .start(slint::TimerMode::Repeated, REFRESH_EVERY, refresh);
                return;
            }
        }
        self.show_gate(now);
    }

    /// Back to the locked state: on leaving the page, on the idle timeout, for the next citizen.
    fn lock(&self) {
        self.gate.borrow_mut().abandon();
        self.refresh.stop();
        self.adapter(|a| a.invoke_reset());
    }

    fn refresh_facts(&self) {
        if !self.on_panel() {
            return self.refresh.stop();
        }
        let facts = Facts::now(self.started);
        let outbox = number(self.shared.workers.link_status.outbox());
        self.adapter(|a| {
            a.set_uptime(facts.uptime.into());
            a.set_addresses(model(facts.addresses.into_iter().map(Into::into)));
            a.set_problems(model(facts.problems.into_iter().map(Into::into)));
            a.set_outbox(outbox);
        });
    }

    fn show_outcome(&self, outcome: AdminOutcome, detail: &str) {
        self.adapter(|a| {
            a.set_outcome(outcome);
            a.set_outcome_detail(detail.into());
        });
    }

    /// Only from the open panel: the actions cannot be reached any other way, but a stray
    /// callback must not act for someone who never gave the PIN.
    fn allowed(&self) -> bool {
        let open = self.on_panel();
        if !open {
            tracing::warn!("admin action refused: the admin screen is not open");
        }
        open
    }

    fn test_print(&self) {
        if !self.allowed() {
            return;
        }
        self.show_outcome(AdminOutcome::Working, "");
        let events = self.shared.events.clone();
        let printed = move |ok| events.run(move |s| s.admin.test_printed(ok));
        let config = self.shared.session.running();
        let spawned =
            jobs::print_test_ticket(self.shared.workers.printer.clone(), &config, printed);
        if let Err(e) = spawned {
            tracing::error!("cannot start the test print: {e}");
            self.show_outcome(AdminOutcome::TestFailed, "");
        }
    }

    pub(super) fn test_printed(&self, ok: bool) {
        let outcome = match ok {
            true => AdminOutcome::TestPrinted,
            false => AdminOutcome::TestFailed,
        };
        self.show_outcome(outcome, "");
    }

    fn sync_catalog(&self) {
        if self.allowed() {
            tracing::info!("admin: catalog sync asked for");
            self.shared.workers.catalog.sync_now();
            self.show_outcome(AdminOutcome::SyncAsked, "");
        }
    }

    fn flush_outbox(&self) {
        if self.allowed() {
            tracing::info!("admin: outbox flush asked for");
            self.shared.workers.desk.refresh();
            self.show_outcome(AdminOutcome::FlushAsked, "");
        }
    }

    /// Reads and validates the file on a helper thread; [`Self::config_read`] applies it.
    fn reload_config(&self) {
        if !self.allowed() {
            return;
        }
        self.show_outcome(AdminOutcome::Working, "");
        let events = self.shared.events.clone();
        let read = move |read| events.run(move |s| s.admin.config_read(read));
        let spawned = jobs::read_config(self.shared.session.running().source.clone(), read);
        if let Err(e) = spawned {
            self.show_outcome(AdminOutcome::ReloadRejected, &e.to_string());
        }
    }

    pub(super) fn config_read(&self, read: Result<Box<Config>, String>) {
        let new = match read {
            Ok(new) => new,
            Err(problems) => {
                tracing::warn!("config reload refused, the running config is kept: {problems}");
                return self.show_outcome(AdminOutcome::ReloadRejected, &problems);
            }
        };
        let reload = Session::reload(&self.shared.session, &new);
        if reload.applied.is_empty() && reload.need_restart.is_empty() {
            return self.show_outcome(AdminOutcome::ReloadUnchanged, "");
        }
        tracing::info!(
            applied = ?reload.applied,
            need_restart = ?reload.need_restart,
            "config reloaded"
        );
        let outcome = match reload.applied.is_empty() {
            true => AdminOutcome::ReloadUnchanged,
            false => AdminOutcome::Reloaded,
        };
        self.show_outcome(outcome, &reload.summary());
    }

    /// Restart, or quit to the system: the event loop ends and `run` says which.
    fn end(&self, ending: Ending) {
        if self.allowed() {
            match ending {
                Ending::QuitToShell => tracing::warn!("admin: quit to the system"),
                _ => tracing::info!("admin: restart"),
            }
            self.ending.set(ending);
            let _ = slint::quit_event_loop();
        }
    }
}
