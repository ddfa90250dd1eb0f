//! Headless UI harness: the real `AppWindow` on Slint's testing backend, with mocked time.

use std::time::Duration;

use i_slint_backend_testing::ElementHandle;
use motcua_kiosk::app::Kiosk;
use motcua_kiosk::config::Config;
use slint::ComponentHandle;
use slint::platform::PointerEventButton;

/// A kiosk window whose catalog and printer preview live in a temporary folder of its own.
pub struct UiKiosk {
    pub kiosk: Kiosk,
    pub dir: tempfile::TempDir,
}

impl std::ops::Deref for UiKiosk {
    type Target = Kiosk;
    fn deref(&self) -> &Kiosk {
        &self.kiosk
    }
}

impl UiKiosk {
    pub fn preview_dir(&self) -> std::path::PathBuf {
        self.dir.path().join("preview")
    }
}

/// Each test thread gets its own Slint platform (Slint keeps it per thread).
pub fn kiosk(config: &Config, width: u32, height: u32) -> UiKiosk {
    thread_local! {
        static INIT: () = i_slint_backend_testing::init_no_event_loop();
    }
    INIT.with(|_| {});
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = config.clone();
    config.catalog.database = dir.path().join("catalog.sqlite3");
    if let motcua_kiosk::config::PrinterTransport::Preview { dir: preview } =
        &mut config.printer.transport
    {
        *preview = dir.path().join("preview");
    }
    let kiosk = Kiosk::new(&config).expect("kiosk window");
    kiosk
        .window()
        .window()
        .set_size(slint::PhysicalSize::new(width, height));
    kiosk.window().show().expect("show");
    settle();
    UiKiosk { kiosk, dir }
}

/// Pumps worker events until `done` holds or `limit` passes (workers do real I/O in real time).
pub fn wait_until(kiosk: &Kiosk, limit: Duration, done: impl Fn() -> bool) -> bool {
    let start = std::time::Instant::now();
    loop {
        kiosk.pump_events();
        settle();
        if done() {
            return true;
        }
        if start.elapsed() > limit {
            return false;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
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
