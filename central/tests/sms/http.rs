//! The `http` gateway against a stand-in shaped like eSMS.vn's JSON API (no provider can be
//! reached from here): what it posts, and how each answer is read.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::StatusCode;
use axum::response::IntoResponse;
use motcua_central::sms::config::HttpConfig;
use motcua_central::sms::{Gateway, OutgoingSms, SendError, SmsConfig, text};
use serde_json::{Value, json};

/// A JSON answer (axum's `json` feature is off in this crate).
fn answer(v: Value) -> axum::response::Response {
    ([("content-type", "application/json")], v.to_string()).into_response()
}

type Seen = Arc<Mutex<Vec<(Option<String>, Value)>>>;

/// Answers by phone: 0900000001 → 429, 0900000002 → 500, 0900000003 → code 99 (transient
/// in our config), 0900000004 → code 118 with an error text echoing the number, else 100.
async fn provider() -> (String, Seen) {
    let seen: Seen = Arc::default();
    let keep = seen.clone();
    let app = axum::Router::new().route(
        "/MainService.svc/json/SendMultipleMessage_V4_post_json/",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
            let keep = keep.clone();
            async move {
                let v: Value = serde_json::from_str(&body).expect("the gateway posts JSON");
                let key = headers
                    .get("x-api-key")
                    .and_then(|h| h.to_str().ok())
                    .map(str::to_string);
                keep.lock().expect("lock").push((key, v.clone()));
                match v["Phone"].as_str().unwrap_or_default() {
                    "0900000001" => (StatusCode::TOO_MANY_REQUESTS, [("retry-after", "7")], "slow down").into_response(),
                    "0900000002" => (StatusCode::INTERNAL_SERVER_ERROR, "oops").into_response(),
                    "0900000003" => answer(json!({"CodeResult": "99", "ErrorMessage": "try later"})).into_response(),
                    "0900000004" => answer(json!({"CodeResult": 118, "ErrorMessage": "0900000004 is not a valid number"})).into_response(),
                    _ => answer(json!({"CodeResult": "100", "CountRegenerate": 0, "SMSID": "esms-42"})).into_response(),
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}"), seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn posts_the_template_and_reads_every_answer() {
    let (base, seen) = provider().await;
    let example = HttpConfig::ESMS_EXAMPLE
        .replace("[sms.http]", "[http]")
        .replace("https://rest.esms.vn", &base)
        .replace(
            "headers = { \"Content-Type\" = \"application/json\" }",
            "headers = { \"Content-Type\" = \"application/json\", \"X-Api-Key\" = \"k-1\" }",
        )
        .replace("transient_values = []", "transient_values = [\"99\"]");
    let config: SmsConfig =
        toml::from_str(&format!("gateway = \"http\"\n{example}")).expect("parses");
    let settings = config.check().expect("checks");
    let (tx, _rx) = tokio::sync::mpsc::channel(8);
    let gateway = Gateway::start(&settings, tx).expect("gateway");
    let hostile = "Hồ sơ \"A&B\" <script>alert(1)</script> \\ đã có kết quả 👍";
    let p = text::prepare(hostile, 3).expect("fits");

    let ok = gateway
        .send(&OutgoingSms::new("h-1", "0912345678", &p))
        .await
        .expect("accepted");
    assert_eq!(ok.gateway_id.as_deref(), Some("esms-42"));
    let (key, body) = seen.lock().expect("lock")[0].clone();
    assert_eq!(key.as_deref(), Some("k-1"));
    assert_eq!(body["Phone"], "0912345678");
    assert_eq!(body["Content"], hostile);
    assert_eq!(body["IsUnicode"], "1");
    assert_eq!(body["RequestId"], "h-1");
    assert_eq!(body["SmsType"], "2");

    let send = |to: &'static str| {
        let sms = OutgoingSms::new("h-2", to, &p);
        let g = &gateway;
        async move { g.send(&sms).await.expect_err("not accepted") }
    };
    assert_eq!(
        send("0900000001").await,
        SendError::Throttled(Duration::from_secs(7))
    );
    assert!(matches!(send("0900000002").await, SendError::Transient(s) if s.contains("500: oops")));
    assert_eq!(
        send("0900000003").await,
        SendError::Transient("provider said /CodeResult = \"99\": try later".into())
    );
    // Refused for good, and the number the provider echoed is masked.
    assert_eq!(
        send("0900000004").await,
        SendError::Rejected(
            "provider said /CodeResult = \"118\": 09xxxxx004 is not a valid number".into()
        )
    );

    // The provider is gone: temporary.
    let down: SmsConfig = toml::from_str(&format!(
        "gateway = \"http\"\n{}",
        HttpConfig::ESMS_EXAMPLE
            .replace("[sms.http]", "[http]")
            .replace(
                "https://rest.esms.vn",
                &format!("http://127.0.0.1:{}", crate::support::free_port())
            )
    ))
    .expect("parses");
    let (tx, _rx) = tokio::sync::mpsc::channel(8);
    let e = Gateway::start(&down.check().expect("checks"), tx)
        .expect("gateway")
        .send(&OutgoingSms::new("h-3", "0912345678", &p))
        .await
        .expect_err("down");
    assert!(
        matches!(&e, SendError::Transient(s) if s.contains("cannot connect")),
        "{e:?}"
    );
}

#[tokio::test]
async fn none_sends_nothing_and_says_so() {
    let settings = SmsConfig::default().check().expect("checks");
    let (tx, _rx) = tokio::sync::mpsc::channel(8);
    let gateway = Gateway::start(&settings, tx).expect("gateway");
    assert_eq!(gateway.kind(), "none");
    let p = text::prepare("x", 3).expect("fits");
    let e = gateway
        .send(&OutgoingSms::new("n-1", "0912345678", &p))
        .await
        .expect_err("disabled");
    assert_eq!(e, SendError::Disabled);
    assert_eq!(
        e.to_string(),
        "sending SMS is disabled ([sms] gateway = \"none\")"
    );
}
