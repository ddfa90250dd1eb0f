//! Several server instances on one PostgreSQL database (a province's deployment): numbering,
//! calling, idempotency and rate limits hold across them; a database restart costs clean 503s
//! and nothing recorded twice.

use std::collections::BTreeSet;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use motcua_central::{Clock, Database, RunningCentral, spawn};
use serde_json::{Value, json};

use crate::pg::{Cluster, TestDatabase};
use crate::support::{self, ADMIN, COUNTER, Response, TOKEN, TOKEN2, wednesday_9am};

fn instance(
    db: &TestDatabase,
    configure: impl FnOnce(&mut motcua_central::CentralConfig),
) -> RunningCentral {
    let mut c = support::config(
        &Database::Postgres(db.url.clone()),
        Clock::fixed(wednesday_9am()),
    );
    c.always_open = true;
    configure(&mut c);
    spawn(c).expect("instance starts")
}

fn post(server: &RunningCentral, path: &str, token: &str, body: &Value) -> Response {
    support::request(
        server.addr(),
        "POST",
        &format!("/api/v1{path}"),
        &[("Authorization", &format!("Bearer {token}"))],
        Some(body.to_string().as_bytes()),
    )
}

fn get(server: &RunningCentral, path: &str, token: &str) -> Response {
    support::request(
        server.addr(),
        "GET",
        &format!("/api/v1{path}"),
        &[("Authorization", &format!("Bearer {token}"))],
        None,
    )
}

#[test]
fn two_instances_number_and_call_every_ticket_once() {
    let db = TestDatabase::new();
    let servers = Arc::new([instance(&db, |_| {}), instance(&db, |_| {})]);
    const THREADS: usize = 8;
    const EACH: usize = 25;
    let start = Arc::new(Barrier::new(THREADS));
    let issuers: Vec<_> = (0..THREADS)
        .map(|t| {
            let (servers, start) = (Arc::clone(&servers), Arc::clone(&start));
            thread::spawn(move || {
                start.wait();
                (0..EACH)
                    .map(|i| {
                        let server = &servers[(t + i) % 2];
                        let token = if t % 2 == 0 { TOKEN } else { TOKEN2 };
                        let r = post(
                            server,
                            "/queue/tickets",
                            token,
                            &json!({ "request_id": format!("t{t}-{i}"), "service_id": "ho-tich" }),
                        );
                        assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
                        r.json()["number"].as_str().unwrap_or_default().to_string()
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let numbers: Vec<String> = issuers
        .into_iter()
        .flat_map(|h| h.join().expect("issuer"))
        .collect();
    let distinct: BTreeSet<&String> = numbers.iter().collect();
    let expected: BTreeSet<String> = (1..=THREADS * EACH).map(|n| format!("HT-{n:03}")).collect();
    assert_eq!(distinct.len(), numbers.len(), "a number given twice");
    assert_eq!(
        distinct.into_iter().cloned().collect::<BTreeSet<_>>(),
        expected,
        "gapless from HT-001"
    );

    // Eight counters pressing "next" at once on both instances: each ticket called once.
    let start = Arc::new(Barrier::new(THREADS));
    let callers: Vec<_> = (0..THREADS)
        .map(|t| {
            let (servers, start) = (Arc::clone(&servers), Arc::clone(&start));
            thread::spawn(move || {
                start.wait();
                let mut called = Vec::new();
                loop {
                    let r = post(
                        &servers[t % 2],
                        "/queue/services/ho-tich/call-next",
                        COUNTER,
                        &json!({ "counter": format!("{t}") }),
                    );
                    match r.status {
                        200 => {
                            called.push(r.json()["number"].as_str().unwrap_or_default().to_string())
                        }
                        404 => return called,
                        s => panic!(
                            "call-next answered {s}: {}",
                            String::from_utf8_lossy(&r.body)
                        ),
                    }
                }
            })
        })
        .collect();
    let called: Vec<String> = callers
        .into_iter()
        .flat_map(|h| h.join().expect("caller"))
        .collect();
    let distinct: BTreeSet<&String> = called.iter().collect();
    assert_eq!(called.len(), THREADS * EACH, "every ticket called");
    assert_eq!(distinct.len(), called.len(), "a ticket called twice");
}

#[test]
fn a_request_sent_to_both_instances_at_once_is_one_ticket() {
    let db = TestDatabase::new();
    let servers = Arc::new([instance(&db, |_| {}), instance(&db, |_| {})]);
    for round in 0..10 {
        let start = Arc::new(Barrier::new(2));
        let senders: Vec<_> = (0..2)
            .map(|i| {
                let (servers, start) = (Arc::clone(&servers), Arc::clone(&start));
                thread::spawn(move || {
                    start.wait();
                    post(
                        &servers[i],
                        "/queue/tickets",
                        TOKEN,
                        &json!({ "request_id": format!("same-{round}"), "service_id": "ho-tich" }),
                    )
                })
            })
            .collect();
        let answers: Vec<Response> = senders
            .into_iter()
            .map(|h| h.join().expect("request"))
            .collect();
        let statuses: BTreeSet<u16> = answers.iter().map(|r| r.status).collect();
        assert_eq!(statuses, BTreeSet::from([200, 201]), "round {round}");
        assert_eq!(answers[0].json(), answers[1].json(), "the same answer");
    }
    let board = get(&servers[0], "/queue/services", TOKEN).json();
    assert_eq!(board["services"][0]["issued_today"], 10);
}

#[test]
fn the_lookup_limit_counts_calls_to_every_instance() {
    let db = TestDatabase::new();
    let servers = [
        instance(&db, |c| c.dossier_lookups_per_minute = 4),
        instance(&db, |c| c.dossier_lookups_per_minute = 4),
    ];
    for i in 0..4 {
        let r = get(
            &servers[i % 2],
            "/dossiers/000.00.20.H15-261125-9999",
            TOKEN,
        );
        assert_eq!(r.status, 404);
    }
    for server in &servers {
        let r = get(server, "/dossiers/000.00.20.H15-261125-9999", TOKEN);
        r.problem(429, "rate-limited");
        assert!(r.header("retry-after").is_some());
    }
    let _ = ADMIN;
}

#[test]
fn a_database_restart_costs_clean_503s_and_nothing_twice() {
    // Durable: what the server acknowledged must survive the crash.
    let cluster = Cluster::start(true).expect("a private cluster");
    let base: &'static str = Box::leak(cluster.url.clone().into_boxed_str());
    let db = TestDatabase::on(base);
    let server = instance(&db, |c| c.pool_size = 4);
    let send = |id: &str| {
        post(
            &server,
            "/queue/tickets",
            TOKEN,
            &json!({ "request_id": id, "service_id": "ho-tich" }),
        )
    };
    let mut sent = Vec::new();
    let mut refused = Vec::new();
    let mut outage: Option<Instant> = None;
    let mut restarted = false;
    let mut n = 0;
    let began = Instant::now();
    while began.elapsed() < Duration::from_secs(60) {
        n += 1;
        let id = format!("f{n}");
        if n == 20 {
            cluster.stop().expect("stop");
            outage = Some(Instant::now());
        }
        if let Some(down) = outage
            && !restarted
            && down.elapsed() > Duration::from_secs(2)
        {
            cluster.start_server().expect("start again");
            restarted = true;
        }
        let asked = Instant::now();
        let r = send(&id);
        assert!(asked.elapsed() < Duration::from_secs(12), "a request hung");
        match r.status {
            201 => sent.push(id),
            503 => {
                let retry = r.header("retry-after").and_then(|s| s.parse::<u64>().ok());
                assert!(retry.is_some_and(|s| s >= 1), "503 without Retry-After");
                r.problem(503, "unavailable");
                refused.push(id);
            }
            s => panic!(
                "answered {s} during a database restart: {}",
                String::from_utf8_lossy(&r.body)
            ),
        }
        if restarted && sent.len() >= 40 {
            break;
        }
        thread::sleep(Duration::from_millis(50));
    }
    assert!(restarted, "the test restarted the database");
    assert!(
        !refused.is_empty(),
        "requests during the outage were refused"
    );
    // The kiosks' retries with the same request ids: recorded once each.
    for id in &refused {
        let r = send(id);
        assert!(matches!(r.status, 200 | 201), "{id}: {}", r.status);
    }
    let board = get(&server, "/queue/services", TOKEN).json();
    let issued = board["services"][0]["issued_today"].as_u64().unwrap_or(0);
    assert_eq!(
        issued as usize,
        sent.len() + refused.len(),
        "each request once"
    );
    drop(server);
}

#[test]
fn a_display_on_one_instance_sees_calls_made_on_the_other() {
    let db = TestDatabase::new();
    let a = instance(&db, |_| {});
    let b = instance(&db, |_| {});
    let mut display =
        crate::support::EventStream::open(b.addr(), "/api/v1/queue/events", TOKEN, None);
    assert!(display.next_of("waiting").is_some(), "the board first");
    let r = post(
        &a,
        "/queue/tickets",
        TOKEN,
        &json!({ "request_id": "x1", "service_id": "ho-tich" }),
    );
    assert_eq!(r.status, 201);
    let r = post(
        &a,
        "/queue/services/ho-tich/call-next",
        COUNTER,
        &json!({ "counter": "2" }),
    );
    assert_eq!(r.status, 200);
    let called = display
        .next_of("called")
        .expect("the call, through NOTIFY")
        .json();
    assert_eq!(
        (called["number"].clone(), called["counter"].clone()),
        (json!("HT-001"), json!("2"))
    );
}
