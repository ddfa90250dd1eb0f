//! Maps between byte offsets in the config text and key paths such as `queue.services[1].prefix`,
//! so every problem can name both the line:column and the key. Shared with the office server's
//! `central.toml` (crate `motcua-common`).

pub use motcua_common::locate::{KeyPath, line_col, path_at, span_of};
