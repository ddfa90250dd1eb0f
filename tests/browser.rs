//! The counter page and the lobby display in a real Chromium (tests/support/browser.rs), with
//! the kiosk (real code, headless) handing out the tickets: the queue loop from the tap to the
//! voice, and what the pages do when the server goes away, comes back, or holds hostile text.
//! `SCREENSHOT_DIR=docs/screenshots cargo test --test main browser::` keeps the README's
//! pictures.

use std::time::{Duration, Instant};

use fantoccini::key::Key;
use motcua_kiosk::ui::{QueueAdapter, QueueStep};
use serde_json::{Value, json};
use slint::{ComponentHandle, Model};

use crate::support::browser::{Browser, browser, epoch_ms};
use crate::support::net::{self, Central, central_with};
use crate::support::ui::{UiKiosk, kiosk, tap, wait_until};
use crate::support::{self, MINIMAL};

const COUNTER3: &str = "counter-three-token-0123";
const DISPLAY: &str = "lobby-display-token-0123";
const OFFICE: &str = "Trung tâm Phục vụ hành chính công phường Hải Châu";
const NOTICE: &str = "Giờ làm việc: 7:30–11:30, 13:30–17:00, thứ Hai đến thứ Sáu và sáng thứ Bảy. \
     Quý vị vui lòng giữ phiếu số thứ tự và chú ý màn hình khi được gọi.";
pub(crate) const WAIT: Duration = Duration::from_secs(10);

pub(crate) fn api(c: &Central, method: &str, path: &str, token: &str, body: Value) -> (u16, Value) {
    let url = format!("{}api/v1{path}", c.url());
    // The kiosk's own client installs it too; a test may call the API before any kiosk exists.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::blocking::Client::new();
    let request = match method {
        "GET" => client.get(url),
        _ => client.post(url).json(&body),
    };
    let r = request
        .bearer_auth(token)
        .send()
        .expect("the server answers");
    let status = r.status().as_u16();
    (status, r.json().unwrap_or(Value::Null))
}

fn issue(c: &Central, service: &str, priority: &str) -> String {
    issue_for(c, service, priority, None)
}

/// A ticket taken from the page of `procedure` (a procedure code), or from none.
fn issue_for(c: &Central, service: &str, priority: &str, procedure: Option<&str>) -> String {
    let body = json!({
        "request_id": motcua_kiosk::server::new_request_id(),
        "service_id": service, "priority": priority, "procedure_code": procedure,
    });
    let (status, answer) = api(c, "POST", "/queue/tickets", net::KIOSK_TOKEN, body);
    assert_eq!(status, 201, "{answer}");
    answer["number"].as_str().unwrap_or_default().to_string()
}

pub(crate) fn queue(k: &UiKiosk) -> QueueAdapter<'_> {
    k.window().global::<QueueAdapter>()
}

/// The kiosk hands out a ticket for Hộ tịch, with the priority tapped (or none).
pub(crate) fn take_ticket(k: &UiKiosk, priority: Option<&str>) -> String {
    tap(k, "Lấy số thứ tự");
    tap(k, "Hộ tịch");
    tap(k, priority.unwrap_or("Không, lấy số thường"));
    tap(k, "Không cần, lấy số");
    assert!(
        wait_until(k, WAIT, || queue(k).get_step() == QueueStep::Done),
        "the kiosk gives a number"
    );
    assert!(!queue(k).get_offline(), "numbered by the server");
    let number = queue(k).get_number().to_string();
    tap(k, "Xong");
    number
}

fn save_screenshot(b: &Browser, name: &str) {
    let png = b.screenshot();
    let mut decoder = png::Decoder::new(std::io::Cursor::new(&png));
    decoder.set_transformations(png::Transformations::IDENTITY);
    let info = decoder.read_info().expect("a PNG").info().clone();
    assert!(
        info.width >= 1000 && info.height >= 700,
        "{name}: {}x{}",
        info.width,
        info.height
    );
    if let Ok(dir) = std::env::var("SCREENSHOT_DIR") {
        std::fs::create_dir_all(&dir).expect("screenshot folder");
        std::fs::write(std::path::Path::new(&dir).join(name), &png).expect("write screenshot");
    }
}

/// The newest call's number, as big as the issue asks: at least 12 % of the screen's height.
fn assert_number_is_big(b: &Browser) {
    let ratio = b.js(
        "const r = document.getElementById('current-number').getBoundingClientRect();
         return r.height / window.innerHeight",
        vec![],
    );
    let ratio = ratio.as_f64().unwrap_or(0.0);
    assert!(
        ratio >= 0.12,
        "the number is {:.1} % of the height",
        ratio * 100.0
    );
}

/// Watches the display's big number: each change with `Date.now()` when it happened.
const WATCH: &str = "window.seen = [];
    new MutationObserver(() => window.seen.push(
        [document.getElementById('current-number').textContent, Date.now()]))
      .observe(document.getElementById('current-number'),
               { childList: true, characterData: true, subtree: true });
    return true";

/// Opens the counter page and signs in with `token` (and a counter name for the shared one).
fn sign_in(b: &Browser, c: &Central, token: &str, name: &str) {
    b.goto(&format!("{}counter", c.url()));
    b.type_into("#token", token);
    b.type_into("#name", name);
    b.click("#sign-in-button");
}

#[test]
fn a_call_goes_from_the_counter_page_to_the_display_and_the_kiosk() {
    let c = central_with(|cfg| {
        cfg.counter_tokens
            .push(motcua_central::CounterToken::parse(&format!("3={COUNTER3}")).expect("token"));
        cfg.display_token = Some(DISPLAY.into());
        cfg.office_name = OFFICE.into();
        cfg.display_notice = Some(NOTICE.into());
    });
    // The kiosk hands out two numbers, the second with priority.
    let dir = tempfile::tempdir().expect("temp dir");
    let text = crate::queue::always_open(MINIMAL, dir.path());
    let config = support::parse(&support::with_server(
        &text,
        c.url().as_str(),
        net::KIOSK_TOKEN,
    ))
    .unwrap_or_else(|e| panic!("{e}"));
    let k = kiosk(&config, 1920, 1080);
    assert!(wait_until(&k, WAIT, || queue(&k).get_live()));
    let plain = take_ticket(&k, None);
    let elderly = take_ticket(&k, Some("Người cao tuổi"));
    assert_eq!((plain.as_str(), elderly.as_str()), ("HT-001", "HT-002"));

    let b = browser();
    let w = b.windows(2, 1920, 1080);
    let (display, counter) = (&w[0], &w[1]);
    b.switch(display);
    b.goto(&format!("{}display?token={DISPLAY}&lang=vi,en", c.url()));
    b.wait_for(
        "the display connects",
        WAIT,
        "return document.body.dataset.link === 'up'",
    );
    assert_eq!(b.text("office"), OFFICE);
    assert!(b.text("sound-note").contains("Âm thanh đang tắt"));
    b.click("#sound-on");
    b.wait_for(
        "sound on",
        WAIT,
        "return document.body.dataset.sound === 'on'",
    );
    b.js(WATCH, vec![]);

    b.switch(counter);
    b.viewport(1440, 900);
    sign_in(&b, &c, COUNTER3, "");
    b.wait_for(
        "signed in",
        WAIT,
        "return document.body.dataset.state === 'signed-in' && document.querySelectorAll('#board tr').length",
    );
    assert_eq!(b.text("counter-name"), "Quầy 3");
    assert_eq!(b.text("office"), OFFICE);
    assert_eq!(b.text("ticket-number"), "Chưa gọi số nào");
    b.wait_for(
        "the waiting count of Hộ tịch",
        WAIT,
        "return document.querySelector('tr[data-service=\"ho-tich\"] .waiting').textContent === '2'",
    );

    // "Gọi số tiếp theo": the priority ticket, on the display within a second.
    let before = epoch_ms();
    b.click("#next");
    b.wait_for(
        "the call",
        WAIT,
        "return document.getElementById('ticket-number').textContent === 'HT-002'",
    );
    assert!(b.text("ticket-detail").contains("Ưu tiên: người cao tuổi"));
    assert_eq!(b.text("message"), "Đã gọi số HT-002");
    b.switch(display);
    let seen = b.wait_for(
        "HT-002 on the display",
        WAIT,
        "return (window.seen || []).find(s => s[0] === 'HT-002')",
    );
    let delay = seen[1].as_f64().unwrap_or(f64::MAX) - before;
    assert!(
        delay < 1000.0,
        "the display showed the call after {delay:.0} ms"
    );
    assert!(b.text("current-counter").contains("Quầy 3"));
    assert!(b.text("current-counter").contains("Counter 3"));
    assert_eq!(b.text("current-service"), "Hộ tịch · Civil status");
    b.wait_for(
        "announced",
        WAIT,
        "return document.body.dataset.announcements === '1'",
    );
    b.wait_for(
        "played",
        WAIT,
        "return Number(document.body.dataset.played) >= 1",
    );
    assert!(
        b.js(
            "return document.getElementById('current').classList.contains('flash')",
            vec![]
        ) == json!(true)
    );
    assert_number_is_big(&b);
    // The kiosk's now-serving strip follows the events too.
    assert!(
        wait_until(&k, Duration::from_secs(1), || {
            queue(&k)
                .get_services()
                .iter()
                .any(|s| s.now_serving == "HT-002")
        }),
        "the kiosk's strip shows HT-002 within a second"
    );

    // F2: called again, announced again.
    b.switch(counter);
    b.press(Key::F2);
    b.wait_for(
        "recalled",
        WAIT,
        "return document.getElementById('message').textContent === 'Đã gọi lại số HT-002'",
    );
    b.switch(display);
    b.wait_for(
        "announced again",
        WAIT,
        "return document.body.dataset.announcements === '2'",
    );
    assert_eq!(b.text("current-number"), "HT-002");

    // F3: absent; the ticket leaves the counter's hand, and can still be called again.
    b.switch(counter);
    b.press(Key::F3);
    b.wait_for(
        "absent",
        WAIT,
        "return document.getElementById('message').textContent === 'Số HT-002: vắng mặt'",
    );
    assert_eq!(b.text("ticket-number"), "Chưa gọi số nào");
    assert!(b.js("return document.getElementById('recall').disabled", vec![]) == json!(true));
    let (_, calls) = api(&c, "GET", "/queue/calls?limit=1", DISPLAY, json!({}));
    assert_eq!(calls["calls"][0]["status"], "no-show");

    // F1 then F4: the next ticket (HT-001) is sent to Chứng thực, keeping its place.
    b.press(Key::F1);
    b.wait_for(
        "HT-001",
        WAIT,
        "return document.getElementById('ticket-number').textContent === 'HT-001'",
    );
    b.press(Key::F4);
    b.wait_for(
        "the transfer dialog",
        WAIT,
        "return document.getElementById('transfer-dialog').open",
    );
    let first = b.js(
        "return document.querySelector('#transfer-choices button').dataset.service",
        vec![],
    );
    assert_eq!(first, json!("chung-thuc"));
    b.type_active("1");
    b.wait_for(
        "transferred",
        WAIT,
        "return document.getElementById('message').textContent === 'Đã chuyển số HT-001 sang Chứng thực'",
    );
    let later = issue(&c, "chung-thuc", "none");
    assert_eq!(later, "CT-001");
    // Another counter calling Chứng thực gets HT-001 first: it kept its place by issue time.
    let (status, next) = api(
        &c,
        "POST",
        "/queue/call-next",
        net::COUNTER_TOKEN,
        json!({ "counter": "4", "services": ["chung-thuc"] }),
    );
    assert_eq!((status, next["number"].as_str()), (200, Some("HT-001")));

    // F1 takes CT-001; F5 finishes it; then nobody is left.
    b.press(Key::F1);
    b.wait_for(
        "CT-001",
        WAIT,
        "return document.getElementById('ticket-number').textContent === 'CT-001'",
    );
    b.press(Key::F5);
    b.wait_for(
        "done",
        WAIT,
        "return document.getElementById('message').textContent === 'Đã xong số CT-001'",
    );
    assert_eq!(
        b.js("return location.pathname", vec![]),
        json!("/counter"),
        "F5 does not reload"
    );
    b.press(Key::F1);
    b.wait_for(
        "queue empty",
        WAIT,
        "return document.getElementById('message').textContent === 'Không còn ai chờ ở các dịch vụ đã chọn'",
    );

    // Pictures for the README: a full hall, the counter with a ticket in hand.
    for (service, counter) in [
        ("ho-tich", "5"),
        ("chung-thuc", "2"),
        ("dat-dai", "6"),
        ("ho-tich", "1"),
    ] {
        issue(&c, service, "none");
        let (status, _) = api(
            &c,
            "POST",
            "/queue/call-next",
            net::COUNTER_TOKEN,
            json!({ "counter": counter, "services": [service] }),
        );
        assert_eq!(status, 200);
    }
    for _ in 0..3 {
        issue(&c, "ho-tich", "none");
    }
    // Taken from the page of a Hộ tịch procedure: the counter sees which.
    issue_for(&c, "ho-tich", "pregnant", Some("2.000528"));
    issue(&c, "chung-thuc", "none");
    b.switch(counter);
    b.click("#next");
    b.wait_for(
        "a ticket in hand",
        WAIT,
        "return document.getElementById('ticket-number').textContent === 'HT-008'",
    );
    assert_eq!(
        b.text("ticket-procedure"),
        "Thủ tục: 2.000528 — Thủ tục đăng ký khai sinh có yếu tố nước ngoài"
    );
    save_screenshot(&b, "counter.png");
    b.switch(display);
    b.wait_for(
        "the last call",
        WAIT,
        "return document.getElementById('current-number').textContent === 'HT-008'",
    );
    b.js(
        "document.getElementById('current').classList.remove('flash'); return true",
        vec![],
    );
    save_screenshot(&b, "display-landscape.png");
    b.viewport(1080, 1920);
    b.wait_for(
        "portrait",
        WAIT,
        "return window.innerHeight > window.innerWidth",
    );
    assert_number_is_big(&b);
    save_screenshot(&b, "display-portrait.png");
    drop(k);
}

#[test]
fn the_pages_survive_a_restart_refuse_wrong_tokens_and_show_hostile_text_as_text() {
    let hostile =
        "<script>window.pwned=1</script><img src=x onerror=\"window.pwned=2\"> 'Hải Châu' & 🏛️";
    let notice: String = format!("{hostile} \"trích dẫn\" ")
        .chars()
        .cycle()
        .take(500)
        .collect();
    let (clock, time) = motcua_central::Clock::manual(chrono::Utc::now().fixed_offset());
    let server_dir = tempfile::tempdir().expect("temp dir");
    let db = server_dir.path().join("central.sqlite3");
    let settings = |port: u16| {
        let (clock, db, notice) = (clock.clone(), db.clone(), notice.clone());
        move |cfg: &mut motcua_central::CentralConfig| {
            cfg.database = motcua_central::Database::Sqlite(db);
            cfg.clock = clock;
            cfg.listen = ([127, 0, 0, 1], port).into();
            cfg.display_token = Some(DISPLAY.into());
            cfg.office_name = hostile.into();
            cfg.display_notice = Some(notice);
        }
    };
    let c = central_with(settings(0));
    let port = c.server.addr().port();

    let b = browser();
    let w = b.windows(2, 1920, 1080);
    let (display, counter) = (&w[0], &w[1]);
    b.switch(display);
    b.goto(&format!("{}display?token={DISPLAY}", c.url()));
    b.wait_for(
        "connected",
        WAIT,
        "return document.body.dataset.link === 'up'",
    );
    assert_eq!(b.text("office"), hostile);
    assert_eq!(
        b.js(
            "return document.getElementById('notice-text').textContent",
            vec![]
        ),
        json!(notice)
    );
    assert_eq!(
        b.js(
            "return window.pwned === undefined && document.images.length === 0",
            vec![]
        ),
        json!(true)
    );
    assert_eq!(b.js("return document.scripts.length", vec![]), json!(3));

    // The counter page: a wrong token is told so; the shared token with a counter name.
    b.switch(counter);
    sign_in(&b, &c, "not-the-token", "");
    b.wait_for(
        "refused",
        WAIT,
        "return document.getElementById('sign-in-message').textContent.startsWith('Mã quầy không đúng')",
    );
    sign_in(&b, &c, net::COUNTER_TOKEN, "7");
    b.wait_for(
        "signed in",
        WAIT,
        "return document.body.dataset.state === 'signed-in'",
    );
    assert_eq!(b.text("counter-name"), "Quầy 7");
    assert_eq!(b.text("office"), hostile);
    b.press(Key::F1);
    b.wait_for(
        "nothing to call",
        WAIT,
        "return document.getElementById('message').textContent === 'Không còn ai chờ ở các dịch vụ đã chọn'",
    );
    assert_eq!(
        b.js(
            "return document.getElementById('ticket-procedure').hidden",
            vec![]
        ),
        json!(true),
        "no ticket, no procedure line"
    );
    // Taken from the page of a procedure whose catalog name is hostile: literal text, whole.
    let procedure_name = format!(
        "{hostile} \"Chứng thực\" {}",
        "bản sao từ bản chính ".repeat(20)
    );
    let (status, answer) = api(
        &c,
        "POST",
        "/admin/catalog",
        net::ADMIN_TOKEN,
        json!([{ "code": "9.000001", "name": procedure_name }]),
    );
    assert_eq!(status, 200, "{answer}");
    issue_for(&c, "ho-tich", "none", Some("9.000001"));
    b.press(Key::F1);
    b.wait_for(
        "called",
        WAIT,
        "return document.getElementById('ticket-number').textContent === 'HT-001'",
    );
    let procedure_line = "return document.getElementById('ticket-procedure').textContent";
    assert_eq!(
        b.js(procedure_line, vec![]),
        json!(format!("Thủ tục: 9.000001 — {procedure_name}"))
    );
    assert_eq!(
        b.js(
            "const line = document.getElementById('ticket-procedure');
             return [window.pwned === undefined, document.querySelectorAll('img[onerror]').length,
                     line.querySelectorAll('*').length,
                     line.getBoundingClientRect().height <= 4 * parseFloat(getComputedStyle(line).lineHeight)]",
            vec![]
        ),
        json!([true, 0, 3, true]),
        "text only (three spans of it), cut to three lines"
    );
    b.switch(display);
    b.wait_for(
        "on the display",
        WAIT,
        "return document.getElementById('current-number').textContent === 'HT-001'",
    );
    b.wait_for(
        "current",
        WAIT,
        "return document.body.dataset.current === 'call'",
    );

    // The server stops: the display says so and shows no call as current; the counter page
    // says it cannot reach the server.
    drop(c);
    b.wait_for("lost", WAIT, "return document.body.dataset.link === 'lost'");
    assert_eq!(
        b.js("return document.body.dataset.current", vec![]),
        json!("none")
    );
    assert!(b.text("lost").starts_with("Mất kết nối"));
    assert_eq!(b.text("current-number"), "");
    b.switch(counter);
    b.wait_for(
        "offline",
        WAIT,
        "return document.getElementById('link').dataset.online === 'no'",
    );
    b.press(Key::F5);
    b.wait_for(
        "unreachable",
        WAIT,
        "return document.getElementById('message').textContent === 'Không kết nối được máy chủ. Đang thử lại…'",
    );

    // Back on the same address: both reconnect by themselves.
    let started = Instant::now();
    let c = central_with(settings(port));
    b.wait_for(
        "online",
        Duration::from_secs(15),
        "return document.getElementById('link').dataset.online === 'yes'",
    );
    assert_eq!(
        b.text("ticket-number"),
        "HT-001",
        "the ticket in hand is read again"
    );
    assert_eq!(
        b.js(procedure_line, vec![]),
        json!(format!("Thủ tục: 9.000001 — {procedure_name}")),
        "with its procedure"
    );
    // A phone's width: one column, the long line cut, nothing wider than the screen.
    b.viewport(390, 844);
    assert_eq!(
        b.js(
            "return document.documentElement.scrollWidth <= window.innerWidth",
            vec![]
        ),
        json!(true)
    );
    b.viewport(1920, 1080);
    b.switch(display);
    b.wait_for(
        "reconnected",
        Duration::from_secs(15),
        "return document.body.dataset.current === 'call'",
    );
    assert_eq!(b.text("current-number"), "HT-001");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );

    // An hour and a minute later the call is history, not the current call.
    time.advance(chrono::Duration::minutes(61));
    issue(&c, "chung-thuc", "none");
    b.wait_for(
        "stale",
        WAIT,
        "return document.body.dataset.current === 'none'",
    );
    assert_eq!(b.text("current-number"), "");
    assert!(
        b.text("recent-list").contains("HT-001"),
        "still listed as a recent call"
    );
}
