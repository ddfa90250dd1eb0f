//! A province on one server: offices with their own services, hours, kiosks, counters, numbers
//! and procedure overrides; the default office stays the one configured by flags.

use serde_json::{Value, json};

use crate::support::{ADMIN, COUNTER, Harness, KIOSK, TOKEN};

fn hai_chau() -> Value {
    json!({
        "id": "hai-chau",
        "name": "Trung tâm Phục vụ hành chính công phường Hải Châu",
        "address": "270 Trưng Nữ Vương, Đà Nẵng",
        "services": [
            { "id": "ho-tich", "name_vi": "Hộ tịch", "name_en": "Civil status", "prefix": "HT",
              "priority_allowed": true, "daily_cap": 300 },
            { "id": "cu-tru", "name_vi": "Cư trú", "name_en": "Residence", "prefix": "CR",
              "priority_allowed": false, "daily_cap": 200 }
        ],
        "hours": [
            { "weekday": 1, "opens": "07:00", "closes": "17:00" },
            { "weekday": 3, "opens": "07:00", "closes": "11:30" }
        ]
    })
}

/// Creates office hai-chau and a kiosk token for it.
fn with_second_office(h: &Harness) -> String {
    let r = h.post_as("/admin/offices", Some(ADMIN), &hai_chau());
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    let r = h.post_as(
        "/admin/offices/hai-chau/kiosks",
        Some(ADMIN),
        &json!({ "kiosk_id": "HC-01" }),
    );
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    let v = r.json();
    assert_eq!(
        (v["kiosk_id"].clone(), v["office_id"].clone()),
        (json!("HC-01"), json!("hai-chau"))
    );
    v["token"].as_str().expect("a token").to_string()
}

#[test]
fn offices_are_listed_and_created_once() {
    let h = Harness::start();
    let list = h.get_with("/admin/offices", Some(ADMIN), &[]).json();
    assert_eq!(list.as_array().map(Vec::len), Some(1));
    assert_eq!(list[0]["id"], "main");
    assert_eq!(list[0]["services"].as_array().map(Vec::len), Some(4));
    assert_eq!(list[0]["hours"].as_array().map(Vec::len), Some(12));

    with_second_office(&h);
    let list = h.get_with("/admin/offices", Some(ADMIN), &[]).json();
    assert_eq!(list.as_array().map(Vec::len), Some(2));
    assert_eq!(
        list[1]["name"],
        "Trung tâm Phục vụ hành chính công phường Hải Châu"
    );
    h.post_as("/admin/offices", Some(ADMIN), &hai_chau())
        .problem(409, "office-exists");

    for (field, bad) in [
        ("id", json!({ "id": "hải châu" })),
        (
            "services[0].prefix",
            json!({ "services": [{ "id": "x", "name_vi": "X", "name_en": "X", "prefix": "xx", "daily_cap": 1 }] }),
        ),
        (
            "services[0].daily_cap",
            json!({ "services": [{ "id": "x", "name_vi": "X", "name_en": "X", "prefix": "X", "daily_cap": 0 }] }),
        ),
        (
            "hours[0].opens",
            json!({ "hours": [{ "weekday": 1, "opens": "7:00", "closes": "17:00" }] }),
        ),
        (
            "hours[0].weekday",
            json!({ "hours": [{ "weekday": 8, "opens": "07:00", "closes": "17:00" }] }),
        ),
    ] {
        let mut office = hai_chau();
        office["id"] = json!("other");
        for (k, v) in bad.as_object().into_iter().flatten() {
            office[k] = v.clone();
        }
        let detail = h
            .post_as("/admin/offices", Some(ADMIN), &office)
            .problem(400, "bad-request");
        assert!(detail.starts_with(field), "{field}: {detail}");
    }
    h.post_as("/admin/offices", Some(TOKEN), &hai_chau())
        .problem(401, "unauthorized");
}

#[test]
fn each_office_has_its_own_services_numbers_and_kiosks() {
    let h = Harness::start_with(|c| c.always_open = true);
    let hc = with_second_office(&h);
    let board = h.get_with("/queue/services", Some(&hc), &[]).json();
    let ids: Vec<&str> = board["services"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["id"].as_str())
        .collect();
    assert_eq!(ids, ["ho-tich", "cu-tru"]);

    // Both offices start their own HT series.
    let ticket = |token: &str, id: &str| {
        h.ticket_as(token, &json!({ "request_id": id, "service_id": "ho-tich" }))
            .json()["number"]
            .clone()
    };
    assert_eq!(ticket(TOKEN, "m1"), "HT-001");
    assert_eq!(ticket(&hc, "h1"), "HT-001");
    assert_eq!(ticket(&hc, "h2"), "HT-002");
    assert_eq!(ticket(TOKEN, "m2"), "HT-002");
    // A service of another office is unknown here.
    h.ticket_as(
        TOKEN,
        &json!({ "request_id": "m3", "service_id": "cu-tru" }),
    )
    .problem(404, "unknown-service");

    // Counters call within their office.
    let r = h.post_as(
        "/admin/offices/hai-chau/counters",
        Some(ADMIN),
        &json!({ "counter": "2" }),
    );
    assert_eq!(r.status, 201);
    let hc_counter = r.json()["token"].as_str().expect("token").to_string();
    let call = |token: &str| {
        h.post_as(
            "/queue/services/ho-tich/call-next",
            Some(token),
            &json!({ "counter": "2" }),
        )
    };
    assert_eq!(call(&hc_counter).json()["number"], "HT-001");
    assert_eq!(call(&hc_counter).json()["number"], "HT-002");
    call(&hc_counter).problem(404, "queue-empty");
    assert_eq!(call(COUNTER).json()["number"], "HT-001", "main's own queue");

    // Heartbeats and the fleet list name the office.
    let r = h.post_as(
        "/kiosks/heartbeat",
        Some(&hc),
        &json!({ "kiosk_id": "HC-01", "version": "0.1.0", "printer": "ok" }),
    );
    assert_eq!(r.status, 200);
    let fleet = h.get_with("/admin/kiosks", Some(ADMIN), &[]).json();
    let hc_row = fleet
        .as_array()
        .and_then(|l| l.iter().find(|k| k["kiosk_id"] == "HC-01"))
        .cloned()
        .expect("HC-01 listed");
    assert_eq!(
        (hc_row["office_id"].clone(), hc_row["silent"].clone()),
        (json!("hai-chau"), json!(false))
    );

    // A kiosk id is one kiosk in the province.
    h.post_as(
        "/admin/offices/hai-chau/kiosks",
        Some(ADMIN),
        &json!({ "kiosk_id": KIOSK }),
    )
    .problem(409, "kiosk-taken");
    h.post_as(
        "/admin/offices/nowhere/kiosks",
        Some(ADMIN),
        &json!({ "kiosk_id": "X-1" }),
    )
    .problem(404, "not-found");
    // A new token replaces the old one.
    let r = h.post_as(
        "/admin/offices/hai-chau/kiosks",
        Some(ADMIN),
        &json!({ "kiosk_id": "HC-01" }),
    );
    let new_token = r.json()["token"].as_str().expect("token").to_string();
    assert_ne!(new_token, hc);
    assert_eq!(
        h.get_with("/queue/services", Some(&new_token), &[]).status,
        200
    );
}

#[test]
fn an_office_changes_a_shared_procedure_for_its_own_kiosks() {
    let h = Harness::start();
    let hc = with_second_office(&h);
    let code = "2.000815";
    let fee = |token: &str, since: Option<i64>| -> (i64, Option<Value>) {
        let path = since.map_or("/catalog".to_string(), |v| format!("/catalog?since={v}"));
        let v = h.get_with(&path, Some(token), &[]).json();
        let found = v["procedures"]
            .as_array()
            .and_then(|l| l.iter().find(|p| p["code"] == code))
            .map(|p| p["fee"].clone());
        (v["version"].as_i64().unwrap_or(0), found)
    };
    let (v1, shared) = fee(&hc, None);
    assert_eq!(v1, 1);
    let shared = shared.expect("in the catalog");

    let r = h.put_as(
        &format!("/admin/offices/hai-chau/procedures/{code}"),
        Some(ADMIN),
        &json!({ "fee": "3.000 đồng/trang (phường Hải Châu)" }),
    );
    assert_eq!(r.json()["version"], 2);
    // Hải Châu's kiosks get it as a delta; the default office sees nothing changed.
    assert_eq!(
        fee(&hc, Some(1)),
        (2, Some(json!("3.000 đồng/trang (phường Hải Châu)")))
    );
    assert_eq!(fee(TOKEN, Some(1)), (2, None));
    assert_eq!(fee(TOKEN, None).1, Some(shared.clone()));

    let r = h.delete_as(
        &format!("/admin/offices/hai-chau/procedures/{code}"),
        Some(ADMIN),
    );
    assert_eq!(r.json()["version"], 3);
    assert_eq!(fee(&hc, Some(2)), (3, Some(shared)));

    let path = format!("/admin/offices/hai-chau/procedures/{code}");
    assert!(
        h.put_as(&path, Some(ADMIN), &json!({ "name": "x" }))
            .problem(400, "bad-request")
            .starts_with("name")
    );
    assert!(
        h.put_as(&path, Some(ADMIN), &json!({ "fee": 3000 }))
            .problem(400, "bad-request")
            .starts_with("fee")
    );
    h.put_as(
        "/admin/offices/hai-chau/procedures/9.999999",
        Some(ADMIN),
        &json!({ "fee": "1" }),
    )
    .problem(404, "not-found");
}

#[test]
fn a_display_token_watches_its_own_office_only() {
    let h = Harness::start_with(|c| c.always_open = true);
    let hc = with_second_office(&h);
    let r = h.post_as(
        "/admin/offices/hai-chau/displays",
        Some(ADMIN),
        &json!({ "display": "Sảnh tầng 1" }),
    );
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    let issued = r.json();
    assert_eq!(
        (issued["display"].clone(), issued["office_id"].clone()),
        (json!("Sảnh tầng 1"), json!("hai-chau"))
    );
    let display = issued["token"].as_str().expect("a token").to_string();

    h.ticket_as(&hc, &json!({ "request_id": "h1", "service_id": "cu-tru" }));
    let board = h.get_with("/queue/services", Some(&display), &[]).json();
    let cu_tru = &board["services"][1];
    assert_eq!(
        (cu_tru["id"].clone(), cu_tru["waiting"].clone()),
        (json!("cu-tru"), json!(1))
    );
    assert_eq!(h.get_with("/queue/calls", Some(&display), &[]).status, 200);
    // It watches; it neither issues nor calls, nor reads the counters' statistics.
    h.ticket_as(
        &display,
        &json!({ "request_id": "d1", "service_id": "cu-tru" }),
    )
    .problem(401, "unauthorized");
    h.post_as("/queue/call-next", Some(&display), &json!({}))
        .problem(401, "unauthorized");
    h.get_with("/queue/stats", Some(&display), &[])
        .problem(401, "unauthorized");

    // Refused without the admin token, for an unknown office and for a blank name.
    h.post_as(
        "/admin/offices/hai-chau/displays",
        Some(COUNTER),
        &json!({ "display": "x" }),
    )
    .problem(401, "unauthorized");
    h.post_as(
        "/admin/offices/nowhere/displays",
        Some(ADMIN),
        &json!({ "display": "x" }),
    )
    .problem(404, "not-found");
    let detail = h
        .post_as(
            "/admin/offices/hai-chau/displays",
            Some(ADMIN),
            &json!({ "display": " " }),
        )
        .problem(400, "bad-request");
    assert!(detail.starts_with("display"), "{detail}");
}
