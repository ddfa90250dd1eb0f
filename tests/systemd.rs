//! The kiosk tells systemd it is ready and pings the watchdog from the UI event loop, through a
//! real datagram socket standing in for systemd's `NOTIFY_SOCKET`.

use std::os::unix::net::UnixDatagram;
use std::time::Duration;

use motcua_kiosk::app::report_to_systemd;
use motcua_kiosk::systemd::{Notifier, NotifyError};

use crate::support::ui::{advance, kiosk, settle};
use crate::support::{self, MINIMAL};

/// Every message waiting on the socket.
fn received(socket: &UnixDatagram) -> Vec<String> {
    let mut messages = Vec::new();
    let mut buffer = [0u8; 512];
    while let Ok(n) = socket.recv(&mut buffer) {
        messages.push(String::from_utf8_lossy(&buffer[..n]).into_owned());
    }
    messages
}

#[test]
fn ready_then_a_ping_per_half_watchdog_period_only_while_the_event_loop_turns() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notify.sock");
    let systemd = UnixDatagram::bind(&path).unwrap();
    systemd.set_nonblocking(true).unwrap();

    let config = support::parse(MINIMAL).unwrap();
    let k = kiosk(&config, 1920, 1080);
    let notifier =
        Notifier::connect(path.to_str().unwrap(), Some(Duration::from_secs(30))).unwrap();
    assert_eq!(notifier.ping_every(), Some(Duration::from_secs(15)));
    let report = report_to_systemd(notifier);
    settle();
    assert_eq!(received(&systemd), ["READY=1"]);

    // The event loop turns for a minute: four pings, one every 15 s.
    for _ in 0..60 {
        advance(Duration::from_secs(1));
    }
    assert_eq!(received(&systemd), ["WATCHDOG=1"; 4]);

    // A UI thread that hangs (time passes, the event loop does not turn) sends nothing, so
    // systemd's watchdog fires.
    std::thread::sleep(Duration::from_millis(300));
    assert!(received(&systemd).is_empty());

    drop(report);
    advance(Duration::from_secs(60));
    assert!(
        received(&systemd).is_empty(),
        "no pings once the kiosk stops"
    );
    drop(k);
}

#[test]
fn abstract_sockets_and_bad_addresses() {
    use std::os::linux::net::SocketAddrExt;
    let name = format!("motcua-kiosk-test-{}", std::process::id());
    let address = std::os::unix::net::SocketAddr::from_abstract_name(name.as_bytes()).unwrap();
    let systemd = UnixDatagram::bind_addr(&address).unwrap();
    systemd.set_nonblocking(true).unwrap();
    let notifier = Notifier::connect(&format!("@{name}"), None).unwrap();
    assert_eq!(notifier.ping_every(), None);
    notifier.status("Sẵn sàng\nphục vụ").unwrap();
    assert_eq!(received(&systemd), ["STATUS=Sẵn sàng phục vụ"]);

    assert!(matches!(
        Notifier::connect("relative/path", None),
        Err(NotifyError::BadAddress(_))
    ));
    // systemd gone: an error to log, not a panic.
    let gone = Notifier::connect("/nonexistent/notify.sock", None).unwrap();
    assert!(matches!(gone.ready(), Err(NotifyError::Io(_))));
}
