//! The shared procedure search, tested once here: folding, ranking on the real procedures the
//! kiosk ships, corrections, and hostile input. One test binary, one module per concern.

mod fold;
mod quality;
mod ranking;
mod ranking_table;

use motcua_catalog::{IndexRecord, MemoryIndex, SearchHit};
use serde_json::Value;

/// The 55 real procedures the kiosk ships, in their order.
fn real_procedures() -> Vec<IndexRecord> {
    let json = include_str!("../../assets/catalog/procedures.json");
    let items: Vec<Value> = serde_json::from_str(json).expect("the kiosk's seed is JSON");
    items.iter().map(record).collect()
}

/// What the index reads of one record as the catalog stores it.
fn record(v: &Value) -> IndexRecord {
    let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_string);
    let list = |key: &str| {
        v.get(key)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let name = text(v, "name").expect("a name");
    IndexRecord {
        code: text(v, "code").unwrap_or_else(|| motcua_catalog::local_code(&name)),
        name,
        field: text(v, "field"),
        documents: list("documents")
            .iter()
            .filter_map(|d| text(d, "name"))
            .collect(),
        legal: list("legal_basis")
            .iter()
            .flat_map(|l| {
                [
                    text(l, "code").unwrap_or_default(),
                    text(l, "title").unwrap_or_default(),
                ]
            })
            .collect(),
    }
}

/// The real procedures, indexed.
fn indexed() -> MemoryIndex {
    let mut index = MemoryIndex::new().expect("an index in memory");
    index.replace(&real_procedures()).expect("indexed");
    index
}

fn codes(hits: &[SearchHit]) -> Vec<&str> {
    hits.iter().map(|h| h.code.as_str()).collect()
}

/// The best hit for `query`.
fn first(index: &MemoryIndex, query: &str) -> SearchHit {
    let hits = index.search(query, None, 10).expect("search");
    hits.first()
        .cloned()
        .unwrap_or_else(|| panic!("{query:?} finds nothing"))
}
