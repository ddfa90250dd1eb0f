//! The search index: an FTS5 table over the folded text of each procedure, and the vocabulary
//! the typo pass corrects against.
//!
//! The index lives in the same database as the procedures it points to. The search reads these
//! host tables, which the database must have (the kiosk's catalog has them with more columns;
//! [`crate::MemoryIndex`] creates just these):
//!
//! ```sql
//! fields (id INTEGER PRIMARY KEY, name TEXT, folded TEXT)        -- folded: fold(name)
//! procedures (id INTEGER PRIMARY KEY, code TEXT, name TEXT,
//!             name_folded TEXT, position INTEGER, field_id INTEGER,
//!             common_weight INTEGER)                           -- 0-100, see BUNDLED_COMMON
//! ```
//!
//! and the rowid of a procedure's index rows is its `procedures.id`.

use std::collections::HashSet;

use rusqlite::{Connection, params};

use crate::fold::{fold, initials};

/// The index table. Contentless: the text lives in the host tables.
///
/// Every word a procedure is found by, each once (its name, `initials` of every 2-4 word run of
/// the name, matched whole for "dk", "gcn"; `extra`: code and field; its documents and legal
/// basis): the search's last tier, after the names (answered in memory, [`crate::NameList`]),
/// and the vocabulary of the typo pass. Prefix indexes of 1-3 characters keep a short last word
/// cheap. It keeps which columns hold a word but not where (`detail = 'column'`): it is searched
/// word by word, never by phrase, and without positions it is half the size, quicker to build
/// and to read. A whole catalog is written in one transaction: a 32 MiB in-memory hash before
/// each flush makes fewer, larger segments (a third faster than the 1 MiB default).
pub const TABLES: &str = r#"
    CREATE VIRTUAL TABLE procedure_search USING fts5 (
        name, initials, extra, documents, legal,
        content = '', contentless_delete = 1, detail = 'column',
        tokenize = 'unicode61 remove_diacritics 2',
        prefix = '1 2 3'
    );
    INSERT INTO procedure_search (procedure_search, rank) VALUES ('hashsize', 33554432);
    CREATE VIRTUAL TABLE procedure_terms USING fts5vocab (procedure_search, 'row');
"#;

/// The folded text a procedure is found by, one string per index column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexText {
    /// The folded name; also the host table's `name_folded`.
    pub name: String,
    pub initials: String,
    /// Code and field.
    pub extra: String,
    pub documents: String,
    pub legal: String,
}

impl IndexText {
    /// `documents`: the documents' names; `legal`: the legal basis' codes and titles.
    pub fn new<'a>(
        name: &str,
        code: &str,
        field: Option<&str>,
        documents: impl IntoIterator<Item = &'a str>,
        legal: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        let name = fold(name);
        let initials = initials(&name).join(" ");
        let mut extra = fold(code);
        if let Some(field) = field {
            extra.push(' ');
            extra.push_str(&fold(field));
        }
        IndexText {
            name,
            initials,
            extra,
            documents: distinct_words(documents),
            legal: distinct_words(legal),
        }
    }
}

/// Folded text with each word once. Document and legal text repeats itself a lot; positions
/// there are never searched (phrases are matched in names only), and a fraction of the words
/// makes import and the fallback search several times faster.
fn distinct_words<'a>(texts: impl IntoIterator<Item = &'a str>) -> String {
    let mut folded = String::new();
    for t in texts {
        folded.push_str(&fold(t));
        folded.push(' ');
    }
    let mut seen: HashSet<&str> = HashSet::new();
    let mut out = String::with_capacity(folded.len() / 2);
    for w in folded.split(' ').filter(|w| !w.is_empty()) {
        if seen.insert(w) {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(w);
        }
    }
    out
}

/// Indexes the procedure whose host row has `id`.
pub fn insert(conn: &Connection, id: i64, text: &IndexText) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO procedure_search (rowid, name, initials, extra, documents, legal)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        id,
        text.name,
        text.initials,
        text.extra,
        text.documents,
        text.legal
    ])?;
    Ok(())
}

/// Removes the index row of the procedure whose host row has `id`.
pub fn delete(conn: &Connection, id: i64) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM procedure_search WHERE rowid = ?1")?
        .execute(params![id])?;
    Ok(())
}

/// Empties the index (before a full replacement).
pub fn clear(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch("INSERT INTO procedure_search (procedure_search) VALUES ('delete-all');")
}
