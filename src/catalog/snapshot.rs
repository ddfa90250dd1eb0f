//! A catalog read procedure by procedure: each one is checked and flattened into a [`Record`] as
//! soon as it is parsed and handed to a [`Sink`] (a list, or an import's write transaction), so
//! a province's catalog (tens of MB of JSON) never sits in memory as a tree of JSON values. An
//! object's members may come in any order.

use std::collections::HashSet;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::CatalogError;
use super::record::{self, Record};
use crate::server::model::SynonymEntry;

/// Where each checked record goes as soon as it is read.
pub trait Sink {
    fn take(&mut self, record: Record) -> Result<(), CatalogError>;
}

impl Sink for Vec<Record> {
    fn take(&mut self, record: Record) -> Result<(), CatalogError> {
        self.push(record);
        Ok(())
    }
}

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

/// What a catalog said besides its procedures (those went to the sink).
#[derive(Debug)]
pub struct Head {
    /// 0 for a plain list.
    pub version: u64,
    /// False for a delta.
    pub full: bool,
    pub removed: Vec<String>,
    /// The source's synonym table; `None` for a plain list or a snapshot without one.
    pub synonyms: Option<Vec<SynonymEntry>>,
}

/// Reads an answer body. A procedure the kiosk cannot use (no code, no name, a list that is
/// not one, a code twice) refuses the whole answer, naming it (`procedures[3].name: …`).
pub fn parse(body: &[u8]) -> Result<ParsedSnapshot, CatalogError> {
    let mut records = Vec::new();
    let mut de = serde_json::Deserializer::from_slice(body);
    let mut problem = None;
    let parsed = SnapshotSeed {
        sink: &mut records,
        problem: &mut problem,
    }
    .deserialize(&mut de)
    .and_then(|s| de.end().map(|()| s));
    let head = outcome(parsed, problem, "not a catalog snapshot")?;
    Ok(ParsedSnapshot {
        version: head.version,
        full: head.full,
        records,
        removed: head.removed,
        synonyms: head.synonyms,
    })
}

/// Reads a catalog file: a JSON array of procedures (the seed's shape, where `code` may be null
/// and the record then gets the server's `local-…` key) or a snapshot object as the server sends
/// it. Each record goes to `sink` as it is read; on an error some may have gone already.
pub fn read_file(json: &str, sink: &mut impl Sink) -> Result<Head, CatalogError> {
    let mut de = serde_json::Deserializer::from_str(json);
    let mut problem = None;
    let parsed = FileSeed {
        sink,
        problem: &mut problem,
    }
    .deserialize(&mut de)
    .and_then(|s| de.end().map(|()| s));
    outcome(parsed, problem, "not a catalog")
}

/// The head read, or why not. A record's own complaint (or the sink's) says more than serde's.
fn outcome(
    parsed: Result<Option<Head>, serde_json::Error>,
    problem: Option<CatalogError>,
    what: &str,
) -> Result<Head, CatalogError> {
    match (parsed, problem) {
        (_, Some(problem)) => Err(problem),
        (Ok(Some(head)), None) => Ok(head),
        (Ok(None), None) => Err(CatalogError::Invalid(format!(
            "{what}: \"version\", \"full\" or \"procedures\" is missing"
        ))),
        (Err(e), None) if e.is_syntax() || e.is_eof() => {
            Err(CatalogError::Invalid(format!("not JSON: {e}")))
        }
        (Err(e), None) => Err(CatalogError::Invalid(format!("{what}: {e}"))),
    }
}

/// A file: a plain list of procedures, or a snapshot object.
struct FileSeed<'a, S> {
    sink: &'a mut S,
    problem: &'a mut Option<CatalogError>,
}

impl<'de, S: Sink> DeserializeSeed<'de> for FileSeed<'_, S> {
    type Value = Option<Head>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, S: Sink> Visitor<'de> for FileSeed<'_, S> {
    type Value = Option<Head>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON array of procedures or a catalog snapshot object")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        ProceduresSeed {
            sink: self.sink,
            problem: self.problem,
            list: List::File,
        }
        .visit_seq(seq)?;
        Ok(Some(Head {
            version: 0,
            full: true,
            removed: Vec::new(),
            synonyms: None,
        }))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        SnapshotSeed {
            sink: self.sink,
            problem: self.problem,
        }
        .visit_map(map)
    }
}

struct SnapshotSeed<'a, S> {
    sink: &'a mut S,
    problem: &'a mut Option<CatalogError>,
}

impl<'de, S: Sink> DeserializeSeed<'de> for SnapshotSeed<'_, S> {
    type Value = Option<Head>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, S: Sink> Visitor<'de> for SnapshotSeed<'_, S> {
    type Value = Option<Head>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a catalog snapshot object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut version, mut full, mut read, mut removed) = (None, None, false, Vec::new());
        let mut synonyms = None;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match key.as_ref() {
                "version" => version = Some(map.next_value::<u64>()?),
                "full" => full = Some(map.next_value::<bool>()?),
                "removed" => removed = map.next_value::<Vec<String>>()?,
                "synonyms" => synonyms = map.next_value::<Option<Vec<SynonymEntry>>>()?,
                "procedures" => {
                    map.next_value_seed(ProceduresSeed {
                        sink: &mut *self.sink,
                        problem: &mut *self.problem,
                        list: List::Snapshot,
                    })?;
                    read = true;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(match (version, full, read) {
            (Some(version), Some(full), true) => Some(Head {
                version,
                full,
                removed,
                synonyms,
            }),
            _ => None,
        })
    }
}

/// Which list the procedures come in: it says how they are named in errors and whether a code
/// may be missing.
#[derive(Clone, Copy)]
enum List {
    /// A snapshot's `procedures`: every procedure has its code.
    Snapshot,
    /// A plain list (the seed's shape): `code` may be null.
    File,
}

struct ProceduresSeed<'a, S> {
    sink: &'a mut S,
    problem: &'a mut Option<CatalogError>,
    list: List,
}

impl<'de, S: Sink> DeserializeSeed<'de> for ProceduresSeed<'_, S> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, S: Sink> Visitor<'de> for ProceduresSeed<'_, S> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of procedures")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut seen = HashSet::new();
        let problem = self.problem;
        let mut stop = |e: CatalogError| {
            let message = e.to_string();
            *problem = Some(e);
            serde::de::Error::custom(message)
        };
        let name = match self.list {
            List::Snapshot => "procedures",
            List::File => "",
        };
        for i in 0_usize.. {
            let at = format!("{name}[{i}]");
            // serde names no record; say which one broke.
            let Some(item) = seq
                .next_element::<Value>()
                .map_err(|e| serde::de::Error::custom(format!("{at}: {e}")))?
            else {
                break;
            };
            let procedure =
                record::procedure(item, &at, matches!(self.list, List::File)).map_err(&mut stop)?;
            let record = Record::from_procedure(&procedure, &at).map_err(&mut stop)?;
            if !seen.insert(record.code.clone()) {
                return Err(stop(CatalogError::Invalid(format!(
                    "{at}.code: \"{}\" appears twice",
                    record.code
                ))));
            }
            self.sink.take(record).map_err(&mut stop)?;
        }
        Ok(())
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
