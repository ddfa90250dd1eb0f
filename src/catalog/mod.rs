//! The procedure catalog (thủ tục hành chính): a SQLite cache with Vietnamese
//! search-as-you-type, filled from the bundled seed, a file, or the central server.
//!
//! - The Vietnamese folding, the search index and its ranking are `motcua-catalog`'s (shared with
//!   the office server): [`fold`](fold()), [`local_code`], [`motcua_catalog::search`].
//! - `schema`: tables, FTS5 index, migrations by `PRAGMA user_version`, WAL.
//! - `record`: a procedure's JSON checked before it is written; `snapshot`: a server's answer or
//!   a catalog file read procedure by procedure into checked records (a file's are written as
//!   they come, in the import's one transaction).
//! - `write`: full replacement or delta, inside one transaction.
//! - `documents`: the document index, built after a full import has committed.
//! - `read`: meta, fields, browsing, one procedure's detail.
//! - [`sync`](sync()): `GET /catalog` with ETag and `since`.
//! - [`synth`]: generated catalogs and queries for the benchmark.
//! - [`checklist`]: a procedure's document checklist laid out for receipt paper.
//! - [`page`]: a procedure as a citizen reads it (fees, notes, whole documents), for both.
//! - [`Worker`]: the thread that owns the catalog for the screen, with its sync schedule.
//!
//! A [`Catalog`] owns one connection: keep it on one thread (it is `Send`, not `Sync`).

pub mod checklist;
mod documents;
pub mod page;
mod read;
mod record;
mod schema;
mod snapshot;
mod sync;
pub mod synth;
mod worker;
mod write;

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use motcua_catalog::typo::Vocabulary;
use motcua_catalog::{NameList, Synonyms};
use rusqlite::Connection;

use crate::server::model::{CatalogSnapshot, SynonymEntry};

pub use motcua_catalog::{SearchHit, fold, local_code};
pub use schema::SCHEMA_VERSION;
pub use sync::{SyncError, SyncOutcome, sync};
pub use worker::{CatalogReport, RESULT_LIMIT, Worker, WorkerSettings};

/// The 326 real procedures a ward office handles (`shared/data/procedures.json`), shipped with
/// the kiosk and loaded on first start, so a kiosk that never reached a server has a catalog.
pub const SEED_JSON: &str = include_str!("../../assets/catalog/procedures.json");

/// What a key of a hardware keyboard adds to the search, as the on-screen keyboard would type
/// it (capitals); "" for keys that are not a letter, digit or space (arrows, Enter, Tab).
pub fn search_key(key: &str) -> String {
    let mut chars = key.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) if c.is_alphanumeric() || c == ' ' => c.to_uppercase().collect(),
        _ => String::new(),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("catalog database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("cannot create the catalog folder {path}: {source}")]
    CreateDir {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("cannot move the damaged catalog {path} aside: {source}")]
    MoveAside {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    /// SQLite's quick check found the file damaged.
    #[error("the database file is damaged: {0}")]
    Damaged(String),
    /// The data offered is not a usable catalog; nothing was written.
    #[error("not a usable catalog: {0}")]
    Invalid(String),
    #[error(
        "the catalog database has schema version {found}, newer than this kiosk knows ({known}); \
         install the newer kiosk or delete the file"
    )]
    TooNew { found: i64, known: i64 },
}

#[derive(Debug, Clone, PartialEq)]
pub struct CatalogMeta {
    /// The server's catalog version; 0 for the seed or a plain list from a file.
    pub version: u64,
    pub etag: Option<String>,
    /// Last successful contact with the server (RFC 3339, office time), also when it answered
    /// "unchanged".
    pub synced_at: Option<String>,
    pub procedures: usize,
    pub fields: usize,
    /// `"seed"`, `"server"` or `"file"`.
    pub source: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FieldCount {
    pub name: String,
    pub count: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProcedureDetail {
    pub code: String,
    pub name: String,
    pub field: String,
    pub level: Option<String>,
    pub processing_time: Option<String>,
    pub fee: Option<String>,
    pub agency: Option<String>,
    pub result: Option<String>,
    pub target_groups: Option<String>,
    pub submission_methods: Vec<String>,
    pub methods: Vec<Method>,
    /// In order of first appearance; `group` is empty for documents the source lists
    /// without a heading.
    pub documents: Vec<DocumentGroup>,
    /// Notes that go with the documents without being documents.
    pub document_notes: Vec<String>,
    pub legal_basis: Vec<LegalBasis>,
}

impl ProcedureDetail {
    /// The procedure as a search result names it.
    pub fn summary(&self) -> SearchHit {
        SearchHit {
            code: self.code.clone(),
            name: self.name.clone(),
            field: self.field.clone(),
        }
    }

    /// The procedure as a ticket taken from its page prints it: code, name and the documents
    /// to bring (not the notes among them), as its page lists them.
    pub fn ticket_note(&self) -> crate::ticket::ProcedureNote {
        let page = page::ProcedurePage::new(self);
        let documents = page.groups.into_iter().flat_map(|g| g.entries);
        crate::ticket::ProcedureNote {
            code: self.code.clone(),
            name: self.name.clone(),
            documents: documents
                .filter_map(|e| match e {
                    page::Entry::Document { name, .. } => Some(name),
                    page::Entry::Note(_) => None,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Method {
    pub method: String,
    pub time: Option<String>,
    pub fee: Option<String>,
    pub fee_note: Option<String>,
    /// What the source says of this way: often where a fee applies ("Tại cơ quan đại diện").
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DocumentGroup {
    pub group: String,
    pub documents: Vec<Document>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub name: String,
    /// As the source gives it: "1 bản chính", "1 bản chính, 1 bản sao".
    pub copies: Option<String>,
    pub form: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LegalBasis {
    pub code: Option<String>,
    /// Empty when the source gives only the code.
    pub title: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ImportReport {
    pub version: u64,
    /// Procedures held after the import.
    pub procedures: usize,
    /// Added or different from before.
    pub changed: usize,
    pub removed: usize,
}

/// Records read ahead of the write (about 8 KB each).
const RECORDS_IN_FLIGHT: usize = 64;

/// SQLite's default: the WAL is copied into the database file once it holds this many pages.
const WAL_AUTOCHECKPOINT: i64 = 1000;

/// Hands each record read to the writing thread.
struct Sending(std::sync::mpsc::SyncSender<record::Record>);

impl snapshot::Sink for Sending {
    fn take(&mut self, record: record::Record) -> Result<(), CatalogError> {
        // The writer only hangs up when it failed; its error is the one reported.
        self.0
            .send(record)
            .map_err(|_| CatalogError::Invalid("the catalog write stopped".into()))
    }
}

pub struct Catalog {
    conn: Connection,
    /// The catalog file; `None` in memory.
    path: Option<PathBuf>,
    /// The document index being built on its own thread, if it is.
    documents: Option<std::thread::JoinHandle<Result<(), CatalogError>>>,
    /// The typo pass's word list, loaded on first need; with the `PRAGMA data_version` it was
    /// read at, so a write by another process (a `catalog sync` run) is noticed.
    vocabulary: RefCell<Option<(i64, Arc<Vocabulary>)>>,
    /// The synonyms held (the server's, or the bundled ones), read on first need likewise.
    synonyms: RefCell<Option<(i64, Arc<Synonyms>)>>,
    /// The names the search's first tiers walk, read on first need likewise.
    names: RefCell<Option<(i64, Arc<NameList>)>>,
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalog")
            .field("path", &self.conn.path())
            .finish_non_exhaustive()
    }
}

impl Catalog {
    /// Opens (creating folders and file as needed) and migrates the catalog at `path`, and
    /// loads the bundled seed into a new one.
    pub fn open(path: &Path) -> Result<Catalog, CatalogError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| CatalogError::CreateDir {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        Self::start(Connection::open(path)?, Some(path.to_path_buf()))
    }

    /// Opens the catalog at `path` like [`Catalog::open`]; a file that is damaged (not a
    /// database, or failing SQLite's quick check) is only a cache, so it is moved aside (kept
    /// for a technician, named `….corrupt-<time>`) and the catalog rebuilt from the seed; the
    /// next sync brings the central system's. Returns where the damaged file went, if it did.
    pub fn open_or_rebuild(path: &Path) -> Result<(Catalog, Option<PathBuf>), CatalogError> {
        match Self::open(path).and_then(|c| c.check().map(|()| c)) {
            Ok(catalog) => Ok((catalog, None)),
            Err(e) if e.is_damage() => {
                let aside = move_aside(path)?;
                tracing::error!(
                    "catalog {} is damaged ({e}); moved to {} and rebuilt from the seed",
                    path.display(),
                    aside.display()
                );
                Ok((Self::open(path)?, Some(aside)))
            }
            Err(e) => Err(e),
        }
    }

    /// SQLite's quick integrity check.
    fn check(&self) -> Result<(), CatalogError> {
        let verdict: String = self
            .conn
            .query_row("PRAGMA quick_check", [], |r| r.get(0))?;
        if verdict == "ok" {
            Ok(())
        } else {
            Err(CatalogError::Damaged(verdict))
        }
    }

    /// The same in memory (tests).
    pub fn open_in_memory() -> Result<Catalog, CatalogError> {
        Self::start(Connection::open_in_memory()?, None)
    }

    fn start(mut conn: Connection, path: Option<PathBuf>) -> Result<Catalog, CatalogError> {
        schema::configure(&conn, path.is_some())?;
        let found = schema::migrate(&mut conn)?;
        let mut catalog = Catalog {
            conn,
            path,
            documents: None,
            vocabulary: RefCell::new(None),
            synonyms: RefCell::new(None),
            names: RefCell::new(None),
        };
        // "No source yet" rather than "no procedures": a catalog the server emptied stays empty.
        let source = read::get_meta(&catalog.conn, "source")?;
        if source.is_none() {
            let report = catalog.import_file(SEED_JSON, "seed")?;
            tracing::info!(procedures = report.procedures, "catalog seeded");
        } else if found < 2 && source.as_deref() == Some("seed") {
            // Seeded by an older kiosk, without the document notes.
            catalog.import_file(SEED_JSON, "seed")?;
        }
        // Left unbuilt by a kiosk switched off after an import, or by a migration.
        catalog.index_documents()?;
        Ok(catalog)
    }

    /// Builds the document index if it is out of date: on its own thread for a catalog file
    /// (searches by name go on meanwhile), at once for one in memory.
    fn index_documents(&mut self) -> Result<(), CatalogError> {
        if !documents::is_pending(&self.conn)? {
            return Ok(());
        }
        // A build still running from an earlier import has nothing left to build after this one.
        self.join_documents();
        match &self.path {
            Some(path) => match documents::spawn(path) {
                Ok(handle) => self.documents = Some(handle),
                Err(e) => {
                    tracing::warn!("cannot start the document index thread ({e}); building it now");
                    documents::build(&mut self.conn)?;
                }
            },
            None => {
                documents::build(&mut self.conn)?;
            }
        }
        Ok(())
    }

    /// Waits for the document index to be built (an import has committed before it is): for a
    /// command that exits after importing, and for measuring. Builds it here if its thread
    /// could not.
    pub fn wait_for_documents(&mut self) -> Result<(), CatalogError> {
        self.join_documents();
        documents::build(&mut self.conn)?;
        Ok(())
    }

    fn join_documents(&mut self) {
        if let Some(handle) = self.documents.take()
            && handle.join().is_err()
        {
            tracing::error!("the catalog document index thread panicked");
        }
    }

    pub fn meta(&self) -> Result<CatalogMeta, CatalogError> {
        read::meta(&self.conn)
    }

    /// Best first; a blank query (or one with no letter or digit) gives nothing. `field`
    /// filters by field name, compared folded; an unknown field gives nothing.
    pub fn search(
        &self,
        query: &str,
        field: Option<&str>,
        limit: usize,
    ) -> Result<Vec<SearchHit>, CatalogError> {
        let field_id = match field {
            Some(name) => match motcua_catalog::field_id(&self.conn, name)? {
                Some(id) => Some(id),
                None => return Ok(Vec::new()),
            },
            None => None,
        };
        motcua_catalog::search_with_synonyms(
            &self.conn,
            &*self.synonyms()?,
            &*self.names()?,
            || self.vocabulary(),
            query,
            field_id,
            limit,
        )
    }

    /// Every field with its number of procedures, sorted by folded name.
    pub fn fields(&self) -> Result<Vec<FieldCount>, CatalogError> {
        read::fields(&self.conn)
    }

    /// The procedures of one field, by name.
    pub fn in_field(&self, field: &str, limit: usize) -> Result<Vec<SearchHit>, CatalogError> {
        match motcua_catalog::field_id(&self.conn, field)? {
            Some(id) => read::in_field(&self.conn, id, limit),
            None => Ok(Vec::new()),
        }
    }

    pub fn procedure(&self, code: &str) -> Result<Option<ProcedureDetail>, CatalogError> {
        read::procedure(&self.conn, code)
    }

    /// Replaces the whole catalog with a file's content: a JSON array of procedures (the
    /// seed's shape; `code` may be null) or a full snapshot object as the server sends it.
    /// Each procedure is written as it is read, all in one transaction: a file refused anywhere
    /// leaves the catalog as it was.
    pub fn import_json(&mut self, json: &str) -> Result<ImportReport, CatalogError> {
        self.import_file(json, "file")
    }

    /// The file is read and checked on a thread of its own while this one writes what it
    /// has read: a province's catalog takes about as long to read as to write.
    fn import_file(&mut self, json: &str, source: &str) -> Result<ImportReport, CatalogError> {
        self.replace_with(source, None, |replacement| {
            let head = std::thread::scope(|scope| {
                let (send, receive) = std::sync::mpsc::sync_channel(RECORDS_IN_FLIGHT);
                let reader = std::thread::Builder::new()
                    .name("catalog-reader".into())
                    .spawn_scoped(scope, move || snapshot::read_file(json, &mut Sending(send)));
                let reader = match reader {
                    Ok(reader) => reader,
                    Err(e) => {
                        tracing::warn!(
                            "cannot start the catalog reader thread ({e}); reading here"
                        );
                        return snapshot::read_file(json, replacement);
                    }
                };
                // On a write error `receive` is dropped here, which stops the reader.
                let written = receive
                    .into_iter()
                    .try_for_each(|record| replacement.add(&record));
                let read = reader.join().unwrap_or_else(|_| {
                    Err(CatalogError::Invalid("the catalog reader stopped".into()))
                });
                written.and(read)
            })?;
            if !head.full {
                return Err(CatalogError::Invalid(
                    "the file holds a delta (\"full\": false); import a full catalog".into(),
                ));
            }
            Ok((head.version, head.synonyms))
        })
    }

    /// Replaces everything with the records `fill` writes, in one transaction. `fill` answers
    /// the version and the source's synonyms (`None` for the bundled ones).
    fn replace_with(
        &mut self,
        source: &str,
        etag: Option<&str>,
        fill: impl FnOnce(
            &mut write::Replacement<'_>,
        ) -> Result<(u64, Option<Vec<SynonymEntry>>), CatalogError>,
    ) -> Result<ImportReport, CatalogError> {
        let started = std::time::Instant::now();
        // Each row is written right after its procedure and the old ones all go: checking
        // foreign keys would only slow a full replacement (and keep SQLite from emptying a
        // table at once). The setting cannot change inside a transaction, so it is set around.
        // Nor would the commit copy the whole catalog from the WAL into the database file
        // before returning: the document index's commit, right after, does it instead (the WAL
        // is as safe a home for a committed catalog as the file).
        self.conn.pragma_update(None, "foreign_keys", false)?;
        self.conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        let written = self.replace_in_transaction(source, etag, fill);
        self.conn.pragma_update(None, "foreign_keys", true)?;
        self.conn
            .pragma_update(None, "wal_autocheckpoint", WAL_AUTOCHECKPOINT)?;
        let (report, written) = written?;
        tracing::debug!(
            procedures = report.procedures,
            ?written,
            committed = ?started.elapsed(),
            "catalog replaced"
        );
        self.forget_cached();
        self.index_documents()?;
        Ok(report)
    }

    /// [`Catalog::replace_with`]'s transaction; also answers how long it took until its commit.
    fn replace_in_transaction(
        &mut self,
        source: &str,
        etag: Option<&str>,
        fill: impl FnOnce(
            &mut write::Replacement<'_>,
        ) -> Result<(u64, Option<Vec<SynonymEntry>>), CatalogError>,
    ) -> Result<(ImportReport, std::time::Duration), CatalogError> {
        let started = std::time::Instant::now();
        let tx = self.write_transaction()?;
        let mut replacement = write::Replacement::start(&tx)?;
        let (version, synonyms) = fill(&mut replacement)?;
        let procedures = replacement.added();
        let changes = replacement.finish()?;
        write_meta(&tx, version, source, etag, source == "server")?;
        write_synonyms(&tx, synonyms.as_deref())?;
        let written = started.elapsed();
        tx.commit()?;
        Ok((
            ImportReport {
                version,
                procedures,
                changed: changes.changed,
                removed: changes.removed,
            },
            written,
        ))
    }

    /// `synonyms`: the source's list; `None` for the bundled one.
    fn replace_records(
        &mut self,
        records: &[record::Record],
        version: u64,
        source: &str,
        etag: Option<&str>,
        synonyms: Option<&[SynonymEntry]>,
    ) -> Result<ImportReport, CatalogError> {
        self.replace_with(source, etag, |replacement| {
            for record in records {
                replacement.add(record)?;
            }
            Ok((version, synonyms.map(<[SynonymEntry]>::to_vec)))
        })
    }

    /// Applies what the server sent: a full catalog replaces everything, a delta changes
    /// and removes procedures. Everything is checked before the one write transaction, so a
    /// refused snapshot leaves the catalog as it was.
    pub fn apply_snapshot(
        &mut self,
        snapshot: &CatalogSnapshot,
        etag: Option<&str>,
    ) -> Result<ImportReport, CatalogError> {
        let records = record::records(&snapshot.procedures, "procedures")?;
        self.apply_records(
            snapshot.full,
            snapshot.version,
            &records,
            &snapshot.removed,
            etag,
            snapshot.synonyms.as_deref(),
        )
    }

    /// [`Catalog::apply_snapshot`] for an answer as it came over the wire: read procedure by
    /// procedure (never held as a JSON tree), then applied in one transaction.
    pub fn apply_answer(
        &mut self,
        body: &[u8],
        etag: Option<&str>,
    ) -> Result<ImportReport, CatalogError> {
        let started = std::time::Instant::now();
        let parsed = snapshot::parse(body)?;
        tracing::debug!(
            procedures = parsed.records.len(),
            parsed = ?started.elapsed(),
            "catalog answer read"
        );
        self.apply_records(
            parsed.full,
            parsed.version,
            &parsed.records,
            &parsed.removed,
            etag,
            parsed.synonyms.as_deref(),
        )
    }

    fn apply_records(
        &mut self,
        full: bool,
        version: u64,
        records: &[record::Record],
        removed: &[String],
        etag: Option<&str>,
        synonyms: Option<&[SynonymEntry]>,
    ) -> Result<ImportReport, CatalogError> {
        if full {
            // An empty catalog from a server is far likelier a fault than the truth, and
            // would leave citizens with nothing to look up.
            if records.is_empty() {
                return Err(CatalogError::Invalid(
                    "a full catalog without procedures; the kiosk keeps its copy".into(),
                ));
            }
            return self.replace_records(records, version, "server", etag, synonyms);
        }
        let held = self.meta()?;
        if held.source != "server" {
            return Err(CatalogError::Invalid(format!(
                "a delta, but the catalog held comes from the {}, not the server",
                held.source
            )));
        }
        if version < held.version {
            return Err(CatalogError::Invalid(format!(
                "a delta to version {version}, older than the version held ({})",
                held.version
            )));
        }
        if let Some(i) = removed.iter().position(|c| c.trim().is_empty()) {
            return Err(CatalogError::Invalid(format!(
                "removed[{i}]: an empty code"
            )));
        }
        // A code both sent and removed is kept: the record is the newer statement.
        let sent: std::collections::HashSet<&str> =
            records.iter().map(|r| r.code.as_str()).collect();
        let removed: Vec<String> = removed
            .iter()
            .filter(|c| !sent.contains(c.as_str()))
            .cloned()
            .collect();
        let tx = self.write_transaction()?;
        let changes = write::apply_delta(&tx, records, &removed)?;
        write_meta(&tx, version, "server", etag, true)?;
        // A delta without synonyms (an older server) keeps those held.
        if let Some(list) = synonyms {
            write_synonyms(&tx, Some(list))?;
        }
        tx.commit()?;
        self.forget_cached();
        Ok(ImportReport {
            version,
            procedures: self.meta()?.procedures,
            changed: changes.changed,
            removed: changes.removed,
        })
    }

    /// Takes the write lock before reading: the document index may be written on another
    /// connection meanwhile, and a transaction that read before it committed could not write.
    fn write_transaction(&mut self) -> Result<rusqlite::Transaction<'_>, CatalogError> {
        Ok(self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?)
    }

    /// Records a `304`: the catalog held is current as of now.
    fn mark_synced(&self) -> Result<(), CatalogError> {
        read::set_meta(&self.conn, "synced_at", Some(&now_text()))
    }

    /// After a write through this connection (which `PRAGMA data_version` does not count).
    fn forget_cached(&self) {
        self.vocabulary.replace(None);
        self.synonyms.replace(None);
        self.names.replace(None);
    }

    /// What `cell` holds if the database is as it was when that was read, else `load`'s answer
    /// (kept in `cell`).
    fn cached<T>(
        &self,
        cell: &RefCell<Option<(i64, Arc<T>)>>,
        load: impl FnOnce(&Connection) -> Result<T, CatalogError>,
    ) -> Result<Arc<T>, CatalogError> {
        let data_version: i64 = self
            .conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))?;
        if let Some((seen, value)) = cell.borrow().as_ref()
            && *seen == data_version
        {
            return Ok(value.clone());
        }
        let value = Arc::new(load(&self.conn)?);
        cell.replace(Some((data_version, value.clone())));
        Ok(value)
    }

    fn names(&self) -> Result<Arc<NameList>, CatalogError> {
        self.cached(&self.names, |conn| Ok(NameList::load(conn)?))
    }

    /// The synonyms held: the source's, or the bundled ones.
    fn synonyms(&self) -> Result<Arc<Synonyms>, CatalogError> {
        self.cached(&self.synonyms, |conn| {
            Ok(match read::get_meta(conn, "synonyms")? {
                Some(json) => match serde_json::from_str::<Vec<SynonymEntry>>(&json) {
                    Ok(list) => {
                        Synonyms::from_list(&list.into_iter().map(Into::into).collect::<Vec<_>>())
                    }
                    Err(e) => {
                        tracing::warn!(
                            "the synonyms held cannot be read ({e}); the bundled ones are used"
                        );
                        Synonyms::bundled()
                    }
                },
                None => Synonyms::bundled(),
            })
        })
    }

    fn vocabulary(&self) -> Result<Arc<Vocabulary>, CatalogError> {
        self.cached(&self.vocabulary, |conn| {
            Ok(motcua_catalog::load_vocabulary(conn)?)
        })
    }
}

fn now_text() -> String {
    crate::clock::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

fn write_meta(
    tx: &Connection,
    version: u64,
    source: &str,
    etag: Option<&str>,
    synced_now: bool,
) -> Result<(), CatalogError> {
    read::set_meta(tx, "version", Some(&version.to_string()))?;
    read::set_meta(tx, "source", Some(source))?;
    read::set_meta(tx, "etag", etag)?;
    let synced = synced_now.then(now_text);
    read::set_meta(tx, "synced_at", synced.as_deref())?;
    Ok(())
}

/// Keeps a source's synonyms; `None` goes back to the bundled ones.
fn write_synonyms(tx: &Connection, list: Option<&[SynonymEntry]>) -> Result<(), CatalogError> {
    let json = list
        .map(serde_json::to_string)
        .transpose()
        .map_err(|e| CatalogError::Invalid(format!("synonyms: {e}")))?;
    read::set_meta(tx, "synonyms", json.as_deref())
}

impl Drop for Catalog {
    /// The document index thread never outlives its catalog (nor a test's temporary folder).
    fn drop(&mut self) {
        self.join_documents();
    }
}

impl CatalogError {
    /// The file itself is broken (as opposed to missing permissions, a full disk or a newer
    /// kiosk's schema, which moving the file aside would not mend or would lose).
    fn is_damage(&self) -> bool {
        match self {
            CatalogError::Damaged(_) => true,
            CatalogError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => matches!(
                e.code,
                rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt
            ),
            _ => false,
        }
    }
}

/// Renames the database and its WAL files to `<name>.corrupt-<YYYYmmdd-HHMMSS>[-wal|-shm]`.
fn move_aside(path: &Path) -> Result<PathBuf, CatalogError> {
    let stamp = crate::clock::now().format("%Y%m%d-%H%M%S");
    let aside = PathBuf::from(format!("{}.corrupt-{stamp}", path.display()));
    for suffix in ["", "-wal", "-shm"] {
        let from = PathBuf::from(format!("{}{suffix}", path.display()));
        if from.exists() {
            let to = PathBuf::from(format!("{}{suffix}", aside.display()));
            std::fs::rename(&from, &to).map_err(|source| CatalogError::MoveAside {
                path: from.clone(),
                source,
            })?;
        }
    }
    Ok(aside)
}
