//! The procedure search of Một Cửa, shared by the kiosk (`motcua-kiosk`, over its catalog cache)
//! and the office server (`motcua-central`), so a citizen finds the same procedures for the same
//! words on the lobby screen and on the office's web page.
//!
//! - [`fold`](fold()): the one normal form of Vietnamese text (`Đăng ký` → `dang ky`) for index
//!   and queries; [`initials`] for abbreviations; [`local_code`] for records without a code.
//! - [`index`]: the SQLite FTS5 tables and the folded text each procedure is indexed by.
//! - [`search`](search()): prefix search in tiers (name phrase, name, code and field,
//!   anywhere), then one-edit corrections ([`typo`]) when the plain search finds too little.
//! - [`MemoryIndex`]: a whole index in memory, for a server or a test that keeps its procedures
//!   elsewhere.
//!
//! The search runs on any SQLite connection that holds the [`index`] tables next to the host
//! tables described there; the kiosk keeps them in its catalog file.

mod fold;
pub mod index;
mod memory;
mod search;
pub mod typo;

pub use fold::{fold, initials, local_code};
pub use memory::{IndexRecord, MemoryIndex};
pub use search::{field_id, load_vocabulary, search, words};

/// One procedure found: what a result list shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchHit {
    pub code: String,
    pub name: String,
    /// Empty when the record names no field.
    pub field: String,
}
