use serde_json::json;

use crate::support::Harness;

#[test]
fn one_rating_per_ticket_idempotent_by_request_id() {
    let h = Harness::start();
    let rate = |id: &str, ticket: Option<&str>| {
        h.post(
            "/feedback",
            &json!({ "request_id": id, "rating": 1, "service_id": "ho-tich", "ticket": ticket,
                     "reason": "wait-time", "at": "2026-11-25T08:30:00+07:00" }),
        )
    };
    let r = rate("f-1", Some("HT-042"));
    assert_eq!(r.status, 201);
    assert_eq!(r.json(), json!({ "request_id": "f-1", "accepted": true }));
    let r = rate("f-1", Some("HT-042"));
    assert_eq!(r.status, 200);
    assert_eq!(r.json(), json!({ "request_id": "f-1", "accepted": true }));
    rate("f-2", Some("HT-042")).problem(409, "already-rated");
    // No ticket: any number of ratings.
    assert_eq!(rate("f-3", None).status, 201);
    assert_eq!(rate("f-4", None).status, 201);
    // Same number on another day is another ticket.
    let r = h.post("/feedback", &json!({ "request_id": "f-5", "rating": 2, "ticket": "HT-042", "at": "2026-11-26T08:30:00+07:00" }));
    assert_eq!(r.status, 201);
    // Minimal body: `at` defaults to arrival.
    assert_eq!(
        h.post("/feedback", &json!({ "request_id": "f-6", "rating": 4 }))
            .status,
        201
    );
}

#[test]
fn feedback_validation() {
    let h = Harness::start();
    for rating in [json!(0), json!(5), json!("x"), json!(null)] {
        let r = h.post("/feedback", &json!({ "request_id": "v", "rating": rating }));
        assert!(
            r.problem(400, "bad-request").starts_with("rating"),
            "{rating}"
        );
    }
    let r = h.post(
        "/feedback",
        &json!({ "request_id": "v", "rating": 2, "at": "now" }),
    );
    assert!(r.problem(400, "bad-request").starts_with("at"));
    let r = h.post(
        "/feedback",
        &json!({ "request_id": "v", "rating": 2, "service_id": "nope" }),
    );
    r.problem(404, "unknown-service");
    for (field, value) in [
        ("service_id", json!("hộ tịch")),
        ("ticket", json!("HT 1")),
        ("reason", json!("")),
        ("reason", json!("a\nb")),
    ] {
        let r = h.post(
            "/feedback",
            &json!({ "request_id": "v", "rating": 2, field: value }),
        );
        assert!(r.problem(400, "bad-request").starts_with(field), "{value}");
    }
    let r = h.post("/feedback", &json!({ "rating": 2 }));
    assert!(r.problem(400, "bad-request").starts_with("request_id"));
}
