//! SMS to citizens, as the server decides them: a ticket's turn near and its call, a dossier's
//! statuses for its subscribers (once each), lateness, what is kept and for how long. The
//! gateway here is an address where nothing listens, so messages stay in the outbox to be
//! looked at (`GET /admin/sms`); tests/sms sends them through real Kannel.

use std::time::Duration;

use chrono::Duration as Days;
use motcua_central::sms::{SmsConfig, SmsSettings};
use serde_json::{Value, json};

use crate::support::{ADMIN, COUNTER, Harness, TOKEN};

const PHONE: &str = "0912345678";
const PHONE2: &str = "0387654321";

/// `[sms]` with an HTTP gateway on a port where nothing listens.
pub fn settings(extra: &str) -> SmsSettings {
    let text = format!(
        r#"gateway = "http"
notify_when_ahead = 3
{extra}
[http]
url = "http://127.0.0.1:9/send"
body = '{{"to": "{{to}}", "text": "{{text}}"}}'
success_pointer = "/ok"
success_value = "true"
"#
    );
    let config: SmsConfig = toml::from_str(&text).expect("[sms] parses");
    config.check().expect("[sms] checks")
}

fn harness() -> Harness {
    Harness::start_with(|c| {
        c.always_open = true;
        c.sms = Some(settings(""));
        c.housekeeping_every = Duration::from_millis(200);
    })
}

fn messages(h: &Harness, query: &str) -> Vec<Value> {
    let r = h.get_with(&format!("/admin/sms{query}"), Some(ADMIN), &[]);
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    r.json()["messages"].as_array().cloned().unwrap_or_default()
}

fn by_trigger(h: &Harness, trigger: &str) -> Vec<Value> {
    messages(h, "")
        .into_iter()
        .filter(|m| m["trigger"] == trigger)
        .collect()
}

fn ticket(h: &Harness, id: &str, phone: Option<&str>) -> Value {
    let mut body = json!({ "request_id": id, "service_id": "ho-tich" });
    if let Some(p) = phone {
        body["phone"] = json!(p);
    }
    let r = h.ticket_as(TOKEN, &body);
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    r.json()
}

fn call(h: &Harness) -> Value {
    let r = h.call_next("ho-tich");
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    r.json()
}

/// A row count or value from the server's own database.
fn count(h: &Harness, query: &str) -> i64 {
    h.scalar(query)
}

#[test]
fn a_ticket_hears_its_turn_near_and_its_call_once_each() {
    let h = harness();
    ticket(&h, "t1", None);
    // Issued with one ahead: no "near" message, only its call later.
    ticket(&h, "t2", Some(PHONE2));
    for i in 3..=5 {
        ticket(&h, &format!("t{i}"), None);
    }
    let sixth = ticket(&h, "t6", Some(PHONE));
    assert_eq!(sixth["people_ahead"], 5);
    assert!(messages(&h, "").is_empty());

    call(&h); // HT-001: five wait, HT-006 has 4 ahead
    assert!(by_trigger(&h, "turn-near").is_empty());
    let second = call(&h); // HT-002 (with a phone) called; HT-006 has 3 ahead
    let near = by_trigger(&h, "turn-near");
    assert_eq!(near.len(), 1, "{near:?}");
    assert!(
        near[0]["text"]
            .as_str()
            .is_some_and(|t| t.contains("sắp đến lượt số HT-006")),
        "{}",
        near[0]["text"]
    );
    assert_eq!(near[0]["phone"], "09xxxxx678");
    assert_eq!(near[0]["encoding"], "ucs2");
    let called = by_trigger(&h, "called");
    assert_eq!(called.len(), 1, "{called:?}");
    assert!(
        called[0]["text"]
            .as_str()
            .is_some_and(|t| t.contains("mời số HT-002 đến quầy 3")),
        "{}",
        called[0]["text"]
    );
    assert_eq!(called[0]["phone"], "03xxxxx321");

    // Further calls (at another counter: counter 3 still serves HT-002): no second "near"; a
    // recall of a called ticket sends nothing more.
    let other = h.post_as(
        "/queue/call-next",
        Some(COUNTER),
        &json!({ "counter": "4", "services": ["ho-tich"] }),
    );
    assert_eq!(other.status, 200);
    assert_eq!(by_trigger(&h, "turn-near").len(), 1);
    let id = second["ticket_id"].as_str().expect("ticket id");
    let recall = |h: &Harness| {
        h.post_as(
            &format!("/queue/tickets/{id}/recall"),
            Some(COUNTER),
            &json!({ "counter": "3" }),
        )
    };
    assert_eq!(recall(&h).status, 200);
    assert_eq!(by_trigger(&h, "called").len(), 1);
    // Marked absent, then called back: the phone hears it once more.
    let absent = h.post_as(
        &format!("/queue/tickets/{id}/no-show"),
        Some(COUNTER),
        &json!({ "counter": "3" }),
    );
    assert_eq!(absent.status, 200);
    assert_eq!(recall(&h).status, 200);
    assert_eq!(recall(&h).status, 200);
    assert_eq!(by_trigger(&h, "called").len(), 2);

    // The number is kept with the ticket for its office day only.
    let phones = "SELECT COUNT(*) FROM tickets WHERE phone IS NOT NULL";
    assert_eq!(count(&h, phones), 2);
    h.time.advance(Days::days(1));
    assert!(eventually(|| count(&h, phones) == 0), "ticket phones kept");
}

#[test]
fn an_office_without_sms_keeps_no_phone_and_takes_no_subscription() {
    let h = Harness::start_with(|c| c.always_open = true);
    ticket(&h, "t1", Some(PHONE));
    assert_eq!(
        count(&h, "SELECT COUNT(*) FROM tickets WHERE phone IS NOT NULL"),
        0
    );
    add_dossier(&h, "H56.22-250101-0001", 4, 3);
    subscribe(&h, "s1", "H56.22-250101-0001", PHONE).problem(409, "sms-unavailable");
    let list = h.get_with("/admin/sms", Some(ADMIN), &[]).json();
    assert_eq!(list["sending"], false);
}

fn add_dossier(h: &Harness, code: &str, status: u8, due_in_days: i64) {
    let now = h.time.get();
    let r = h.post_as(
        "/admin/dossiers",
        Some(ADMIN),
        &json!([{
            "code": code, "procedure_code": "1.001612",
            "procedure_name": "Đăng ký khai sinh", "applicant_name": "Nguyễn Văn An",
            "status": status,
            "received_at": (now - Days::days(5)).to_rfc3339(),
            "due_at": (now + Days::days(due_in_days)).to_rfc3339(),
            "steps": []
        }]),
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
}

fn subscribe(h: &Harness, request_id: &str, code: &str, phone: &str) -> crate::support::Response {
    h.post_as(
        &format!("/dossiers/{code}/subscriptions"),
        Some(TOKEN),
        &json!({ "request_id": request_id, "phone": phone }),
    )
}

fn set_status(h: &Harness, code: &str, status: u8) -> Value {
    let r = h.post_as(
        &format!("/admin/dossiers/{code}/status"),
        Some(ADMIN),
        &json!({ "status": status }),
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    r.json()
}

const CODE: &str = "H56.22-250101-0001";

#[test]
fn subscribers_hear_each_status_once_and_are_forgotten_at_handover() {
    let h = harness();
    add_dossier(&h, CODE, 4, 3);
    let first = subscribe(&h, "s1", CODE, PHONE);
    assert_eq!(
        first.status,
        201,
        "{}",
        String::from_utf8_lossy(&first.body)
    );
    let answer = first.json();
    assert_eq!(answer["phone"], "09xxxxx678");
    assert_eq!(answer["statuses"], json!([5, 6, 9, 10]));
    assert_eq!(
        answer["keep_until"],
        (h.time.get() + Days::days(30)).to_rfc3339()
    );
    // The same request again: the same answer, nothing new.
    let again = subscribe(&h, "s1", CODE, PHONE);
    assert_eq!((again.status, again.json()), (200, answer.clone()));
    subscribe(&h, "s1", "H56.22-250101-0002", PHONE).problem(409, "request-id-reused");
    assert_eq!(subscribe(&h, "s2", CODE, PHONE2).status, 201);
    // Another request for a phone already subscribed changes nothing.
    assert_eq!(subscribe(&h, "s3", CODE, PHONE).status, 200);

    let changed = set_status(&h, CODE, 9);
    assert_eq!(
        (
            changed["previous_status"].clone(),
            changed["messages"].clone()
        ),
        (json!(4), json!(2))
    );
    let ready = by_trigger(&h, "status-9");
    assert_eq!(ready.len(), 2);
    for m in &ready {
        let text = m["text"].as_str().unwrap_or_default();
        assert!(
            text.contains(&format!("hồ sơ {CODE} đã có kết quả")),
            "{text}"
        );
    }
    // Once per status: the same status again, by call or by import, and back and forth.
    assert_eq!(set_status(&h, CODE, 9)["messages"], 0);
    add_dossier(&h, CODE, 9, 3);
    assert_eq!(set_status(&h, CODE, 4)["messages"], 0);
    assert_eq!(set_status(&h, CODE, 9)["messages"], 0);
    assert_eq!(by_trigger(&h, "status-9").len(), 2);
    // Statuses nobody waits for send nothing.
    assert_eq!(set_status(&h, CODE, 7)["messages"], 0);

    let subs = "SELECT COUNT(*) FROM sms_subscriptions";
    assert_eq!(count(&h, subs), 2);
    assert_eq!(set_status(&h, CODE, 10)["messages"], 2);
    assert_eq!(count(&h, subs), 0, "numbers forgotten at handover");
    subscribe(&h, "s4", CODE, PHONE).problem(409, "dossier-finished");
}

#[test]
fn subscriptions_refuse_what_they_cannot_keep() {
    let h = harness();
    add_dossier(&h, CODE, 4, 3);
    let detail = subscribe(&h, "s1", CODE, "12345").problem(400, "bad-request");
    assert!(detail.starts_with("phone"), "{detail}");
    subscribe(&h, "s2", "H56.22-999999-9999", PHONE).problem(404, "not-found");
    subscribe(&h, "s3", "AB", PHONE).problem(400, "bad-request");
    for (i, p) in [
        "0912000001",
        "0912000002",
        "0912000003",
        "0912000004",
        "0912000005",
    ]
    .iter()
    .enumerate()
    {
        assert_eq!(subscribe(&h, &format!("p{i}"), CODE, p).status, 201);
    }
    subscribe(&h, "p6", CODE, "0912000006").problem(409, "subscription-limit");
    // Counters and displays do not subscribe anyone.
    h.post_as(
        &format!("/dossiers/{CODE}/subscriptions"),
        Some(COUNTER),
        &json!({ "request_id": "c1", "phone": PHONE }),
    )
    .problem(401, "unauthorized");
}

#[test]
fn the_status_call_checks_what_it_is_given_and_adds_the_step() {
    let h = harness();
    add_dossier(&h, CODE, 4, 3);
    let status = |body: Value| {
        h.post_as(
            &format!("/admin/dossiers/{CODE}/status"),
            Some(ADMIN),
            &body,
        )
    };
    status(json!({ "status": 11 })).problem(400, "bad-request");
    status(json!({ "status": "9" })).problem(400, "bad-request");
    status(json!({ "status": 9, "returned_at": "2020-01-01T08:00:00+07:00" }))
        .problem(422, "invalid-dates");
    h.post_as(
        "/admin/dossiers/H56.22-999999-9999/status",
        Some(ADMIN),
        &json!({ "status": 9 }),
    )
    .problem(404, "not-found");
    h.post_as(
        &format!("/admin/dossiers/{CODE}/status"),
        Some(TOKEN),
        &json!({ "status": 9 }),
    )
    .problem(401, "unauthorized");
    let at = h.time.get().to_rfc3339();
    let r = status(json!({
        "status": 9,
        "step": { "at": at, "unit": "Bộ phận Một cửa", "action": "Có kết quả <script>" }
    }));
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let seen = h.get(&format!("/dossiers/{CODE}")).json();
    assert_eq!(seen["status"]["code"], 9);
    assert_eq!(seen["steps"][0]["action"], "Có kết quả <script>");
}

#[test]
fn a_dossier_that_runs_late_is_told_once_unless_it_was_late_already() {
    let h = harness();
    add_dossier(&h, CODE, 4, 1);
    let late_already = "H56.22-250101-0002";
    add_dossier(&h, late_already, 4, -2);
    assert_eq!(subscribe(&h, "s1", CODE, PHONE).status, 201);
    assert_eq!(subscribe(&h, "s2", late_already, PHONE2).status, 201);
    // Two days on, past CODE's due date; the housekeeping looks for late dossiers.
    h.time.advance(Days::days(2));
    assert!(eventually(|| by_trigger(&h, "late").len() == 1));
    let late = by_trigger(&h, "late");
    assert!(
        late[0]["text"]
            .as_str()
            .is_some_and(|t| t.contains(&format!("hồ sơ {CODE} chưa có kết quả đúng hẹn"))),
        "{}",
        late[0]["text"]
    );
    std::thread::sleep(Duration::from_millis(600));
    assert_eq!(by_trigger(&h, "late").len(), 1, "told once");

    // After [sms] keep_days the numbers are forgotten even without a handover.
    h.time.advance(Days::days(31));
    assert!(eventually(|| count(
        &h,
        "SELECT COUNT(*) FROM sms_subscriptions"
    ) == 0));
    assert!(eventually(|| messages(&h, "").is_empty()));
}

#[test]
fn the_message_list_filters_and_refuses_nonsense() {
    let h = harness();
    h.get_with("/admin/sms?status=lost", Some(ADMIN), &[])
        .problem(400, "bad-request");
    h.get_with("/admin/sms?office=nowhere", Some(ADMIN), &[])
        .problem(404, "not-found");
    h.get_with("/admin/sms?limit=0", Some(ADMIN), &[])
        .problem(400, "bad-request");
    h.get_with("/admin/sms", Some(TOKEN), &[])
        .problem(401, "unauthorized");
    add_dossier(&h, CODE, 4, 3);
    assert_eq!(subscribe(&h, "s1", CODE, PHONE).status, 201);
    set_status(&h, CODE, 5);
    // The gateway could not be reached: tried, kept, and due again later.
    let tried = |h: &Harness| {
        messages(h, "?status=queued")
            .into_iter()
            .find(|m| m["attempts"] == 1)
    };
    assert!(eventually(|| tried(&h).is_some()));
    let m = tried(&h).expect("a message tried once");
    assert!(messages(&h, "?status=sent").is_empty());
    assert!(
        m["error"].as_str().is_some_and(|e| e.contains("provider")),
        "{m}"
    );
    assert!(m["next_attempt_at"].is_string(), "{m}");
    // Only an unconfirmed message can be sent again.
    let id = m["id"].as_str().expect("id");
    h.post_as(&format!("/admin/sms/{id}/resend"), Some(ADMIN), &json!({}))
        .problem(409, "message-state");
    h.post_as("/admin/sms/nothex/resend", Some(ADMIN), &json!({}))
        .problem(400, "bad-request");
}

/// Polls `condition` for up to 10 s: the sender and the housekeeping work on their own time.
fn eventually(mut condition: impl FnMut() -> bool) -> bool {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while std::time::Instant::now() < deadline {
        if condition() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    condition()
}
