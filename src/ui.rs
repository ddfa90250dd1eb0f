//! The Slint UI compiled from `ui/app.slint`: `AppWindow` and the globals of `ui/api.slint`.
#![allow(clippy::all, clippy::unwrap_used, missing_docs)]
slint::include_modules!();
