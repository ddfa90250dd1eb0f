//! The dossier page as a citizen uses it: keypad, scanners, results, failures, privacy.

use std::io::Write;

use serialport::SerialPort;
use std::time::{Duration, Instant};

use motcua_kiosk::ui::{
    CodeProblem, DossierAdapter, DossierStep, KioskState, Page, ServerState, SmsStep, StatusTone,
};
use slint::platform::WindowEvent;
use slint::{ComponentHandle, Model};

use crate::support::net::{self, central_with, hostile};
use crate::support::ui::{UiKiosk, advance, find, kiosk, settle, tap, type_keys, wait_until};
use crate::support::{self, MINIMAL};

const WAIT: Duration = Duration::from_secs(8);

/// A config for `url`, with extra sections (`[dossier]`, `[scanner]`) placed before `[ui]`.
fn config(url: &str, data_dir: &std::path::Path, extra: &str) -> motcua_kiosk::config::Config {
    let text = support::with_server(MINIMAL, url, net::KIOSK_TOKEN);
    let text = support::with_data_dir(&text, data_dir).replace("[ui]", &format!("{extra}\n[ui]"));
    support::parse(&text).unwrap_or_else(|e| panic!("{e}"))
}

fn adapter(k: &UiKiosk) -> DossierAdapter<'_> {
    k.window().global::<DossierAdapter>()
}

fn page(k: &UiKiosk) -> Page {
    k.window().global::<KioskState>().get_page()
}

fn step_is(k: &UiKiosk, step: DossierStep) -> bool {
    wait_until(k, WAIT, || adapter(k).get_step() == step)
}

fn wait_online(k: &UiKiosk) {
    assert!(
        wait_until(k, WAIT, || {
            k.window().global::<KioskState>().get_server_state() == ServerState::Online
        }),
        "the kiosk connects to the server"
    );
}

fn sample_code(c: &net::Central, status: u8) -> String {
    motcua_central::seed::sample_dossiers(c.server.seeded_on())
        .into_iter()
        .find(|s| s.dossier.status == status)
        .map(|s| s.dossier.code)
        .expect("a sample with that status")
}

/// Key events as a keyboard (or a scanner acting as one) sends them.
fn press_keys(k: &UiKiosk, text: &str, gap: Duration) {
    for ch in text.chars() {
        let key: slint::SharedString = ch.to_string().into();
        k.window()
            .window()
            .dispatch_event(WindowEvent::KeyPressed { text: key.clone() });
        k.window()
            .window()
            .dispatch_event(WindowEvent::KeyReleased { text: key });
        if !gap.is_zero() {
            std::thread::sleep(gap);
        }
    }
}

#[test]
fn a_code_typed_on_the_keypad_shows_the_dossier_and_idle_clears_everything() {
    let c = central_with(|cfg| cfg.dossier_lookups_per_minute = 100);
    let code = sample_code(&c, 4);
    let dir = tempfile::tempdir().unwrap();
    let k = kiosk(&config(c.url().as_str(), dir.path(), ""), 1920, 1080);
    wait_online(&k);

    tap(&k, "Tra cứu hồ sơ");
    // Typed without separators, shown grouped as on the receipt.
    let bare: String = code.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    type_keys(&k, &bare);
    assert_eq!(
        adapter(&k).invoke_format_code(adapter(&k).get_code()),
        code.as_str()
    );
    tap(&k, "Tra cứu");
    assert!(
        step_is(&k, DossierStep::Result),
        "{:?}",
        adapter(&k).get_step()
    );
    let result = adapter(&k).get_result();
    assert_eq!(result.code, code.as_str());
    assert_eq!(result.status, "Đang giải quyết");
    assert_eq!(result.tone, StatusTone::Progress);
    assert!(result.applicant.contains('*'));
    assert!(result.steps.row_count() >= 1);
    assert_eq!(
        find(&k, "Đang giải quyết").len(),
        1,
        "the status is on screen"
    );

    // The citizen walks away.
    advance(Duration::from_secs(61));
    settle();
    assert_eq!(page(&k), Page::Home);
    assert_eq!(adapter(&k).get_code(), "");
    assert_eq!(adapter(&k).get_step(), DossierStep::Entry);
    assert_eq!(adapter(&k).get_result().code, "", "the result is gone");
    assert_eq!(adapter(&k).get_result().steps.row_count(), 0);
}

#[test]
fn a_scanner_burst_opens_the_lookup_from_any_page_and_people_typing_do_not() {
    let c = central_with(|cfg| cfg.dossier_lookups_per_minute = 100);
    let code = sample_code(&c, 10);
    let dir = tempfile::tempdir().unwrap();
    let k = kiosk(&config(c.url().as_str(), dir.path(), ""), 1920, 1080);
    wait_online(&k);

    // Someone at a keyboard, a key every 80 ms: nothing happens.
    press_keys(&k, "0000006H56\n", Duration::from_millis(80));
    settle();
    assert_eq!(page(&k), Page::Home);

    // The receipt's QR code, read by a scanner typing as a keyboard while the citizen browses.
    tap(&k, "Tra cứu thủ tục");
    let qr = format!("https://dichvucong.example.gov.vn/tra-cuu?maHoSo={code}\n");
    press_keys(&k, &qr, Duration::ZERO);
    assert!(step_is(&k, DossierStep::Result));
    assert_eq!(page(&k), Page::Dossier);
    let result = adapter(&k).get_result();
    assert_eq!(result.code, code.as_str());
    assert_eq!(result.tone, StatusTone::Done);

    // A second receipt scanned over the first result replaces it.
    let other = sample_code(&c, 5);
    press_keys(&k, &format!("{other}\r"), Duration::ZERO);
    assert!(wait_until(&k, WAIT, || adapter(&k).get_result().code == other.as_str()));
    assert_eq!(adapter(&k).get_result().tone, StatusTone::Action);
    assert!(
        !adapter(&k).get_result().next_step.is_empty(),
        "status 5 says what to bring"
    );
}

#[test]
fn a_serial_scanner_opens_the_lookup() {
    let c = central_with(|cfg| cfg.dossier_lookups_per_minute = 100);
    let code = sample_code(&c, 9);
    let (mut scanner, port) = serialport::TTYPort::pair().expect("pty pair");
    let port_name = port.name().expect("pty name");
    // The kiosk opens the device itself, exclusively, as it would a real scanner.
    drop(port);
    let dir = tempfile::tempdir().unwrap();
    let extra = format!("[scanner]\nport = \"{port_name}\"\nbaud = 9600\n");
    let k = kiosk(&config(c.url().as_str(), dir.path(), &extra), 1920, 1080);
    wait_online(&k);
    // The worker opens the port on its own thread: scan until it has (before that, writing
    // fails or is lost).
    let scan = format!("{}\r\n", code.to_lowercase());
    let mut last_scan: Option<Instant> = None;
    assert!(wait_until(&k, WAIT, || {
        let entry = adapter(&k).get_step() == DossierStep::Entry;
        if entry && last_scan.is_none_or(|t| t.elapsed() > Duration::from_millis(250)) {
            let _ = scanner.write_all(scan.as_bytes());
            last_scan = Some(Instant::now());
        }
        !entry
    }));
    assert!(step_is(&k, DossierStep::Result));
    assert_eq!(adapter(&k).get_result().code, code.as_str());
    assert_eq!(adapter(&k).get_result().status, "Đã có kết quả, mời nhận");
}

#[test]
fn each_failure_has_its_own_screen() {
    let c = central_with(|cfg| cfg.dossier_lookups_per_minute = 100);
    let dir = tempfile::tempdir().unwrap();
    let k = kiosk(&config(c.url().as_str(), dir.path(), ""), 1080, 1920);
    wait_online(&k);
    tap(&k, "Tra cứu hồ sơ");

    // Too short: told at once, nothing sent, the code stays to be corrected.
    type_keys(&k, "123");
    tap(&k, "Tra cứu");
    assert_eq!(adapter(&k).get_step(), DossierStep::Entry);
    assert_eq!(adapter(&k).get_problem(), CodeProblem::TooShort);
    assert_eq!(adapter(&k).get_code(), "123");
    // Typing again hides the message.
    type_keys(&k, "4");
    assert_eq!(adapter(&k).get_problem(), CodeProblem::None);

    // Junk read by a scanner: named, nothing sent.
    press_keys(&k, "000.00.06.H56-2310😀27-0361\n", Duration::ZERO);
    settle();
    assert_eq!(adapter(&k).get_step(), DossierStep::Entry);
    assert_eq!(adapter(&k).get_problem(), CodeProblem::BadCharacter);
    assert_eq!(adapter(&k).get_bad_character(), "😀");

    // Well formed but unknown: typed on the full keyboard with spaces for dashes.
    tap(&k, "Bàn phím đầy đủ");
    tap(&k, "Xoá hết");
    for (i, part) in ["0000020H15", "991231", "9999"].iter().enumerate() {
        if i > 0 {
            tap(&k, "Dấu cách");
        }
        type_keys(&k, part);
    }
    tap(&k, "Tra cứu");
    assert!(step_is(&k, DossierStep::NotFound));
    assert_eq!(find(&k, "Không tìm thấy hồ sơ").len(), 1);
    tap(&k, "Sửa mã hồ sơ");
    assert_eq!(adapter(&k).get_step(), DossierStep::Entry);
    assert_eq!(adapter(&k).get_code(), "000.00.20.H15-991231-9999");
}

#[test]
fn a_server_that_is_down_gets_its_own_screen_and_a_retry() {
    let down = net::nobody_listening();
    let dir = tempfile::tempdir().unwrap();
    let k = kiosk(&config(down.as_str(), dir.path(), ""), 1920, 1080);
    tap(&k, "Tra cứu hồ sơ");
    type_keys(&k, "0000006H562310270361");
    tap(&k, "Tra cứu");
    assert!(step_is(&k, DossierStep::Offline));
    assert_eq!(find(&k, "Chưa kết nối được hệ thống").len(), 1);
    tap(&k, "Thử lại");
    assert!(step_is(&k, DossierStep::Offline));
    tap(&k, "Về trang chủ");
    assert_eq!(page(&k), Page::Home);
    assert_eq!(adapter(&k).get_code(), "");
}

#[test]
fn the_kiosk_limits_lookups_itself() {
    let c = central_with(|cfg| cfg.dossier_lookups_per_minute = 100);
    let dir = tempfile::tempdir().unwrap();
    let k = kiosk(
        &config(
            c.url().as_str(),
            dir.path(),
            "[dossier]\nlookups_per_minute = 2\n",
        ),
        1920,
        1080,
    );
    wait_online(&k);
    tap(&k, "Tra cứu hồ sơ");
    type_keys(&k, "0000020H159912319999");
    for _ in 0..2 {
        tap(&k, "Tra cứu");
        assert!(step_is(&k, DossierStep::NotFound));
        tap(&k, "Sửa mã hồ sơ");
    }
    tap(&k, "Tra cứu");
    assert_eq!(adapter(&k).get_step(), DossierStep::RateLimited);
    let wait = adapter(&k).get_retry_after_s();
    assert!((1..=60).contains(&wait), "{wait}");
    // The screen counts the wait down; "Thử lại" is offered only once it is over.
    let waiting = find(&k, &format!("Thử lại sau {wait} giây"));
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].accessible_enabled(), Some(false));
    if wait > 1 {
        advance(Duration::from_secs(1));
        settle();
        let later = find(&k, &format!("Thử lại sau {} giây", wait - 1));
        assert_eq!(later.len(), 1, "one second less");
    }
    // The screen's timer ticks once a second; the citizen touches the screen now and then,
    // so the idle timeout does not send the kiosk home first.
    for second in 0..wait {
        if second % 20 == 0 {
            k.window().global::<KioskState>().invoke_activity();
        }
        advance(Duration::from_secs(1));
        settle();
    }
    let button = find(&k, "Thử lại");
    assert_eq!(button.len(), 1);
    assert_eq!(button[0].accessible_enabled(), Some(true));
}

#[test]
fn an_answer_that_comes_after_the_citizen_left_is_never_shown() {
    // A real dossier, served late by a slow server.
    let c = central_with(|cfg| cfg.dossier_lookups_per_minute = 100);
    let code = sample_code(&c, 4);
    let dossier = c.client().dossier(&code).expect("the sample dossier");
    let body = serde_json::to_string(&dossier).unwrap();
    let slow = hostile(move |mut s| {
        std::thread::sleep(Duration::from_millis(700));
        let _ = write!(
            s,
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
    });
    let dir = tempfile::tempdir().unwrap();
    let k = kiosk(&config(slow.url().as_str(), dir.path(), ""), 1920, 1080);
    tap(&k, "Tra cứu hồ sơ");
    type_keys(&k, &code);
    tap(&k, "Tra cứu");
    assert_eq!(adapter(&k).get_step(), DossierStep::Checking);
    tap(&k, "Quay lại");
    assert_eq!(page(&k), Page::Home);
    // Long enough for the answer to arrive and be dropped.
    wait_until(&k, Duration::from_millis(1500), || false);
    assert_eq!(adapter(&k).get_result().code, "");
    assert_eq!(adapter(&k).get_step(), DossierStep::Entry);

    // Coming back, the page is fresh; a lookup that is waited for does show.
    tap(&k, "Tra cứu hồ sơ");
    assert_eq!(adapter(&k).get_code(), "");
    type_keys(&k, &code);
    tap(&k, "Tra cứu");
    assert!(step_is(&k, DossierStep::Result));
}

#[test]
fn the_slip_is_previewed_on_screen_and_never_saved() {
    let c = central_with(|cfg| cfg.dossier_lookups_per_minute = 100);
    let code = sample_code(&c, 6);
    let dir = tempfile::tempdir().unwrap();
    let k = kiosk(&config(c.url().as_str(), dir.path(), ""), 1920, 1080);
    wait_online(&k);
    tap(&k, "English");
    tap(&k, "Check a dossier");
    type_keys(&k, &code);
    tap(&k, "Look up");
    assert!(step_is(&k, DossierStep::Result));
    assert_eq!(adapter(&k).get_result().status, "Fees to be paid");
    tap(&k, "Print this result");
    let slip: Vec<String> = adapter(&k)
        .get_slip()
        .iter()
        .map(|l| l.to_string())
        .collect();
    assert!(slip.iter().any(|l| l.contains(&code)), "{slip:#?}");
    assert!(
        slip.iter().any(|l| l.contains("Fees to be paid")),
        "{slip:#?}"
    );
    tap(&k, "Close");
    assert_eq!(adapter(&k).get_slip().row_count(), 0);

    // Nothing about the dossier reached the disk: not the preview folder, not the data folder.
    assert_no_file_holds(&[k.dir.path(), dir.path()], &code, "code");
}

/// Nothing under `folders` contains `needle` (the citizen's `what`).
fn assert_no_file_holds(folders: &[&std::path::Path], needle: &str, what: &str) {
    for folder in folders {
        for entry in walk(folder) {
            let bytes = std::fs::read(&entry).unwrap_or_default();
            let text = String::from_utf8_lossy(&bytes);
            assert!(
                !text.contains(needle),
                "{} holds the {what}",
                entry.display()
            );
        }
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

/// An office that sends SMS (through a gateway nobody answers: a subscription only needs the
/// office to send, not the message to go).
fn central_with_sms() -> net::Central {
    central_with(|cfg| {
        cfg.dossier_lookups_per_minute = 100;
        let sms: motcua_central::sms::SmsConfig = toml::from_str(
            r#"gateway = "http"
[http]
url = "http://127.0.0.1:9/send"
body = '{"to": "{to}", "text": "{text}"}'
success_pointer = "/ok"
success_value = "true"
"#,
        )
        .expect("[sms] parses");
        cfg.sms = Some(sms.check().expect("[sms] checks"));
    })
}

fn sms_step_is(k: &UiKiosk, step: SmsStep) -> bool {
    wait_until(k, WAIT, || adapter(k).get_sms_step() == step)
}

/// Looks `code` up and waits for the result.
fn open_result(k: &UiKiosk, code: &str) {
    tap(k, "Tra cứu hồ sơ");
    type_keys(k, code);
    tap(k, "Tra cứu");
    assert!(
        step_is(k, DossierStep::Result),
        "{:?}",
        adapter(k).get_step()
    );
}

#[test]
fn a_citizen_asks_for_a_text_and_the_number_leaves_with_the_session() {
    let c = central_with_sms();
    let code = sample_code(&c, 4);
    let dir = tempfile::tempdir().unwrap();
    let k = kiosk(&config(c.url().as_str(), dir.path(), ""), 1080, 1920);
    wait_online(&k);
    open_result(&k, &code);
    assert!(adapter(&k).get_sms_offered());
    tap(&k, "Nhắn tin cho tôi khi có kết quả");
    assert_eq!(adapter(&k).get_sms_step(), SmsStep::Phone);
    assert_eq!(find(&k, "Đăng ký nhận tin").len(), 1);

    // A number that is no mobile number is refused on the spot.
    type_keys(&k, "091234");
    tap(&k, "Đăng ký nhận tin");
    assert!(adapter(&k).get_sms_phone_invalid());
    assert_eq!(adapter(&k).get_sms_step(), SmsStep::Phone);
    type_keys(&k, "5678");
    tap(&k, "Đăng ký nhận tin");
    assert!(
        sms_step_is(&k, SmsStep::Subscribed),
        "{:?}",
        adapter(&k).get_sms_step()
    );
    assert_eq!(adapter(&k).get_sms_masked(), "09xxxxx678");
    assert!(!adapter(&k).get_sms_keep_until().is_empty());
    assert_eq!(
        adapter(&k).get_sms_phone(),
        "",
        "the typed number is forgotten"
    );
    assert_eq!(find(&k, "Đã đăng ký nhận tin nhắn").len(), 1);

    // The office has it: the dossier's result reaches the number.
    let client = reqwest::blocking::Client::new();
    let answer: serde_json::Value = client
        .post(format!("{}api/v1/admin/dossiers/{code}/status", c.url()))
        .bearer_auth(net::ADMIN_TOKEN)
        .header("content-type", "application/json")
        .body(r#"{"status": 9}"#)
        .send()
        .and_then(|r| r.json())
        .expect("the status call answers");
    assert_eq!(answer["messages"], 1, "{answer}");

    // Back on the result the offer is replaced by where the texts go.
    tap(&k, "Quay lại hồ sơ");
    assert_eq!(adapter(&k).get_step(), DossierStep::Result);
    assert_eq!(find(&k, "Nhắn tin cho tôi khi có kết quả").len(), 0);
    assert_eq!(
        find(&k, "Sẽ nhắn tin tới số 09xxxxx678 khi hồ sơ có tin mới.").len(),
        1
    );

    // The citizen walks away: nothing of the number stays, on screen or on disk.
    advance(Duration::from_secs(61));
    settle();
    assert_eq!(page(&k), Page::Home);
    assert_eq!(adapter(&k).get_sms_masked(), "");
    assert_eq!(adapter(&k).get_sms_step(), SmsStep::None);
    assert_no_file_holds(&[k.dir.path(), dir.path()], "912345678", "number");
}

#[test]
fn an_office_without_sms_says_so_once_and_a_lost_server_keeps_nothing_to_send_later() {
    // This office sends no SMS: the citizen is told, and the offer is not made again.
    let c = central_with(|cfg| cfg.dossier_lookups_per_minute = 100);
    let code = sample_code(&c, 5);
    let dir = tempfile::tempdir().unwrap();
    let k = kiosk(&config(c.url().as_str(), dir.path(), ""), 1920, 1080);
    wait_online(&k);
    open_result(&k, &code);
    tap(&k, "Nhắn tin cho tôi khi có kết quả");
    type_keys(&k, "0912345678");
    tap(&k, "Đăng ký nhận tin");
    assert!(sms_step_is(&k, SmsStep::Unavailable));
    assert_eq!(find(&k, "Văn phòng chưa nhắn tin SMS").len(), 1);
    tap(&k, "Quay lại hồ sơ");
    assert!(!adapter(&k).get_sms_offered());
    assert_eq!(find(&k, "Nhắn tin cho tôi khi có kết quả").len(), 0);
    drop(k);

    // A dossier already handed over is not offered at all.
    let c = central_with_sms();
    let dir = tempfile::tempdir().unwrap();
    let k = kiosk(&config(c.url().as_str(), dir.path(), ""), 1920, 1080);
    wait_online(&k);
    open_result(&k, &sample_code(&c, 10));
    assert!(!adapter(&k).get_sms_offered());
    tap(&k, "Tra cứu mã khác");

    // The server goes away after the lookup: the sign-up is refused, not queued.
    open_result(&k, &sample_code(&c, 6));
    tap(&k, "Nhắn tin cho tôi khi có kết quả");
    type_keys(&k, "0912345678");
    drop(c);
    tap(&k, "Đăng ký nhận tin");
    assert!(
        sms_step_is(&k, SmsStep::Offline),
        "{:?}",
        adapter(&k).get_sms_step()
    );
    assert_eq!(find(&k, "Chưa đăng ký được").len(), 1);
    tap(&k, "Quay lại hồ sơ");
    assert_eq!(adapter(&k).get_sms_phone(), "");
    assert_no_file_holds(&[k.dir.path(), dir.path()], "912345678", "number");
}
