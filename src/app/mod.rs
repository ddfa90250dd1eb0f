//! The only module that knows both Slint and the rest: builds the window from a [`Config`],
//! starts the workers of the domain modules, and maps their reports to screens and the screens'
//! callbacks to them. Nothing here touches a file, a port or a socket, and the UI thread never
//! blocks.
//!
//! - `session`: one citizen's session and the running config; `shell`: what every page shows.
//! - One `…Screen` per page with its adapter: `queue`, `catalog`, `dossier`, `feedback`, `admin`.
//! - `events`: worker reports to the UI thread, and the `Screens` they are applied to.

/// `fn adapter(&self, f)`: runs `f` with the screen's adapter (its Slint global) while the
/// window lives. Every screen has one, by that name.
macro_rules! adapter_accessor {
    ($global:ident) => {
        fn adapter(&self, f: impl FnOnce($global<'_>)) {
            if let Some(window) = self.window.upgrade() {
                f(window.global::<$global>());
            }
        }
    };
}

mod admin;
mod catalog;
mod dossier;
mod events;
mod feedback;
mod queue;
mod session;
mod shell;

use std::rc::Rc;

use slint::ComponentHandle;

use crate::admin::Ending;
use crate::config::Config;
use crate::ui::{AppWindow, KioskState};
use crate::workers::Workers;

use crate::ui::values::{model, number, number_or_unknown, print_state};
use events::{Screens, UiSender};
use session::Session;

pub use crate::systemd::{SystemdReport, report_to_systemd};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("cannot open the kiosk window: {0}")]
    Platform(#[from] slint::PlatformError),
}

/// The running kiosk UI: the window plus the timers, workers and screens that drive it.
pub struct Kiosk {
    window: AppWindow,
    _clock: slint::Timer,
    screens: Rc<Screens>,
}

/// What every screen shares: the citizen's session, the workers behind the screen, and the way
/// back to the UI thread for their answers.
struct Shared {
    session: Rc<Session>,
    workers: Workers,
    events: UiSender,
}

impl Kiosk {
    /// Builds the window for `config`. Needs a Slint platform (a real backend, or the testing one).
    pub fn new(config: &Config) -> Result<Self, AppError> {
        let window = AppWindow::new()?;
        let session = Session::start(&window, config);
        shell::start(&window, &session);
        let clock = shell::start_clock(&window, &session);
        let (events, waiting) = UiSender::new(&window);
        let workers = {
            let events = events.clone();
            Workers::start(config, move |report| events.run(|s| s.apply(report)))
        };
        let shared = Rc::new(Shared {
            session,
            workers,
            events,
        });
        // The screens, each wired to its adapter and to the workers it drives.
        let screens = Rc::new(Screens {
            window: window.as_weak(),
            catalog: catalog::connect(&window, &shared),
            queue: queue::connect(&window, &shared),
            _feedback: feedback::connect(&window, &shared),
            dossier: dossier::connect(&window, &shared),
            admin: admin::connect(&window, &shared),
        });
        crate::ui::jobs::serve(&screens, &window, waiting);
        Ok(Self {
            window,
            _clock: clock,
            screens,
        })
    }

    /// How the event loop ended: closed, or restart / quit from the admin screen.
    pub fn ending(&self) -> Ending {
        self.screens.admin.ending()
    }

    pub fn window(&self) -> &AppWindow {
        &self.window
    }

    /// Applies events that arrived while no event loop was running (headless use and tests);
    /// under a running event loop they are applied as they come.
    pub fn pump_events(&self) {
        self.window.global::<KioskState>().invoke_jobs_waiting();
    }
}

/// Opens the kiosk and runs it until the window closes or the admin screen ends it; `systemd`
/// hears when it is ready, that its event loop still turns, and when it stops.
pub fn run(
    config: &Config,
    windowed: bool,
    systemd: Option<crate::systemd::Notifier>,
) -> Result<Ending, AppError> {
    crate::ui::platform::select_renderer(config.ui.renderer.name())?;
    let kiosk = Kiosk::new(config)?;
    let fullscreen = config.ui.fullscreen && !windowed;
    kiosk
        .window
        .global::<KioskState>()
        .set_hide_cursor(config.ui.hide_cursor && fullscreen);
    kiosk.window.window().set_fullscreen(fullscreen);
    log_first_frame(&kiosk.window);
    tracing::info!(
        kiosk = %config.kiosk.id,
        fullscreen,
        renderer = ?config.ui.renderer,
        "kiosk window opening"
    );
    let systemd = systemd.map(report_to_systemd);
    kiosk.window.run()?;
    if let Some(systemd) = &systemd {
        systemd.stopping();
    }
    let ending = kiosk.ending();
    tracing::info!(?ending, "kiosk window closed");
    Ok(ending)
}

/// Logs when the first frame is on screen, counted on a monotonic clock from the first line of
/// `main` (`since="main"`; `benches/startup.rs` also times it from outside, from the moment it
/// starts the program).
fn log_first_frame(window: &AppWindow) {
    crate::ui::platform::on_first_frame(window, || {
        let ms = crate::clock::since_start().as_secs_f64() * 1000.0;
        tracing::info!(ms = format!("{ms:.0}"), since = "main", "first frame drawn");
    });
}
