//! `POST /queue/tickets/{request_id}/void`: a number nobody holds is given back, never called
//! and never handed out again; a request voided before it arrived never issues a number.

use serde_json::{Value, json};

use crate::support::{COUNTER, EventStream, Harness, TOKEN, TOKEN2};

fn void(h: &Harness, ticket_request_id: &str, request_id: &str, reason: &str) -> (u16, Value) {
    let r = h.post(
        &format!("/queue/tickets/{ticket_request_id}/void"),
        &json!({ "request_id": request_id, "reason": reason }),
    );
    let body = if r.body.is_empty() {
        Value::Null
    } else {
        r.json()
    };
    (r.status, body)
}

#[test]
fn a_ticket_the_printer_refused_is_never_called_and_its_number_never_reused() {
    let h = Harness::start();
    assert_eq!(
        h.ticket("t-1", "ho-tich", "none").json()["number"],
        "HT-001"
    );
    assert_eq!(
        h.ticket("t-2", "ho-tich", "none").json()["number"],
        "HT-002"
    );
    assert_eq!(h.service("ho-tich")["waiting"], 2);

    let (status, v) = void(&h, "t-2", "v-1", "not-printed");
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        v,
        json!({
            "request_id": "v-1", "ticket_request_id": "t-2", "voided": true,
            "number": "HT-002", "service_id": "ho-tich", "reason": "not-printed",
            "voided_at": "2026-11-25T09:00:00+07:00"
        })
    );
    // The same void again: the first answer; another void of the same ticket: the same ticket.
    h.time.advance(chrono::Duration::seconds(40));
    assert_eq!(void(&h, "t-2", "v-1", "not-printed"), (200, v.clone()));
    let (status, again) = void(&h, "t-2", "v-2", "not-printed");
    assert_eq!(status, 200);
    assert_eq!(again["request_id"], "v-2");
    assert_eq!(again["voided_at"], v["voided_at"], "voided once");
    // One request id, two different voids: refused.
    h.post(
        "/queue/tickets/t-1/void",
        &json!({ "request_id": "v-1", "reason": "not-printed" }),
    )
    .problem(409, "request-id-reused");

    // Not waiting, never called; the next number is new.
    assert_eq!(h.service("ho-tich")["waiting"], 1);
    assert_eq!(h.ticket("t-3", "ho-tich", "none").json()["people_ahead"], 1);
    assert_eq!(h.call_next("ho-tich").json()["number"], "HT-001");
    assert_eq!(h.call_next("ho-tich").json()["number"], "HT-003");
    h.call_next("ho-tich").problem(404, "queue-empty");
    assert_eq!(
        h.ticket("t-4", "ho-tich", "none").json()["number"],
        "HT-004"
    );
    // The voided request, sent again, cannot bring its number back.
    h.ticket("t-2", "ho-tich", "none")
        .problem(409, "ticket-voided");
}

#[test]
fn a_request_voided_before_it_arrives_never_issues_a_number() {
    let h = Harness::start();
    // The kiosk lost the answer (or the request) and issued offline; it voids the request id.
    let (status, v) = void(&h, "lost-1", "v-lost-1", "answer-lost");
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["number"], Value::Null);
    assert_eq!(v["service_id"], Value::Null);
    assert_eq!(v["ticket_request_id"], "lost-1");
    assert_eq!(void(&h, "lost-1", "v-lost-1", "answer-lost").1, v);
    // The request arrives late: refused, nothing issued.
    h.ticket("lost-1", "ho-tich", "none")
        .problem(409, "ticket-voided");
    assert_eq!(h.service("ho-tich")["issued_today"], 0);
    assert_eq!(
        h.ticket("next", "ho-tich", "none").json()["number"],
        "HT-001"
    );
}

#[test]
fn a_void_comes_too_late_for_a_called_ticket() {
    let h = Harness::start();
    h.ticket("t-1", "ho-tich", "none");
    assert_eq!(h.call_next("ho-tich").json()["number"], "HT-001");
    let (status, v) = void(&h, "t-1", "v-1", "not-printed");
    assert_eq!((status, v["code"].clone()), (409, json!("already-called")));
}

#[test]
fn a_ticket_called_then_sent_to_another_service_is_held_by_somebody() {
    let h = Harness::start();
    h.ticket("t-1", "ho-tich", "none");
    let called = h.call_next("ho-tich").json();
    let id = called["ticket_id"].as_str().unwrap_or_default().to_string();
    let moved = h.post_as(
        &format!("/queue/tickets/{id}/transfer"),
        Some(COUNTER),
        &json!({ "service_id": "chung-thuc" }),
    );
    assert_eq!(moved.json()["status"], "waiting");
    // Waiting again, in another service: the void finds it by its id and refuses it.
    let (status, v) = void(&h, "t-1", "v-1", "not-printed");
    assert_eq!((status, v["code"].clone()), (409, json!("already-called")));
}

#[test]
fn offline_tickets_are_voided_by_their_request_id_and_kiosks_void_only_their_own() {
    let h = Harness::start();
    let r = h.post(
        "/queue/tickets",
        &json!({ "request_id": "off-1", "service_id": "dat-dai",
                 "offline": { "number": "K1-DD-001", "issued_at": "2026-11-25T08:50:00+07:00" } }),
    );
    assert_eq!(r.status, 201);
    h.ticket("t-1", "dat-dai", "none");
    // Another kiosk naming this kiosk's request id voids a request of its own, not this ticket.
    let r = h.post_as(
        "/queue/tickets/off-1/void",
        Some(TOKEN2),
        &json!({ "request_id": "k2-v", "reason": "answer-lost" }),
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["number"], Value::Null);
    assert_eq!(h.service("dat-dai")["waiting"], 2);

    let (status, v) = void(&h, "off-1", "v-off-1", "not-printed");
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["number"], "K1-DD-001");
    assert_eq!(h.service("dat-dai")["waiting"], 1);
    assert_eq!(h.call_next("dat-dai").json()["number"], "DD-001");
}

#[test]
fn a_void_is_checked_like_every_write() {
    let h = Harness::start();
    h.ticket("t-1", "ho-tich", "none");
    let rating = h.post("/feedback", &json!({ "request_id": "r-1", "rating": 2 }));
    assert_eq!(rating.status, 201);
    // A request id that names a rating, not a ticket.
    let (status, v) = void(&h, "r-1", "v-1", "not-printed");
    assert_eq!((status, v["code"].clone()), (404, json!("unknown-ticket")));
    for (body, field) in [
        (json!({ "request_id": "v-2" }), "reason"),
        (
            json!({ "request_id": "v-2", "reason": "changed-mind" }),
            "reason",
        ),
        (
            json!({ "request_id": "", "reason": "not-printed" }),
            "request_id",
        ),
        (
            json!({ "request_id": "v 2", "reason": "not-printed" }),
            "request_id",
        ),
        (json!({ "reason": "not-printed" }), "request_id"),
    ] {
        let detail = h
            .post("/queue/tickets/t-1/void", &body)
            .problem(400, "bad-request");
        assert!(detail.starts_with(field), "{body}: {detail}");
    }
    let detail = h
        .post(
            "/queue/tickets/t%201/void",
            &json!({ "request_id": "v-3", "reason": "not-printed" }),
        )
        .problem(400, "bad-request");
    assert!(detail.starts_with("ticket_request_id"), "{detail}");
    // A counter's token is not a kiosk's.
    let r = h.post_as(
        "/queue/tickets/t-1/void",
        Some(crate::support::COUNTER),
        &json!({ "request_id": "v-4", "reason": "not-printed" }),
    );
    assert_eq!(r.status, 401);
    assert_eq!(h.service("ho-tich")["waiting"], 1, "nothing voided");
}

#[test]
fn a_voided_ticket_leaves_the_queue_counters_and_displays_see() {
    let h = Harness::start();
    let mut board = EventStream::open(h.server.addr(), "/api/v1/queue/events", TOKEN, None);
    assert_eq!(board.status, 200);
    board.next_of("waiting").expect("the first board");
    h.ticket("t-1", "ho-tich", "none");
    h.ticket("t-2", "chung-thuc", "elderly");
    h.ticket("t-3", "ho-tich", "none");
    for _ in 0..3 {
        board.next_of("issued").expect("issued");
    }
    let waiting = |e: Value, service: &str| {
        e["services"]
            .as_array()
            .and_then(|s| s.iter().find(|s| s["id"] == service))
            .map(|s| s["waiting"].clone())
    };

    // The priority ticket is given back: the board goes out again without it...
    assert_eq!(void(&h, "t-2", "v-2", "not-printed").0, 200);
    let mut last = Value::Null;
    while waiting(last.clone(), "chung-thuc") != Some(json!(0)) {
        last = board
            .next_of("waiting")
            .expect("the board after the void")
            .json();
    }
    assert_eq!(waiting(last, "ho-tich"), Some(json!(2)));
    // ... and a counter calling across services never gets it, priority or not.
    let across = |h: &Harness| {
        h.post_as(
            "/queue/call-next",
            Some(COUNTER),
            &json!({ "counter": "3", "services": ["ho-tich", "chung-thuc"] }),
        )
    };
    assert_eq!(across(&h).json()["number"], "HT-001");
    assert_eq!(across(&h).json()["number"], "HT-002");
    across(&h).problem(404, "queue-empty");
    // Called, then finished by the next call: too late either way.
    let (status, v) = void(&h, "t-3", "v-3", "not-printed");
    assert_eq!((status, v["code"].clone()), (409, json!("already-called")));
}
