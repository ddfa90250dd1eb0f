//! Counters call numbers: next (priority first, then issue time, across their services), recall,
//! absent, transfer, done; who may do what; live events; the day's statistics.

use std::collections::BTreeSet;
use std::sync::{Arc, Barrier};
use std::thread;

use chrono::Duration;
use serde_json::{Value, json};

use crate::support::{ADMIN, COUNTER, EventStream, Harness, TOKEN};

const C3: &str = "counter-three-token";
const C4: &str = "counter-four-token";
const DISPLAY: &str = "lobby-display-token";

fn harness() -> Harness {
    Harness::start_with(|c| {
        c.counter_tokens
            .push(motcua_central::CounterToken::parse(&format!("3={C3}")).expect("c3"));
        c.counter_tokens
            .push(motcua_central::CounterToken::parse(&format!("4={C4}")).expect("c4"));
        c.display_token = Some(DISPLAY.into());
    })
}

fn call(h: &Harness, token: &str, body: Value) -> crate::support::Response {
    h.post_as("/queue/call-next", Some(token), &body)
}

fn act(
    h: &Harness,
    token: &str,
    ticket: &str,
    action: &str,
    body: Value,
) -> crate::support::Response {
    h.post_as(
        &format!("/queue/tickets/{ticket}/{action}"),
        Some(token),
        &body,
    )
}

#[test]
fn a_counter_calls_recalls_marks_absent_transfers_and_finishes() {
    let h = harness();
    assert_eq!(h.ticket("a", "ho-tich", "none").json()["number"], "HT-001");
    h.time.advance(Duration::seconds(10));
    assert_eq!(
        h.ticket("b", "chung-thuc", "none").json()["number"],
        "CT-001"
    );
    h.time.advance(Duration::seconds(10));
    assert_eq!(
        h.ticket("c", "ho-tich", "elderly").json()["number"],
        "HT-002"
    );

    // Across two services, the priority ticket first, then issue time.
    let both = json!({ "services": ["ho-tich", "chung-thuc"] });
    let first = call(&h, C3, both.clone()).json();
    assert_eq!(
        (first["number"].clone(), first["counter"].clone()),
        (json!("HT-002"), json!("3"))
    );
    assert_eq!(first["service_name_vi"], "Hộ tịch");
    let id = first["ticket_id"].as_str().expect("ticket id").to_string();
    assert_eq!(id.len(), 32);

    // The counter's ticket in hand, and the board.
    let mine = h.get_with("/queue/counter", Some(C3), &[]).json();
    assert_eq!(mine["ticket"]["number"], "HT-002");
    assert_eq!(mine["counter"], "3");

    let r = act(&h, C3, &id, "recall", json!({})).json();
    assert_eq!(r["number"], "HT-002");
    let r = act(&h, C3, &id, "no-show", json!({})).json();
    assert_eq!(r["status"], "no-show");
    act(&h, C3, &id, "done", json!({})).problem(409, "ticket-state");
    // An absent citizen who turns up later is called again.
    assert_eq!(act(&h, C3, &id, "recall", json!({})).status, 200);
    assert_eq!(act(&h, C3, &id, "done", json!({})).json()["status"], "done");
    act(&h, C3, &id, "no-show", json!({})).problem(409, "ticket-state");

    // Next: HT-001 (issued before CT-001). Sent to Chứng thực, it keeps its place by issue
    // time: the next call of Chứng thực is HT-001 again, before CT-001.
    h.time.advance(Duration::seconds(30));
    let t = call(&h, C3, both.clone()).json();
    assert_eq!(t["number"], "HT-001");
    let moved = act(
        &h,
        C3,
        t["ticket_id"].as_str().unwrap_or_default(),
        "transfer",
        json!({ "service_id": "chung-thuc" }),
    )
    .json();
    assert_eq!(
        (moved["service_id"].clone(), moved["status"].clone()),
        (json!("chung-thuc"), json!("waiting"))
    );
    // Waiting again, at no counter: not among the calls until it is called again.
    let calls = h.get_with("/queue/calls", Some(DISPLAY), &[]).json();
    let listed: Vec<(&str, &str)> = calls["calls"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| Some((c["number"].as_str()?, c["counter"].as_str()?)))
        .collect();
    assert_eq!(listed, [("HT-002", "3")]);
    h.time.advance(Duration::seconds(30));
    let again = call(&h, C4, json!({ "services": ["chung-thuc"] })).json();
    assert_eq!(
        (again["number"].clone(), again["counter"].clone()),
        (json!("HT-001"), json!("4"))
    );
    h.time.advance(Duration::seconds(30));
    assert_eq!(
        call(&h, C4, json!({ "services": ["chung-thuc"] })).json()["number"],
        "CT-001"
    );
    // Calling the next one finished HT-001 at counter 4.
    call(&h, C4, json!({ "services": ["chung-thuc"] })).problem(404, "queue-empty");
    let calls = h
        .get_with("/queue/calls?limit=3", Some(DISPLAY), &[])
        .json();
    let numbers: Vec<&str> = calls["calls"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["number"].as_str())
        .collect();
    assert_eq!(numbers, ["CT-001", "HT-001", "HT-002"]);

    act(&h, C3, &"0".repeat(32), "done", json!({})).problem(404, "not-found");
    act(&h, C3, "not-a-ticket", "done", json!({})).problem(400, "bad-request");
    act(
        &h,
        C3,
        &id,
        "transfer",
        json!({ "service_id": "chung-thuc" }),
    )
    .problem(409, "ticket-state");
}

#[test]
fn tokens_call_only_as_themselves_and_displays_never() {
    let h = harness();
    assert_eq!(h.ticket("a", "ho-tich", "none").status, 201);
    // A counter's own token cannot act for another counter.
    let r = call(&h, C3, json!({ "counter": "4" }));
    r.problem(403, "forbidden");
    // Displays and kiosks watch; they do not call.
    for token in [DISPLAY, TOKEN] {
        call(&h, token, json!({})).problem(401, "unauthorized");
        h.post_as("/queue/services/ho-tich/call-next", Some(token), &json!({}))
            .problem(401, "unauthorized");
    }
    assert_eq!(
        h.get_with("/queue/services", Some(DISPLAY), &[]).status,
        200
    );
    assert_eq!(h.get_with("/queue/calls", Some(DISPLAY), &[]).status, 200);
    h.get_with("/queue/counter", Some(DISPLAY), &[])
        .problem(401, "unauthorized");
    // The shared token names its counter in the call (counter "1" when it does not).
    let r = call(&h, COUNTER, json!({ "counter": "7" })).json();
    assert_eq!(r["counter"], "7");
}

#[test]
fn eight_counters_pressing_next_at_once_never_share_a_ticket() {
    let h = Arc::new(harness());
    for i in 0..40 {
        assert_eq!(h.ticket(&format!("t{i}"), "ho-tich", "none").status, 201);
    }
    let start = Arc::new(Barrier::new(8));
    let counters: Vec<_> = (0..8)
        .map(|c| {
            let (h, start) = (Arc::clone(&h), Arc::clone(&start));
            thread::spawn(move || {
                start.wait();
                let mut called = Vec::new();
                loop {
                    let r = h.post_as(
                        "/queue/services/ho-tich/call-next",
                        Some(COUNTER),
                        &json!({ "counter": format!("{c}") }),
                    );
                    match r.status {
                        200 => {
                            called.push(r.json()["number"].as_str().unwrap_or_default().to_string())
                        }
                        404 => return called,
                        s => panic!("{s}: {}", String::from_utf8_lossy(&r.body)),
                    }
                }
            })
        })
        .collect();
    let all: Vec<String> = counters
        .into_iter()
        .flat_map(|t| t.join().expect("counter"))
        .collect();
    let distinct: BTreeSet<&String> = all.iter().collect();
    assert_eq!((all.len(), distinct.len()), (40, 40));
}

#[test]
fn displays_and_kiosks_follow_calls_live() {
    let h = harness();
    let mut display = EventStream::open(h.server.addr(), "/api/v1/queue/events", DISPLAY, None);
    assert_eq!(display.status, 200);
    assert!(
        display
            .header("content-type")
            .is_some_and(|t| t.starts_with("text/event-stream"))
    );
    // A fresh connection starts with the board.
    let board = display.next_of("waiting").expect("the board").json();
    assert_eq!(board["services"][0]["id"], "ho-tich");

    assert_eq!(h.ticket("a", "ho-tich", "none").status, 201);
    let issued = display.next_of("issued").expect("issued");
    assert_eq!(issued.json()["number"], "HT-001");
    let waiting = display.next_of("waiting").expect("waiting").json();
    assert_eq!(waiting["services"][0]["waiting"], 1);

    let called = call(&h, C3, json!({})).json();
    let e = display.next_of("called").expect("called");
    let data = e.json();
    assert_eq!(
        (
            data["number"].clone(),
            data["counter"].clone(),
            data["recall"].clone()
        ),
        (json!("HT-001"), json!("3"), json!(false))
    );
    let last_id = e.id.clone().expect("an event id");

    // A recall is announced again; a display that reconnects gets what it missed.
    drop(display);
    let id = called["ticket_id"].as_str().unwrap_or_default();
    assert_eq!(act(&h, C3, id, "recall", json!({})).status, 200);
    let mut back = EventStream::open(
        h.server.addr(),
        "/api/v1/queue/events",
        TOKEN,
        Some(&last_id),
    );
    // What it missed, in order and with their ids (the board after the call, then the
    // recall), then the board as it is now (without an id).
    let missed: Vec<_> = (0..3).map_while(|_| back.next()).collect();
    let kinds: Vec<(&str, bool)> = missed
        .iter()
        .map(|e| (e.event.as_str(), e.id.is_some()))
        .collect();
    assert_eq!(
        kinds,
        [("waiting", true), ("called", true), ("waiting", false)]
    );
    assert_eq!(missed[1].json()["recall"], true);

    // Counters and kiosks may follow too; others may not.
    assert_eq!(
        EventStream::open(h.server.addr(), "/api/v1/queue/events", C4, None).status,
        200
    );
    assert_eq!(
        EventStream::open(h.server.addr(), "/api/v1/queue/events", ADMIN, None).status,
        401
    );
    assert_eq!(
        EventStream::open(h.server.addr(), "/api/v1/queue/events", "nope", None).status,
        401
    );
}

#[test]
fn a_stream_ends_when_the_server_stops() {
    let h = harness();
    let mut s = EventStream::open(h.server.addr(), "/api/v1/queue/events", DISPLAY, None);
    assert!(s.next_of("waiting").is_some());
    let Harness { server, .. } = h;
    let started = std::time::Instant::now();
    server.shutdown();
    assert!(s.next().is_none(), "the stream ended");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn the_day_in_numbers() {
    let h = harness();
    for i in 0..4 {
        assert_eq!(
            h.ticket(
                &format!("s{i}"),
                "ho-tich",
                if i == 3 { "elderly" } else { "none" }
            )
            .status,
            201
        );
    }
    h.time.advance(Duration::minutes(5));
    let first = call(&h, C3, json!({ "services": ["ho-tich"] })).json(); // elderly, waited 5 min
    h.time.advance(Duration::minutes(3));
    let second = call(&h, C3, json!({ "services": ["ho-tich"] })).json(); // first done after 3 min
    assert_ne!(first["number"], second["number"]);
    h.time.advance(Duration::minutes(1));
    let id = second["ticket_id"].as_str().unwrap_or_default();
    assert_eq!(act(&h, C3, id, "no-show", json!({})).status, 200);

    let stats = h
        .get_with("/queue/stats?date=2026-11-25", Some(ADMIN), &[])
        .json();
    let ht = &stats["services"][0];
    assert_eq!(ht["service_id"], "ho-tich");
    assert_eq!(
        (
            ht["issued"].clone(),
            ht["priority"].clone(),
            ht["called"].clone(),
            ht["served"].clone(),
            ht["no_shows"].clone()
        ),
        (json!(4), json!(1), json!(2), json!(1), json!(1))
    );
    assert_eq!(ht["wait_avg_s"], 390); // 300 s and 480 s
    assert_eq!(ht["wait_p90_s"], 480);
    assert_eq!(ht["service_avg_s"], 180);
    // A counter reads its own office's; bad dates are refused.
    assert_eq!(h.get_with("/queue/stats", Some(C3), &[]).status, 200);
    assert_eq!(
        h.get_with("/queue/stats?office=main", Some(C3), &[]).status,
        200
    );
    h.get_with("/queue/stats?office=other", Some(C3), &[])
        .problem(403, "forbidden");
    h.get_with("/queue/stats?office=", Some(C3), &[])
        .problem(400, "bad-request");
    h.get_with("/queue/stats?date=25/11/2026", Some(ADMIN), &[])
        .problem(400, "bad-request");
    h.get_with("/queue/stats?office=nowhere", Some(ADMIN), &[])
        .problem(404, "not-found");
    h.get_with("/queue/stats", Some(DISPLAY), &[])
        .problem(401, "unauthorized");
}
