//! One citizen's session: the idle timer, the language, large text and contrast, and clearing
//! everything they typed. After a longer quiet spell the attract screen invites the next one.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use slint::ComponentHandle;

use crate::config::{Config, TextSize, Theme};
use crate::language::Language;
use crate::ui::{AppWindow, KioskState, Page};

type LanguageListener = Box<dyn Fn(Language)>;
type ClearListener = Box<dyn Fn()>;

pub struct Session {
    window: slint::Weak<AppWindow>,
    default_language: Cell<Language>,
    language: Cell<Language>,
    idle: slint::Timer,
    idle_timeout: Cell<Duration>,
    attract: slint::Timer,
    attract_after: Cell<Option<Duration>>,
    /// The theme and text size every citizen starts with.
    high_contrast: Cell<bool>,
    large_text: Cell<bool>,
    language_listeners: RefCell<Vec<LanguageListener>>,
    clear_listeners: RefCell<Vec<ClearListener>>,
}

impl Session {
    pub(super) fn start(window: &AppWindow, config: &Config) -> Rc<Self> {
        let default_language = first_language(config);
        let session = Rc::new(Self {
            window: window.as_weak(),
            default_language: Cell::new(default_language),
            language: Cell::new(default_language),
            idle: slint::Timer::default(),
            idle_timeout: Cell::new(config.kiosk.idle_timeout),
            attract: slint::Timer::default(),
            attract_after: Cell::new(config.ui.attract_after),
            high_contrast: Cell::new(config.ui.theme == Theme::HighContrast),
            large_text: Cell::new(config.ui.text_size == TextSize::Large),
            language_listeners: RefCell::new(Vec::new()),
            clear_listeners: RefCell::new(Vec::new()),
        });
        session.apply_language(default_language);
        session.apply_view_defaults(window);

        let state = window.global::<KioskState>();
        let weak = Rc::downgrade(&session);
        state.on_activity(move || {
            if let Some(s) = weak.upgrade() {
                s.touched();
            }
        });
        let weak = Rc::downgrade(&session);
        state.on_navigate(move |page| {
            if let Some(s) = weak.upgrade() {
                s.navigate(page);
            }
        });
        let weak = Rc::downgrade(&session);
        state.on_select_language(move |code| {
            if let (Some(s), Some(lang)) = (weak.upgrade(), Language::from_code(&code)) {
                s.apply_language(lang);
            }
        });
        Self::arm_timers(&session);
        session
    }

    /// (Re)starts the idle and attract timers with the current durations.
    fn arm_timers(session: &Rc<Self>) {
        let weak = Rc::downgrade(session);
        session.idle.start(
            slint::TimerMode::SingleShot,
            session.idle_timeout.get(),
            move || {
                if let Some(s) = weak.upgrade() {
                    s.expire();
                }
            },
        );
        match session.attract_after.get() {
            Some(after) => {
                let weak = Rc::downgrade(session);
                session
                    .attract
                    .start(slint::TimerMode::SingleShot, after, move || {
                        if let Some(s) = weak.upgrade() {
                            s.show_attract();
                        }
                    });
            }
            None => session.attract.stop(),
        }
    }

    /// A reloaded config: timeouts and what each citizen starts with. The citizen at the kiosk
    /// keeps their language and view until they leave.
    pub(super) fn reconfigure(session: &Rc<Self>, config: &Config) {
        session.default_language.set(first_language(config));
        session.idle_timeout.set(config.kiosk.idle_timeout);
        session.attract_after.set(config.ui.attract_after);
        session
            .high_contrast
            .set(config.ui.theme == Theme::HighContrast);
        session
            .large_text
            .set(config.ui.text_size == TextSize::Large);
        Self::arm_timers(session);
    }

    /// A touch anywhere: the citizen is still there.
    fn touched(&self) {
        self.idle.restart();
        if self.attract_after.get().is_some() {
            self.attract.restart();
        }
    }

    pub fn language(&self) -> Language {
        self.language.get()
    }

    pub(super) fn on_language_change(&self, listener: LanguageListener) {
        self.language_listeners.borrow_mut().push(listener);
    }

    /// Called whenever the citizen's inputs are cleared (home, idle timeout, leaving a lookup).
    pub(super) fn on_clear(&self, listener: ClearListener) {
        self.clear_listeners.borrow_mut().push(listener);
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
            self.clear_inputs(&window);
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
        self.clear_inputs(&window);
        window.global::<KioskState>().set_page(Page::Home);
        if self.language.get() != self.default_language.get() {
            self.apply_language(self.default_language.get());
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
        let theme = window.global::<crate::ui::Theme>();
        theme.set_high_contrast(self.high_contrast.get());
        theme.set_large_text(self.large_text.get());
    }

    fn clear_inputs(&self, window: &AppWindow) {
        super::catalog::clear(window);
        for listener in self.clear_listeners.borrow().iter() {
            listener();
        }
    }

    fn apply_language(&self, lang: Language) {
        // The .slint sources are Vietnamese; "" selects them, other languages come from the bundle.
        let bundle = match lang {
            Language::Vi => "",
            Language::En => "en",
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
        for listener in self.language_listeners.borrow().iter() {
            listener(lang);
        }
    }
}

fn first_language(config: &Config) -> Language {
    config
        .kiosk
        .languages
        .first()
        .copied()
        .unwrap_or(Language::Vi)
}
