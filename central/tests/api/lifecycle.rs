use std::time::Instant;

use motcua_central::{CentralConfig, CentralError, Clock, KioskToken, spawn};

use crate::support::{self, Harness, wednesday_9am};

#[test]
fn base_url_shutdown_and_reopen_keeps_data() {
    let h = Harness::start();
    let url = h.server.base_url();
    assert_eq!(url, format!("http://127.0.0.1:{}", h.server.addr().port()));
    assert_ne!(h.server.addr().port(), 0);
    assert_eq!(h.ticket("r1", "ho-tich", "none").status, 201);
    let Harness {
        server,
        time: _,
        database,
        dir: _dir,
        postgres: _postgres,
    } = h;
    let started = Instant::now();
    server.shutdown();
    assert!(
        started.elapsed().as_secs_f64() < 2.0,
        "shutdown took {:?}",
        started.elapsed()
    );

    // Same database, next start: not seeded again, tickets kept.
    let config = support::config(
        &database,
        Clock::fixed(wednesday_9am() + chrono::Duration::days(3)),
    );
    let server = spawn(config).expect("respawn");
    assert_eq!(server.seeded_on(), wednesday_9am().date_naive());
    let r = support::request(
        server.addr(),
        "GET",
        "/api/v1/catalog",
        &[
            ("Authorization", &format!("Bearer {}", support::TOKEN)),
            ("If-None-Match", "\"catalog-v1\""),
        ],
        None,
    );
    assert_eq!(r.status, 304);
    drop(server); // Drop stops and joins too.
}

#[test]
fn bad_configs_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut c = CentralConfig::demo(dir.path().join("c.db"), "K1".into(), "t".into());
    c.kiosk_tokens.push(KioskToken::new("K2", "t"));
    assert!(matches!(spawn(c), Err(CentralError::Config(_))));
    let mut c = CentralConfig::demo(dir.path().join("c.db"), "K1".into(), "t".into());
    c.admin_token = Some("t".into());
    assert!(matches!(spawn(c), Err(CentralError::Config(_))));
    let c = CentralConfig::demo(
        dir.path().join("no-such-dir").join("c.db"),
        "K1".into(),
        "t".into(),
    );
    assert!(matches!(spawn(c), Err(CentralError::Database { .. })));
    // The port is taken by a running server.
    let first = spawn(CentralConfig::demo(
        dir.path().join("a.db"),
        "K1".into(),
        "t".into(),
    ))
    .expect("first");
    let mut c = CentralConfig::demo(dir.path().join("b.db"), "K1".into(), "t".into());
    c.listen = first.addr();
    assert!(matches!(spawn(c), Err(CentralError::Bind { .. })));
}
