//! The name tiers of the search, answered in memory: every procedure in the order those tiers
//! rank by, and the words of its name, initials, code and field, each word with the procedures
//! that hold it. A query word marks the procedures holding a word it starts in a bit set, the
//! sets of the query's words are intersected, and the first members are the best hits: no sort,
//! so a letter or two that half a province's catalog matches costs about as little as a rare
//! word, where an index had to fetch and sort every match first.
//!
//! Words are matched as the FTS5 index matches them: the folded text is words of letters and
//! digits between single spaces (see [`fold`](crate::fold())), a query word is a prefix of one
//! of them, an abbreviation equals one of the initials.

use std::collections::HashMap;

use rusqlite::Connection;

use crate::SearchHit;
use crate::index::IndexText;

/// One procedure as the name tiers see it.
#[derive(Debug)]
struct Entry {
    hit: SearchHit,
    field_id: Option<i64>,
    /// The folded name, for phrases.
    name: String,
}

/// What a name tier looks at.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Columns {
    Name,
    NameOrExtra,
}

/// Every procedure for the name tiers, best first, with the words of their names, of their
/// codes and fields, and their initials, each word listing the procedures that hold it. Build
/// it again when the catalog changes.
#[derive(Debug, Default)]
pub struct NameList {
    entries: Vec<Entry>,
    name: Words,
    extra: Words,
    initials: Words,
}

impl NameList {
    /// Reads the host tables (see [`crate::index`]). About 20 ms for 10,000 procedures.
    pub fn load(conn: &Connection) -> rusqlite::Result<Self> {
        // The order of the name tiers: what offices handle most, then the shortest name (the
        // most specific), then the source's order.
        let mut stmt = conn.prepare(
            "SELECT p.code, p.name, f.name, p.field_id FROM procedures p
             LEFT JOIN fields f ON f.id = p.field_id
             ORDER BY p.common_weight DESC, length(p.name_folded), p.position",
        )?;
        let rows = stmt.query_map([], |r| {
            let (code, name, field): (String, String, Option<String>) =
                (r.get(0)?, r.get(1)?, r.get(2)?);
            let text = IndexText::new(&name, &code, field.as_deref(), [], []);
            let entry = Entry {
                hit: SearchHit {
                    code,
                    name,
                    field: field.unwrap_or_default(),
                },
                field_id: r.get(3)?,
                name: text.name.clone(),
            };
            Ok((entry, text))
        })?;
        let (entries, texts): (Vec<Entry>, Vec<IndexText>) =
            rows.collect::<Result<Vec<_>, _>>()?.into_iter().unzip();
        Ok(Self {
            entries,
            name: Words::of(texts.iter().map(|t| t.name.as_str())),
            extra: Words::of(texts.iter().map(|t| t.extra.as_str())),
            initials: Words::of(texts.iter().map(|t| t.initials.as_str())),
        })
    }

    /// The procedures whose name starts a word with the words of `phrase` in a row, the last
    /// one as a prefix, best first.
    pub(crate) fn phrase(&self, phrase: &str, field: Option<i64>) -> Vec<&SearchHit> {
        let words: Vec<&str> = phrase.split(' ').collect();
        let mut found = Set::full(self.entries.len());
        for (i, w) in words.iter().enumerate() {
            let mut with = Set::empty(self.entries.len());
            if i + 1 == words.len() {
                self.name.starting(w, &mut with);
            } else {
                self.name.equal(w, &mut with);
            }
            found.and(&with);
        }
        self.best(&found, field, |e| starts_word(&e.name, phrase))
    }

    /// The procedures matching every group (any word of a group may match): a word starts a
    /// word of the name (or of the code and field too), or short plain letters equal one of
    /// the name's initials (`may_be_initials`). Best first.
    pub(crate) fn every_group(
        &self,
        groups: &[Vec<String>],
        columns: Columns,
        may_be_initials: fn(&str) -> bool,
        field: Option<i64>,
    ) -> Vec<&SearchHit> {
        let mut found = Set::full(self.entries.len());
        for group in groups {
            let mut with = Set::empty(self.entries.len());
            for w in group {
                self.name.starting(w, &mut with);
                if columns == Columns::NameOrExtra {
                    self.extra.starting(w, &mut with);
                }
                if may_be_initials(w) {
                    self.initials.equal(w, &mut with);
                }
            }
            found.and(&with);
        }
        self.best(&found, field, |_| true)
    }

    /// The procedures in `found` (and `field`, and `also`), best first.
    fn best(
        &self,
        found: &Set,
        field: Option<i64>,
        also: impl Fn(&Entry) -> bool,
    ) -> Vec<&SearchHit> {
        found
            .members()
            .map(|i| &self.entries[i])
            .filter(|e| field.is_none_or(|f| e.field_id == Some(f)) && also(e))
            .map(|e| &e.hit)
            .collect()
    }
}

/// The distinct words of one column, sorted, each with the procedures (positions in the list)
/// that hold it.
#[derive(Debug, Default)]
struct Words {
    words: Vec<(String, Vec<u32>)>,
}

impl Words {
    fn of<'a>(texts: impl Iterator<Item = &'a str>) -> Self {
        let mut holders: HashMap<&str, Vec<u32>> = HashMap::new();
        for (i, text) in (0_u32..).zip(texts) {
            for w in text.split(' ').filter(|w| !w.is_empty()) {
                let list = holders.entry(w).or_default();
                if list.last() != Some(&i) {
                    list.push(i);
                }
            }
        }
        let mut words: Vec<(String, Vec<u32>)> = holders
            .into_iter()
            .map(|(w, list)| (w.to_string(), list))
            .collect();
        words.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        Self { words }
    }

    /// Adds to `set` the holders of every word starting with `prefix`.
    fn starting(&self, prefix: &str, set: &mut Set) {
        if prefix.is_empty() {
            return;
        }
        let start = self.words.partition_point(|(w, _)| w.as_str() < prefix);
        for (_, holders) in self.words[start..]
            .iter()
            .take_while(|(w, _)| w.starts_with(prefix))
        {
            set.add_all(holders);
        }
    }

    /// Adds to `set` the holders of `word`.
    fn equal(&self, word: &str, set: &mut Set) {
        if let Ok(at) = self.words.binary_search_by(|(w, _)| w.as_str().cmp(word)) {
            set.add_all(&self.words[at].1);
        }
    }
}

/// A set of positions in the list, one bit each.
struct Set {
    bits: Vec<u64>,
}

impl Set {
    fn empty(len: usize) -> Self {
        Self {
            bits: vec![0; len.div_ceil(64)],
        }
    }

    fn full(len: usize) -> Self {
        let mut set = Self::empty(len);
        for i in 0..len {
            set.bits[i / 64] |= 1 << (i % 64);
        }
        set
    }

    fn add_all(&mut self, positions: &[u32]) {
        for &p in positions {
            let p = p as usize;
            self.bits[p / 64] |= 1 << (p % 64);
        }
    }

    fn and(&mut self, other: &Set) {
        for (a, b) in self.bits.iter_mut().zip(&other.bits) {
            *a &= b;
        }
    }

    #[cfg(test)]
    fn has(&self, i: usize) -> bool {
        self.bits[i / 64] & (1 << (i % 64)) != 0
    }

    /// The positions in the set, in order.
    fn members(&self) -> impl Iterator<Item = usize> + '_ {
        self.bits.iter().enumerate().flat_map(|(block, &bits)| {
            let mut rest = bits;
            std::iter::from_fn(move || {
                (rest != 0).then(|| {
                    let at = rest.trailing_zeros() as usize;
                    rest &= rest - 1;
                    block * 64 + at
                })
            })
        })
    }
}

/// Whether `prefix` occurs in `text` where a word starts. With spaces in `prefix`, its words
/// before the last are whole words of `text`, in a row.
fn starts_word(text: &str, prefix: &str) -> bool {
    !prefix.is_empty()
        && std::iter::once(0)
            .chain(text.match_indices(' ').map(|(at, _)| at + 1))
            .any(|at| text[at..].starts_with(prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_match_at_their_start_only() {
        assert!(starts_word("dang ky khai sinh", "kha"));
        assert!(starts_word("dang ky khai sinh", "dang ky kh"));
        assert!(!starts_word("dang ky khai sinh", "ang"));
        assert!(!starts_word("dang ky khai sinh", "dang k khai"));
        assert!(!starts_word("dang ky khai sinh", "ky khai s x"));
        assert!(!starts_word("dang ky", ""));
        // A match that is not at a word's start does not hide one that is.
        assert!(starts_word("ba a a", "a a"));
    }

    #[test]
    fn a_prefix_finds_every_word_it_starts() {
        let words = Words::of(["dang ky khai sinh", "khai tu", "ket hon"].iter().copied());
        let found = |prefix: &str| {
            let mut set = Set::empty(3);
            words.starting(prefix, &mut set);
            (0..3).filter(|&i| set.has(i)).collect::<Vec<_>>()
        };
        assert_eq!(found("k"), [0, 1, 2]);
        assert_eq!(found("kha"), [0, 1]);
        assert_eq!(found("khai"), [0, 1]);
        assert_eq!(found("sinh"), [0]);
        assert_eq!(found("x"), Vec::<usize>::new());
        assert_eq!(found(""), Vec::<usize>::new());
        let mut set = Set::empty(3);
        words.equal("kha", &mut set);
        assert!(!set.has(0));
    }
}
