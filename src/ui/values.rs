//! Values for the screen: lists, Slint's `int`, the end of a print job.

use super::PrintState;

/// A list for the screen.
pub fn model<T: Clone + 'static>(items: impl IntoIterator<Item = T>) -> slint::ModelRc<T> {
    slint::ModelRc::new(slint::VecModel::from_iter(items))
}

/// A count for the screen (Slint's `int`); a larger one shows as the largest.
pub fn number(n: impl TryInto<i32>) -> i32 {
    n.try_into().unwrap_or(i32::MAX)
}

/// A count the screen shows only when known: -1 stands for "not known".
pub fn number_or_unknown(n: Option<u32>) -> i32 {
    n.map_or(-1, number)
}

/// Whole seconds, rounded up: "wait 1 s" rather than "wait 0 s".
pub fn whole_seconds(d: std::time::Duration) -> i32 {
    number(d.as_secs() + u64::from(d.subsec_nanos() > 0))
}

/// A print job's end for the screen.
pub fn print_state(printed: bool) -> PrintState {
    if printed {
        PrintState::Done
    } else {
        PrintState::Failed
    }
}

/// A picture drawn elsewhere (the preview printer's ticket), for the screen.
pub fn rgba_image(rgba: &[u8], width: u32, height: u32) -> slint::Image {
    let buffer =
        slint::SharedPixelBuffer::<slint::Rgba8Pixel>::clone_from_slice(rgba, width, height);
    slint::Image::from_rgba8(buffer)
}
