//! What every page shares (`KioskState`): the office's name and address, the languages offered,
//! the orientation, the clock and the status line about the server and the printer.

use std::rc::Rc;
use std::time::Duration;

use slint::{ComponentHandle, SharedString};

use super::session::Session;
use crate::config::{Config, Orientation, PrinterTransport, ServerEndpoint};
use crate::language::Language;
use crate::printer::PrinterState as Device;
use crate::server::link::LinkState;
use crate::speech;
use crate::ui::bind::weak_call_with2;
use crate::ui::{AppWindow, KioskState, PrinterState, ScreenOrientation, ServerState};

/// The state of a window just opened for `config`; live parts follow reloads.
pub(super) fn start(window: &AppWindow, session: &Rc<Session>) {
    let config = session.running();
    show_config(window, &config);
    let state = window.global::<KioskState>();
    state.set_kiosk_id(config.kiosk.id.clone().into());
    state.set_server_state(match config.server.endpoint {
        ServerEndpoint::NotConfigured => ServerState::NotConfigured,
        ServerEndpoint::Demo | ServerEndpoint::Remote(_) => ServerState::Connecting,
    });
    state.set_server_demo(config.server.endpoint == ServerEndpoint::Demo);
    state.set_printer_state(match config.printer.transport {
        PrinterTransport::Preview { .. } => PrinterState::Preview,
        _ => PrinterState::NotConnected,
    });
    // Slint strings cannot be cut, so backspace asks here.
    state.on_drop_last(|text| {
        let mut text = text.to_string();
        text.pop();
        SharedString::from(text)
    });
    state.on_search_key(|key| crate::catalog::search_key(&key).into());
    state.on_read_ticket(weak_call_with2(
        session,
        |s, number: SharedString, ahead| {
            speech::say_ticket(&s.running().ui.read_aloud, &number, ahead, s.language());
        },
    ));
    state.on_read_status(weak_call_with2(session, |s, code, late| {
        speech::say_status(&s.running().ui.read_aloud, code, late, s.language());
    }));
    let weak = window.as_weak();
    session.on_reconfigure(move |config| {
        if let Some(window) = weak.upgrade() {
            show_config(&window, &config);
        }
    });
}

/// The parts of the config every page shows.
fn show_config(window: &AppWindow, config: &Config) {
    let state = window.global::<KioskState>();
    state.set_office_name(config.kiosk.office_name.clone().into());
    state.set_office_address(config.kiosk.office_address.clone().into());
    state.set_english_available(config.kiosk.languages.contains(&Language::En));
    state.set_read_aloud(config.ui.read_aloud.is_some());
    state.set_orientation(match config.ui.orientation {
        Orientation::Auto => ScreenOrientation::Auto,
        Orientation::Landscape => ScreenOrientation::Landscape,
        Orientation::Portrait => ScreenOrientation::Portrait,
    });
}

pub(super) fn show_server(window: &AppWindow, link: LinkState) {
    window.global::<KioskState>().set_server_state(match link {
        LinkState::Connecting => ServerState::Connecting,
        LinkState::Online { .. } => ServerState::Online,
        LinkState::Offline(_) => ServerState::Offline,
        LinkState::Unauthorized => ServerState::Unauthorized,
    });
}

/// The printer's state on the status line.
pub(super) fn show_printer(window: &AppWindow, state: Device) {
    window
        .global::<KioskState>()
        .set_printer_state(match state {
            Device::Preview => PrinterState::Preview,
            Device::Ready => PrinterState::Ready,
            Device::PaperNearEnd => PrinterState::PaperNearEnd,
            Device::PaperOut => PrinterState::PaperOut,
            Device::CoverOpen => PrinterState::CoverOpen,
            Device::Offline => PrinterState::Offline,
            Device::NoStatus => PrinterState::NoStatus,
            Device::NoAnswer => PrinterState::NoAnswer,
            Device::Error => PrinterState::Error,
            Device::NotConnected => PrinterState::NotConnected,
        });
}

/// Refreshes the clock and date on screen every second.
pub(super) fn start_clock(window: &AppWindow, session: &Rc<Session>) -> slint::Timer {
    let update = {
        let weak = window.as_weak();
        let session = Rc::downgrade(session);
        move || {
            if let (Some(window), Some(session)) = (weak.upgrade(), session.upgrade()) {
                let now = crate::clock::now();
                let state = window.global::<KioskState>();
                state.set_clock(crate::clock::time_text(&now).into());
                state.set_date(crate::clock::date_text(&now, session.language()).into());
            }
        }
    };
    update();
    let timer = slint::Timer::default();
    timer.start(slint::TimerMode::Repeated, Duration::from_secs(1), update);
    timer
}
