//! Headless UI harness: the real `AppWindow` on Slint's testing backend, with mocked time.

use std::time::Duration;

use i_slint_backend_testing::ElementHandle;
use motcua_kiosk::app::Kiosk;
use motcua_kiosk::config::Config;
use slint::ComponentHandle;
use slint::platform::PointerEventButton;

/// Each test thread gets its own Slint platform (Slint keeps it per thread).
pub fn kiosk(config: &Config, width: u32, height: u32) -> Kiosk {
    thread_local! {
        static INIT: () = i_slint_backend_testing::init_no_event_loop();
    }
    INIT.with(|_| {});
    let kiosk = Kiosk::new(config).expect("kiosk window");
    kiosk
        .window()
        .window()
        .set_size(slint::PhysicalSize::new(width, height));
    kiosk.window().show().expect("show");
    settle();
    kiosk
}

/// Lets bindings, repeaters and conditionals catch up.
pub fn settle() {
    i_slint_backend_testing::mock_elapsed_time(Duration::from_millis(20));
}

pub fn advance(d: Duration) {
    i_slint_backend_testing::mock_elapsed_time(d);
}

/// The visible elements labelled `label`.
pub fn find(kiosk: &Kiosk, label: &str) -> Vec<ElementHandle> {
    ElementHandle::find_by_accessible_label(kiosk.window(), label)
        .filter(|e| e.is_valid())
        .collect()
}

/// Taps the one element labelled `label`, as a finger would (press and release at its centre).
pub fn tap(kiosk: &Kiosk, label: &str) {
    let found = find(kiosk, label);
    assert_eq!(
        found.len(),
        1,
        "expected exactly one element labelled {label:?}, found {}",
        found.len()
    );
    found[0].mock_single_click(PointerEventButton::Left);
    settle();
}

/// Taps each character of `text` on the on-screen keyboard.
pub fn type_keys(kiosk: &Kiosk, text: &str) {
    for c in text.chars() {
        tap(kiosk, &c.to_string());
    }
}
