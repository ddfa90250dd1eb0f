//! The status line follows the server, and the UI never waits for the network.

use std::time::{Duration, Instant};

use motcua_kiosk::ui::{KioskState, Page, ServerState};
use slint::ComponentHandle;

use crate::support::net::{self, hostile};
use crate::support::ui::{kiosk, tap};
use crate::support::wait::eventually;
use crate::support::{self, MINIMAL};

fn server_state(k: &motcua_kiosk::app::Kiosk) -> ServerState {
    k.window().global::<KioskState>().get_server_state()
}

/// Pumps worker events until `done` or `limit` passes (real time: the worker does real I/O).
fn wait_for(
    k: &motcua_kiosk::app::Kiosk,
    limit: Duration,
    done: impl Fn(ServerState) -> bool,
) -> ServerState {
    eventually(limit, || {
        k.pump_events();
        done(server_state(k))
    });
    server_state(k)
}

fn config_with_url(
    url: &str,
    token: &str,
    data_dir: &std::path::Path,
) -> motcua_kiosk::config::Config {
    let text = support::with_data_dir(&support::with_server(MINIMAL, url, token), data_dir);
    support::parse(&text).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn ui_stays_responsive_while_the_server_hangs() {
    let server = hostile(|s| {
        std::thread::sleep(Duration::from_secs(30));
        drop(s);
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let config = config_with_url(server.url().as_str(), "token", dir.path());
    let k = kiosk(&config, 1920, 1080);
    // The heartbeat is now stuck inside the hanging server ...
    server
        .accepted
        .recv_timeout(Duration::from_secs(5))
        .expect("the kiosk connected");
    let tapped = Instant::now();
    // ... and the citizen can still use every page.
    for (action, page) in [
        ("Tra cứu thủ tục", Page::Catalog),
        ("Tra cứu hồ sơ", Page::Dossier),
    ] {
        tap(&k, action);
        assert_eq!(k.window().global::<KioskState>().get_page(), page);
        tap(&k, "Quay lại");
    }
    assert!(
        tapped.elapsed() < Duration::from_millis(1000),
        "taps took {:?}",
        tapped.elapsed()
    );
    k.pump_events();
    assert_eq!(
        server_state(&k),
        ServerState::Connecting,
        "still waiting for the first answer"
    );
    // After the request timeout the status line says the server is lost.
    let state = wait_for(&k, Duration::from_secs(6), |s| s == ServerState::Offline);
    assert_eq!(state, ServerState::Offline);
}

#[test]
fn status_line_goes_online_with_a_real_server_and_flags_a_wrong_token() {
    let central = net::central();
    let dir = tempfile::tempdir().expect("temp dir");
    let k = kiosk(
        &config_with_url(central.url().as_str(), net::KIOSK_TOKEN, dir.path()),
        1920,
        1080,
    );
    assert_eq!(
        wait_for(&k, Duration::from_secs(5), |s| s == ServerState::Online),
        ServerState::Online
    );

    let k = kiosk(
        &config_with_url(central.url().as_str(), "wrong-token", dir.path()),
        1920,
        1080,
    );
    assert_eq!(
        wait_for(&k, Duration::from_secs(5), |s| s
            == ServerState::Unauthorized),
        ServerState::Unauthorized
    );
}

#[test]
fn demo_mode_starts_the_built_in_server() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = MINIMAL.replace("url = \"\"", "url = \"demo\"").replace(
        "idle_timeout_s = 60",
        &format!(
            "idle_timeout_s = 60\ndata_dir = \"{}\"",
            dir.path().display()
        ),
    );
    let config = support::parse(&text).unwrap_or_else(|e| panic!("{e}"));
    let k = kiosk(&config, 1920, 1080);
    assert!(k.window().global::<KioskState>().get_server_demo());
    assert_eq!(
        wait_for(&k, Duration::from_secs(10), |s| s == ServerState::Online),
        ServerState::Online
    );
    assert!(
        dir.path().join("demo-central.sqlite3").exists(),
        "demo data lives in data_dir"
    );
}
