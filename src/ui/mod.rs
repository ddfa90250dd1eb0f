//! The Slint UI compiled from `ui/app.slint` (`AppWindow` and the globals of `ui/api.slint`),
//! and small helpers for talking to any Slint window that know nothing of the kiosk: callbacks
//! that hold their target weakly, lists and numbers for the screen, work sent to the UI thread,
//! and the platform's renderer and first frame.

mod generated {
    #![allow(clippy::all, clippy::unwrap_used, missing_docs)]
    slint::include_modules!();
}
pub use generated::*;

pub mod bind;
pub mod jobs;
pub mod platform;
pub mod values;
