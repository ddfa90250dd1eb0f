//! A procedure record checked and flattened for storage. The server's JSON is loose (most
//! fields may be null or missing); what the kiosk relies on is checked here, before any write.

use std::collections::HashSet;

use serde_json::{Map, Value};

use super::CatalogError;
use crate::server::model::Procedure;
use motcua_catalog::local_code;

/// Codes longer than this are refused (the server's own limit).
const MAX_CODE_CHARS: usize = 64;

/// The form a record's digest is taken of, written without copying it.
#[derive(serde::Serialize)]
struct Canonical<'a> {
    code: &'a str,
    name: &'a str,
    #[serde(flatten)]
    details: Details<'a>,
}

/// The contract's list fields: servers may send them null, absent or empty, all meaning "none".
const LIST_FIELDS: &[&str] = &[
    "documents",
    "submission_methods",
    "legal_basis",
    "methods_detail",
    "result_codes",
    "document_notes",
];

/// The details with the "none" lists left out, so a record reads the same whichever of the three
/// forms a server (or the bundled seed) used.
struct Details<'a>(&'a Map<String, Value>);

impl serde::Serialize for Details<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let none = |k: &String, v: &Value| {
            LIST_FIELDS.contains(&k.as_str())
                && (v.is_null() || v.as_array().is_some_and(Vec::is_empty))
        };
        let mut map = s.serialize_map(None)?;
        for (k, v) in self.0.iter().filter(|(k, v)| !none(k, v)) {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

#[derive(Debug, Clone)]
pub struct Record {
    pub code: String,
    pub name: String,
    pub field: Option<String>,
    pub level: Option<String>,
    pub processing_time: Option<String>,
    pub fee: Option<String>,
    pub agency: Option<String>,
    pub result: Option<String>,
    pub target_groups: Option<String>,
    /// A JSON array of texts.
    pub submission_methods: String,
    pub documents: Vec<DocumentRow>,
    pub methods: Vec<MethodRow>,
    pub legal: Vec<LegalRow>,
    /// Notes that go with the documents without being documents (`document_notes`): a JSON
    /// array of texts.
    pub document_notes: String,
    /// How common the procedure is at an office, 0-100: the server's `common_weight`, else
    /// the bundled one.
    pub common_weight: u8,
    /// Hash of the canonical JSON of the whole record (keys sorted), to tell changed records
    /// apart without storing the JSON twice.
    pub digest: String,
    /// Worked out with the checks, as the JSON columns are: an import does this on its reading
    /// thread, not its writing one.
    pub name_folded: String,
}

#[derive(Debug, Clone)]
pub struct DocumentRow {
    pub group: Option<String>,
    pub name: String,
    pub copies: Option<String>,
    pub form: Option<String>,
}

#[derive(Debug, Clone)]
pub struct MethodRow {
    pub method: String,
    pub time: Option<String>,
    pub fee: Option<String>,
    pub fee_note: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone)]
pub struct LegalRow {
    pub code: Option<String>,
    pub title: String,
}

fn invalid(at: &str, why: &str) -> CatalogError {
    CatalogError::Invalid(format!("{at}: {why}"))
}

/// A display text: a non-blank string, a number, or a list of strings joined with ", ".
/// Anything else (null, objects) reads as absent: a display detail never fails a catalog.
fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        Value::Array(items) => {
            let parts: Vec<&str> = items
                .iter()
                .filter_map(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect();
            (!parts.is_empty()).then(|| parts.join(", "))
        }
        _ => None,
    }
}

/// A list of texts, trimmed, without the empty ones; anything else reads as none.
fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
        _ => Vec::new(),
    }
}

/// A list of objects, or nothing. Another shape means the server is broken.
fn objects<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
    at: &str,
) -> Result<Vec<&'a Map<String, Value>>, CatalogError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                item.as_object()
                    .ok_or_else(|| invalid(&format!("{at}.{key}[{i}]"), "expected an object"))
            })
            .collect(),
        Some(_) => Err(invalid(&format!("{at}.{key}"), "expected a list or null")),
    }
}

impl Record {
    /// Checks one procedure; `at` names it in errors (`procedures[3]`).
    pub fn from_procedure(p: &Procedure, at: &str) -> Result<Record, CatalogError> {
        let code = p.code.trim();
        if code.is_empty() || code.chars().count() > MAX_CODE_CHARS {
            return Err(invalid(
                &format!("{at}.code"),
                "required, 1 to 64 characters",
            ));
        }
        let name = p.name.trim();
        if name.is_empty() {
            return Err(invalid(&format!("{at}.name"), "required, a non-empty text"));
        }
        let d = &p.details;
        let mut documents = Vec::new();
        for (i, doc) in objects(d, "documents", at)?.into_iter().enumerate() {
            let name = text(doc.get("name"))
                .ok_or_else(|| invalid(&format!("{at}.documents[{i}].name"), "required"))?;
            documents.push(DocumentRow {
                group: text(doc.get("group")),
                name,
                copies: text(doc.get("copies")),
                form: text(doc.get("form")).or_else(|| text(doc.get("form_file"))),
            });
        }
        let mut methods = Vec::new();
        for (i, m) in objects(d, "methods_detail", at)?.into_iter().enumerate() {
            let method = text(m.get("method"))
                .ok_or_else(|| invalid(&format!("{at}.methods_detail[{i}].method"), "required"))?;
            methods.push(MethodRow {
                method,
                time: text(m.get("time")),
                fee: text(m.get("fee")),
                fee_note: text(m.get("fee_note")),
                note: text(m.get("note")),
            });
        }
        let mut legal = Vec::new();
        for l in objects(d, "legal_basis", at)? {
            let code = text(l.get("code"));
            let title = text(l.get("title"));
            // The source has entries with only a code, or only a title; both missing says
            // nothing.
            if code.is_some() || title.is_some() {
                legal.push(LegalRow {
                    code,
                    title: title.unwrap_or_default(),
                });
            }
        }
        let common_weight = match d.get("common_weight") {
            None | Some(Value::Null) => motcua_catalog::bundled_weight(code),
            Some(v) => v
                .as_u64()
                .and_then(|w| u8::try_from(w).ok())
                .filter(|w| *w <= motcua_catalog::MAX_WEIGHT)
                .ok_or_else(|| {
                    invalid(
                        &format!("{at}.common_weight"),
                        "a whole number from 0 to 100",
                    )
                })?,
        };
        let json = serde_json::to_string(&Canonical {
            code,
            name,
            details: Details(d),
        })
        .map_err(|e| invalid(at, &format!("cannot be written as JSON: {e}")))?;
        Ok(Record {
            code: code.to_string(),
            name: name.to_string(),
            field: text(d.get("field")),
            level: text(d.get("level")),
            processing_time: text(d.get("processing_time")),
            fee: text(d.get("fee")),
            agency: text(d.get("agency")),
            result: text(d.get("result")),
            target_groups: text(d.get("target_groups")),
            submission_methods: json_list(&strings(d.get("submission_methods"))),
            documents,
            methods,
            legal,
            document_notes: json_list(&strings(d.get("document_notes"))),
            common_weight,
            digest: digest(&json),
            name_folded: motcua_catalog::fold(name),
        })
    }
}

/// A list of texts as a JSON array.
fn json_list(items: &[String]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".to_string())
}

/// 128-bit FNV-1a in hex: collisions between two versions of one record are out of reach,
/// and it needs no dependency.
fn digest(text: &str) -> String {
    let mut h: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    for b in text.as_bytes() {
        h ^= u128::from(*b);
        h = h.wrapping_mul(0x0000_0000_0100_0000_0000_0000_0000_013b);
    }
    format!("{h:032x}")
}

/// Checks a list of procedures and refuses duplicate codes.
pub fn records(procedures: &[Procedure], list: &str) -> Result<Vec<Record>, CatalogError> {
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(procedures.len());
    for (i, p) in procedures.iter().enumerate() {
        let at = format!("{list}[{i}]");
        let record = Record::from_procedure(p, &at)?;
        if !seen.insert(record.code.clone()) {
            return Err(invalid(
                &format!("{at}.code"),
                &format!("\"{}\" appears twice", record.code),
            ));
        }
        out.push(record);
    }
    Ok(out)
}

/// One procedure object of a list: `code` and `name` taken out of its details. `code` may be
/// null (or absent) in a plain list (the seed's shape): such a record gets the server's `local-…`
/// key. `at` names it in errors (`[3]`, `procedures[3]`).
pub fn procedure(item: Value, at: &str, code_may_be_null: bool) -> Result<Procedure, CatalogError> {
    let Value::Object(mut obj) = item else {
        return Err(invalid(at, "expected an object"));
    };
    let name = match obj.remove("name") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
        _ => return Err(invalid(&format!("{at}.name"), "required, a non-empty text")),
    };
    let code = match obj.remove("code") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
        None | Some(Value::Null) if code_may_be_null => local_code(&name),
        _ if code_may_be_null => {
            return Err(invalid(
                &format!("{at}.code"),
                "a text of 1 to 64 characters, or null",
            ));
        }
        _ => {
            return Err(invalid(
                &format!("{at}.code"),
                "required, 1 to 64 characters",
            ));
        }
    };
    Ok(Procedure {
        code,
        name,
        details: obj,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest_of(json: serde_json::Value) -> String {
        let p: Procedure = serde_json::from_value(json).expect("procedure");
        Record::from_procedure(&p, "[0]").expect("record").digest
    }

    #[test]
    fn a_list_sent_null_absent_or_empty_is_the_same_record() {
        let absent = digest_of(serde_json::json!({ "code": "1.1", "name": "A" }));
        let null =
            digest_of(serde_json::json!({ "code": "1.1", "name": "A", "legal_basis": null }));
        let empty = digest_of(
            serde_json::json!({ "code": "1.1", "name": "A", "legal_basis": [], "result_codes": [] }),
        );
        assert_eq!(absent, null);
        assert_eq!(absent, empty);
        let full =
            digest_of(serde_json::json!({ "code": "1.1", "name": "A", "result_codes": ["KQ.1"] }));
        assert_ne!(absent, full);
    }
}
