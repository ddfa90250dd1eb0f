//! A catalog answer read procedure by procedure: each one is checked and flattened into a
//! [`Record`] as soon as it is parsed, so a province's catalog (tens of MB of JSON) never sits in
//! memory as a tree of JSON values. The answer's members may come in any order.

use std::collections::HashSet;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::CatalogError;
use super::record::Record;
use crate::server::model::{Procedure, SynonymEntry};

/// A `GET /catalog` answer, its procedures already checked.
#[derive(Debug)]
pub struct ParsedSnapshot {
    pub version: u64,
    pub full: bool,
    pub records: Vec<Record>,
    pub removed: Vec<String>,
    /// The server's synonym table; `None` from a server that sends none.
    pub synonyms: Option<Vec<SynonymEntry>>,
}

/// Reads an answer body. A procedure the kiosk cannot use (no code, no name, a list that is
/// not one, a code twice) refuses the whole answer, naming it (`procedures[3].name: …`).
pub fn parse(body: &[u8]) -> Result<ParsedSnapshot, CatalogError> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let mut problem = None;
    let parsed = SnapshotSeed {
        problem: &mut problem,
    }
    .deserialize(&mut de)
    .and_then(|s| de.end().map(|()| s));
    match (parsed, problem) {
        // The record's own complaint says more than serde's "invalid value".
        (_, Some(problem)) => Err(problem),
        (Ok(Some(snapshot)), None) => Ok(snapshot),
        (Ok(None), None) => Err(CatalogError::Invalid(
            "not a catalog snapshot: \"version\", \"full\" or \"procedures\" is missing".into(),
        )),
        (Err(e), None) => Err(CatalogError::Invalid(format!(
            "not a catalog snapshot: {e}"
        ))),
    }
}

struct SnapshotSeed<'a> {
    problem: &'a mut Option<CatalogError>,
}

impl<'de> DeserializeSeed<'de> for SnapshotSeed<'_> {
    type Value = Option<ParsedSnapshot>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for SnapshotSeed<'_> {
    type Value = Option<ParsedSnapshot>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a catalog snapshot object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut version, mut full, mut records, mut removed) = (None, None, None, Vec::new());
        let mut synonyms = None;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match key.as_ref() {
                "version" => version = Some(map.next_value::<u64>()?),
                "full" => full = Some(map.next_value::<bool>()?),
                "removed" => removed = map.next_value::<Vec<String>>()?,
                "synonyms" => synonyms = map.next_value::<Option<Vec<SynonymEntry>>>()?,
                "procedures" => {
                    records = Some(map.next_value_seed(ProceduresSeed {
                        problem: &mut *self.problem,
                    })?);
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(match (version, full, records) {
            (Some(version), Some(full), Some(records)) => Some(ParsedSnapshot {
                version,
                full,
                records,
                removed,
                synonyms,
            }),
            _ => None,
        })
    }
}

struct ProceduresSeed<'a> {
    problem: &'a mut Option<CatalogError>,
}

impl<'de> DeserializeSeed<'de> for ProceduresSeed<'_> {
    type Value = Vec<Record>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ProceduresSeed<'_> {
    type Value = Vec<Record>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of procedures")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut records = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        let mut seen = HashSet::new();
        let mut stop = |problem: CatalogError| {
            let message = problem.to_string();
            *self.problem = Some(problem);
            serde::de::Error::custom(message)
        };
        while let Some(p) = seq.next_element::<Procedure>().map_err(|e| {
            // serde names no record; say which one broke.
            let at = format!("procedures[{}]", records.len());
            let message = format!("{at}: {e}");
            serde::de::Error::custom(message)
        })? {
            let at = format!("procedures[{}]", records.len());
            let record = Record::from_procedure(&p, &at).map_err(&mut stop)?;
            if !seen.insert(record.code.clone()) {
                return Err(stop(CatalogError::Invalid(format!(
                    "{at}.code: \"{}\" appears twice",
                    record.code
                ))));
            }
            records.push(record);
        }
        Ok(records)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_in_any_order_unknown_ones_skipped() {
        let body = br#"{"procedures": [{"code": "1.1", "name": "A", "x": {"deep": [1, 2]}}],
            "extra": [1, {"a": null}], "removed": ["2.2"], "full": false, "version": 9}"#;
        let s = parse(body).expect("parsed");
        assert_eq!((s.version, s.full), (9, false));
        assert_eq!(s.records.len(), 1);
        assert_eq!(s.removed, ["2.2"]);
    }

    #[test]
    fn a_bad_procedure_is_named() {
        let body = br#"{"version": 1, "full": true, "procedures": [
            {"code": "1.1", "name": "A"}, {"code": "1.2", "name": " "}]}"#;
        let e = parse(body).expect_err("refused").to_string();
        assert!(e.contains("procedures[1].name"), "{e}");
        let body = br#"{"version": 1, "full": true, "procedures": [
            {"code": "1.1", "name": "A"}, {"code": "1.1", "name": "B"}]}"#;
        let e = parse(body).expect_err("refused").to_string();
        assert!(
            e.contains("procedures[1].code") && e.contains("twice"),
            "{e}"
        );
        let body = br#"{"version": 1, "full": true, "procedures": [{"code": 7, "name": "A"}]}"#;
        let e = parse(body).expect_err("refused").to_string();
        assert!(e.contains("procedures[0]"), "{e}");
        for broken in [
            &br#"{"version": 1, "full": true}"#[..],
            br#"[]"#,
            br#"{"version": 1, "full": true, "procedures": []"#,
            br#"{"version": 1, "full": true, "procedures": []} trailing"#,
        ] {
            assert!(
                matches!(parse(broken), Err(CatalogError::Invalid(_))),
                "{}",
                String::from_utf8_lossy(broken)
            );
        }
    }
}
