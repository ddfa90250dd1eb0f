//! One citizen's session: the idle timer, the language, large text and contrast, and clearing
//! everything they typed. After a longer quiet spell the attract screen invites the next one.
//! The session also holds the running config and tells the screens when a reload changes it.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use slint::ComponentHandle;

use super::events::{weak_call, weak_call_with};
use crate::config::reload::Reload;
use crate::config::{Config, TextSize, Theme};
use crate::language::Language;
use crate::ui::bind::Listeners;
use crate::ui::{AppWindow, KioskState, Page};

pub struct Session {
    window: slint::Weak<AppWindow>,
    /// The config the kiosk runs with: the file it started with, then each reload's live parts.
    /// Its timeouts, first language, theme and text size are what each citizen starts with.
    running: RefCell<Rc<Config>>,
    language: Cell<Language>,
    idle: slint::Timer,
    /// Asks "still there?" this long before `idle` fires.
    warning: slint::Timer,
    attract: slint::Timer,
    language_listeners: Listeners<Language>,
    clear_listeners: Listeners<()>,
    reconfigure_listeners: Listeners<Rc<Config>>,
}

impl Session {
    pub(super) fn start(window: &AppWindow, config: &Config) -> Rc<Self> {
        let first = config.kiosk.first_language();
        let session = Rc::new(Self {
            window: window.as_weak(),
            running: RefCell::new(Rc::new(config.clone())),
            language: Cell::new(first),
            idle: slint::Timer::default(),
            warning: slint::Timer::default(),
            attract: slint::Timer::default(),
            language_listeners: Listeners::default(),
            clear_listeners: Listeners::default(),
            reconfigure_listeners: Listeners::default(),
        });
        session.apply_language(first);
        session.apply_view_defaults(window);

        let state = window.global::<KioskState>();
        state.on_activity(weak_call(&session, |s| s.touched()));
        state.on_navigate(weak_call_with(&session, |s, page| s.navigate(page)));
        state.on_select_language(weak_call_with(&session, |s, code: slint::SharedString| {
            if let Some(lang) = Language::from_code(&code) {
                s.apply_language(lang);
            }
        }));
        Self::arm_timers(&session);
        session
    }

    /// (Re)starts the idle and attract timers with the running config's durations.
    fn arm_timers(session: &Rc<Self>) {
        let config = session.running.borrow();
        session.idle.start(
            slint::TimerMode::SingleShot,
            config.kiosk.idle_timeout,
            weak_call(session, |s| s.expire()),
        );
        let (timeout, warning) = (config.kiosk.idle_timeout, config.kiosk.idle_warning);
        match timeout.checked_sub(warning).filter(|_| !warning.is_zero()) {
            Some(after) => session.warning.start(
                slint::TimerMode::SingleShot,
                after,
                weak_call(session, |s| s.state(|k| k.set_idle_warning(true))),
            ),
            None => session.warning.stop(),
        }
        session.state(|k| k.set_idle_warning_s(warning.as_secs() as i32));
        match config.ui.attract_after {
            Some(after) => session.attract.start(
                slint::TimerMode::SingleShot,
                after,
                weak_call(session, |s| s.show_attract()),
            ),
            None => session.attract.stop(),
        }
    }

    /// The config the kiosk runs with now.
    pub(super) fn running(&self) -> Rc<Config> {
        self.running.borrow().clone()
    }

    /// Takes the live parts of a newly read config (see [`crate::config::reload`]) and tells
    /// every screen that listens; what needs a restart waits for one. The citizen at the kiosk
    /// keeps their language and view until they leave.
    pub(super) fn reload(session: &Rc<Self>, new: &Config) -> Reload {
        let reload = crate::config::reload::merge(&session.running.borrow(), new);
        if !reload.applied.is_empty() {
            let running = Rc::new(reload.running.clone());
            *session.running.borrow_mut() = running.clone();
            Self::arm_timers(session);
            session.reconfigure_listeners.notify(running);
        }
        reload
    }

    /// Called with the running config after a reload changed it.
    pub(super) fn on_reconfigure(&self, listener: impl Fn(Rc<Config>) + 'static) {
        self.reconfigure_listeners.add(listener);
    }

    /// A touch anywhere: the citizen is still there.
    fn touched(&self) {
        self.idle.restart();
        if !self.running.borrow().kiosk.idle_warning.is_zero() {
            self.warning.restart();
        }
        self.state(|k| k.set_idle_warning(false));
        if self.running.borrow().ui.attract_after.is_some() {
            self.attract.restart();
        }
    }

    pub fn language(&self) -> Language {
        self.language.get()
    }

    pub(super) fn on_language_change(&self, listener: impl Fn(Language) + 'static) {
        self.language_listeners.add(listener);
    }

    /// Called whenever the citizen's inputs are cleared (home, idle timeout, leaving a lookup).
    pub(super) fn on_clear(&self, listener: impl Fn() + 'static) {
        self.clear_listeners.add(move |()| listener());
    }

    fn state(&self, f: impl FnOnce(KioskState<'_>)) {
        if let Some(window) = self.window.upgrade() {
            f(window.global::<KioskState>());
        }
    }

    /// The page on screen (`None` once the window is gone).
    pub(super) fn page(&self) -> Option<Page> {
        let window = self.window.upgrade()?;
        Some(window.global::<KioskState>().get_page())
    }

    /// Back to the home page after `after`, if the citizen is still on `page` then (a result
    /// read, thanks said). Restarting `timer` replaces the earlier wait.
    pub(super) fn home_after(self: &Rc<Self>, timer: &slint::Timer, after: Duration, page: Page) {
        let session = Rc::downgrade(self);
        timer.start(slint::TimerMode::SingleShot, after, move || {
            if let Some(s) = session.upgrade().filter(|s| s.page() == Some(page)) {
                s.navigate(Page::Home);
            }
        });
    }

    /// Shows `page`; going home, or leaving a dossier lookup, clears every input so nothing
    /// typed or looked up stays on screen.
    pub fn navigate(&self, page: Page) {
        let Some(window) = self.window.upgrade() else {
            return;
        };
        let leaving_lookup =
            window.global::<KioskState>().get_page() == Page::Dossier && page != Page::Dossier;
        if page == Page::Home || leaving_lookup {
            self.clear_inputs();
        }
        window.global::<KioskState>().set_page(page);
        self.touched();
    }

    /// The citizen walked away: back to the home page in the kiosk's first language, inputs gone.
    fn expire(&self) {
        let Some(window) = self.window.upgrade() else {
            return;
        };
        if window.global::<KioskState>().get_page() != Page::Home {
            tracing::info!("idle timeout: back to the home page");
        }
        self.clear_inputs();
        window.global::<KioskState>().set_idle_warning(false);
        window.global::<KioskState>().set_page(Page::Home);
        let first = self.running.borrow().kiosk.first_language();
        if self.language.get() != first {
            self.apply_language(first);
        }
        self.apply_view_defaults(&window);
    }

    /// Nobody has touched the kiosk for a long while: everything as after the idle timeout, then
    /// the attract screen until the next touch.
    fn show_attract(&self) {
        self.expire();
        if let Some(window) = self.window.upgrade() {
            tracing::debug!("attract screen");
            window.global::<KioskState>().set_page(Page::Attract);
        }
    }

    /// Large text and contrast back to what the config gives every citizen.
    fn apply_view_defaults(&self, window: &AppWindow) {
        let config = self.running.borrow();
        let theme = window.global::<crate::ui::Theme>();
        theme.set_high_contrast(config.ui.theme == Theme::HighContrast);
        theme.set_large_text(config.ui.text_size == TextSize::Large);
    }

    fn clear_inputs(&self) {
        self.clear_listeners.notify(());
    }

    fn apply_language(&self, lang: Language) {
        // The .slint sources are Vietnamese; "" selects them, other languages come from the bundle.
        let bundle = if lang == Language::Vi {
            ""
        } else {
            lang.code()
        };
        if let Err(e) = slint::select_bundled_translation(bundle) {
            tracing::warn!("cannot switch the screen language to {}: {e}", lang.code());
        }
        self.language.set(lang);
        if let Some(window) = self.window.upgrade() {
            let state = window.global::<KioskState>();
            state.set_language(lang.code().into());
            state.set_date(crate::clock::date_text(&crate::clock::now(), lang).into());
        }
        self.language_listeners.notify(lang);
    }
}
