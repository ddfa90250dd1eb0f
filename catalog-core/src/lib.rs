//! The procedure search of Một Cửa, shared by the kiosk (`motcua-kiosk`, over its catalog cache)
//! and the office server (`motcua-central`), so a citizen finds the same procedures for the same
//! words on the lobby screen and on the office's web page.
//!
//! - [`fold`](fold()): the one normal form of Vietnamese text (`Đăng ký` → `dang ky`) for index
//!   and queries; [`initials`] for abbreviations; [`local_code`] for records without a code.
//! - [`index`]: the SQLite FTS5 table and the folded text each procedure is indexed by.
//! - [`search`](search()): prefix search in tiers (name phrase, name, code and field, over
//!   the names in memory: [`NameList`]; then anywhere, over the index), with one-edit
//!   corrections ([`typo`]) when the plain search finds too little.
//! - [`Synonyms`]: the words citizens use (`sổ đỏ`, `công chứng`, `photo`) rewritten to the
//!   catalog's; [`bundled_weight`]: how common a procedure is, which breaks ties. Servers send
//!   their own; these are the defaults.
//! - [`english`]: Vietnamese words to suggest to a visitor who typed English;
//!   [`vocabulary`]: the catalog's fixed words (fields, ways, fees, times) in English.
//! - [`MemoryIndex`]: a whole index in memory, for a server or a test that keeps its procedures
//!   elsewhere.
//!
//! The search runs on any SQLite connection that holds the [`index`] table next to the host
//! tables described there, with a [`NameList`] read from them; the kiosk keeps them in its
//! catalog file.

pub mod english;
mod fold;
pub mod index;
mod memory;
mod names;
mod search;
pub mod typo;
pub mod vocabulary;
mod words;

pub use fold::{fold, initials, local_code};
pub use memory::{IndexRecord, MemoryIndex};
pub use names::NameList;
pub use search::{field_id, load_vocabulary, search, search_with_synonyms, words};
pub use words::{
    BUNDLED_COMMON, BUNDLED_SYNONYMS, MAX_SYNONYMS, MAX_WEIGHT, Synonym, Synonyms, bundled_weight,
};

/// One procedure found: what a result list shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchHit {
    pub code: String,
    pub name: String,
    /// Empty when the record names no field.
    pub field: String,
}
