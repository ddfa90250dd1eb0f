//! The only module that knows both Slint and the rest: builds the window from a [`Config`],
//! wires callbacks, and keeps the UI thread free of blocking work.

mod admin;
mod catalog;
mod dossier;
mod events;
mod feedback;
mod queue;
mod session;

use std::rc::Rc;
use std::time::Duration;

use slint::{ComponentHandle, SharedString};

use crate::config::{Config, Orientation, PrinterTransport, Renderer, ServerEndpoint};
use crate::language::Language;
use crate::printer::{Printer, PrinterSettings};
use crate::server::link::{self, Link, LinkReport, LinkSettings, LinkStatus};
use crate::ui::{
    AppWindow, DossierAdapter, KioskState, PrinterState, ScreenOrientation, ServerState,
};

pub use admin::{AdminEvent, Ending};
pub use events::{UiEvent, UiSender};
pub use session::Session;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("cannot open the kiosk window: {0}")]
    Platform(#[from] slint::PlatformError),
}

/// The running kiosk UI: the window plus the timers and state that drive it.
pub struct Kiosk {
    window: AppWindow,
    session: Rc<Session>,
    _clock: slint::Timer,
    events: UiSender,
    pending: std::sync::mpsc::Receiver<UiEvent>,
    _link: Option<Link>,
    _catalog: Rc<catalog::CatalogWorker>,
    _dossier: Rc<dossier::DossierScreenControl>,
    _queue: Rc<queue::QueueScreen>,
    _feedback: Rc<feedback::FeedbackScreen>,
    admin: Rc<admin::AdminScreen>,
}

impl Kiosk {
    /// Builds the window for `config`. Needs a Slint platform (a real backend, or the testing one).
    pub fn new(config: &Config) -> Result<Self, AppError> {
        let window = AppWindow::new()?;
        let state = window.global::<KioskState>();
        state.set_office_name(config.kiosk.office_name.clone().into());
        state.set_office_address(config.kiosk.office_address.clone().into());
        state.set_kiosk_id(config.kiosk.id.clone().into());
        state.set_english_available(config.kiosk.languages.contains(&Language::En));
        state.set_orientation(match config.ui.orientation {
            Orientation::Auto => ScreenOrientation::Auto,
            Orientation::Landscape => ScreenOrientation::Landscape,
            Orientation::Portrait => ScreenOrientation::Portrait,
        });
        state.set_server_state(match config.server.endpoint {
            ServerEndpoint::NotConfigured => ServerState::NotConfigured,
            ServerEndpoint::Demo | ServerEndpoint::Remote(_) => ServerState::Connecting,
        });
        state.set_server_demo(config.server.endpoint == ServerEndpoint::Demo);
        state.set_printer_state(match config.printer.transport {
            PrinterTransport::Preview { .. } => PrinterState::Preview,
            _ => PrinterState::NotConnected,
        });
        window
            .global::<DossierAdapter>()
            .set_server_configured(config.server.endpoint != ServerEndpoint::NotConfigured);
        state.on_drop_last(|text| {
            let mut text = text.to_string();
            text.pop();
            SharedString::from(text)
        });

        let session = Session::start(&window, config);
        let clock = start_clock(&window, session.clone());

        let (events, pending) = UiSender::new(&window);
        let shared_client = link::SharedClient::default();
        let link_status = LinkStatus::new(match config.printer.transport {
            PrinterTransport::Preview { .. } => "preview",
            _ => "offline",
        });
        let link = LinkSettings::from_config(config, &link_status).map(|settings| {
            let events = events.clone();
            Link::spawn(settings, shared_client.clone(), move |report| {
                events.send(match report {
                    LinkReport::State(state) => UiEvent::Server(state),
                    LinkReport::DemoSamples(codes) => UiEvent::DemoSamples(codes),
                })
            })
        });
        if let Some(link) = &link {
            link_status.wake_on_change(link.waker());
        }
        let printer = start_printer(
            config,
            &events,
            &link_status,
            link.as_ref().map(Link::waker),
        );
        let catalog_worker = Rc::new(catalog::CatalogWorker::spawn(
            config,
            link.as_ref().map(|_| shared_client.clone()),
            printer.clone(),
            link_status.clone(),
            events.clone(),
        ));
        catalog::connect(&window, catalog_worker.clone());
        let queue = queue::connect(
            &window,
            config,
            session.clone(),
            link.as_ref().map(|_| shared_client.clone()),
            printer.clone(),
            link_status.clone(),
            &events,
        );
        let feedback = feedback::connect(&window, &session, queue.sync_jobs());
        let dossier = dossier::connect(
            &window,
            config,
            session.clone(),
            link.as_ref().map(|_| shared_client.clone()),
            printer.clone(),
            &events,
        );
        let admin = admin::connect(
            &window,
            config,
            admin::Reach {
                session: session.clone(),
                printer,
                link_status,
                catalog: catalog_worker.clone(),
                queue: queue.clone(),
                dossier: dossier.clone(),
                events: events.clone(),
            },
        );

        Ok(Self {
            window,
            session,
            _clock: clock,
            events,
            pending,
            _link: link,
            _catalog: catalog_worker,
            _dossier: dossier,
            _queue: queue,
            _feedback: feedback,
            admin,
        })
    }

    /// How the event loop ended: closed, or restart / quit from the admin screen.
    pub fn ending(&self) -> Ending {
        self.admin.ending()
    }

    pub fn window(&self) -> &AppWindow {
        &self.window
    }

    pub fn session(&self) -> &Session {
        &self.session
    }

    /// A handle worker threads use to reach this window.
    pub fn events(&self) -> UiSender {
        self.events.clone()
    }

    /// Applies events that arrived while no event loop was running (headless use and tests);
    /// under a running event loop they are applied as they come.
    pub fn pump_events(&self) {
        while let Ok(event) = self.pending.try_recv() {
            events::apply(&self.window, event);
        }
    }
}

/// Starts the printer thread; its state goes to the screen and, at once, to the central system.
fn start_printer(
    config: &Config,
    events: &UiSender,
    link_status: &LinkStatus,
    waker: Option<link::LinkWaker>,
) -> Printer {
    let settings = PrinterSettings::from_config(config);
    let events = events.clone();
    let link_status = link_status.clone();
    Printer::spawn(settings, move |state| {
        link_status.set_printer(state.heartbeat_code());
        if let Some(waker) = &waker {
            waker.wake();
        }
        events.send(UiEvent::Printer(state));
    })
}

/// Refreshes the clock and date on screen every second.
fn start_clock(window: &AppWindow, session: Rc<Session>) -> slint::Timer {
    let update = {
        let weak = window.as_weak();
        move || {
            if let Some(window) = weak.upgrade() {
                let now = crate::clock::now();
                let state = window.global::<KioskState>();
                state.set_clock(crate::clock::time_text(&now).into());
                state.set_date(crate::clock::date_text(&now, session.language()).into());
            }
        }
    };
    update();
    let timer = slint::Timer::default();
    timer.start(
        slint::TimerMode::Repeated,
        std::time::Duration::from_secs(1),
        update,
    );
    timer
}

/// Opens the kiosk and runs it until the window closes or the admin screen ends it.
pub fn run(config: &Config, windowed: bool) -> Result<Ending, AppError> {
    select_backend(config)?;
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
    let systemd = match crate::systemd::Notifier::from_env() {
        Ok(notifier) => notifier.map(report_to_systemd),
        Err(e) => {
            tracing::error!("{e}");
            None
        }
    };
    kiosk.window.run()?;
    if let Some(systemd) = &systemd {
        let _ = systemd.notifier.stopping();
    }
    let ending = kiosk.ending();
    tracing::info!(?ending, "kiosk window closed");
    Ok(ending)
}

/// Logs when the first frame is on screen, counted from the start of the process: the kiosk's
/// start-up time as a citizen sees it (what `benches/startup.rs` measures). Slint draws a frame
/// while it handles winit's redraw request; a zero timer set then fires once that drawing is
/// done. Only the winit backend reports this.
fn log_first_frame(window: &AppWindow) {
    use slint::winit_030::{EventResult, WinitWindowAccessor, winit};
    let mut seen = false;
    window.window().on_winit_window_event(move |_, event| {
        if !seen && matches!(event, winit::event::WindowEvent::RedrawRequested) {
            seen = true;
            slint::Timer::single_shot(Duration::ZERO, || {
                let ms = crate::clock::since_process_start().as_secs_f64() * 1000.0;
                tracing::info!(ms = format!("{ms:.0}"), "first frame drawn");
            });
        }
        EventResult::Propagate
    });
}

/// Keeps systemd informed while the event loop runs; dropping it stops the pings.
pub struct SystemdReport {
    notifier: Rc<crate::systemd::Notifier>,
    _ready: slint::Timer,
    _watchdog: slint::Timer,
}

/// Says "ready" once the event loop turns, then pings the watchdog from the event loop: if the
/// UI thread hangs, the pings stop and systemd restarts the kiosk.
pub fn report_to_systemd(notifier: crate::systemd::Notifier) -> SystemdReport {
    let notifier = Rc::new(notifier);
    let ready = slint::Timer::default();
    let n = notifier.clone();
    ready.start(slint::TimerMode::SingleShot, Duration::ZERO, move || {
        if let Err(e) = n.ready() {
            tracing::warn!("{e}");
        }
        tracing::info!("told systemd the kiosk is ready");
    });
    let watchdog = slint::Timer::default();
    if let Some(every) = notifier.ping_every() {
        let n = notifier.clone();
        watchdog.start(slint::TimerMode::Repeated, every, move || {
            if let Err(e) = n.ping() {
                tracing::warn!("watchdog: {e}");
            }
        });
    }
    SystemdReport {
        notifier,
        _ready: ready,
        _watchdog: watchdog,
    }
}

/// Picks the renderer from `[ui] renderer`; `SLINT_BACKEND` in the environment still wins, so a
/// technician can try another one without editing the config.
fn select_backend(config: &Config) -> Result<(), AppError> {
    if std::env::var_os("SLINT_BACKEND").is_some() {
        return Ok(());
    }
    let renderer = match config.ui.renderer {
        Renderer::Software => "software",
        Renderer::Femtovg => "femtovg",
    };
    slint::BackendSelector::new()
        .backend_name("winit".into())
        .renderer_name(renderer.into())
        .select()?;
    Ok(())
}
