//! What operators watch: liveness, readiness, Prometheus metrics, request ids.

use serde_json::json;

use crate::support::{Harness, KIOSK, TOKEN, request};

#[test]
fn health_readiness_metrics_and_request_ids() {
    let h = Harness::start();
    let plain = |path: &str| request(h.server.addr(), "GET", path, &[], None);
    let r = plain("/healthz");
    assert_eq!((r.status, r.json()), (200, json!({ "status": "ok" })));
    let r = plain("/readyz");
    assert_eq!((r.status, r.json()), (200, json!({ "status": "ready" })));

    assert_eq!(h.ticket("m1", "ho-tich", "none").status, 201);
    let beat = json!({ "kiosk_id": KIOSK, "version": "0.1.0", "printer": "ok" });
    assert_eq!(h.post("/kiosks/heartbeat", &beat).status, 200);
    h.get("/dossiers/000.00.20.H15-261125-9999")
        .problem(404, "not-found");

    let r = plain("/metrics");
    assert_eq!(r.status, 200);
    assert!(
        r.header("content-type")
            .is_some_and(|t| t.starts_with("text/plain"))
    );
    let text = String::from_utf8_lossy(&r.body).to_string();
    for line in [
        "motcua_http_requests_total{route=\"/api/v1/queue/tickets\",method=\"POST\",status=\"201\"} 1",
        "motcua_http_requests_total{route=\"/api/v1/dossiers/{code}\",method=\"GET\",status=\"404\"} 1",
        "motcua_tickets_issued_total 1",
        "motcua_connected_kiosks 1",
    ] {
        assert!(text.contains(line), "{line} missing from:\n{text}");
    }
    assert!(text.contains(
        "motcua_http_request_duration_seconds_bucket{route=\"/api/v1/queue/tickets\",le=\"+Inf\"} 1"
    ));
    // Route patterns, never what a citizen typed.
    assert!(!text.contains("H15-261125-9999"), "{text}");

    // Every answer carries a request id; a plain one from the client is kept.
    let r = h.get("/queue/services");
    assert!(r.header("x-request-id").is_some_and(|id| id.len() == 16));
    let r = h.get_with(
        "/queue/services",
        Some(TOKEN),
        &[("X-Request-Id", "lb-7f3a-0001")],
    );
    assert_eq!(r.header("x-request-id"), Some("lb-7f3a-0001"));
    let r = h.get_with(
        "/queue/services",
        Some(TOKEN),
        &[("X-Request-Id", "bad id <script>")],
    );
    assert_ne!(r.header("x-request-id"), Some("bad id <script>"));
}
