//! Writing records: a full replacement or a delta, always inside the caller's transaction so a
//! kiosk never shows half a catalog.

use std::collections::HashMap;

use motcua_catalog::fold;
use motcua_catalog::index::{self, IndexText};
use rusqlite::{Connection, OptionalExtension, params};

use super::record::Record;
use super::{CatalogError, documents};

/// What a write changed.
#[derive(Debug, Clone, Copy, Default)]
pub struct Changes {
    pub changed: usize,
    pub removed: usize,
}

/// Whether a write keeps the index up to date, or leaves it to be built afterwards (see
/// `documents`).
#[derive(Clone, Copy, PartialEq)]
enum Index {
    Pending,
    Kept,
}

/// A full replacement written record by record as they are read (see `snapshot::Sink`), inside
/// the caller's transaction: every procedure held is gone once it starts, the ones added are
/// held in their order. The document index is left to be built after the commit.
pub struct Replacement<'t> {
    tx: &'t Connection,
    /// Code → digest of what was held, to count what changed.
    old: HashMap<String, String>,
    /// Procedures held before and added again.
    kept: usize,
    added: usize,
    fields: FieldIds,
    changes: Changes,
}

impl<'t> Replacement<'t> {
    pub fn start(tx: &'t Connection) -> Result<Self, CatalogError> {
        let old = stored_digests(tx)?;
        // Children go with their procedure (ON DELETE CASCADE); deleting them first is faster.
        tx.execute_batch(
            "DELETE FROM documents; DELETE FROM methods; DELETE FROM legal_basis;
             DELETE FROM procedures;",
        )?;
        documents::mark_pending(tx)?;
        Ok(Self {
            tx,
            old,
            kept: 0,
            added: 0,
            fields: FieldIds::default(),
            changes: Changes::default(),
        })
    }

    /// Adds the next record; codes are unique (the reader checks).
    pub fn add(&mut self, record: &Record) -> Result<(), CatalogError> {
        match self.old.get(&record.code) {
            Some(digest) => {
                self.kept += 1;
                if *digest != record.digest {
                    self.changes.changed += 1;
                }
            }
            None => self.changes.changed += 1,
        }
        let position = i64::try_from(self.added).unwrap_or(i64::MAX);
        insert(self.tx, &mut self.fields, record, position, Index::Pending)?;
        self.added += 1;
        Ok(())
    }

    /// The procedures added so far.
    pub fn added(&self) -> usize {
        self.added
    }

    pub fn finish(mut self) -> Result<Changes, CatalogError> {
        self.changes.removed = self.old.len() - self.kept;
        drop_unused_fields(self.tx)?;
        Ok(self.changes)
    }
}

impl super::snapshot::Sink for Replacement<'_> {
    fn take(&mut self, record: Record) -> Result<(), CatalogError> {
        self.add(&record)
    }
}

/// Adds or replaces `records` and deletes `removed` (codes the kiosk may not even hold).
pub fn apply_delta(
    tx: &Connection,
    records: &[Record],
    removed: &[String],
) -> Result<Changes, CatalogError> {
    // A document index still to be built reads the tables when it is.
    let kept = if documents::is_pending(tx)? {
        Index::Pending
    } else {
        Index::Kept
    };
    let mut fields = FieldIds::default();
    let mut changes = Changes::default();
    let mut next: i64 = tx.query_row(
        "SELECT COALESCE(MAX(position), -1) + 1 FROM procedures",
        [],
        |r| r.get(0),
    )?;
    for record in records {
        let existing: Option<(i64, i64, String)> = tx
            .query_row(
                "SELECT id, position, digest FROM procedures WHERE code = ?1",
                params![record.code],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let position = match existing {
            Some((_, _, digest)) if digest == record.digest => continue,
            Some((id, position, _)) => {
                delete(tx, id, kept)?;
                position
            }
            None => {
                next += 1;
                next - 1
            }
        };
        changes.changed += 1;
        insert(tx, &mut fields, record, position, kept)?;
    }
    for code in removed {
        let id: Option<i64> = tx
            .query_row(
                "SELECT id FROM procedures WHERE code = ?1",
                params![code],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(id) = id {
            delete(tx, id, kept)?;
            changes.removed += 1;
        }
    }
    drop_unused_fields(tx)?;
    Ok(changes)
}

fn stored_digests(tx: &Connection) -> Result<HashMap<String, String>, CatalogError> {
    let mut stmt = tx.prepare("SELECT code, digest FROM procedures")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn delete(tx: &Connection, id: i64, kept: Index) -> Result<(), CatalogError> {
    tx.execute("DELETE FROM procedures WHERE id = ?1", params![id])?;
    if kept == Index::Kept {
        index::delete(tx, id)?;
    }
    Ok(())
}

fn drop_unused_fields(tx: &Connection) -> Result<(), CatalogError> {
    tx.execute(
        "DELETE FROM fields WHERE id NOT IN
         (SELECT field_id FROM procedures WHERE field_id IS NOT NULL)",
        [],
    )?;
    Ok(())
}

/// Field name → id, created on first use within one write.
#[derive(Default)]
struct FieldIds(HashMap<String, i64>);

impl FieldIds {
    fn id(&mut self, tx: &Connection, name: &str) -> Result<i64, CatalogError> {
        if let Some(id) = self.0.get(name) {
            return Ok(*id);
        }
        tx.execute(
            "INSERT INTO fields (name, folded) VALUES (?1, ?2) ON CONFLICT (name) DO NOTHING",
            params![name, fold(name)],
        )?;
        let id = tx.query_row(
            "SELECT id FROM fields WHERE name = ?1",
            params![name],
            |r| r.get(0),
        )?;
        self.0.insert(name.to_string(), id);
        Ok(id)
    }
}

/// The folded text a record is found by.
fn search_text(record: &Record) -> IndexText {
    IndexText::new(
        &record.name,
        &record.code,
        record.field.as_deref(),
        record.documents.iter().map(|d| d.name.as_str()),
        record
            .legal
            .iter()
            .flat_map(|l| [l.code.as_deref().unwrap_or(""), l.title.as_str()]),
    )
}

fn insert(
    tx: &Connection,
    fields: &mut FieldIds,
    r: &Record,
    position: i64,
    kept: Index,
) -> Result<(), CatalogError> {
    let field_id = match &r.field {
        Some(name) => Some(fields.id(tx, name)?),
        None => None,
    };
    // Folding the documents is a good part of indexing them: only when they are.
    let text = (kept == Index::Kept).then(|| search_text(r));
    tx.prepare_cached(
        "INSERT INTO procedures (code, position, name, name_folded, field_id, level,
             processing_time, fee, agency, result, target_groups, submission_methods, digest,
             common_weight, document_notes)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
    )?
    .execute(params![
        r.code,
        position,
        r.name,
        r.name_folded,
        field_id,
        r.level,
        r.processing_time,
        r.fee,
        r.agency,
        r.result,
        r.target_groups,
        r.submission_methods,
        r.digest,
        r.common_weight,
        r.document_notes,
    ])?;
    let id = tx.last_insert_rowid();
    if let Some(text) = &text {
        index::insert(tx, id, text)?;
    }
    {
        let mut stmt = tx.prepare_cached(
            "INSERT INTO documents (procedure_id, position, grp, name, copies, form)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for (i, d) in (0_i64..).zip(&r.documents) {
            stmt.execute(params![id, i, d.group, d.name, d.copies, d.form])?;
        }
    }
    {
        let mut stmt = tx.prepare_cached(
            "INSERT INTO methods (procedure_id, position, method, time, fee, fee_note, note)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        for (i, m) in (0_i64..).zip(&r.methods) {
            stmt.execute(params![id, i, m.method, m.time, m.fee, m.fee_note, m.note])?;
        }
    }
    let mut stmt = tx.prepare_cached(
        "INSERT INTO legal_basis (procedure_id, position, code, title) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (i, l) in (0_i64..).zip(&r.legal) {
        stmt.execute(params![id, i, l.code, l.title])?;
    }
    Ok(())
}
