//! Reading the stored catalog for the screens: meta, fields, browsing, one procedure's detail.

use rusqlite::{Connection, OptionalExtension, params};

use super::{
    CatalogError, CatalogMeta, Document, DocumentGroup, FieldCount, LegalBasis, Method,
    ProcedureDetail, SearchHit,
};

pub fn get_meta(conn: &Connection, key: &str) -> Result<Option<String>, CatalogError> {
    Ok(conn
        .query_row(
            "SELECT value FROM catalog_meta WHERE key = ?1",
            params![key],
            |r| r.get(0),
        )
        .optional()?)
}

/// Sets (or with `None` removes) one metadata value.
pub fn set_meta(conn: &Connection, key: &str, value: Option<&str>) -> Result<(), CatalogError> {
    match value {
        Some(v) => conn.execute(
            "INSERT INTO catalog_meta (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, v],
        )?,
        None => conn.execute("DELETE FROM catalog_meta WHERE key = ?1", params![key])?,
    };
    Ok(())
}

fn count(conn: &Connection, sql: &str) -> Result<usize, CatalogError> {
    let n: i64 = conn.query_row(sql, [], |r| r.get(0))?;
    Ok(usize::try_from(n).unwrap_or(0))
}

pub fn meta(conn: &Connection) -> Result<CatalogMeta, CatalogError> {
    let version = get_meta(conn, "version")?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    Ok(CatalogMeta {
        version,
        etag: get_meta(conn, "etag")?,
        synced_at: get_meta(conn, "synced_at")?,
        procedures: count(conn, "SELECT COUNT(*) FROM procedures")?,
        fields: count(conn, "SELECT COUNT(*) FROM fields")?,
        source: get_meta(conn, "source")?.unwrap_or_default(),
    })
}

pub fn fields(conn: &Connection) -> Result<Vec<FieldCount>, CatalogError> {
    let mut stmt = conn.prepare_cached(
        "SELECT f.name, COUNT(*) FROM procedures p JOIN fields f ON f.id = p.field_id
         GROUP BY f.id ORDER BY f.folded, f.name",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(FieldCount {
            name: r.get(0)?,
            count: usize::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn in_field(
    conn: &Connection,
    field_id: i64,
    limit: usize,
) -> Result<Vec<SearchHit>, CatalogError> {
    let mut stmt = conn.prepare_cached(
        "SELECT p.code, p.name, f.name FROM procedures p JOIN fields f ON f.id = p.field_id
         WHERE p.field_id = ?1 ORDER BY p.name_folded, p.position LIMIT ?2",
    )?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = stmt.query_map(params![field_id, limit], |r| {
        Ok(SearchHit {
            code: r.get(0)?,
            name: r.get(1)?,
            field: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn procedure(conn: &Connection, code: &str) -> Result<Option<ProcedureDetail>, CatalogError> {
    let head = conn
        .query_row(
            "SELECT p.id, p.code, p.name, COALESCE(f.name, ''), p.level, p.processing_time,
                    p.fee, p.agency, p.result, p.target_groups, p.submission_methods,
                    p.document_notes
             FROM procedures p LEFT JOIN fields f ON f.id = p.field_id WHERE p.code = ?1",
            params![code.trim()],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    ProcedureDetail {
                        code: r.get(1)?,
                        name: r.get(2)?,
                        field: r.get(3)?,
                        level: r.get(4)?,
                        processing_time: r.get(5)?,
                        fee: r.get(6)?,
                        agency: r.get(7)?,
                        result: r.get(8)?,
                        target_groups: r.get(9)?,
                        submission_methods: serde_json::from_str(&r.get::<_, String>(10)?)
                            .unwrap_or_default(),
                        methods: Vec::new(),
                        documents: Vec::new(),
                        document_notes: serde_json::from_str(&r.get::<_, String>(11)?)
                            .unwrap_or_default(),
                        legal_basis: Vec::new(),
                    },
                ))
            },
        )
        .optional()?;
    let Some((id, mut detail)) = head else {
        return Ok(None);
    };
    {
        let mut stmt = conn.prepare_cached(
            "SELECT method, time, fee, fee_note, note FROM methods WHERE procedure_id = ?1
             ORDER BY position",
        )?;
        let rows = stmt.query_map(params![id], |r| {
            Ok(Method {
                method: r.get(0)?,
                time: r.get(1)?,
                fee: r.get(2)?,
                fee_note: r.get(3)?,
                note: r.get(4)?,
            })
        })?;
        detail.methods = rows.collect::<Result<_, _>>()?;
    }
    {
        let mut stmt = conn.prepare_cached(
            "SELECT grp, name, copies, form FROM documents WHERE procedure_id = ?1
             ORDER BY position",
        )?;
        let rows = stmt.query_map(params![id], |r| {
            Ok((
                r.get::<_, Option<String>>(0)?,
                Document {
                    name: r.get(1)?,
                    copies: r.get(2)?,
                    form: r.get(3)?,
                },
            ))
        })?;
        for row in rows {
            let (group, document) = row?;
            let group = group.unwrap_or_default();
            // Groups in order of first appearance; a group seen again gathers its documents.
            match detail.documents.iter_mut().find(|g| g.group == group) {
                Some(g) => g.documents.push(document),
                None => detail.documents.push(DocumentGroup {
                    group,
                    documents: vec![document],
                }),
            }
        }
    }
    let mut stmt = conn.prepare_cached(
        "SELECT code, title FROM legal_basis WHERE procedure_id = ?1 ORDER BY position",
    )?;
    let rows = stmt.query_map(params![id], |r| {
        Ok(LegalBasis {
            code: r.get(0)?,
            title: r.get(1)?,
        })
    })?;
    detail.legal_basis = rows.collect::<Result<_, _>>()?;
    Ok(Some(detail))
}
