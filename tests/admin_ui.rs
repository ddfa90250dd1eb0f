//! The admin screen: a long press and the PIN, wrong PINs locked out, the facts and the actions,
//! and reloading the config while the kiosk runs (a bad file is refused, the running one kept).

use std::time::Duration;

use motcua_kiosk::admin::Ending;
use motcua_kiosk::ui::{AdminAdapter, AdminOutcome, AdminStep, KioskState, Page, PinProblem};
use slint::ComponentHandle;
use slint::platform::{PointerEventButton, WindowEvent};

use crate::support::ui::{UiKiosk, advance, find, kiosk_keeping_catalog, settle, tap, wait_until};
use crate::support::{self, MINIMAL};

const PIN: &str = support::ADMIN_PIN;
const CORNER: &str = "Quản trị máy (giữ 3 giây)";
const OPEN: &str = "Mở màn hình quản trị";

fn with_pin(text: &str) -> String {
    support::with_admin_pin(text)
}

/// A kiosk whose config is a real file in its own folder, so it can be edited and reloaded.
struct Setup {
    kiosk: UiKiosk,
    file: support::ConfigDir,
}

fn start(text: &str) -> Setup {
    let file = support::write_config(text);
    let config = motcua_kiosk::config::load(&file.path).unwrap_or_else(|e| panic!("{e}"));
    let kiosk = kiosk_keeping_catalog(&config, 1920, 1080);
    Setup { kiosk, file }
}

fn admin(k: &UiKiosk) -> AdminAdapter<'_> {
    k.window().global::<AdminAdapter>()
}

fn page(k: &UiKiosk) -> Page {
    k.window().global::<KioskState>().get_page()
}

/// Presses the element labelled `label` and holds it for `held`.
fn hold(k: &UiKiosk, label: &str, held: Duration) {
    let found = find(k, label);
    assert_eq!(found.len(), 1, "one element labelled {label:?}");
    let (at, size) = (found[0].absolute_position(), found[0].size());
    let position = slint::LogicalPosition::new(at.x + size.width / 2.0, at.y + size.height / 2.0);
    let window = k.window().window();
    window.dispatch_event(WindowEvent::PointerPressed {
        position,
        button: PointerEventButton::Left,
    });
    advance(held);
    window.dispatch_event(WindowEvent::PointerReleased {
        position,
        button: PointerEventButton::Left,
    });
    settle();
}

fn type_pin(k: &UiKiosk, pin: &str) {
    for digit in pin.chars() {
        tap(k, &digit.to_string());
    }
}

/// Types `pin`, sends it and waits for the answer.
fn try_pin(k: &UiKiosk, pin: &str) {
    type_pin(k, pin);
    tap(k, OPEN);
    assert!(
        wait_until(k, Duration::from_secs(20), || !admin(k).get_checking()),
        "the PIN is checked"
    );
}

fn open_panel(k: &UiKiosk) {
    hold(k, CORNER, Duration::from_secs(3));
    assert_eq!(page(k), Page::Admin);
    try_pin(k, PIN);
    assert_eq!(admin(k).get_step(), AdminStep::Panel);
}

#[test]
fn a_long_press_in_the_corner_asks_for_the_pin_and_a_short_one_does_not() {
    let s = start(&with_pin(MINIMAL));
    let k = &s.kiosk;
    hold(k, CORNER, Duration::from_millis(2500));
    assert_eq!(
        page(k),
        Page::Home,
        "a press shorter than 3 s opens nothing"
    );
    tap(k, CORNER);
    assert_eq!(page(k), Page::Home);

    hold(k, CORNER, Duration::from_secs(3));
    assert_eq!(page(k), Page::Admin);
    assert_eq!(admin(k).get_step(), AdminStep::Pin);
    assert_eq!(admin(k).get_problem(), PinProblem::None);
    type_pin(k, "1234");
    assert_eq!(admin(k).get_pin(), "1234");
    assert!(
        find(k, "1234").is_empty(),
        "the digits are never shown, only dots"
    );
    assert_eq!(find(k, "Mã PIN đã nhập: 4 chữ số").len(), 1);
}

#[test]
fn the_right_pin_opens_the_panel_and_leaving_locks_it_again() {
    let s = start(&with_pin(MINIMAL));
    let k = &s.kiosk;
    open_panel(k);
    assert_eq!(admin(k).get_pin(), "", "the PIN is gone once sent");
    assert_eq!(admin(k).get_version(), env!("CARGO_PKG_VERSION"));
    assert_eq!(
        admin(k).get_config_file(),
        s.file.path.display().to_string()
    );
    assert_eq!(find(k, "Mã máy: TEST-01").len(), 1);
    assert!(
        wait_until(k, Duration::from_secs(10), || admin(k).get_outbox() == 0),
        "the outbox size is shown"
    );

    tap(k, "Quay lại");
    assert_eq!(page(k), Page::Home);
    hold(k, CORNER, Duration::from_secs(3));
    assert_eq!(
        admin(k).get_step(),
        AdminStep::Pin,
        "the PIN is asked for again"
    );
}

#[test]
fn the_idle_timeout_locks_the_panel() {
    let s = start(&with_pin(MINIMAL));
    let k = &s.kiosk;
    open_panel(k);
    advance(Duration::from_secs(61));
    assert_eq!(page(k), Page::Home);
    assert_eq!(admin(k).get_step(), AdminStep::Pin);
}

#[test]
fn wrong_pins_lock_the_entry_and_even_the_right_pin_waits() {
    let s = start(&with_pin(MINIMAL));
    let k = &s.kiosk;
    hold(k, CORNER, Duration::from_secs(3));
    try_pin(k, "111111");
    assert_eq!(admin(k).get_problem(), PinProblem::Wrong);
    assert_eq!(admin(k).get_tries_left(), 2);
    assert_eq!(find(k, "Mã PIN không đúng. Còn 2 lần thử.").len(), 1);
    try_pin(k, "222222");
    assert_eq!(admin(k).get_tries_left(), 1);
    try_pin(k, "333333");
    assert_eq!(admin(k).get_problem(), PinProblem::Locked);
    let locked = admin(k).get_locked_for_s();
    assert!((25..=31).contains(&locked), "locked for {locked} s");

    // The right PIN during the lock: the button is off, and a forced submit checks nothing.
    type_pin(k, PIN);
    let button = find(k, OPEN);
    assert_eq!(button.len(), 1);
    assert_eq!(button[0].accessible_enabled(), Some(false));
    admin(k).invoke_submit_pin();
    settle();
    assert!(!admin(k).get_checking(), "nothing is checked while locked");
    assert_eq!(admin(k).get_step(), AdminStep::Pin);
    assert_eq!(admin(k).get_problem(), PinProblem::Locked);
    assert_eq!(page(k), Page::Admin);

    // Leaving and coming back does not lift the lock.
    tap(k, "Quay lại");
    hold(k, CORNER, Duration::from_secs(3));
    assert_eq!(admin(k).get_problem(), PinProblem::Locked);
}

#[test]
fn without_a_pin_in_the_config_the_screen_stays_locked() {
    let s = start(MINIMAL);
    let k = &s.kiosk;
    hold(k, CORNER, Duration::from_secs(3));
    assert_eq!(page(k), Page::Admin);
    assert_eq!(admin(k).get_problem(), PinProblem::NotSet);
    assert!(find(k, OPEN).is_empty(), "no PIN entry");
    admin(k).set_pin(PIN.into());
    admin(k).invoke_submit_pin();
    settle();
    assert_eq!(admin(k).get_step(), AdminStep::Pin);
}

#[test]
fn actions_do_nothing_unless_the_panel_is_open() {
    let s = start(&with_pin(MINIMAL));
    let k = &s.kiosk;
    hold(k, CORNER, Duration::from_secs(3));
    admin(k).invoke_quit();
    admin(k).invoke_restart();
    admin(k).invoke_test_print();
    settle();
    assert_eq!(k.ending(), Ending::Closed);
    assert_eq!(admin(k).get_outcome(), AdminOutcome::None);
}

#[test]
fn test_print_reaches_the_printer() {
    let s = start(&with_pin(MINIMAL));
    let k = &s.kiosk;
    open_panel(k);
    tap(k, "In phiếu thử");
    assert!(
        wait_until(k, Duration::from_secs(20), || admin(k).get_outcome()
            == AdminOutcome::TestPrinted),
        "outcome {:?}",
        admin(k).get_outcome()
    );
    let previews = std::fs::read_dir(k.preview_dir())
        .map(|d| {
            d.flatten()
                .filter(|e| e.path().extension().is_some_and(|x| x == "png"))
                .count()
        })
        .unwrap_or(0);
    assert_eq!(previews, 1, "one preview picture of the test ticket");
}

#[test]
fn restart_and_quit_end_the_event_loop_with_what_was_asked() {
    let s = start(&with_pin(MINIMAL));
    let k = &s.kiosk;
    open_panel(k);
    tap(k, "Khởi động lại");
    assert_eq!(k.ending(), Ending::Restart);

    let s = start(&with_pin(MINIMAL));
    let k = &s.kiosk;
    open_panel(k);
    tap(k, "Thoát ra hệ thống");
    assert_eq!(k.ending(), Ending::QuitToShell);
}

fn reload(k: &UiKiosk) -> AdminOutcome {
    tap(k, "Nạp lại cấu hình");
    assert!(
        wait_until(k, Duration::from_secs(20), || admin(k).get_outcome()
            != AdminOutcome::Working),
        "the reload finishes"
    );
    admin(k).get_outcome()
}

#[test]
fn a_good_config_is_reloaded_and_a_bad_one_refused_with_the_old_one_kept() {
    let text = with_pin(MINIMAL);
    let s = start(&text);
    let k = &s.kiosk;
    open_panel(k);
    assert_eq!(reload(k), AdminOutcome::ReloadUnchanged);

    // Texts, services and timeouts: taken at once.
    let edited = text
        .replace("phường Hải Châu", "phường Thạch Thang")
        .replace("idle_timeout_s = 60", "idle_timeout_s = 30")
        .replace(
            "name_vi = \"Chứng thực\"",
            "name_vi = \"Chứng thực bản sao\"",
        );
    std::fs::write(&s.file.path, &edited).unwrap();
    assert_eq!(reload(k), AdminOutcome::Reloaded);
    let detail = admin(k).get_outcome_detail().to_string();
    for key in [
        "[kiosk] office_name",
        "[kiosk] idle_timeout",
        "[queue] services",
    ] {
        assert!(detail.contains(key), "{detail}");
    }
    let state = k.window().global::<KioskState>();
    assert!(state.get_office_name().ends_with("phường Thạch Thang"));
    tap(k, "Quay lại");
    tap(k, "Lấy số thứ tự");
    assert_eq!(
        find(k, "Chứng thực bản sao").len(),
        1,
        "the new service name"
    );
    advance(Duration::from_secs(31));
    assert_eq!(page(k), Page::Home, "the new idle timeout");

    // A wrong value: refused, the message names the file, line and key; nothing changes.
    let broken = edited.replace("idle_timeout_s = 30", "idle_timeout_s = \"soon\"");
    std::fs::write(&s.file.path, &broken).unwrap();
    open_panel(k);
    assert_eq!(reload(k), AdminOutcome::ReloadRejected);
    let detail = admin(k).get_outcome_detail().to_string();
    assert!(detail.contains("kiosk-config.toml"), "{detail}");
    assert!(detail.contains("idle_timeout_s"), "{detail}");
    assert!(detail.contains(":4"), "the line: {detail}");
    assert!(state.get_office_name().ends_with("phường Thạch Thang"));
    assert_eq!(page(k), Page::Admin, "the kiosk keeps running");

    // A change that needs a restart is named, the rest applied.
    let later = edited
        .replace("phường Thạch Thang", "phường Hải Châu")
        .replace("id = \"TEST-01\"", "id = \"TEST-02\"");
    std::fs::write(&s.file.path, &later).unwrap();
    assert_eq!(reload(k), AdminOutcome::Reloaded);
    let detail = admin(k).get_outcome_detail().to_string();
    assert!(detail.contains("After a restart: [kiosk] id"), "{detail}");
    assert!(state.get_office_name().ends_with("phường Hải Châu"));
    assert_eq!(
        state.get_kiosk_id(),
        "TEST-01",
        "the id waits for the restart"
    );

    // A file that is gone.
    std::fs::remove_file(&s.file.path).unwrap();
    assert_eq!(reload(k), AdminOutcome::ReloadRejected);
}
