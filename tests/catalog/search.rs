//! The catalog's search: the shared search (`motcua-catalog`, where ranking, corrections and
//! hostile queries are tested) over the kiosk's catalog file, with its field filter.

use motcua_catalog::{IndexRecord, MemoryIndex, local_code};

use super::{first, seed_array, seeded};

/// The seed indexed by the shared search on its own, as a server would.
fn shared_index() -> MemoryIndex {
    let text =
        |v: &serde_json::Value, key: &str| v.get(key).and_then(|s| s.as_str()).map(str::to_string);
    let records: Vec<IndexRecord> = seed_array()
        .iter()
        .map(|v| IndexRecord {
            // As the kiosk keys a record the source gives without a code.
            code: text(v, "code").unwrap_or_else(|| local_code(&text(v, "name").unwrap())),
            name: text(v, "name").expect("a name"),
            field: text(v, "field"),
            documents: v["documents"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|d| text(d, "name"))
                .collect(),
            legal: v["legal_basis"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|l| {
                    [
                        text(l, "code").unwrap_or_default(),
                        text(l, "title").unwrap_or_default(),
                    ]
                })
                .collect(),
        })
        .collect();
    let mut index = MemoryIndex::new().expect("index");
    index.replace(&records).expect("indexed");
    index
}

#[test]
fn the_kiosks_catalog_ranks_as_the_shared_search_does() {
    let catalog = seeded();
    let shared = shared_index();
    for query in [
        "khai sinh",
        "DK KHAI SINH",
        "chung thuc",
        "chugn thuc",
        "gcn",
        "ho kinh doanh",
        "giai thee hop tac xa",
        "d",
        "2.000528",
        "nuoc duoi dat",
    ] {
        assert_eq!(
            catalog.search(query, None, 20).expect("kiosk"),
            shared.search(query, None, 20).expect("shared"),
            "{query:?}"
        );
    }
    assert_eq!(
        catalog
            .search("dang ky", Some("ho tich"), 20)
            .expect("kiosk"),
        shared
            .search("dang ky", Some("ho tich"), 20)
            .expect("shared")
    );
}

#[test]
fn field_filter_limit_and_blank_queries() {
    let catalog = seeded();
    let all = catalog.search("dang ky", None, 100).expect("search");
    let civil = catalog
        .search("dang ky", Some("Hộ tịch"), 100)
        .expect("search");
    assert!(!civil.is_empty() && civil.len() < all.len());
    assert!(civil.iter().all(|h| h.field == "Hộ tịch"), "{civil:?}");
    assert_eq!(
        catalog
            .search("dang ky", Some("ho tich"), 100)
            .expect("folded field"),
        civil
    );
    assert!(
        catalog
            .search("dang ky", Some("Không có lĩnh vực này"), 10)
            .expect("unknown field")
            .is_empty()
    );
    assert_eq!(catalog.search("dang ky", None, 3).expect("limit").len(), 3);
    assert!(catalog.search("dang ky", None, 0).expect("zero").is_empty());
    for blank in ["", "   ", "\t\n", "...", "🙂"] {
        assert!(
            catalog.search(blank, None, 10).expect("blank").is_empty(),
            "{blank:?}"
        );
    }
    // A hit carries what the list shows.
    let hit = first(&catalog, "khai sinh");
    assert_eq!(
        hit.name,
        "Cấp bản sao Trích lục hộ tịch, bản sao Giấy khai sinh"
    );
    assert_eq!(hit.field, "Hộ tịch");
}
