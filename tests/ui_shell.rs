//! The UI shell, headless: navigation home → each page → back, the language switch, and the idle
//! timeout clearing every input (with mocked time).

use std::time::Duration;

use motcua_kiosk::ui::{CatalogAdapter, DossierAdapter, FeedbackAdapter, KioskState, Page};
use slint::ComponentHandle;

use crate::support::ui::{advance, find, kiosk, tap, type_keys};
use crate::support::{self, MINIMAL};

fn page(k: &motcua_kiosk::app::Kiosk) -> Page {
    k.window().global::<KioskState>().get_page()
}

#[test]
fn home_shows_office_and_four_actions() {
    let config = support::parse(MINIMAL).expect("config");
    let k = kiosk(&config, 1920, 1080);
    assert_eq!(page(&k), Page::Home);
    for label in [
        "Lấy số thứ tự",
        "Tra cứu thủ tục",
        "Tra cứu hồ sơ",
        "Đánh giá",
        "Tiếng Việt",
        "English",
    ] {
        let found = find(&k, label);
        assert_eq!(found.len(), 1, "{label}");
        let size = found[0].size();
        assert!(
            size.height >= 96.0,
            "{label} is only {} px tall",
            size.height
        );
    }
    let state = k.window().global::<KioskState>();
    assert_eq!(
        state.get_office_name(),
        "Trung tâm Phục vụ hành chính công phường Hải Châu"
    );
    assert!(state.get_date().starts_with("Thứ "), "{}", state.get_date());
}

#[test]
fn every_page_opens_from_home_and_back_returns() {
    let config = support::parse(MINIMAL).expect("config");
    for (w, h) in [(1920, 1080), (1080, 1920)] {
        let k = kiosk(&config, w, h);
        for (action, expected) in [
            ("Lấy số thứ tự", Page::Queue),
            ("Tra cứu thủ tục", Page::Catalog),
            ("Tra cứu hồ sơ", Page::Dossier),
            ("Đánh giá", Page::Feedback),
        ] {
            tap(&k, action);
            assert_eq!(page(&k), expected, "{action} at {w}x{h}");
            let back = find(&k, "Quay lại");
            assert_eq!(back.len(), 1);
            assert!(back[0].size().height >= 96.0);
            tap(&k, "Quay lại");
            assert_eq!(page(&k), Page::Home, "back from {action} at {w}x{h}");
        }
    }
}

#[test]
fn on_screen_keyboards_type_and_back_clears() {
    let config = support::parse(MINIMAL).expect("config");
    let k = kiosk(&config, 1920, 1080);
    tap(&k, "Tra cứu thủ tục");
    type_keys(&k, "KHAI");
    tap(&k, "Dấu cách");
    type_keys(&k, "SIN");
    assert_eq!(
        k.window().global::<CatalogAdapter>().get_query(),
        "KHAI SIN"
    );
    tap(&k, "Xoá");
    assert_eq!(k.window().global::<CatalogAdapter>().get_query(), "KHAI SI");
    tap(&k, "Quay lại");
    assert_eq!(
        k.window().global::<CatalogAdapter>().get_query(),
        "",
        "leaving clears the query"
    );

    tap(&k, "Tra cứu hồ sơ");
    type_keys(&k, "000.H56-");
    assert_eq!(k.window().global::<DossierAdapter>().get_code(), "000.H56-");
    tap(&k, "Bàn phím đầy đủ");
    type_keys(&k, "Q");
    assert_eq!(
        k.window().global::<DossierAdapter>().get_code(),
        "000.H56-Q"
    );
    tap(&k, "Xoá hết");
    assert_eq!(k.window().global::<DossierAdapter>().get_code(), "");
}

#[test]
fn idle_timeout_returns_home_and_clears_every_input() {
    let config = support::parse(MINIMAL).expect("config");
    assert_eq!(config.kiosk.idle_timeout, Duration::from_secs(60));
    let k = kiosk(&config, 1920, 1080);
    tap(&k, "English");
    tap(&k, "Find a procedure");
    type_keys(&k, "HO");
    // Activity keeps the session alive: 40 s, a tap, 40 s more is still within the timeout
    // (and before the idle warning, whose first tap only answers it).
    advance(Duration::from_secs(40));
    type_keys(&k, "N");
    advance(Duration::from_secs(40));
    assert_eq!(page(&k), Page::Catalog);
    assert_eq!(k.window().global::<CatalogAdapter>().get_query(), "HON");

    // Fill the other inputs the same way, through the Rust-facing adapters.
    k.window()
        .global::<DossierAdapter>()
        .set_code("000.00.06.H56".into());
    k.window().global::<FeedbackAdapter>().set_choice(2);

    advance(Duration::from_secs(21));
    assert_eq!(page(&k), Page::Home, "idle timeout goes home");
    assert_eq!(k.window().global::<CatalogAdapter>().get_query(), "");
    assert_eq!(k.window().global::<DossierAdapter>().get_code(), "");
    assert_eq!(k.window().global::<FeedbackAdapter>().get_choice(), -1);
    assert_eq!(
        k.window().global::<KioskState>().get_language(),
        "vi",
        "next citizen starts in Vietnamese"
    );
    assert_eq!(
        find(&k, "Lấy số thứ tự").len(),
        1,
        "Vietnamese labels are back"
    );
}

/// The idle warning on screen: its countdown text, or `None`.
fn idle_warning(k: &motcua_kiosk::app::Kiosk) -> Option<String> {
    let asked = find(k, "Quý vị còn tiếp tục không?").len() == 2; // the card and its title
    let left = k.window().global::<KioskState>().get_idle_warning_s();
    (asked && k.window().global::<KioskState>().get_idle_warning()).then(|| {
        (0..=left)
            .map(|n| format!("Màn hình sẽ trở về trang chủ sau {n} giây."))
            .find(|text| find(k, text).len() == 1)
            .unwrap_or_default()
    })
}

/// Lets `seconds` pass one at a time, as the countdown's timer sees them.
fn wait_seconds(seconds: u64) {
    for _ in 0..seconds {
        advance(Duration::from_secs(1));
    }
}

#[test]
fn the_idle_warning_asks_first_and_one_tap_keeps_the_page() {
    let config = support::parse(MINIMAL).expect("config");
    assert_eq!(config.kiosk.idle_warning, Duration::from_secs(15));
    let k = kiosk(&config, 1080, 1920);
    tap(&k, "Tra cứu thủ tục");
    type_keys(&k, "HO");
    wait_seconds(44);
    assert_eq!(idle_warning(&k), None, "not before the last 15 s");
    wait_seconds(1);
    assert_eq!(
        idle_warning(&k).as_deref(),
        Some("Màn hình sẽ trở về trang chủ sau 15 giây.")
    );
    wait_seconds(5);
    assert_eq!(
        idle_warning(&k).as_deref(),
        Some("Màn hình sẽ trở về trang chủ sau 10 giây.")
    );
    // "Still here": the page and what was typed stay, the full timeout starts again.
    tap(&k, "Tôi vẫn đang xem");
    assert_eq!(idle_warning(&k), None);
    assert_eq!(page(&k), Page::Catalog);
    assert_eq!(k.window().global::<CatalogAdapter>().get_query(), "HO");
    wait_seconds(44);
    assert_eq!(idle_warning(&k), None);
    wait_seconds(1);
    assert!(idle_warning(&k).is_some(), "asked again");
    // Unanswered: home, inputs gone, no question left on screen.
    wait_seconds(15);
    assert_eq!(page(&k), Page::Home);
    assert_eq!(idle_warning(&k), None);
    assert_eq!(k.window().global::<CatalogAdapter>().get_query(), "");
    // The home page itself never asks.
    wait_seconds(50);
    assert!(find(&k, "Quý vị còn tiếp tục không?").is_empty());
}

#[test]
fn the_idle_warning_can_be_turned_off() {
    let text = MINIMAL.replace(
        "idle_timeout_s = 60",
        "idle_timeout_s = 60\nidle_warning_s = 0",
    );
    let config = support::parse(&text).expect("config");
    let k = kiosk(&config, 1920, 1080);
    tap(&k, "Tra cứu thủ tục");
    wait_seconds(59);
    assert!(find(&k, "Quý vị còn tiếp tục không?").is_empty());
    assert_eq!(page(&k), Page::Catalog);
    wait_seconds(1);
    assert_eq!(page(&k), Page::Home);
}

#[test]
fn language_switch_changes_the_whole_screen_at_once() {
    let config = support::parse(MINIMAL).expect("config");
    let k = kiosk(&config, 1920, 1080);
    tap(&k, "English");
    assert_eq!(k.window().global::<KioskState>().get_language(), "en");
    for label in [
        "Take a number",
        "Find a procedure",
        "Check a dossier",
        "Rate our service",
    ] {
        assert_eq!(find(&k, label).len(), 1, "{label}");
    }
    assert!(find(&k, "Lấy số thứ tự").is_empty());
    assert!(
        k.window()
            .global::<KioskState>()
            .get_date()
            .contains("day, ")
    );
    tap(&k, "Take a number");
    assert_eq!(
        find(&k, "Civil status").len(),
        1,
        "offline services are named in English too"
    );
    tap(&k, "Back");
    tap(&k, "Tiếng Việt");
    assert_eq!(find(&k, "Lấy số thứ tự").len(), 1);
}

#[test]
fn english_can_be_turned_off() {
    let text = MINIMAL.replace(
        "idle_timeout_s = 60",
        "idle_timeout_s = 60\nlanguages = [\"vi\"]",
    );
    let config = support::parse(&text).expect("config");
    let k = kiosk(&config, 1920, 1080);
    assert!(find(&k, "English").is_empty());
}
