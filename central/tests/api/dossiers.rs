use chrono::Duration;
use motcua_central::dossier::mask_name;
use motcua_central::seed::sample_dossiers;
use serde_json::json;

use crate::support::{ADMIN, Harness, TOKEN, TOKEN2};

#[test]
fn every_sample_dossier_masked_with_its_timeliness() {
    let h = Harness::start_with(|c| c.dossier_lookups_per_minute = 100);
    let samples = sample_dossiers(h.server.seeded_on());
    assert_eq!(
        h.server.seeded_on(),
        chrono::NaiveDate::from_ymd_opt(2026, 11, 25).expect("date")
    );
    assert!(samples.len() >= 14);
    for status in 1..=10 {
        assert!(
            samples.iter().any(|s| s.dossier.status == status),
            "status {status}"
        );
    }
    for (status, cases) in [
        (4, &["on-time", "due-today", "late"][..]),
        (9, &["early", "on-time", "late"]),
        (10, &["early", "on-time", "late"]),
    ] {
        for case in cases {
            assert!(
                samples
                    .iter()
                    .any(|s| s.dossier.status == status && s.timeliness_on_seed_day == *case),
                "{status} {case}"
            );
        }
    }
    for s in &samples {
        let d = &s.dossier;
        assert!(
            d.code.starts_with(&format!(
                "000.00.20.H15-{}-",
                d.received_at.format("%y%m%d")
            )),
            "{}",
            d.code
        );
        let r = h.get(&format!("/dossiers/{}", d.code));
        assert_eq!(r.status, 200, "{}", d.code);
        let v = r.json();
        assert_eq!(v["code"], d.code.as_str());
        assert_eq!(v["procedure_code"], d.procedure_code.as_str());
        assert_eq!(v["status"]["code"], d.status);
        assert!(
            v["status"]["label_vi"]
                .as_str()
                .is_some_and(|l| !l.is_empty())
        );
        assert!(
            v["status"]["label_en"]
                .as_str()
                .is_some_and(|l| !l.is_empty())
        );
        assert_eq!(v["timeliness"], s.timeliness_on_seed_day, "{}", d.code);
        assert_eq!(v["applicant"], mask_name(&d.applicant_name));
        assert!(
            !r.body
                .windows(d.applicant_name.len())
                .any(|w| w == d.applicant_name.as_bytes()),
            "full name leaked"
        );
        assert_eq!(v["steps"].as_array().map(Vec::len), Some(d.steps.len()));
        assert_eq!(v["returned_at"].is_null(), d.returned_at.is_none());
    }
    let an = samples
        .iter()
        .find(|s| s.dossier.applicant_name == "Nguyễn Văn An")
        .expect("sample");
    let v = h
        .get(&format!("/dossiers/{}", an.dossier.code.to_lowercase()))
        .json();
    assert_eq!(v["applicant"], "Nguyễn V*** A**");
    assert_eq!(
        v["status"],
        json!({ "code": 4, "label_vi": "Đang xử lý", "label_en": "Being processed" })
    );
    assert_eq!(
        v["steps"][0],
        json!({ "at": an.dossier.steps[0].at.to_rfc3339(), "unit": "Bộ phận Một cửa", "action": "Tiếp nhận hồ sơ" })
    );
}

#[test]
fn timeliness_follows_the_clock() {
    let h = Harness::start();
    let samples = sample_dossiers(h.server.seeded_on());
    let find = |status: u8, case: &str| {
        samples
            .iter()
            .find(|s| s.dossier.status == status && s.timeliness_on_seed_day == case)
            .map(|s| s.dossier.code.clone())
            .expect("sample")
    };
    let (due_today, on_time, early) = (find(4, "due-today"), find(4, "on-time"), find(9, "early"));
    h.time.advance(Duration::days(1));
    assert_eq!(
        h.get(&format!("/dossiers/{due_today}")).json()["timeliness"],
        "late"
    );
    assert_eq!(
        h.get(&format!("/dossiers/{on_time}")).json()["timeliness"],
        "on-time"
    );
    // Finished dossiers keep their verdict whatever the day.
    assert_eq!(
        h.get(&format!("/dossiers/{early}")).json()["timeliness"],
        "early"
    );
    h.time.advance(Duration::days(2));
    assert_eq!(
        h.get(&format!("/dossiers/{on_time}")).json()["timeliness"],
        "due-today"
    );
}

#[test]
fn lookup_errors_and_rate_limit() {
    let h = Harness::start_with(|c| c.dossier_lookups_per_minute = 4);
    h.get("/dossiers/000.00.20.H15-261125-9999")
        .problem(404, "not-found");
    h.get("/dossiers/abc").problem(400, "bad-request");
    h.get("/dossiers/000.00.20.H15%20261125")
        .problem(400, "bad-request");
    h.get(&format!("/dossiers/{}", "1".repeat(41)))
        .problem(400, "bad-request");
    let r = h.get("/dossiers/000.00.20.H15-261125-0001");
    r.problem(429, "rate-limited");
    let retry: u64 = r
        .header("retry-after")
        .and_then(|s| s.parse().ok())
        .expect("Retry-After");
    assert!((1..=60).contains(&retry), "{retry}");
    // Per kiosk: another kiosk is not affected.
    let other = h.get_with("/dossiers/000.00.20.H15-261125-9999", Some(TOKEN2), &[]);
    other.problem(404, "not-found");
    h.get_with("/dossiers/000.00.20.H15-261125-9999", None, &[])
        .problem(401, "unauthorized");
    let _ = TOKEN;
}

#[test]
fn admin_adds_and_replaces_dossiers() {
    let h = Harness::start();
    let dossier = |status: u8, returned: Option<&str>| {
        json!([{
            "code": "000.00.20.h15-261120-0099", "procedure_code": "2.000815",
            "procedure_name": "Chứng thực bản sao từ bản chính", "applicant_name": "Lê Thị Na",
            "status": status, "received_at": "2026-11-20T08:00:00+07:00",
            "due_at": "2026-11-20T17:00:00+07:00", "returned_at": returned,
            "steps": [{ "at": "2026-11-20T08:00:00+07:00", "unit": "Bộ phận Một cửa", "action": "Tiếp nhận hồ sơ" }]
        }])
    };
    let r = h.post_as("/admin/dossiers", Some(ADMIN), &dossier(4, None));
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json(),
        json!({ "added": 1, "replaced": 0, "messages": 0 })
    );
    let v = h.get("/dossiers/000.00.20.H15-261120-0099").json();
    assert_eq!(
        (v["applicant"].clone(), v["timeliness"].clone()),
        (json!("Lê T*** N**"), json!("late"))
    );
    let r = h.post_as(
        "/admin/dossiers",
        Some(ADMIN),
        &dossier(10, Some("2026-11-20T16:00:00+07:00")),
    );
    assert_eq!(
        r.json(),
        json!({ "added": 0, "replaced": 1, "messages": 0 })
    );
    let v = h.get("/dossiers/000.00.20.H15-261120-0099").json();
    assert_eq!(
        (v["status"]["code"].clone(), v["timeliness"].clone()),
        (json!(10), json!("on-time"))
    );
    assert_eq!(v["returned_at"], "2026-11-20T16:00:00+07:00");

    let mut bad = dossier(11, None);
    assert!(
        h.post_as("/admin/dossiers", Some(ADMIN), &bad)
            .problem(400, "bad-request")
            .starts_with("[0].status")
    );
    bad[0]["status"] = json!(4);
    bad[0]["due_at"] = json!("soon");
    assert!(
        h.post_as("/admin/dossiers", Some(ADMIN), &bad)
            .problem(400, "bad-request")
            .starts_with("[0].due_at")
    );
    h.post("/admin/dossiers", &dossier(4, None))
        .problem(401, "unauthorized");
}
