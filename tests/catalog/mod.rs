//! The procedure catalog, one concern per file: the file on disk (seed, damage, schema), the
//! search over it (folding and ranking are tested in `catalog-core`), import, sync against the
//! reference server, the `catalog` command line, and the worker that owns the catalog for the
//! screen.

mod cli;
mod documents;
mod import;
mod search;
mod store;
mod sync;
mod words;
mod worker;

use motcua_kiosk::catalog::{Catalog, SearchHit};

/// The real procedures the kiosk and the reference server ship (`assets/catalog/procedures.json`,
/// a copy of `shared/data/procedures.json`), and their fields.
const SEED_PROCEDURES: usize = 326;
const SEED_FIELDS: usize = 58;

/// A catalog in memory, filled with the seed the kiosk ships.
fn seeded() -> Catalog {
    Catalog::open_in_memory().expect("catalog opens with the seed")
}

fn codes(hits: &[SearchHit]) -> Vec<&str> {
    hits.iter().map(|h| h.code.as_str()).collect()
}

/// The best hit for `query`.
fn first(catalog: &Catalog, query: &str) -> SearchHit {
    let hits = catalog.search(query, None, 10).expect("search");
    hits.first()
        .cloned()
        .unwrap_or_else(|| panic!("{query:?} finds nothing"))
}

/// The seed as a plain JSON list of procedures.
fn seed_array() -> Vec<serde_json::Value> {
    serde_json::from_str(motcua_kiosk::catalog::SEED_JSON).expect("seed JSON")
}
