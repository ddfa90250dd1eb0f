//! `check-server` passes against the reference server and names the call a broken server breaks.

use crate::support::net::{self, KIOSK_TOKEN};
use crate::support::{self, MINIMAL};

fn check(url: &str) -> (Option<i32>, String) {
    let dir = support::write_config(MINIMAL);
    let out = support::kiosk_cmd(
        dir.dir.path(),
        &["check-server", url, "--token", KIOSK_TOKEN],
    );
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), text)
}

#[test]
fn passes_against_the_reference_server() {
    let central = net::central();
    let (code, out) = check(central.url().as_str());
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains(" 0 failed"), "{out}");
    for call in [
        "GET /catalog",
        "GET /catalog?since",
        "GET /queue/services",
        "POST /queue/tickets",
        "GET /dossiers/{code}",
        "POST /feedback",
        "POST /kiosks/heartbeat",
    ] {
        assert!(
            out.contains(&format!("PASS  {call}")),
            "{call} missing:\n{out}"
        );
    }
}

#[test]
fn fails_naming_the_call_when_the_server_ignores_if_none_match() {
    let central = net::central();
    let proxy = net::breaking_proxy(central.server.addr(), |head| {
        head.retain(|line| !line.to_ascii_lowercase().starts_with("if-none-match:"));
    });
    let (code, out) = check(&format!("http://{proxy}"));
    assert_eq!(code, Some(1), "{out}");
    let failing: Vec<&str> = out.lines().filter(|l| l.contains("FAIL")).collect();
    assert_eq!(failing.len(), 1, "{out}");
    assert!(
        failing[0].contains("GET /catalog") && failing[0].contains("304"),
        "{out}"
    );
}

#[test]
fn fails_naming_the_call_when_one_path_is_missing() {
    let central = net::central();
    let proxy = net::breaking_proxy(central.server.addr(), |head| {
        if let Some(line) = head.first_mut() {
            *line = line.replace("/api/v1/kiosks/heartbeat", "/api/v1/kiosks/heartbeat-v2");
        }
    });
    let (code, out) = check(&format!("http://{proxy}"));
    assert_eq!(code, Some(1), "{out}");
    let failing: Vec<&str> = out.lines().filter(|l| l.contains("FAIL")).collect();
    assert_eq!(failing.len(), 1, "{out}");
    assert!(failing[0].contains("POST /kiosks/heartbeat"), "{out}");
}
