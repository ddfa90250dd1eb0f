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

/// How a test thread's windows are drawn: not at all (fixed font metrics, fast), or by the
/// software renderer with the real fonts, for snapshots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drawing {
    Mock,
    Software,
}

/// Each test thread gets its own Slint platform (Slint keeps it per thread).
fn init_platform(drawing: Drawing) {
    thread_local! {
        static CHOSEN: std::cell::Cell<Option<Drawing>> = const { std::cell::Cell::new(None) };
    }
    CHOSEN.with(|chosen| match chosen.get() {
        Some(already) => assert_eq!(already, drawing, "one drawing mode per test thread"),
        None => {
            let options = i_slint_backend_testing::TestingBackendOptions {
                mock_time: true,
                threading: false,
                renderer_name: (drawing == Drawing::Software).then(|| "software".into()),
            };
            slint::platform::set_platform(Box::new(i_slint_backend_testing::TestingBackend::new(
                options,
            )))
            .expect("no Slint platform yet on this test thread");
            chosen.set(Some(drawing));
        }
    });
}

pub fn kiosk(config: &Config, width: u32, height: u32) -> UiKiosk {
    kiosk_drawn(config, width, height, Drawing::Mock)
}

/// A kiosk window drawn by `drawing`; see [`kiosk`].
pub fn kiosk_drawn(config: &Config, width: u32, height: u32, drawing: Drawing) -> UiKiosk {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = config.clone();
    config.catalog.database = dir.path().join("catalog.sqlite3");
    start(config, dir, width, height, drawing)
}

/// A kiosk on the catalog file the config names (the others live in a temporary folder).
pub fn kiosk_keeping_catalog(config: &Config, width: u32, height: u32) -> UiKiosk {
    let dir = tempfile::tempdir().expect("temp dir");
    start(config.clone(), dir, width, height, Drawing::Mock)
}

fn start(
    mut config: Config,
    dir: tempfile::TempDir,
    width: u32,
    height: u32,
    drawing: Drawing,
) -> UiKiosk {
    init_platform(drawing);
    // Configs parsed as if from /etc keep their state in the test's folder, never in /etc.
    if config.kiosk.data_dir.starts_with("/etc") {
        config.kiosk.data_dir = dir.path().join("data");
    }
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
pub fn wait_until(kiosk: &Kiosk, limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    super::wait::eventually(limit, || {
        kiosk.pump_events();
        settle();
        done()
    })
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

/// Scrolls what is under the middle of the window `dy` pixels up, as a mouse wheel would (the
/// content of a page's scrolling area is not found by label, so tests scroll by distance).
pub fn scroll_by(kiosk: &Kiosk, dy: f32) {
    let window = kiosk.window().window();
    let size = window.size().to_logical(window.scale_factor());
    window.dispatch_event(slint::platform::WindowEvent::PointerScrolled {
        position: slint::LogicalPosition::new(size.width / 2.0, size.height / 2.0),
        delta_x: 0.0,
        delta_y: -dy,
    });
    settle();
}
