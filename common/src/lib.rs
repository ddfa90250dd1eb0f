//! What the kiosk (`motcua-kiosk`) and the office server (`motcua-central`) share, so neither
//! writes it twice:
//! - [`locate`]: byte offsets ↔ key paths in a TOML file, so a config problem names its
//!   file:line:column and its key.
#![deny(clippy::unwrap_used)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod locate;
