//! Search-as-you-type over the FTS5 index. User text never reaches `MATCH` as syntax: it is
//! folded to words of letters and digits, and each word is sent as a quoted prefix phrase.
//!
//! Results come in tiers, each filling what the one before left:
//! 1. the words as one phrase in the name (`chung thuc ban sao` → "Chứng thực bản sao …"),
//! 2. every word in the name or its initials (`DK` → "Đăng ký"),
//! 3. … or in its code or field (`ho tich` → every procedure of Hộ tịch),
//! 4. every word anywhere, documents and legal basis included (ranked by bm25; there the words
//!    before the last are matched whole).
//!
//! Within a name tier every procedure holds the words equally, so the most common one at an
//! office comes first (`common_weight`: `chung thuc` → certified copies), then the shortest
//! name, the most specific.
//!
//! The words citizens use for what the catalog calls otherwise are rewritten first
//! ([`Synonyms`]: `so do` → `giay chung nhan quyen su dung dat`); the rewritten query's name
//! tiers come before the typed one's. The name tiers walk a list of names in memory
//! ([`NameList`]), best first, and stop at the limit. When they find fewer than a few hits, rare or unknown words are corrected (one edit) and the name tiers
//! run again; only then the last tier reads the large index (rewritten, typed, then corrected
//! words). Document text never slows an ordinary keystroke, and a corrected name match still
//! ranks above a document match.

use std::sync::Arc;

use rusqlite::{Connection, OptionalExtension, params};

use crate::SearchHit;
use crate::fold::fold;
use crate::names::{Columns, NameList};
use crate::typo::{self, Vocabulary};
use crate::words::Synonyms;

/// Only this much of the query is read (a citizen types a few words; a paste is cut).
const MAX_QUERY_CHARS: usize = 200;
/// Words beyond this are ignored; each is a phrase in the FTS expression.
const MAX_WORDS: usize = 10;
/// Longer words are cut (no Vietnamese syllable comes near it).
const MAX_WORD_CHARS: usize = 24;
/// Fewer name hits than this (or than the limit) triggers the typo pass and the search in
/// documents and legal basis.
const FEW_HITS: usize = 3;
/// A word held by at most this many procedures is corrected too, keeping it as one choice.
const RARE_DOCS: u32 = 2;

/// Anywhere: bm25 with column weights name, initials, extra (code, field), documents, legal.
const BM25_ORDER: &str = "bm25(procedure_search, 20.0, 6.0, 4.0, 2.0, 1.0), p.position";

/// The words of a query, folded, capped and without repeats.
pub fn words(query: &str) -> Vec<String> {
    let head: String = query.chars().take(MAX_QUERY_CHARS).collect();
    let mut words: Vec<String> = Vec::new();
    for w in fold(&head).split(' ').filter(|w| !w.is_empty()) {
        let w: String = w.chars().take(MAX_WORD_CHARS).collect();
        if !words.contains(&w) {
            words.push(w);
        }
        if words.len() == MAX_WORDS {
            break;
        }
    }
    words
}

/// `"w"`; words hold only letters and digits (see [`fold`]), so quoting makes `NEAR`, `AND`,
/// `*` or `:` plain text. The `"` filter is a second lock on the same door.
fn quoted(word: &str) -> String {
    format!("\"{}\"", word.replace('"', ""))
}

/// Short words of plain letters may be abbreviations (`dk`, `gcn`, `qsdd`): matched whole
/// against the initials, never as a prefix (`dk*` would also match every `dkk`, `dks`, …).
fn may_be_initials(word: &str) -> bool {
    (2..=5).contains(&word.len()) && word.bytes().all(|b| b.is_ascii_lowercase())
}

#[derive(Clone, Copy, PartialEq)]
enum Tier {
    NamePhrase,
    Name,
    NameOrField,
    Anywhere,
}

/// The MATCH expression of the last tier. `groups`: each must match; any word of a group may.
/// Only the last word is a prefix, the one being typed; the words before it are finished and
/// matched whole, as the phrase tier matches them. (A prefix such as `gia` also matches `giay`,
/// `giai`, `giao`, in nearly every procedure's documents: the rows bm25 must rank, and the time
/// a keystroke takes, grew with each such word.)
fn expression(groups: &[Vec<String>]) -> String {
    let last = groups.len().saturating_sub(1);
    groups
        .iter()
        .enumerate()
        .map(|(i, group)| {
            let prefix = if i == last { "*" } else { "" };
            let mut parts = Vec::new();
            for w in group {
                parts.push(format!(
                    "{{name extra documents legal}} : {}{prefix}",
                    quoted(w)
                ));
                if may_be_initials(w) {
                    parts.push(format!("{{initials}} : {}", quoted(w)));
                }
            }
            format!("({})", parts.join(" OR "))
        })
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// Resolves a field filter (matched on the folded name, so `Ho tich` finds `Hộ tịch`).
/// `Ok(None)` when no such field exists.
pub fn field_id(conn: &Connection, field: &str) -> rusqlite::Result<Option<i64>> {
    conn.query_row(
        "SELECT id FROM fields WHERE folded = ?1",
        params![fold(field)],
        |r| r.get(0),
    )
    .optional()
}

/// The indexes one search reads.
struct Sources<'a> {
    conn: &'a Connection,
    names: &'a NameList,
    field: Option<i64>,
    limit: usize,
}

/// Appends the hits of one tier not already in `hits`, up to the limit.
fn run(
    from: &Sources<'_>,
    groups: &[Vec<String>],
    tier: Tier,
    hits: &mut Vec<SearchHit>,
) -> rusqlite::Result<()> {
    let found: Vec<&SearchHit> = match tier {
        Tier::NamePhrase => {
            let phrase = groups
                .iter()
                .filter_map(|g| g.first())
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(" ");
            from.names.phrase(&phrase, from.field)
        }
        Tier::Name => from
            .names
            .every_group(groups, Columns::Name, may_be_initials, from.field),
        Tier::NameOrField => {
            from.names
                .every_group(groups, Columns::NameOrExtra, may_be_initials, from.field)
        }
        Tier::Anywhere => return run_anywhere(from, &expression(groups), hits),
    };
    for hit in found {
        if hits.len() >= from.limit {
            break;
        }
        if !hits.iter().any(|h| h.code == hit.code) {
            hits.push(hit.clone());
        }
    }
    Ok(())
}

/// The last tier, over the document index, ranked by bm25.
fn run_anywhere(
    from: &Sources<'_>,
    expression: &str,
    hits: &mut Vec<SearchHit>,
) -> rusqlite::Result<()> {
    let sql = format!(
        "SELECT p.code, p.name, COALESCE(f.name, '')
         FROM procedure_search s
         JOIN procedures p ON p.id = s.rowid
         LEFT JOIN fields f ON f.id = p.field_id
         WHERE procedure_search MATCH ?1 AND (?2 IS NULL OR p.field_id = ?2)
         ORDER BY {BM25_ORDER}
         LIMIT ?3"
    );
    let mut stmt = from.conn.prepare_cached(&sql)?;
    // Enough to fill the list even if every hit already found comes back.
    let want = i64::try_from(from.limit + hits.len()).unwrap_or(i64::MAX);
    let mut rows = stmt.query(params![expression, from.field, want])?;
    while let Some(r) = rows.next()? {
        if hits.len() >= from.limit {
            break;
        }
        let code: String = r.get(0)?;
        if hits.iter().any(|h| h.code == code) {
            continue;
        }
        hits.push(SearchHit {
            code,
            name: r.get(1)?,
            field: r.get(2)?,
        });
    }
    Ok(())
}

fn run_tiers(
    from: &Sources<'_>,
    groups: &[Vec<String>],
    tiers: &[Tier],
    hits: &mut Vec<SearchHit>,
) -> rusqlite::Result<()> {
    for &tier in tiers {
        if hits.len() >= from.limit {
            break;
        }
        run(from, groups, tier, hits)?;
    }
    Ok(())
}

/// The name tiers for a query of `n` words: with one word, its phrase tier is the name tier.
fn name_tiers(n: usize) -> &'static [Tier] {
    if n > 1 {
        &[Tier::NamePhrase, Tier::Name, Tier::NameOrField]
    } else {
        &[Tier::Name, Tier::NameOrField]
    }
}

/// Each word a group of its own: every one must match.
fn groups(words: &[String]) -> Vec<Vec<String>> {
    words.iter().map(|w| vec![w.clone()]).collect()
}

/// Best first; a blank query (or one with no letter or digit) gives nothing. `names`: the
/// procedures as the name tiers read them (a caller keeps it until the catalog changes: see
/// [`NameList::load`]). `field`: a [`field_id`] to search within. `vocabulary` is asked for
/// only when the typo pass runs (a caller keeps it between searches: see [`load_vocabulary`]).
/// Queries are rewritten with the bundled synonyms; [`search_with_synonyms`] takes a server's.
pub fn search<E: From<rusqlite::Error>>(
    conn: &Connection,
    names: &NameList,
    vocabulary: impl FnOnce() -> Result<Arc<Vocabulary>, E>,
    query: &str,
    field: Option<i64>,
    limit: usize,
) -> Result<Vec<SearchHit>, E> {
    let synonyms = Synonyms::bundled();
    search_with_synonyms(conn, &synonyms, names, vocabulary, query, field, limit)
}

/// [`search`] with `synonyms` rewriting the query (see the module).
pub fn search_with_synonyms<E: From<rusqlite::Error>>(
    conn: &Connection,
    synonyms: &Synonyms,
    names: &NameList,
    vocabulary: impl FnOnce() -> Result<Arc<Vocabulary>, E>,
    query: &str,
    field: Option<i64>,
    limit: usize,
) -> Result<Vec<SearchHit>, E> {
    let words = words(query);
    if words.is_empty() || limit == 0 {
        return Ok(Vec::new());
    }
    let from = Sources {
        conn,
        names,
        field,
        limit,
    };
    let few = FEW_HITS.min(limit);
    let typed = groups(&words);
    let rewritten = synonyms.rewrite(&words).map(|mut r| {
        r.truncate(MAX_WORDS);
        groups(&r)
    });
    let mut hits = Vec::new();
    if let Some(rewritten) = &rewritten {
        run_tiers(&from, rewritten, name_tiers(rewritten.len()), &mut hits)?;
    }
    run_tiers(&from, &typed, name_tiers(words.len()), &mut hits)?;
    if hits.len() >= few {
        return Ok(hits);
    }
    // Too little in the names: a corrected name still ranks above a document match.
    let corrected = corrections(&words, vocabulary()?.as_ref());
    if let Some(groups) = &corrected {
        run_tiers(&from, groups, &[Tier::Name, Tier::NameOrField], &mut hits)?;
    }
    if hits.len() >= few {
        return Ok(hits);
    }
    if let Some(rewritten) = &rewritten {
        run_tiers(&from, rewritten, &[Tier::Anywhere], &mut hits)?;
    }
    run_tiers(&from, &typed, &[Tier::Anywhere], &mut hits)?;
    if let Some(groups) = &corrected {
        run_tiers(&from, groups, &[Tier::Anywhere], &mut hits)?;
    }
    Ok(hits)
}

/// Each word with its corrections when it is rare or unknown (the word as typed stays one of
/// the choices). `None` when nothing could be corrected.
fn corrections(words: &[String], vocabulary: &Vocabulary) -> Option<Vec<Vec<String>>> {
    let last = words.len() - 1;
    let mut corrected = false;
    let groups = words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let mut group = vec![w.clone()];
            // Letters only: a code or a number is typed from paper, and `000528` one digit
            // from `000522` is another procedure, not a typo.
            let letters = w.chars().all(char::is_alphabetic);
            if letters && w.chars().count() >= typo::MIN_CHARS && vocabulary.is_rare(w, RARE_DOCS) {
                let fixes = vocabulary.corrections(w, i == last);
                corrected |= !fixes.is_empty();
                group.extend(fixes);
            }
            group
        })
        .collect();
    corrected.then_some(groups)
}

/// Every term of the index with the number of procedures holding it. Reading it takes a few
/// milliseconds on a large catalog: keep it until the index changes.
pub fn load_vocabulary(conn: &Connection) -> rusqlite::Result<Vocabulary> {
    let mut stmt = conn.prepare("SELECT term, doc FROM procedure_terms")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?)))?;
    Ok(Vocabulary::new(rows.collect::<Result<_, _>>()?))
}
