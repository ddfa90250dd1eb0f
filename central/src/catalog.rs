//! The procedure catalog: versioned replacement, the full/delta answers, and the synonym table
//! kiosks rewrite queries with.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, FixedOffset};
use serde_json::{Map, Value};

use crate::problem::ApiError;
use crate::store::{Sql, params};

/// One procedure ready to store: its key, its field (for the `fields` list) and its JSON.
#[derive(Debug, Clone)]
pub struct Procedure {
    pub code: String,
    pub field: Option<String>,
    pub json: String,
}

/// Text fields of a procedure: a string or null.
const TEXT_FIELDS: &[&str] = &[
    "field",
    "level",
    "processing_time",
    "fee",
    "agency",
    "result",
    "competent_authority",
    "target_groups",
    "requirements",
];
/// Array-of-string fields; null or absent is stored as `[]`.
const STRING_LISTS: &[&str] = &["submission_methods", "result_codes", "document_notes"];
/// Array-of-object fields: the field, the text members of each object, the required member.
const OBJECT_LISTS: &[(&str, &[&str], Option<&str>)] = &[
    ("documents", &["copies", "group", "form_file"], Some("name")),
    ("legal_basis", &["code", "title"], None),
    (
        "methods_detail",
        &["method", "time", "time_raw", "fee", "fee_note", "note"],
        None,
    ),
];

/// A known field of a record with the wrong shape: `(path below the record, what it must be)`.
type Mismatch = (String, &'static str);

/// Validates an imported catalog (the JSON array of the seed file) record by record, so a kiosk
/// never receives a procedure that breaks the contract's `Procedure` schema.
///
/// Records without a national code (pre-2025 ones) get a stable local key derived from their
/// name, so deltas can still name them.
pub fn parse_procedures(body: &Value) -> Result<Vec<Procedure>, ApiError> {
    let items = body
        .as_array()
        .ok_or_else(|| ApiError::bad("body", "expected a JSON array of procedures"))?;
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let mut obj = item
            .as_object()
            .cloned()
            .ok_or_else(|| ApiError::bad(&format!("[{i}]"), "expected an object"))?;
        let name = match obj.get("name") {
            Some(Value::String(s)) => crate::validate::non_blank(&format!("[{i}].name"), s)?,
            _ => {
                return Err(ApiError::bad(
                    &format!("[{i}].name"),
                    "required, a string that is not all spaces",
                ));
            }
        };
        let code = match obj.get("code") {
            Some(Value::String(s)) if crate::validate::procedure_code("code", s).is_ok() => {
                s.clone()
            }
            None | Some(Value::Null) => local_code(&name),
            _ => {
                return Err(ApiError::bad(
                    &format!("[{i}].code"),
                    "null, or 1 to 64 letters, digits, '.', '_' or '-' starting with a letter or digit",
                ));
            }
        };
        normalize(&mut obj, false)
            .map_err(|(path, why)| ApiError::bad(&format!("[{i}].{path}"), why))?;
        if !seen.insert(code.clone()) {
            return Err(ApiError::DuplicateCode(format!(
                "[{i}].code: \"{code}\" appears twice"
            )));
        }
        obj.insert("code".into(), Value::String(code.clone()));
        let field = obj.get("field").and_then(Value::as_str).map(str::to_string);
        out.push(Procedure {
            code,
            field,
            json: Value::Object(obj).to_string(),
        });
    }
    Ok(out)
}

/// Checks the known fields of a record and stores null or absent lists as `[]`. With `repair`,
/// a field of the wrong shape is emptied (null text, empty list) instead of refused: for records
/// stored before imports were checked.
fn normalize(obj: &mut Map<String, Value>, repair: bool) -> Result<(), Mismatch> {
    let empty_list = || Value::Array(Vec::new());
    // (key, path of the problem, why, what a repair stores)
    let mut problems: Vec<(&str, String, &'static str, Value)> = Vec::new();
    for key in TEXT_FIELDS {
        if !matches!(obj.get(*key), None | Some(Value::Null | Value::String(_))) {
            problems.push((key, key.to_string(), "a string or null", Value::Null));
        }
    }
    // How common the procedure is at an office: the search's tie-break (motcua-catalog).
    let weight_ok = match obj.get("common_weight").cloned() {
        None | Some(Value::Null) => true,
        Some(Value::Number(n)) => match crate::extract::number_to_i64(&n) {
            Some(w) if (0..=i64::from(motcua_catalog::MAX_WEIGHT)).contains(&w) => {
                // `32.0` is the whole number 32: kiosks read it as one.
                obj.insert("common_weight".into(), Value::from(w));
                true
            }
            _ => false,
        },
        Some(_) => false,
    };
    if !weight_ok {
        problems.push((
            "common_weight",
            "common_weight".to_string(),
            "a whole number from 0 to 100, or null",
            Value::Null,
        ));
    }
    for key in STRING_LISTS {
        match obj.get(*key) {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) => {
                if let Some(j) = items.iter().position(|v| !v.is_string()) {
                    problems.push((key, format!("{key}[{j}]"), "a string", empty_list()));
                }
            }
            Some(_) => problems.push((
                key,
                key.to_string(),
                "a list of strings, or null",
                empty_list(),
            )),
        }
    }
    for (key, texts, required) in OBJECT_LISTS {
        match obj.get(*key) {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) => {
                let first = items.iter().enumerate().find_map(|(j, v)| {
                    object_mismatch(v, texts, *required).map(|(member, why)| (j, member, why))
                });
                if let Some((j, member, why)) = first {
                    problems.push((key, format!("{key}[{j}]{member}"), why, empty_list()));
                }
            }
            Some(_) => problems.push((
                key,
                key.to_string(),
                "a list of objects, or null",
                empty_list(),
            )),
        }
    }
    if !repair && let Some((_, path, why, _)) = problems.first() {
        return Err((path.clone(), why));
    }
    for (key, _, _, empty) in problems {
        obj.insert(key.to_string(), empty);
    }
    let lists = STRING_LISTS
        .iter()
        .chain(OBJECT_LISTS.iter().map(|(key, _, _)| key));
    for key in lists {
        if matches!(obj.get(*key), None | Some(Value::Null)) {
            obj.insert(key.to_string(), empty_list());
        }
    }
    Ok(())
}

/// What is wrong with one member object of a list, as `(".member", why)`.
fn object_mismatch(
    v: &Value,
    texts: &[&str],
    required: Option<&str>,
) -> Option<(String, &'static str)> {
    let Some(o) = v.as_object() else {
        return Some((String::new(), "an object"));
    };
    if let Some(name) = required
        && !o.get(name).is_some_and(Value::is_string)
    {
        return Some((format!(".{name}"), "required, a string"));
    }
    texts
        .iter()
        .find(|t| !matches!(o.get(**t), None | Some(Value::Null | Value::String(_))))
        .map(|t| (format!(".{t}"), "a string or null"))
}

/// Brings procedures stored before imports were checked to the served shape (migration 3).
pub fn normalize_stored(sql: &mut dyn Sql) -> Result<(), ApiError> {
    for row in sql.query("SELECT code, json FROM procedures", &[])? {
        let (code, json) = (row.text(0)?, row.text(1)?);
        let Ok(Value::Object(mut obj)) = serde_json::from_str::<Value>(&json) else {
            tracing::warn!(%code, "stored procedure is not a JSON object; left as it is");
            continue;
        };
        let _ = normalize(&mut obj, true);
        let fixed = Value::Object(obj).to_string();
        if fixed != json {
            // Same version: kiosks holding the old shape read it the same way.
            sql.execute(
                "UPDATE procedures SET json = ?2 WHERE code = ?1",
                &params![code, fixed],
            )?;
        }
    }
    Ok(())
}

/// `local-` and 16 hex digits of the FNV-1a hash of the name: stable across imports.
pub fn local_code(name: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("local-{h:016x}")
}

/// What an import changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportSummary {
    pub version: i64,
    pub procedures: usize,
    pub changed: usize,
    pub removed: usize,
}

pub fn current_version(sql: &mut dyn Sql) -> Result<i64, ApiError> {
    Ok(sql
        .query_one(
            "SELECT COALESCE(MAX(version), 0) FROM catalog_versions",
            &[],
        )?
        .int(0)?)
}

/// Starts a new catalog version (an import, or an office's override changing).
fn new_version(sql: &mut dyn Sql, now: DateTime<FixedOffset>) -> Result<i64, ApiError> {
    let version = current_version(sql)? + 1;
    sql.execute(
        "INSERT INTO catalog_versions (version, created_at) VALUES (?1, ?2)",
        &params![version, now],
    )?;
    Ok(version)
}

/// Replaces the catalog and records what changed under a new version. Kiosks never see half a
/// catalog: the store runs this in one transaction.
pub fn import(
    sql: &mut dyn Sql,
    procs: &[Procedure],
    now: DateTime<FixedOffset>,
) -> Result<ImportSummary, ApiError> {
    let version = new_version(sql, now)?;
    let mut old: HashMap<String, String> = HashMap::new();
    for row in sql.query("SELECT code, json FROM procedures", &[])? {
        old.insert(row.text(0)?, row.text(1)?);
    }
    let mut changed = 0;
    for (position, p) in procs.iter().enumerate() {
        if old.get(&p.code) == Some(&p.json) {
            sql.execute(
                "UPDATE procedures SET position = ?2 WHERE code = ?1",
                &params![p.code.as_str(), position],
            )?;
        } else {
            changed += 1;
            sql.execute(
                "INSERT INTO procedures (code, position, field, json, changed_in)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (code) DO UPDATE SET position = ?2, field = ?3, json = ?4, changed_in = ?5",
                &params![p.code.as_str(), position, p.field.clone(), p.json.as_str(), version],
            )?;
        }
    }
    let keep: HashSet<&str> = procs.iter().map(|p| p.code.as_str()).collect();
    let mut removed = 0;
    for code in old.keys().filter(|c| !keep.contains(c.as_str())) {
        removed += 1;
        sql.execute("DELETE FROM procedures WHERE code = ?1", &params![code])?;
        sql.execute(
            "INSERT INTO procedures_removed (code, removed_in) VALUES (?1, ?2)
             ON CONFLICT DO NOTHING",
            &params![code, version],
        )?;
    }
    Ok(ImportSummary {
        version,
        procedures: procs.len(),
        changed,
        removed,
    })
}

/// What an office changes in a shared procedure: the local fee and the shortened times
/// provinces publish. Fields left out keep the shared value.
pub const OVERRIDABLE: &[&str] = &["fee", "processing_time", "methods_detail", "agency"];

/// Sets (or with `None` removes) an office's override of one procedure under a new version, so
/// the office's kiosks receive the change as a delta.
pub fn set_override(
    sql: &mut dyn Sql,
    office: &str,
    code: &str,
    patch: Option<&Map<String, Value>>,
    now: DateTime<FixedOffset>,
) -> Result<i64, ApiError> {
    let exists = sql
        .query_opt("SELECT 1 FROM procedures WHERE code = ?1", &params![code])?
        .is_some();
    if !exists {
        return Err(ApiError::NotFound(format!("no procedure {code}")));
    }
    let version = new_version(sql, now)?;
    sql.execute(
        "INSERT INTO procedure_overrides (office_id, code, patch, changed_in)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (office_id, code) DO UPDATE SET patch = ?3, changed_in = ?4",
        &params![
            office,
            code,
            patch.map(|p| Value::Object(p.clone()).to_string()),
            version
        ],
    )?;
    Ok(version)
}

/// The full catalog for an office's kiosks, or with `since` a version the server knows, only
/// what changed after it (a procedure, or the office's override of it). Each procedure is the
/// JSON text it is stored as (an office's override merged in where it has one): what
/// `GET /catalog` streams, without building a tree of every procedure first.
pub fn read_texts(
    sql: &mut dyn Sql,
    office: &str,
    since: Option<i64>,
) -> Result<CatalogTexts, ApiError> {
    let (version, known, fields) = version_and_fields(sql, since)?;
    let after = known.unwrap_or(0);
    let mut procedures = Vec::new();
    for row in sql.query(
        "SELECT p.json, o.patch FROM procedures p
         LEFT JOIN procedure_overrides o ON o.office_id = ?2 AND o.code = p.code
         WHERE p.changed_in > ?1 OR o.changed_in > ?1
         ORDER BY p.position",
        &params![after, office],
    )? {
        let stored = row.text(0)?;
        procedures.push(match row.opt_text(1)? {
            Some(patch) => with_patch(&stored, &patch)?,
            None => stored,
        });
    }
    let removed = removed_since(sql, known)?;
    Ok(CatalogTexts {
        version,
        full: known.is_none(),
        fields,
        procedures,
        removed,
        synonyms: synonyms(sql)?,
    })
}

/// The catalog as [`read_texts`] gives it: procedures as JSON text.
#[derive(Debug, Clone)]
pub struct CatalogTexts {
    pub version: i64,
    pub full: bool,
    pub fields: Vec<String>,
    pub procedures: Vec<String>,
    pub removed: Vec<String>,
    /// Always the whole table, in full and delta answers alike.
    pub synonyms: Vec<Value>,
}

/// A table longer than this is refused (kiosks cut theirs there too).
pub const MAX_SYNONYMS: usize = motcua_catalog::MAX_SYNONYMS;
/// A synonym's words and meaning, in characters.
const MAX_SYNONYM_CHARS: usize = 200;

/// Checks a synonym table as an admin sends it: `[{"words": "sổ đỏ", "means": "giấy chứng
/// nhận quyền sử dụng đất"}, …]`, at most [`MAX_SYNONYMS`]; `means` may be empty (the words
/// are dropped from queries). Returns `(words, means)` pairs, trimmed. Words are matched folded
/// (motcua-catalog): words with no letter or digit are kept but never match.
pub fn parse_synonyms(body: &Value) -> Result<Vec<(String, String)>, ApiError> {
    let items = body
        .as_array()
        .ok_or_else(|| ApiError::bad("body", "expected a JSON array of synonyms"))?;
    if items.len() > MAX_SYNONYMS {
        return Err(ApiError::bad(
            "body",
            format!("at most {MAX_SYNONYMS} synonyms"),
        ));
    }
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let obj = item
            .as_object()
            .ok_or_else(|| ApiError::bad(&format!("[{i}]"), "expected an object"))?;
        if let Some(key) = obj
            .keys()
            .find(|k| !matches!(k.as_str(), "words" | "means"))
        {
            return Err(ApiError::bad(
                &format!("[{i}].{key}"),
                "not a member of a synonym (words, means)",
            ));
        }
        let text = |key: &str, required: bool| -> Result<String, ApiError> {
            match obj.get(key) {
                Some(Value::String(s)) if s.chars().count() <= MAX_SYNONYM_CHARS => {
                    Ok(s.trim().to_string())
                }
                None if !required => Ok(String::new()),
                _ => Err(ApiError::bad(
                    &format!("[{i}].{key}"),
                    format!("a text of at most {MAX_SYNONYM_CHARS} characters"),
                )),
            }
        };
        let words = text("words", true)?;
        if words.is_empty() {
            return Err(ApiError::bad(
                &format!("[{i}].words"),
                "a text that is not all spaces",
            ));
        }
        out.push((words, text("means", false)?));
    }
    Ok(out)
}

/// The synonym table kiosks receive: the admin's, or the bundled one until one is set.
pub fn synonyms(sql: &mut dyn Sql) -> Result<Vec<Value>, ApiError> {
    let stored = sql.query_opt(
        "SELECT value FROM catalog_settings WHERE key = 'synonyms'",
        &[],
    )?;
    if let Some(row) = stored
        && let Ok(Value::Array(list)) = serde_json::from_str::<Value>(&row.text(0)?)
    {
        return Ok(list);
    }
    Ok(motcua_catalog::BUNDLED_SYNONYMS
        .iter()
        .map(|(words, means)| serde_json::json!({ "words": words, "means": means }))
        .collect())
}

/// Replaces the synonym table under a new catalog version, so kiosks fetch it.
pub fn set_synonyms(
    sql: &mut dyn Sql,
    list: &[(String, String)],
    now: DateTime<FixedOffset>,
) -> Result<i64, ApiError> {
    let version = new_version(sql, now)?;
    let json = Value::Array(
        list.iter()
            .map(|(words, means)| serde_json::json!({ "words": words, "means": means }))
            .collect(),
    )
    .to_string();
    sql.execute(
        "INSERT INTO catalog_settings (key, value) VALUES ('synonyms', ?1)
         ON CONFLICT (key) DO UPDATE SET value = ?1",
        &params![json],
    )?;
    Ok(version)
}

/// A stored procedure with an office's patch laid over it.
fn with_patch(stored: &str, patch: &str) -> Result<String, ApiError> {
    let mut p: Value = serde_json::from_str(stored)?;
    if let (Some(obj), Ok(Value::Object(patch))) =
        (p.as_object_mut(), serde_json::from_str::<Value>(patch))
    {
        obj.extend(patch);
    }
    Ok(p.to_string())
}

/// The current version, `since` if the server knows it, and every field in catalog order.
fn version_and_fields(
    sql: &mut dyn Sql,
    since: Option<i64>,
) -> Result<(i64, Option<i64>, Vec<String>), ApiError> {
    let version = current_version(sql)?;
    let known = match since {
        Some(v) if v >= 1 && v <= version => sql
            .query_opt(
                "SELECT version FROM catalog_versions WHERE version = ?1",
                &params![v],
            )?
            .map(|r| r.int(0))
            .transpose()?,
        _ => None,
    };
    let mut fields: Vec<String> = Vec::new();
    for row in sql.query(
        "SELECT field FROM procedures WHERE field IS NOT NULL
         GROUP BY field ORDER BY MIN(position)",
        &[],
    )? {
        fields.push(row.text(0)?);
    }
    Ok((version, known, fields))
}

/// Codes removed after a known version and not present now.
fn removed_since(sql: &mut dyn Sql, known: Option<i64>) -> Result<Vec<String>, ApiError> {
    let mut removed = Vec::new();
    if let Some(after) = known {
        for row in sql.query(
            "SELECT DISTINCT code FROM procedures_removed
             WHERE removed_in > ?1 AND code NOT IN (SELECT code FROM procedures)
             ORDER BY code",
            &params![after],
        )? {
            removed.push(row.text(0)?);
        }
    }
    Ok(removed)
}
