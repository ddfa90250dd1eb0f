use chrono::Duration;
use serde_json::{Value, json};

use crate::support::{ADMIN, Harness, KIOSK, KIOSK2, TOKEN};

fn kiosks(h: &Harness) -> Vec<Value> {
    let r = h.get_with("/admin/kiosks", Some(ADMIN), &[]);
    assert_eq!(r.status, 200);
    r.json().as_array().cloned().expect("array")
}

#[test]
fn heartbeats_and_silent_kiosks() {
    let h = Harness::start();
    let beat = json!({ "kiosk_id": KIOSK, "version": "0.1.0", "printer": "paper-near-end",
                       "catalog_version": 1, "outbox": 2, "uptime_s": 3600 });
    let r = h.post("/kiosks/heartbeat", &beat);
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json(),
        json!({ "server_time": "2026-11-25T09:00:00+07:00" })
    );

    let list = kiosks(&h);
    assert_eq!(list.len(), 2);
    assert_eq!(
        list[0],
        json!({ "kiosk_id": KIOSK, "office_id": "main", "last_seen": "2026-11-25T09:00:00+07:00", "version": "0.1.0",
                "printer": "paper-near-end", "catalog_version": 1, "outbox": 2, "uptime_s": 3600,
                "silent": false })
    );
    // A kiosk with a token that never reported is silent.
    assert_eq!(
        (list[1]["kiosk_id"].clone(), list[1]["silent"].clone()),
        (json!(KIOSK2), json!(true))
    );
    assert!(list[1]["last_seen"].is_null());

    h.time.advance(Duration::seconds(179));
    assert_eq!(kiosks(&h)[0]["silent"], false);
    h.time.advance(Duration::seconds(1));
    assert_eq!(kiosks(&h)[0]["silent"], true);
    assert_eq!(
        h.post(
            "/kiosks/heartbeat",
            &json!({ "kiosk_id": KIOSK, "version": "0.1.1", "printer": "ok" })
        )
        .status,
        200
    );
    let k = &kiosks(&h)[0];
    assert_eq!(
        (
            k["silent"].clone(),
            k["version"].clone(),
            k["outbox"].clone()
        ),
        (json!(false), json!("0.1.1"), json!(null))
    );
}

#[test]
fn heartbeat_errors() {
    let h = Harness::start();
    h.post(
        "/kiosks/heartbeat",
        &json!({ "kiosk_id": KIOSK2, "version": "0.1.0", "printer": "ok" }),
    )
    .problem(403, "forbidden");
    let r = h.post(
        "/kiosks/heartbeat",
        &json!({ "kiosk_id": KIOSK, "version": "0.1.0", "printer": "on-fire" }),
    );
    assert!(r.problem(400, "bad-request").starts_with("printer"));
    let r = h.post(
        "/kiosks/heartbeat",
        &json!({ "kiosk_id": KIOSK, "printer": "ok" }),
    );
    assert!(r.problem(400, "bad-request").starts_with("version"));
    let r = h.post(
        "/kiosks/heartbeat",
        &json!({ "kiosk_id": KIOSK, "version": "1", "printer": "ok", "outbox": -1 }),
    );
    assert!(r.problem(400, "bad-request").starts_with("outbox"));
    h.get_with("/admin/kiosks", Some(TOKEN), &[])
        .problem(401, "unauthorized");
}
