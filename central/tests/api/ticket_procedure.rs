//! A ticket taken from a procedure page carries the procedure: the issue answer echoes its code,
//! and every called ticket (call, recall, the counter's held ticket, recent calls, `called`
//! events) names it with its name from the office's catalog.

use serde_json::{Value, json};

use crate::support::{ADMIN, COUNTER, EventStream, Harness, Response, TOKEN};

/// In the seed catalog (`assets/catalog/procedures.json`).
const CERTIFY_COPY: &str = "2.000815";

fn seed_name(code: &str) -> Value {
    let seed: Vec<Value> =
        serde_json::from_str(motcua_central::seed::seed_procedures_json()).expect("seed JSON");
    seed.into_iter()
        .find(|p| p["code"] == code)
        .map(|p| p["name"].clone())
        .expect("the code is in the seed")
}

fn ticket_for(h: &Harness, request_id: &str, procedure_code: Value) -> Response {
    h.post(
        "/queue/tickets",
        &json!({ "request_id": request_id, "service_id": "chung-thuc",
                 "procedure_code": procedure_code }),
    )
}

fn call(h: &Harness) -> Value {
    let r = h.call_next("chung-thuc");
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    r.json()
}

fn held(h: &Harness) -> Value {
    h.get_with("/queue/counter?counter=3", Some(COUNTER), &[])
        .json()["ticket"]
        .clone()
}

#[test]
fn the_counter_sees_the_procedure_with_its_catalog_name() {
    let h = Harness::start();
    let mut events = EventStream::open(h.server.addr(), "/api/v1/queue/events", TOKEN, None);
    let issued = ticket_for(&h, "p-1", json!(CERTIFY_COPY));
    assert_eq!(issued.status, 201);
    assert_eq!(issued.json()["procedure_code"], CERTIFY_COPY);

    let expected = json!({ "code": CERTIFY_COPY, "name": seed_name(CERTIFY_COPY) });
    let called = call(&h);
    assert_eq!(called["procedure"], expected);
    assert_eq!(held(&h)["procedure"], expected);
    let id = called["ticket_id"].as_str().expect("ticket id");
    let recalled = h.post_as(
        &format!("/queue/tickets/{id}/recall"),
        Some(COUNTER),
        &json!({ "counter": "3" }),
    );
    assert_eq!(recalled.json()["procedure"], expected);
    let calls = h.get("/queue/calls").json();
    assert_eq!(calls["calls"][0]["procedure"], expected);
    let event = events.next_of("called").expect("a called event").json();
    assert_eq!(event["procedure"], expected);
}

#[test]
fn an_unknown_code_has_no_name_and_no_code_no_procedure() {
    let h = Harness::start();
    // Well formed, not in this office's catalog (a kiosk's catalog may be ahead).
    assert_eq!(ticket_for(&h, "p-1", json!("9.999999")).status, 201);
    let plain = h.post(
        "/queue/tickets",
        &json!({ "request_id": "p-2", "service_id": "chung-thuc" }),
    );
    assert_eq!(plain.json()["procedure_code"], Value::Null);
    assert_eq!(
        ticket_for(&h, "p-3", Value::Null).json()["procedure_code"],
        Value::Null
    );

    assert_eq!(
        call(&h)["procedure"],
        json!({ "code": "9.999999", "name": null })
    );
    for _ in 0..2 {
        let called = call(&h);
        // Present, and null.
        assert_eq!(called.get("procedure"), Some(&Value::Null), "{called}");
        assert_eq!(held(&h).get("procedure"), Some(&Value::Null));
    }
}

#[test]
fn a_malformed_code_is_refused_naming_the_field_and_loses_nothing() {
    let h = Harness::start();
    let long = "1".repeat(500);
    for (i, bad) in [
        json!("<script>alert(1)</script>"),
        json!(long),
        json!(5),
        json!(""),
        json!("-2.000815"),
        json!("2.000815 "),
        json!("'; DROP TABLE tickets; --"),
        json!("*"),
        json!("🙂"),
        json!({ "code": CERTIFY_COPY }),
    ]
    .into_iter()
    .enumerate()
    {
        let detail = ticket_for(&h, &format!("bad-{i}"), bad.clone()).problem(400, "bad-request");
        assert!(detail.starts_with("procedure_code"), "{bad}: {detail}");
    }
    assert_eq!(h.service("chung-thuc")["issued_today"], 0);
    // The same request id, corrected, issues the first number of the day.
    let r = ticket_for(&h, "bad-0", json!(CERTIFY_COPY));
    assert_eq!(r.status, 201);
    assert_eq!(r.json()["number"], "CT-001");
}

#[test]
fn the_procedure_is_part_of_the_request() {
    let h = Harness::start();
    let first = ticket_for(&h, "p-1", json!(CERTIFY_COPY));
    assert_eq!(first.status, 201);
    let again = ticket_for(&h, "p-1", json!(CERTIFY_COPY));
    assert_eq!(again.status, 200);
    assert_eq!(again.json(), first.json());
    ticket_for(&h, "p-1", json!("2.000528")).problem(409, "request-id-reused");
    ticket_for(&h, "p-1", Value::Null).problem(409, "request-id-reused");
    // And the other way round: a request without one is not repeated with one.
    assert_eq!(ticket_for(&h, "p-2", Value::Null).status, 201);
    ticket_for(&h, "p-2", json!(CERTIFY_COPY)).problem(409, "request-id-reused");
    assert_eq!(h.service("chung-thuc")["issued_today"], 2);
}

#[test]
fn an_offline_ticket_keeps_its_procedure() {
    let h = Harness::start();
    let body = json!({
        "request_id": "off-1", "service_id": "chung-thuc", "procedure_code": CERTIFY_COPY,
        "offline": { "number": "K1-CT-001", "issued_at": "2026-11-25T08:50:00+07:00" },
    });
    let r = h.post("/queue/tickets", &body);
    assert_eq!(r.status, 201);
    let v = r.json();
    assert_eq!(
        (v["offline"].clone(), v["procedure_code"].clone()),
        (json!(true), json!(CERTIFY_COPY))
    );
    assert_eq!(h.post("/queue/tickets", &body).json(), v);
    let called = call(&h);
    assert_eq!(called["number"], "K1-CT-001");
    assert_eq!(called["procedure"]["code"], CERTIFY_COPY);
    assert_eq!(called["procedure"]["name"], seed_name(CERTIFY_COPY));
}

#[test]
fn a_hostile_catalog_name_comes_back_byte_for_byte() {
    let h = Harness::start();
    let hostile = format!(
        "<script>alert(\"x\")</script> '; DROP TABLE tickets; -- * 🙂 \\ {}",
        "Chứng thực ".repeat(45)
    );
    assert!(hostile.chars().count() >= 500);
    let catalog = json!([{ "code": "9.000001", "name": hostile, "field": "Chứng thực" }]);
    let r = h.post_as("/admin/catalog", Some(ADMIN), &catalog);
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(ticket_for(&h, "p-1", json!("9.000001")).status, 201);
    let called = call(&h);
    assert_eq!(called["procedure"]["name"].as_str(), Some(hostile.as_str()));
    assert_eq!(
        held(&h)["procedure"]["name"].as_str(),
        Some(hostile.as_str())
    );
}
