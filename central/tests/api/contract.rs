//! Regressions: each test is a way the server once broke its own contract
//! (docs/central-api.openapi.yaml), found by schemathesis and by reading the YAML.

use chrono::Duration;
use serde_json::{Value, json};

use crate::support::{ADMIN, Harness, TOKEN, TOKEN2};

const LIST_FIELDS: &[&str] = &[
    "documents",
    "submission_methods",
    "legal_basis",
    "methods_detail",
    "result_codes",
    "document_notes",
];

fn procedures(h: &Harness) -> Vec<Value> {
    let r = h.get("/catalog");
    assert_eq!(r.status, 200);
    r.json()["procedures"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[test]
fn the_seed_catalog_has_every_list_as_a_list() {
    let h = Harness::start();
    let all = procedures(&h);
    assert!(!all.is_empty());
    for p in &all {
        for field in LIST_FIELDS {
            assert!(
                p[field].is_array(),
                "{}: {field} is {}",
                p["code"],
                p[field]
            );
        }
    }
    // A record without a national code, its lists null or absent (as pre-2025 records came):
    // served under a stable local key, with every list a list.
    let mut with_legacy = all.clone();
    with_legacy.push(json!({
        "code": null, "name": "Xét tuyển sinh vào trường PTDTNT", "legal_basis": null
    }));
    let r = h.post_as("/admin/catalog", Some(ADMIN), &Value::Array(with_legacy));
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let served = procedures(&h);
    let legacy = served
        .iter()
        .find(|p| p["code"] == "local-a652e36fc1952414")
        .expect("the code-less record under its local key");
    for field in LIST_FIELDS {
        assert_eq!(legacy[field], json!([]), "{field}");
    }
}

#[test]
fn an_import_is_checked_to_the_last_nested_field() {
    let h = Harness::start();
    let good = json!({ "code": "9.000001", "name": "Thủ tục thử" });
    for (bad, named) in [
        (json!({ "documents": "oops" }), "[1].documents"),
        (json!({ "legal_basis": 7 }), "[1].legal_basis"),
        (
            json!({ "documents": [{ "name": 5 }] }),
            "[1].documents[0].name",
        ),
        (
            json!({ "documents": [{ "copies": "1 bản chính" }] }),
            "[1].documents[0].name",
        ),
        (
            json!({ "documents": ["Giấy chứng sinh"] }),
            "[1].documents[0]",
        ),
        (
            json!({ "legal_basis": [{ "code": 1 }] }),
            "[1].legal_basis[0].code",
        ),
        (
            json!({ "methods_detail": [{ "fee": 2000 }] }),
            "[1].methods_detail[0].fee",
        ),
        (json!({ "result_codes": [1] }), "[1].result_codes[0]"),
        (json!({ "fee": 2000 }), "[1].fee"),
        (json!({ "name": "   " }), "[1].name"),
        (json!({ "code": "2.000 528" }), "[1].code"),
    ] {
        let mut record = json!({ "code": "9.000002", "name": "Thủ tục hỏng" });
        for (k, v) in bad.as_object().into_iter().flatten() {
            record[k] = v.clone();
        }
        let r = h.post_as("/admin/catalog", Some(ADMIN), &json!([good, record]));
        let detail = r.problem(400, "bad-request");
        assert!(
            detail.starts_with(&format!("{named}:")),
            "{named}: {detail}"
        );
    }
    h.post_as("/admin/catalog", Some(ADMIN), &json!([]))
        .problem(400, "bad-request");
    assert_eq!(h.get("/catalog").json()["version"], 1, "nothing changed");

    // Null and absent lists are stored, and served, as empty lists.
    let r = h.post_as(
        "/admin/catalog",
        Some(ADMIN),
        &json!([{ "code": "9.000003", "name": "Thủ tục gọn", "legal_basis": null, "documents": null }]),
    );
    assert_eq!(r.status, 200);
    let p = &procedures(&h)[0];
    for field in LIST_FIELDS {
        assert_eq!(p[field], json!([]), "{field}");
    }
}

#[test]
fn a_request_id_belongs_to_one_kiosk() {
    let h = Harness::start();
    let body = json!({ "request_id": "same-id", "service_id": "ho-tich" });
    let first = h.ticket_as(TOKEN, &body);
    assert_eq!(first.status, 201);
    assert_eq!(first.json()["number"], "HT-001");

    // Another kiosk's id is another request: its own ticket, not KIOSK-01's.
    let other = h.ticket_as(TOKEN2, &body);
    assert_eq!(other.status, 201);
    assert_eq!(other.json()["number"], "HT-002");

    let again = h.ticket_as(TOKEN, &body);
    assert_eq!(again.status, 200);
    assert_eq!(again.json(), first.json());
    // The phone is not compared (it is not kept for it).
    let with_phone =
        json!({ "request_id": "same-id", "service_id": "ho-tich", "phone": "0912345678" });
    assert_eq!(h.ticket_as(TOKEN, &with_phone).status, 200);

    for changed in [
        json!({ "request_id": "same-id", "service_id": "chung-thuc" }),
        json!({ "request_id": "same-id", "service_id": "ho-tich", "priority": "elderly" }),
    ] {
        h.ticket_as(TOKEN, &changed)
            .problem(409, "request-id-reused");
    }
    // One id space per kiosk across calls: a rating cannot reuse a ticket's id.
    h.post(
        "/feedback",
        &json!({ "request_id": "same-id", "rating": 1 }),
    )
    .problem(409, "request-id-reused");
    let rating = json!({ "request_id": "rate-1", "rating": 2 });
    assert_eq!(h.post("/feedback", &rating).status, 201);
    assert_eq!(h.post("/feedback", &rating).status, 200);
    h.post("/feedback", &json!({ "request_id": "rate-1", "rating": 3 }))
        .problem(409, "request-id-reused");
    assert_eq!(
        h.post_as("/feedback", Some(TOKEN2), &rating).status,
        201,
        "KIOSK-02's rate-1 is its own"
    );
}

fn offline(request_id: &str, number: &str, issued_at: &str) -> Value {
    json!({
        "request_id": request_id,
        "service_id": "ho-tich",
        "offline": { "number": number, "issued_at": issued_at },
    })
}

#[test]
fn an_offline_number_is_recorded_once_and_only_recently() {
    let h = Harness::start();
    let at = "2026-11-25T08:30:00+07:00";
    assert_eq!(
        h.ticket_as(TOKEN, &offline("off-1", "K1-HT-003", at))
            .status,
        201
    );
    let r = h.ticket_as(TOKEN2, &offline("off-2", "k1-ht-003", at));
    assert!(r.problem(409, "number-taken").starts_with("offline.number"));
    // The first request retried still replays.
    assert_eq!(
        h.ticket_as(TOKEN, &offline("off-1", "K1-HT-003", at))
            .status,
        200
    );
    // Another office day may carry the same number.
    let yesterday = "2026-11-24T16:00:00+07:00";
    assert_eq!(
        h.ticket_as(TOKEN, &offline("off-3", "K1-HT-003", yesterday))
            .status,
        201
    );

    for (id, when) in [
        ("old", "2000-01-01T08:00:00+07:00"),
        ("week", "2026-11-18T08:59:00+07:00"),
        ("ahead", "2026-11-25T09:11:00+07:00"),
    ] {
        let r = h.ticket_as(TOKEN, &offline(id, "K1-HT-050", when));
        assert!(
            r.problem(422, "offline-time-out-of-range")
                .starts_with("offline.issued_at"),
            "{when}"
        );
    }
    for (id, when) in [
        ("six-days", "2026-11-19T09:01:00+07:00"),
        ("skew", "2026-11-25T09:09:00+07:00"),
    ] {
        assert_eq!(
            h.ticket_as(TOKEN, &offline(id, &format!("K1-HT-{id}"), when))
                .status,
            201,
            "{when}"
        );
    }
}

#[test]
fn a_dossier_cannot_be_due_or_returned_before_it_was_received() {
    let h = Harness::start();
    let dossier = |due: &str, returned: Value| {
        json!([{
            "code": "000.00.20.H15-261125-0999",
            "procedure_code": "1.001612",
            "procedure_name": "Thủ tục thử",
            "applicant_name": "Nguyễn Văn An",
            "status": 4,
            "received_at": "2026-11-25T08:00:00+07:00",
            "due_at": due,
            "returned_at": returned,
            "steps": [],
        }])
    };
    let r = h.post_as(
        "/admin/dossiers",
        Some(ADMIN),
        &dossier("2026-11-24T17:00:00+07:00", Value::Null),
    );
    assert!(r.problem(422, "invalid-dates").starts_with("[0].due_at"));
    let r = h.post_as(
        "/admin/dossiers",
        Some(ADMIN),
        &dossier(
            "2026-11-30T17:00:00+07:00",
            json!("2026-11-20T10:00:00+07:00"),
        ),
    );
    assert!(
        r.problem(422, "invalid-dates")
            .starts_with("[0].returned_at")
    );
    h.get("/dossiers/000.00.20.H15-261125-0999")
        .problem(404, "not-found");
    let r = h.post_as(
        "/admin/dossiers",
        Some(ADMIN),
        &dossier("2026-11-25T17:00:00+07:00", Value::Null),
    );
    assert_eq!(r.status, 200, "due the same day it was received");
}

#[test]
fn a_matching_etag_answers_304_before_since_is_read() {
    let h = Harness::start();
    let tag = "\"catalog-v1\"";
    let r = h.get_with("/catalog?since=abc", Some(TOKEN), &[("If-None-Match", tag)]);
    assert_eq!(r.status, 304);
    assert_eq!(r.header("etag"), Some(tag));
    h.get("/catalog?since=abc").problem(400, "bad-request");
    // URL-encoded, and whole numbers past 64 bits (an unknown version: the full catalog).
    let r = h.get("/catalog?since=%31");
    assert_eq!((r.status, r.json()["full"].clone()), (200, json!(false)));
    let r = h.get("/catalog?since=99999999999999999999999");
    assert_eq!((r.status, r.json()["full"].clone()), (200, json!(true)));
}

#[test]
fn bodies_must_be_json_and_exactly_the_schema() {
    let h = Harness::start();
    let body = br#"{"request_id": "t1", "service_id": "ho-tich"}"#;
    let r = h.post_typed("/queue/tickets", Some("text/plain"), body);
    assert!(
        r.problem(415, "unsupported-media-type")
            .contains("text/plain")
    );
    h.post_typed("/queue/tickets", None, body)
        .problem(415, "unsupported-media-type");
    h.post_typed(
        "/feedback",
        Some("application/x-www-form-urlencoded"),
        b"rating=1",
    )
    .problem(415, "unsupported-media-type");
    assert_eq!(
        h.post_typed(
            "/queue/tickets",
            Some("application/json; charset=utf-8"),
            body
        )
        .status,
        201
    );

    let r = h.post(
        "/queue/tickets",
        &json!({ "request_id": "t2", "service_id": "ho-tich", "priority": null }),
    );
    assert!(r.problem(400, "bad-request").starts_with("priority"));
    for broken in [
        &b"{\"request_id\": \"t3\", \"service_id\": "[..],
        b"[1, 2]",
        b"\"x\"",
    ] {
        let detail = h
            .post_raw("/queue/tickets", Some(TOKEN), broken)
            .problem(400, "bad-request");
        assert!(detail.starts_with("body:"), "{detail}");
        assert!(
            !detail.contains("struct") && !detail.contains("Body"),
            "no Rust type names: {detail}"
        );
    }
    for (field, body) in [
        (
            "request_id",
            json!({ "request_id": "has space", "service_id": "ho-tich" }),
        ),
        (
            "request_id",
            json!({ "request_id": "", "service_id": "ho-tich" }),
        ),
        (
            "service_id",
            json!({ "request_id": "t4", "service_id": "hộ tịch" }),
        ),
        (
            "offline.number",
            json!({ "request_id": "t5", "service_id": "ho-tich", "offline": { "number": "HT 1", "issued_at": "2026-11-25T08:00:00+07:00" } }),
        ),
    ] {
        let detail = h.post("/queue/tickets", &body).problem(400, "bad-request");
        assert!(detail.starts_with(field), "{field}: {detail}");
    }
}

#[test]
fn whole_numbers_may_be_written_with_a_fraction() {
    // JSON Schema's `integer` holds 1.0; the server reads it as 1.
    let h = Harness::start();
    let r = h.post("/feedback", &json!({ "request_id": "f1", "rating": 1.0 }));
    assert_eq!(r.status, 201);
    let r = h.post("/feedback", &json!({ "request_id": "f2", "rating": 1.5 }));
    assert!(r.problem(400, "bad-request").starts_with("rating"));
}

#[test]
fn the_wait_estimate_survives_rapid_calls() {
    let h = Harness::start();
    for i in 0..12 {
        assert_eq!(h.ticket(&format!("w{i}"), "ho-tich", "none").status, 201);
    }
    // A counter clicking through absent citizens: three calls within seconds.
    for _ in 0..3 {
        assert_eq!(h.call_next("ho-tich").status, 200);
        h.time.advance(Duration::seconds(2));
    }
    let service = h.service("ho-tich");
    assert_eq!(service["waiting"], 9);
    assert_eq!(
        service["estimated_wait_min"], 36,
        "4 minutes a person: calls seconds apart say nothing about service time"
    );
    let t = h.ticket("w-last", "ho-tich", "none").json();
    assert_eq!(
        (t["people_ahead"].clone(), t["estimated_wait_min"].clone()),
        (json!(9), json!(36))
    );
}

#[test]
fn a_wrong_method_names_the_right_ones() {
    let h = Harness::start();
    let r = h.post("/catalog", &json!({}));
    r.problem(405, "method-not-allowed");
    let allow = r.header("allow").unwrap_or_default().to_ascii_uppercase();
    assert!(allow.contains("GET"), "{allow}");
    let r = h.get_with("/queue/tickets", Some(TOKEN), &[]);
    r.problem(405, "method-not-allowed");
    assert!(r.header("allow").is_some_and(|a| a.contains("POST")));
    // A counter call with a kiosk token is refused like any wrong token.
    h.post_as(
        "/queue/services/ho-tich/call-next",
        Some(TOKEN),
        &json!({ "counter": "1" }),
    )
    .problem(401, "unauthorized");
}
