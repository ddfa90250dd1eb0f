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

/// The reference server exactly as `motcua-central --db FILE` runs it (kiosk KIOSK-01 with
/// token demo-token, opening hours kept), on a free port.
fn central_with_default_flags() -> (motcua_central::RunningCentral, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = motcua_central::CentralConfig::new(dir.path().join("central.sqlite3"));
    config.listen = "127.0.0.1:0".parse().expect("addr");
    (motcua_central::spawn(config).expect("central starts"), dir)
}

/// check-server with no config file anywhere near: everything from the command line.
fn check_without_config(args: &[&str]) -> (Option<i32>, String) {
    let empty = tempfile::tempdir().expect("temp dir");
    let mut all = vec!["check-server"];
    all.extend_from_slice(args);
    let out = support::kiosk_cmd(empty.path(), &all);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), text)
}

#[test]
fn passes_fifteen_of_fifteen_against_default_flags_given_the_kiosk_id() {
    let (central, _dir) = central_with_default_flags();
    let (id, token) = motcua_central::DEFAULT_KIOSK;
    let url = central.base_url();
    let (code, out) = check_without_config(&[&url, "--token", token, "--kiosk-id", id]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("15 passed, 0 failed"), "{out}");
    assert!(out.contains("request-id-reused"), "{out}");

    // The same with the API path a technician may copy along: taken off, with a note.
    let (code, out) = check_without_config(&[
        &format!("{url}/api/v1/"),
        "--token",
        token,
        "--kiosk-id",
        id,
    ]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("ends with /api/v1"), "{out}");
    assert!(out.contains("15 passed, 0 failed"), "{out}");
}

#[test]
fn without_a_kiosk_id_the_heartbeat_failure_says_what_to_give() {
    let (central, _dir) = central_with_default_flags();
    let (code, out) = check_without_config(&[
        &central.base_url(),
        "--token",
        motcua_central::DEFAULT_KIOSK.1,
    ]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("checking as kiosk CHECK"), "{out}");
    let failing: Vec<&str> = out.lines().filter(|l| l.contains("FAIL")).collect();
    assert_eq!(failing.len(), 1, "{out}");
    assert!(
        failing[0].contains("POST /kiosks/heartbeat") && failing[0].contains("--kiosk-id"),
        "{out}"
    );
}

#[test]
fn a_wrong_base_path_gets_a_hint() {
    let (central, _dir) = central_with_default_flags();
    let (code, out) = check_without_config(&[
        &format!("{}/motcua", central.base_url()),
        "--token",
        motcua_central::DEFAULT_KIOSK.1,
        "--kiosk-id",
        motcua_central::DEFAULT_KIOSK.0,
    ]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("hint: most calls answered 404"), "{out}");
}
