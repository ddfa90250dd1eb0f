//! The catalog database: connection settings and the schema, migrated by `PRAGMA user_version`.

use rusqlite::{Connection, TransactionBehavior};

use super::CatalogError;

/// Migration `i` takes the database from `user_version` `i` to `i + 1`. Append, never edit: a
/// kiosk in the field may hold any earlier version.
const MIGRATIONS: &[&str] = &[
    // 1: the first schema.
    r#"
    CREATE TABLE catalog_meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) WITHOUT ROWID;

    -- Lĩnh vực. `folded` is the search/sort form of the name.
    CREATE TABLE fields (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        folded TEXT NOT NULL
    );

    CREATE TABLE procedures (
        id INTEGER PRIMARY KEY,
        code TEXT NOT NULL UNIQUE,
        position INTEGER NOT NULL,
        name TEXT NOT NULL,
        name_folded TEXT NOT NULL,
        field_id INTEGER REFERENCES fields (id),
        level TEXT,
        processing_time TEXT,
        fee TEXT,
        agency TEXT,
        result TEXT,
        target_groups TEXT,
        -- JSON array of strings ("Trực tiếp", "Trực tuyến", "Dịch vụ bưu chính").
        submission_methods TEXT NOT NULL DEFAULT '[]',
        -- Hash of the record as received (canonical JSON), to count what an import changed.
        digest TEXT NOT NULL
    );
    CREATE INDEX procedures_by_field ON procedures (field_id, name_folded);

    -- Thành phần hồ sơ. `copies` as given: "1 bản chính", "1 bản chính, 1 bản sao".
    CREATE TABLE documents (
        procedure_id INTEGER NOT NULL REFERENCES procedures (id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        grp TEXT,
        name TEXT NOT NULL,
        copies TEXT,
        form TEXT,
        PRIMARY KEY (procedure_id, position)
    ) WITHOUT ROWID;

    -- Cách thức thực hiện: direct, online, postal, each with its time and fee.
    CREATE TABLE methods (
        procedure_id INTEGER NOT NULL REFERENCES procedures (id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        method TEXT NOT NULL,
        time TEXT,
        fee TEXT,
        fee_note TEXT,
        note TEXT,
        PRIMARY KEY (procedure_id, position)
    ) WITHOUT ROWID;

    -- Căn cứ pháp lý.
    CREATE TABLE legal_basis (
        procedure_id INTEGER NOT NULL REFERENCES procedures (id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        code TEXT,
        title TEXT NOT NULL,
        PRIMARY KEY (procedure_id, position)
    ) WITHOUT ROWID;

    -- Folded text, rowid = procedures.id. Contentless: the text lives in the tables above.
    -- `initials`: of every 2-4 word run of the name (matched whole, for "dk", "gcn");
    -- `extra`: code and field. Prefix indexes of 1-3 characters keep the first keystrokes
    -- cheap. Two tables: the small one answers most keystrokes without touching the large
    -- document text; the large one, with each document word once per procedure, is the
    -- fallback.
    CREATE VIRTUAL TABLE procedure_names USING fts5 (
        name, initials, extra,
        content = '', contentless_delete = 1,
        tokenize = 'unicode61 remove_diacritics 2',
        prefix = '1 2 3'
    );
    CREATE VIRTUAL TABLE procedure_search USING fts5 (
        name, initials, extra, documents, legal,
        content = '', contentless_delete = 1,
        tokenize = 'unicode61 remove_diacritics 2',
        prefix = '1 2 3'
    );
    -- A whole catalog is written in one transaction: a 32 MiB in-memory hash before each
    -- flush makes fewer, larger segments (a third faster than the 1 MiB default).
    INSERT INTO procedure_search (procedure_search, rank) VALUES ('hashsize', 33554432);
    INSERT INTO procedure_names (procedure_names, rank) VALUES ('hashsize', 33554432);
    CREATE VIRTUAL TABLE procedure_terms USING fts5vocab (procedure_search, 'row');
    "#,
    // 2: how common each procedure is (the ranking's tie-break), the notes that go with the
    // documents, the synonyms (in catalog_meta). Rows written before lack the notes: see
    // `after_migration`.
    r#"
    ALTER TABLE procedures ADD COLUMN common_weight INTEGER NOT NULL DEFAULT 0;
    -- JSON array of strings ("* Ngoài giấy tờ nêu trên, …"): read with the documents, not
    -- numbered among them.
    ALTER TABLE procedures ADD COLUMN document_notes TEXT NOT NULL DEFAULT '[]';
    "#,
    // 3: the names are searched in memory; the index without word positions
    // (`motcua_catalog::index::TABLES`), built again after the migration (see `documents`).
    r#"
    DROP TABLE IF EXISTS procedure_names;
    DROP TABLE IF EXISTS procedure_terms;
    DROP TABLE IF EXISTS procedure_search;
    CREATE VIRTUAL TABLE procedure_search USING fts5 (
        name, initials, extra, documents, legal,
        content = '', contentless_delete = 1, detail = 'column',
        tokenize = 'unicode61 remove_diacritics 2',
        prefix = '1 2 3'
    );
    INSERT INTO procedure_search (procedure_search, rank) VALUES ('hashsize', 33554432);
    CREATE VIRTUAL TABLE procedure_terms USING fts5vocab (procedure_search, 'row');
    "#,
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Connection settings every catalog connection needs.
pub fn configure(conn: &Connection, file_backed: bool) -> Result<(), CatalogError> {
    if file_backed {
        // WAL: readers (the UI's search) never wait for a sync's write transaction.
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!("catalog database stays in {mode} journal mode, not WAL");
        }
        conn.pragma_update(None, "synchronous", "NORMAL")?;
    }
    conn.pragma_update(None, "foreign_keys", true)?;
    // 16 MiB of page cache: the whole index of a 10,000-procedure catalog stays in memory.
    conn.pragma_update(None, "cache_size", -16_384)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    Ok(())
}

/// Brings the schema up to [`SCHEMA_VERSION`], each step in its own transaction. Returns the
/// version the file had (0 for a new one).
pub fn migrate(conn: &mut Connection) -> Result<i64, CatalogError> {
    let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(CatalogError::TooNew {
            found,
            known: SCHEMA_VERSION,
        });
    }
    for (from, sql) in (0_i64..)
        .zip(MIGRATIONS)
        .skip(usize::try_from(found).unwrap_or(0))
    {
        // Immediate: the document index may be built on another connection meanwhile.
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(sql)?;
        after_migration(&tx, from + 1)?;
        tx.pragma_update(None, "user_version", from + 1)?;
        tx.commit()?;
    }
    Ok(found)
}

/// What a migration needs besides its SQL.
fn after_migration(tx: &Connection, to: i64) -> Result<(), CatalogError> {
    if to == 2 {
        // Until the next sync brings the server's weights, the bundled ones order the search.
        let mut stmt = tx.prepare("UPDATE procedures SET common_weight = ?2 WHERE code = ?1")?;
        for (code, weight) in motcua_catalog::BUNDLED_COMMON {
            stmt.execute(rusqlite::params![code, weight])?;
        }
        // Rows held lack their notes; a server's catalog comes again whole at the next sync
        // (version 0 asks for everything), a seed's is reloaded by `Catalog::start`.
        tx.execute_batch(
            "DELETE FROM catalog_meta WHERE key = 'etag';
             UPDATE catalog_meta SET value = '0' WHERE key = 'version';",
        )?;
    }
    if to == 3 {
        super::documents::mark_pending(tx)?;
    }
    Ok(())
}
