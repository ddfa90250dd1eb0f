use serde_json::json;

use crate::support::{ADMIN, COUNTER, Harness, TOKEN};

#[test]
fn every_kiosk_call_needs_a_kiosk_token() {
    let h = Harness::start();
    let body = json!({});
    for token in [None, Some("wrong"), Some(COUNTER), Some(ADMIN)] {
        // Counters and displays may read the board; nothing else of a kiosk's.
        let board = (token != Some(COUNTER)).then_some("/queue/services");
        for path in ["/catalog", "/dossiers/000.00.20.H15-261125-0001"]
            .into_iter()
            .chain(board)
        {
            let r = h.get_with(path, token, &[]);
            r.problem(401, "unauthorized");
            assert_eq!(r.header("www-authenticate"), Some("Bearer"));
        }
        for path in ["/queue/tickets", "/feedback", "/kiosks/heartbeat"] {
            h.post_as(path, token, &body).problem(401, "unauthorized");
        }
    }
    // A scheme other than Bearer is no token.
    let r = h.get_with(
        "/catalog",
        None,
        &[("Authorization", &format!("Basic {TOKEN}"))],
    );
    r.problem(401, "unauthorized");
}

#[test]
fn malformed_bodies_are_400_and_big_ones_413() {
    let h = Harness::start();
    h.post_raw("/feedback", Some(TOKEN), b"{\"request_id\": ")
        .problem(400, "bad-request");
    let detail = h
        .post_raw("/feedback", Some(TOKEN), b"not json")
        .problem(400, "bad-request");
    assert!(detail.starts_with("body"), "{detail}");
    h.post_raw("/feedback", Some(TOKEN), b"{} {}")
        .problem(400, "bad-request");
    h.post_raw("/queue/tickets", Some(TOKEN), b"[]")
        .problem(400, "bad-request");
    let r = h.post(
        "/queue/tickets",
        &json!({ "request_id": 5, "service_id": "ho-tich" }),
    );
    assert!(r.problem(400, "bad-request").starts_with("request_id"));

    let mut big = br#"{"request_id": "big", "rating": 1, "reason": ""#.to_vec();
    big.extend(std::iter::repeat_n(b'a', 1024 * 1024 + 1));
    big.extend(br#""}"#);
    h.post_raw("/feedback", Some(TOKEN), &big)
        .problem(413, "payload-too-large");
    // Nothing was stored: the same request id is still free.
    assert_eq!(
        h.post("/feedback", &json!({ "request_id": "big", "rating": 1 }))
            .status,
        201
    );
}

#[test]
fn unknown_paths_and_methods_are_problems() {
    let h = Harness::start();
    h.get("/nothing-here").problem(404, "not-found");
    h.get_with("/", Some(TOKEN), &[]).problem(404, "not-found");
    h.post("/catalog", &json!({}))
        .problem(405, "method-not-allowed");
}
