//! The platform under the window: which renderer draws it, and when its first frame is drawn.

use std::time::Duration;

use slint::ComponentHandle;

use super::AppWindow;

/// Picks winit with `renderer` ("software", "femtovg"); `SLINT_BACKEND` in the environment still
/// wins, so a technician can try another one without editing the config.
pub fn select_renderer(renderer: &str) -> Result<(), slint::PlatformError> {
    if std::env::var_os("SLINT_BACKEND").is_some() {
        return Ok(());
    }
    slint::BackendSelector::new()
        .backend_name("winit".into())
        .renderer_name(renderer.into())
        .select()
}

/// Calls `drawn` once, when the first frame is on screen. Slint draws a frame while it handles
/// winit's redraw request; a zero timer set then fires once that drawing is done. Only the winit
/// backend reports this.
pub fn on_first_frame(window: &AppWindow, drawn: impl FnOnce() + 'static) {
    use slint::winit_030::{EventResult, WinitWindowAccessor, winit};
    let mut drawn = Some(drawn);
    window.window().on_winit_window_event(move |_, event| {
        if matches!(event, winit::event::WindowEvent::RedrawRequested)
            && let Some(drawn) = drawn.take()
        {
            slint::Timer::single_shot(Duration::ZERO, drawn);
        }
        EventResult::Propagate
    });
}
