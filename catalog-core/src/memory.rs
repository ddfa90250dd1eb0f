//! A whole search index in an in-memory SQLite database: for a server whose procedures live in
//! another store (PostgreSQL, JSON rows), and for the ranking tests.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use rusqlite::{Connection, params};

use crate::index::{self, IndexText};
use crate::typo::Vocabulary;
use crate::{NameList, SearchHit, Synonyms, fold};

/// What the index needs of one procedure.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IndexRecord {
    pub code: String,
    pub name: String,
    pub field: Option<String>,
    /// The documents' names.
    pub documents: Vec<String>,
    /// The legal basis: codes and titles.
    pub legal: Vec<String>,
}

/// Procedures indexed for search. Owns one connection: `Send`, not `Sync` (a server keeps it
/// behind a lock, or one per thread).
pub struct MemoryIndex {
    conn: Connection,
    synonyms: Synonyms,
    /// The name tiers' list, read after each replacement.
    names: NameList,
    /// The typo pass's word list, read on first need after each replacement.
    vocabulary: RefCell<Option<Arc<Vocabulary>>>,
}

impl std::fmt::Debug for MemoryIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryIndex").finish_non_exhaustive()
    }
}

const HOST_TABLES: &str = "
    CREATE TABLE fields (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, folded TEXT NOT NULL);
    CREATE TABLE procedures (
        id INTEGER PRIMARY KEY,
        code TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        name_folded TEXT NOT NULL,
        position INTEGER NOT NULL,
        field_id INTEGER REFERENCES fields (id),
        common_weight INTEGER NOT NULL
    );
";

impl MemoryIndex {
    /// An empty index with the bundled synonyms.
    pub fn new() -> rusqlite::Result<Self> {
        let conn = Connection::open_in_memory()?;
        conn.execute_batch(HOST_TABLES)?;
        conn.execute_batch(index::TABLES)?;
        Ok(Self {
            conn,
            synonyms: Synonyms::bundled(),
            names: NameList::default(),
            vocabulary: RefCell::new(None),
        })
    }

    /// The synonyms queries are rewritten with (a server's own list).
    pub fn set_synonyms(&mut self, synonyms: Synonyms) {
        self.synonyms = synonyms;
    }

    /// Replaces everything with `records`, in their order (which breaks ties in the ranking). A
    /// code met twice keeps its first record. How common each is: the bundled weights
    /// ([`crate::bundled_weight`]).
    pub fn replace(&mut self, records: &[IndexRecord]) -> rusqlite::Result<()> {
        self.replace_weighted(records, |r| crate::bundled_weight(&r.code))
    }

    /// [`replace`](Self::replace) with how common each procedure is at the office, 0-100
    /// (a server's `common_weight`; more is cut to 100): among equally good matches the
    /// commoner comes first.
    pub fn replace_weighted(
        &mut self,
        records: &[IndexRecord],
        weight: impl Fn(&IndexRecord) -> u8,
    ) -> rusqlite::Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute_batch("DELETE FROM procedures; DELETE FROM fields;")?;
        index::clear(&tx)?;
        let mut fields: HashMap<&str, i64> = HashMap::new();
        for (position, r) in (0_i64..).zip(records) {
            let field_id = match r.field.as_deref() {
                Some(name) => Some(match fields.get(name) {
                    Some(id) => *id,
                    None => {
                        tx.execute(
                            "INSERT INTO fields (name, folded) VALUES (?1, ?2)",
                            params![name, fold(name)],
                        )?;
                        let id = tx.last_insert_rowid();
                        fields.insert(name, id);
                        id
                    }
                }),
                None => None,
            };
            let text = IndexText::new(
                &r.name,
                &r.code,
                r.field.as_deref(),
                r.documents.iter().map(String::as_str),
                r.legal.iter().map(String::as_str),
            );
            let inserted = tx.execute(
                "INSERT INTO procedures (code, name, name_folded, position, field_id,
                     common_weight)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (code) DO NOTHING",
                params![
                    r.code,
                    r.name,
                    text.name,
                    position,
                    field_id,
                    weight(r).min(crate::MAX_WEIGHT)
                ],
            )?;
            if inserted == 1 {
                index::insert(&tx, tx.last_insert_rowid(), &text)?;
            }
        }
        tx.commit()?;
        self.names = NameList::load(&self.conn)?;
        self.vocabulary.replace(None);
        Ok(())
    }

    /// Best first, at most `limit`. `field` (a field's name, compared folded) searches within
    /// one field; an unknown field finds nothing.
    pub fn search(
        &self,
        query: &str,
        field: Option<&str>,
        limit: usize,
    ) -> rusqlite::Result<Vec<SearchHit>> {
        let field_id = match field {
            Some(name) => match crate::field_id(&self.conn, name)? {
                Some(id) => Some(id),
                None => return Ok(Vec::new()),
            },
            None => None,
        };
        crate::search_with_synonyms(
            &self.conn,
            &self.synonyms,
            &self.names,
            || self.vocabulary(),
            query,
            field_id,
            limit,
        )
    }

    fn vocabulary(&self) -> rusqlite::Result<Arc<Vocabulary>> {
        if let Some(v) = self.vocabulary.borrow().as_ref() {
            return Ok(v.clone());
        }
        let v = Arc::new(crate::load_vocabulary(&self.conn)?);
        self.vocabulary.replace(Some(v.clone()));
        Ok(v)
    }
}
