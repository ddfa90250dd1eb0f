use chrono::Duration;
use serde_json::json;

use crate::support::{ADMIN, Harness, TOKEN2};

#[test]
fn same_request_id_same_ticket_and_no_gap() {
    let h = Harness::start();
    let first = h.ticket("req-1", "ho-tich", "none");
    assert_eq!(first.status, 201);
    let v = first.json();
    assert_eq!(v["number"], "HT-001");
    assert_eq!(v["request_id"], "req-1");
    assert_eq!(v["service_id"], "ho-tich");
    assert_eq!(v["offline"], false);
    assert_eq!(v["issued_at"], "2026-11-25T09:00:00+07:00");
    assert_eq!(v["people_ahead"], 0);
    assert_eq!(v["estimated_wait_min"], 0);

    h.time.advance(Duration::seconds(30));
    let again = h.ticket("req-1", "ho-tich", "none");
    assert_eq!(again.status, 200);
    assert_eq!(again.json(), v, "the first answer, unchanged");

    let next = h.ticket("req-2", "ho-tich", "none");
    assert_eq!(next.status, 201);
    let n = next.json();
    assert_eq!(n["number"], "HT-002");
    assert_eq!(n["people_ahead"], 1);
    assert_eq!(
        n["estimated_wait_min"], 4,
        "4 minutes a person without history"
    );

    // Another kiosk, another service: its own series.
    let r = h.post_as(
        "/queue/tickets",
        Some(TOKEN2),
        &json!({ "request_id": "k2-1", "service_id": "chung-thuc" }),
    );
    assert_eq!(r.json()["number"], "CT-001");
    assert_eq!(r.json()["priority"], "none");
    let s = h.service("ho-tich");
    assert_eq!(
        (s["issued_today"].clone(), s["waiting"].clone()),
        (json!(2), json!(2))
    );
}

#[test]
fn offline_tickets_are_recorded_and_never_reissued() {
    let h = Harness::start();
    assert_eq!(h.ticket("a", "ho-tich", "none").json()["number"], "HT-001");
    let offline = |id: &str, number: &str| {
        h.post(
            "/queue/tickets",
            &json!({ "request_id": id, "service_id": "ho-tich", "priority": "none",
                     "offline": { "number": number, "issued_at": "2026-11-25T08:50:00+07:00" } }),
        )
    };
    let r = offline("off-1", "K1-HT-001");
    assert_eq!(r.status, 201);
    let v = r.json();
    assert_eq!(v["number"], "K1-HT-001");
    assert_eq!(v["offline"], true);
    assert_eq!(v["issued_at"], "2026-11-25T08:50:00+07:00");
    assert_eq!(v["people_ahead"], 1, "recorded in the order it arrived");
    // A kiosk that printed a number of the server's own form: the server skips it.
    assert_eq!(offline("off-2", "HT-002").json()["number"], "HT-002");
    assert_eq!(offline("off-2", "HT-002").status, 200);
    assert_eq!(h.ticket("b", "ho-tich", "none").json()["number"], "HT-003");
    assert_eq!(h.ticket("c", "ho-tich", "none").json()["number"], "HT-004");
    // Recorded even outside opening hours: it is already in a citizen's hand.
    h.time
        .set(chrono::DateTime::parse_from_rfc3339("2026-11-25T12:00:00+07:00").expect("t"));
    let r = h.post(
        "/queue/tickets",
        &json!({ "request_id": "off-3", "service_id": "ho-tich",
                 "offline": { "number": "K1-HT-002", "issued_at": "2026-11-25T11:20:00+07:00" } }),
    );
    assert_eq!(r.status, 201);
    let calls: Vec<String> = (0..6)
        .map(|_| {
            h.call_next("ho-tich").json()["number"]
                .as_str()
                .unwrap_or("")
                .to_string()
        })
        .collect();
    assert_eq!(
        calls,
        [
            "HT-001",
            "K1-HT-001",
            "HT-002",
            "HT-003",
            "HT-004",
            "K1-HT-002"
        ]
    );
}

#[test]
fn priority_first_and_estimates_from_call_intervals() {
    let h = Harness::start();
    h.ticket("1", "ho-tich", "none");
    h.ticket("2", "ho-tich", "none");
    let p = h.ticket("3", "ho-tich", "elderly").json();
    assert_eq!(
        (p["number"].clone(), p["people_ahead"].clone()),
        (json!("HT-003"), json!(0))
    );
    let p2 = h.ticket("4", "ho-tich", "pregnant").json();
    assert_eq!(p2["people_ahead"], 1);
    let n = h.ticket("5", "ho-tich", "none").json();
    assert_eq!(n["people_ahead"], 4);
    assert_eq!(n["estimated_wait_min"], 16);

    let s = h.service("ho-tich");
    assert_eq!(
        (s["waiting"].clone(), s["now_serving"].clone()),
        (json!(5), json!(null))
    );
    assert_eq!(s["estimated_wait_min"], 20);

    let mut called = Vec::new();
    for _ in 0..5 {
        let r = h.call_next("ho-tich");
        assert_eq!(r.status, 200);
        let v = r.json();
        assert_eq!(v["counter"], "3");
        called.push((
            v["number"].as_str().unwrap_or("").to_string(),
            v["priority"].as_str().unwrap_or("").to_string(),
        ));
        h.time.advance(Duration::minutes(2));
    }
    let numbers: Vec<&str> = called.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(numbers, ["HT-003", "HT-004", "HT-001", "HT-002", "HT-005"]);
    assert_eq!(called[0].1, "elderly");
    h.call_next("ho-tich").problem(404, "queue-empty");
    h.call_next("nope").problem(404, "unknown-service");

    let s = h.service("ho-tich");
    assert_eq!(
        (s["waiting"].clone(), s["now_serving"].clone()),
        (json!(0), json!("HT-005"))
    );
    // Two minutes between calls now drive the estimate.
    let t = h.ticket("6", "ho-tich", "none").json();
    h.ticket("7", "ho-tich", "none");
    assert_eq!(t["estimated_wait_min"], 0);
    assert_eq!(
        h.ticket("8", "ho-tich", "none").json()["estimated_wait_min"],
        4
    );
    assert_eq!(h.service("ho-tich")["estimated_wait_min"], 6);
}

#[test]
fn numbering_restarts_after_midnight() {
    let h = Harness::start();
    assert_eq!(
        h.ticket("d1-1", "dat-dai", "none").json()["number"],
        "DD-001"
    );
    assert_eq!(
        h.ticket("d1-2", "dat-dai", "none").json()["number"],
        "DD-002"
    );
    h.time
        .set(chrono::DateTime::parse_from_rfc3339("2026-11-26T07:45:00+07:00").expect("t"));
    let s = h.service("dat-dai");
    assert_eq!(
        (s["issued_today"].clone(), s["waiting"].clone()),
        (json!(0), json!(0))
    );
    assert_eq!(
        h.ticket("d2-1", "dat-dai", "none").json()["number"],
        "DD-001"
    );
    // Yesterday's uncalled tickets are not called today.
    assert_eq!(h.call_next("dat-dai").json()["number"], "DD-001");
    h.call_next("dat-dai").problem(404, "queue-empty");
    // The office day is UTC+07:00: 23:30 UTC is already tomorrow in the office.
    h.time
        .set(chrono::DateTime::parse_from_rfc3339("2026-11-26T23:30:00+00:00").expect("t"));
    assert_eq!(
        h.ticket("d3-1", "dat-dai", "none").json()["issued_at"],
        "2026-11-27T06:30:00+07:00"
    );
}

#[test]
fn opening_hours_and_daily_cap() {
    let h = Harness::start_with(|c| c.always_open = false);
    assert_eq!(h.ticket("open", "ho-tich", "none").status, 201);
    let at = |s: &str| {
        h.time
            .set(chrono::DateTime::parse_from_rfc3339(s).expect("t"))
    };
    for closed in [
        "2026-11-25T12:00:00+07:00",
        "2026-11-25T07:29:00+07:00",
        "2026-11-25T17:00:00+07:00",
        "2026-11-29T09:00:00+07:00",
    ] {
        at(closed);
        h.ticket(&format!("closed-{closed}"), "ho-tich", "none")
            .problem(409, "service-closed");
        let s = h.service("ho-tich");
        assert_eq!(
            (s["open"].clone(), s["closed_reason"].clone()),
            (json!(false), json!("closed-hours")),
            "{closed}"
        );
    }
    at("2026-11-28T13:30:00+07:00"); // Saturday afternoon: open.
    assert_eq!(h.service("ho-tich")["open"], true);

    let r = h.put_as(
        "/admin/offices/main/services/ho-tich",
        Some(ADMIN),
        &json!({ "name_vi": "Hộ tịch", "name_en": "Civil status", "prefix": "HT",
                 "priority_allowed": true, "daily_cap": 2 }),
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(h.ticket("c1", "ho-tich", "none").status, 201);
    assert_eq!(h.ticket("c2", "ho-tich", "none").status, 201);
    h.ticket("c3", "ho-tich", "none").problem(409, "daily-cap");
    let s = h.service("ho-tich");
    assert_eq!(
        (
            s["open"].clone(),
            s["closed_reason"].clone(),
            s["daily_cap"].clone()
        ),
        (json!(false), json!("daily-cap"), json!(2))
    );
    assert_eq!(h.service("chung-thuc")["open"], true);
}

#[test]
fn ticket_request_errors() {
    let h = Harness::start();
    h.ticket("x1", "no-such-service", "none")
        .problem(404, "unknown-service");
    assert!(
        h.ticket("x2", "ho-tich", "vip")
            .problem(400, "bad-request")
            .starts_with("priority")
    );
    h.ticket("x3", "tra-ket-qua", "elderly")
        .problem(409, "priority-not-allowed");
    let phone = |p: &str| {
        h.post(
            "/queue/tickets",
            &json!({ "request_id": format!("p{}", p.replace(' ', "_")), "service_id": "ho-tich", "phone": p }),
        )
    };
    for bad in [
        "0212345678",
        "091234567",
        "+8491234567",
        "abc",
        "",
        "0912 345 678",
    ] {
        assert!(
            phone(bad).problem(400, "bad-request").starts_with("phone"),
            "{bad}"
        );
    }
    for good in ["0912345678", "+84387654321", "0512345678"] {
        assert_eq!(phone(good).status, 201, "{good}");
    }
    let r = h.post("/queue/tickets", &json!({ "request_id": "o", "service_id": "ho-tich", "offline": { "number": "K1-HT-009", "issued_at": "yesterday" } }));
    assert!(
        r.problem(400, "bad-request")
            .starts_with("offline.issued_at")
    );
    let r = h.post("/queue/tickets", &json!({ "service_id": "ho-tich" }));
    assert!(r.problem(400, "bad-request").starts_with("request_id"));
    let r = h.post_as(
        "/queue/services/ho-tich/call-next",
        Some(crate::support::COUNTER),
        &json!({ "counter": "" }),
    );
    assert!(r.problem(400, "bad-request").starts_with("counter"));
    // Kiosk tokens cannot call tickets to counters.
    h.post(
        "/queue/services/ho-tich/call-next",
        &json!({ "counter": "1" }),
    )
    .problem(401, "unauthorized");
}
