//! The document index: every word of a procedure's documents and legal basis, which the
//! search reads last (`procedure_search`). It is most of the work of indexing a catalog, so a
//! full import only marks it out of date, in the import's own transaction, and it is built
//! afterwards in a transaction of its own, on a thread with its own connection for a catalog
//! file. A province's catalog is searchable by name (read from the procedures table, see
//! `motcua_catalog::NameList`) the moment its import commits, and by its documents about a
//! second later; meanwhile that last tier finds nothing and the typo pass has
//! no words to correct against.
//!
//! `catalog_meta.documents_index = 'pending'` says the index must be built again; the build
//! removes it when it commits. A kiosk switched off in between builds it at the next start.
//! While it is pending a delta leaves the index alone: the build reads whatever the tables
//! hold when it runs.
//!
//! A full import commits without copying its pages from the WAL into the database file (see
//! `Catalog::replace_with`); the build's commit, on a connection with SQLite's usual
//! checkpointing, copies both.

use std::iter::Peekable;
use std::path::{Path, PathBuf};
use std::thread::JoinHandle;

use motcua_catalog::index::{self, IndexText};
use rusqlite::{Connection, TransactionBehavior};

use super::{CatalogError, read, schema};

const KEY: &str = "documents_index";

/// Empties the document index and marks it for building (inside a write transaction).
pub fn mark_pending(tx: &Connection) -> Result<(), CatalogError> {
    index::clear(tx)?;
    read::set_meta(tx, KEY, Some("pending"))
}

pub fn is_pending(conn: &Connection) -> Result<bool, CatalogError> {
    Ok(read::get_meta(conn, KEY)?.is_some())
}

/// Builds the document index if it is pending, in one transaction taken with the write lock
/// first (so what it reads is what it indexes). Returns the procedures indexed, or `None` when
/// there was nothing to do.
pub fn build(conn: &mut Connection) -> Result<Option<usize>, CatalogError> {
    let started = std::time::Instant::now();
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if !is_pending(&tx)? {
        return Ok(None);
    }
    index::clear(&tx)?;
    let procedures = texts(&tx)?;
    for (id, text) in &procedures {
        index::insert(&tx, *id, text)?;
    }
    read::set_meta(&tx, KEY, None)?;
    tx.commit()?;
    tracing::debug!(
        procedures = procedures.len(),
        took = ?started.elapsed(),
        "catalog document index built"
    );
    Ok(Some(procedures.len()))
}

/// Each procedure's index text, read from the tables in one pass over each.
fn texts(conn: &Connection) -> Result<Vec<(i64, IndexText)>, CatalogError> {
    let mut stmt = conn.prepare(
        "SELECT p.id, p.name, p.code, f.name FROM procedures p
         LEFT JOIN fields f ON f.id = p.field_id ORDER BY p.id",
    )?;
    let heads = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let documents = grouped(
        conn,
        "SELECT procedure_id, name FROM documents ORDER BY procedure_id, position",
    )?;
    let legal = grouped(
        conn,
        "SELECT procedure_id, COALESCE(code, ''), title FROM legal_basis
         ORDER BY procedure_id, position",
    )?;
    let (mut documents, mut legal) = (documents.iter().peekable(), legal.iter().peekable());
    let mut out = Vec::with_capacity(heads.len());
    for (id, name, code, field) in heads {
        let (own_documents, own_legal) = (own(&mut documents, id), own(&mut legal, id));
        out.push((
            id,
            IndexText::new(&name, &code, field.as_deref(), own_documents, own_legal),
        ));
    }
    Ok(out)
}

/// The texts of procedure `id` at the head of `rows`.
fn own<'a>(rows: &mut Peekable<std::slice::Iter<'a, (i64, String)>>, id: i64) -> Vec<&'a str> {
    // Rows of no procedure cannot be (ON DELETE CASCADE); skipped all the same.
    while rows.next_if(|(of, _)| *of < id).is_some() {}
    let mut texts = Vec::new();
    while let Some((_, text)) = rows.next_if(|(of, _)| *of == id) {
        texts.push(text.as_str());
    }
    texts
}

/// `(procedure_id, text)` rows in procedure order; a row's further columns are texts of the
/// same procedure (a legal basis' code, then its title).
fn grouped(conn: &Connection, sql: &str) -> Result<Vec<(i64, String)>, CatalogError> {
    let mut stmt = conn.prepare(sql)?;
    let columns = stmt.column_count();
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        for c in 1..columns {
            out.push((id, r.get::<_, String>(c)?));
        }
    }
    Ok(out)
}

/// The build on a thread of its own, with its own connection to the catalog file.
pub fn spawn(path: &Path) -> std::io::Result<JoinHandle<Result<(), CatalogError>>> {
    let path: PathBuf = path.to_path_buf();
    std::thread::Builder::new()
        .name("catalog-documents".into())
        .spawn(move || {
            let result = Connection::open(&path)
                .map_err(CatalogError::from)
                .and_then(|mut conn| {
                    schema::configure(&conn, true)?;
                    build(&mut conn)
                });
            if let Err(e) = &result {
                // The mark stays: the next start (or `wait_for_documents`) tries again.
                tracing::warn!("catalog document index not built: {e}");
            }
            result.map(|_| ())
        })
}
