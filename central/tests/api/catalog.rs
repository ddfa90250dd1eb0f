use serde_json::{Value, json};

use crate::support::{ADMIN, Harness, TOKEN};

/// The real procedures of `assets/catalog/procedures.json`, the server's first catalog.
const SEED_PROCEDURES: usize = 326;

fn seed() -> Vec<Value> {
    serde_json::from_str(motcua_central::seed::seed_procedures_json()).expect("seed JSON")
}

#[test]
fn full_catalog_then_304_on_matching_etag() {
    let h = Harness::start();
    let r = h.get("/catalog");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("etag"), Some("\"catalog-v1\""));
    let v = r.json();
    assert_eq!(v["version"], 1);
    assert_eq!(v["full"], true);
    assert_eq!(v["removed"], json!([]));
    assert_eq!(v["generated_at"], "2026-11-25T09:00:00+07:00");
    let procs = v["procedures"].as_array().expect("procedures");
    assert_eq!(procs.len(), SEED_PROCEDURES);
    assert!(
        procs
            .iter()
            .all(|p| p["code"].is_string() && p["name"].is_string())
    );
    // Every real record has its national code, in the file's order.
    assert!(
        procs
            .iter()
            .zip(seed())
            .all(|(served, seeded)| served["code"] == seeded["code"])
    );
    assert_eq!(procs[0]["code"], "2.000528");
    assert_eq!(procs[0]["name"], seed()[0]["name"]);
    assert_eq!(v["fields"][0], "Hộ tịch");
    assert!(
        v["fields"]
            .as_array()
            .is_some_and(|f| f.contains(&json!("Đất đai")))
    );

    let r = h.get_with(
        "/catalog",
        Some(TOKEN),
        &[("If-None-Match", "\"catalog-v1\"")],
    );
    assert_eq!(r.status, 304);
    assert!(r.body.is_empty());
    assert_eq!(r.header("etag"), Some("\"catalog-v1\""));
    // A list and a weak tag match too; another tag does not.
    let r = h.get_with(
        "/catalog",
        Some(TOKEN),
        &[("If-None-Match", "\"x\", W/\"catalog-v1\"")],
    );
    assert_eq!(r.status, 304);
    let r = h.get_with(
        "/catalog",
        Some(TOKEN),
        &[("If-None-Match", "\"catalog-v0\"")],
    );
    assert_eq!(r.status, 200);
}

#[test]
fn admin_import_gives_a_delta_with_removed_codes() {
    let h = Harness::start();
    let mut procs = seed();
    let removed = procs.remove(1)["code"].as_str().expect("code").to_string();
    procs[0]["name"] = json!("Thủ tục đăng ký khai sinh có yếu tố nước ngoài (sửa đổi)");
    procs.push(json!({ "code": "9.999999", "name": "Thủ tục thử nghiệm", "field": "Thử nghiệm" }));
    let r = h.post_as("/admin/catalog", Some(ADMIN), &Value::Array(procs));
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(
        r.json(),
        json!({ "version": 2, "procedures": SEED_PROCEDURES, "changed": 2, "removed": 1 })
    );

    let r = h.get("/catalog?since=1");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("etag"), Some("\"catalog-v2\""));
    let v = r.json();
    assert_eq!(v["full"], false);
    assert_eq!(v["version"], 2);
    let codes: Vec<&str> = v["procedures"]
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|p| p["code"].as_str())
        .collect();
    assert_eq!(codes, ["2.000528", "9.999999"]);
    assert_eq!(v["removed"], json!([removed]));
    assert!(
        v["fields"]
            .as_array()
            .is_some_and(|f| f.contains(&json!("Thử nghiệm")))
    );

    // The old ETag no longer matches; the current one does.
    assert_eq!(
        h.get_with(
            "/catalog?since=1",
            Some(TOKEN),
            &[("If-None-Match", "\"catalog-v1\"")]
        )
        .status,
        200
    );
    assert_eq!(
        h.get_with(
            "/catalog?since=1",
            Some(TOKEN),
            &[("If-None-Match", "\"catalog-v2\"")]
        )
        .status,
        304
    );
    // Since the current version: an empty delta.
    let v = h.get("/catalog?since=2").json();
    assert_eq!(
        (
            v["full"].clone(),
            v["procedures"].clone(),
            v["removed"].clone()
        ),
        (json!(false), json!([]), json!([]))
    );
    // Unknown versions: the full catalog.
    for since in ["0", "99", "-3"] {
        let v = h.get(&format!("/catalog?since={since}")).json();
        assert_eq!(v["full"], true, "since={since}");
        assert_eq!(
            v["procedures"].as_array().map(Vec::len),
            Some(SEED_PROCEDURES)
        );
    }
    h.get("/catalog?since=abc").problem(400, "bad-request");

    // Putting the removed procedure back: changed, no longer removed. A code added and
    // removed after V is still listed (deleting what a kiosk lacks is harmless).
    let r = h.post_as("/admin/catalog", Some(ADMIN), &Value::Array(seed()));
    assert_eq!(r.json()["version"], 3);
    let v = h.get("/catalog?since=1").json();
    assert_eq!(v["removed"], json!(["9.999999"]));
    assert!(
        v["procedures"]
            .as_array()
            .is_some_and(|p| p.iter().any(|p| p["code"] == removed.as_str()))
    );
    let v = h.get("/catalog?since=2").json();
    assert_eq!(v["removed"], json!(["9.999999"]));
}

#[test]
fn bad_import_changes_nothing() {
    let h = Harness::start();
    let r = h.post_as(
        "/admin/catalog",
        Some(ADMIN),
        &json!([{ "code": "1.1" , "name": "A" }, { "code": "1.2" }]),
    );
    let detail = r.problem(400, "bad-request");
    assert!(detail.starts_with("[1].name"), "{detail}");
    let r = h.post_as(
        "/admin/catalog",
        Some(ADMIN),
        &json!([{ "code": "1.1", "name": "A" }, { "code": "1.1", "name": "B" }]),
    );
    assert!(r.problem(422, "duplicate-code").starts_with("[1].code"));
    h.post_as("/admin/catalog", Some(ADMIN), &json!({ "code": "1.1" }))
        .problem(400, "bad-request");
    h.post_as("/admin/catalog", Some(TOKEN), &json!([]))
        .problem(401, "unauthorized");
    assert_eq!(h.get("/catalog").json()["version"], 1);
}

#[test]
fn a_large_catalog_streams_whole_and_in_order() {
    let h = Harness::start();
    // Four copies of the real catalog under new codes: about 11 MB of JSON, many pieces.
    let mut procs = Vec::new();
    for copy in 0..4 {
        for (i, p) in seed().into_iter().enumerate() {
            let mut p = p;
            p["code"] = json!(format!("9.{copy}{i:05}"));
            procs.push(p);
        }
    }
    let r = h.post_as("/admin/catalog", Some(ADMIN), &Value::Array(procs.clone()));
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));

    let r = h.get("/catalog");
    assert_eq!(r.status, 200);
    // Streamed: no length announced, sent in chunks.
    assert_eq!(r.header("transfer-encoding"), Some("chunked"));
    assert_eq!(r.header("content-length"), None);
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert!(r.body.len() > 10_000_000, "{} bytes", r.body.len());
    let v = r.json();
    assert_eq!(
        (v["version"].clone(), v["full"].clone()),
        (json!(2), json!(true))
    );
    assert_eq!(v["removed"], json!([]));
    let served = v["procedures"].as_array().expect("procedures");
    assert_eq!(served.len(), procs.len());
    for (served, sent) in served.iter().zip(&procs) {
        assert_eq!(served["code"], sent["code"]);
        assert_eq!(served["name"], sent["name"]);
        if sent["documents"].is_array() {
            assert_eq!(served["documents"], sent["documents"], "{}", sent["code"]);
        }
    }
}

#[test]
fn synonyms_come_with_every_catalog_answer_and_an_admin_replaces_them() {
    let h = Harness::start();
    // Until an admin sets the office's own, the bundled table is served.
    let v = h.get("/catalog").json();
    let bundled = v["synonyms"].as_array().expect("synonyms").clone();
    assert_eq!(bundled.len(), motcua_catalog::BUNDLED_SYNONYMS.len());
    assert!(
        bundled
            .contains(&json!({ "words": "sổ đỏ", "means": "giấy chứng nhận quyền sử dụng đất" }))
    );

    let table = json!([
        { "words": "sổ đỏ", "means": "giấy chứng nhận quyền sử dụng đất" },
        { "words": "thủ tục" },
        { "words": "  <script>alert(1)</script> \"*\" 🙂 ", "means": "khai sinh" },
    ]);
    let r = h.put_as("/admin/catalog/synonyms", Some(ADMIN), &table);
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json(), json!({ "version": 2, "synonyms": 3 }));
    // A new version: kiosks holding the old one get the table, in a delta as in a full answer.
    let r = h.get_with(
        "/catalog",
        Some(TOKEN),
        &[("If-None-Match", "\"catalog-v1\"")],
    );
    assert_eq!(r.status, 200);
    let delta = h.get("/catalog?since=1").json();
    assert_eq!(delta["full"], false);
    assert_eq!(delta["procedures"], json!([]));
    let expected = json!([
        { "words": "sổ đỏ", "means": "giấy chứng nhận quyền sử dụng đất" },
        { "words": "thủ tục", "means": "" },
        { "words": "<script>alert(1)</script> \"*\" 🙂", "means": "khai sinh" },
    ]);
    assert_eq!(delta["synonyms"], expected);
    assert_eq!(h.get("/catalog").json()["synonyms"], expected);
    // An empty table is a choice: no synonyms at all.
    let r = h.put_as("/admin/catalog/synonyms", Some(ADMIN), &json!([]));
    assert_eq!(r.status, 200);
    assert_eq!(h.get("/catalog").json()["synonyms"], json!([]));
}

#[test]
fn a_malformed_synonym_table_is_refused_whole() {
    let h = Harness::start();
    let long = "a".repeat(201);
    for (body, at) in [
        (json!({ "words": "sổ đỏ" }), "body"),
        (json!(["sổ đỏ"]), "[0]"),
        (json!([{ "means": "chứng thực" }]), "[0].words"),
        (json!([{ "words": "   " }]), "[0].words"),
        (json!([{ "words": "ok" }, { "words": 7 }]), "[1].words"),
        (json!([{ "words": long }]), "[0].words"),
        (json!([{ "words": "ok", "means": null }]), "[0].means"),
        (json!([{ "words": "ok", "note": "x" }]), "[0].note"),
    ] {
        let r = h.put_as("/admin/catalog/synonyms", Some(ADMIN), &body);
        let detail = r.problem(400, "bad-request");
        assert!(detail.starts_with(at), "{body}: {detail}");
    }
    let many: Vec<Value> = (0..=motcua_catalog::MAX_SYNONYMS)
        .map(|i| json!({ "words": format!("w{i}") }))
        .collect();
    let r = h.put_as("/admin/catalog/synonyms", Some(ADMIN), &Value::Array(many));
    r.problem(400, "bad-request");
    // Only an admin sets them.
    let r = h.put_as("/admin/catalog/synonyms", Some(TOKEN), &json!([]));
    assert_eq!(r.status, 401);
    // Nothing changed: still version 1, still the bundled table.
    let v = h.get("/catalog").json();
    assert_eq!(v["version"], 1);
    assert_eq!(
        v["synonyms"].as_array().map(Vec::len),
        Some(motcua_catalog::BUNDLED_SYNONYMS.len())
    );
}

#[test]
fn a_procedures_common_weight_is_a_whole_number_from_0_to_100() {
    let h = Harness::start();
    let mut procs = seed();
    procs[0]["common_weight"] = json!(100);
    procs[1]["common_weight"] = json!(0);
    procs[2]["common_weight"] = Value::Null;
    let r = h.post_as("/admin/catalog", Some(ADMIN), &Value::Array(procs.clone()));
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let v = h.get("/catalog").json();
    assert_eq!(v["procedures"][0]["common_weight"], 100);
    assert_eq!(v["procedures"][1]["common_weight"], 0);
    // A whole number written with a fraction is that whole number.
    procs[0]["common_weight"] = json!(32.0);
    let r = h.post_as("/admin/catalog", Some(ADMIN), &Value::Array(procs.clone()));
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let served = &h.get("/catalog").json()["procedures"][0]["common_weight"];
    assert!(served.is_u64() && served == 32, "{served}");
    for bad in [json!(101), json!(-1), json!(2.5), json!("50")] {
        procs[0]["common_weight"] = bad.clone();
        let r = h.post_as("/admin/catalog", Some(ADMIN), &Value::Array(procs.clone()));
        let detail = r.problem(400, "bad-request");
        assert!(detail.starts_with("[0].common_weight"), "{bad}: {detail}");
    }
}
