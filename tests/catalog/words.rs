//! The words citizens use: the server's synonym table and `common_weight` reach the kiosk's
//! search with the catalog (the rewriting and ranking themselves are tested in catalog-core).

use motcua_kiosk::catalog::{self, Catalog};
use motcua_kiosk::server::model::{CatalogSnapshot, Procedure, SynonymEntry};
use serde_json::json;

use super::{codes, first, seed_array, seeded};
use crate::support::net::{self, ADMIN_TOKEN};

/// The seed as a full snapshot from a server.
fn snapshot(version: u64, synonyms: Option<Vec<SynonymEntry>>) -> CatalogSnapshot {
    let procedures: Vec<Procedure> = seed_array()
        .into_iter()
        .map(|mut v| {
            if v["code"].is_null() {
                v["code"] = json!(catalog::local_code(v["name"].as_str().unwrap()));
            }
            serde_json::from_value(v).expect("procedure")
        })
        .collect();
    CatalogSnapshot {
        version,
        generated_at: None,
        full: true,
        fields: vec![],
        procedures,
        removed: vec![],
        synonyms,
    }
}

fn synonym(words: &str, means: &str) -> SynonymEntry {
    SynonymEntry {
        words: words.into(),
        means: means.into(),
    }
}

#[test]
fn the_servers_synonyms_replace_the_bundled_ones_and_a_delta_without_keeps_them() {
    let mut catalog = seeded();
    // The seed searches with the bundled table.
    assert_eq!(first(&catalog, "cong chung").code, "2.000815");
    assert_ne!(
        codes(&catalog.search("xin giay nuoc", None, 5).unwrap()).first(),
        Some(&"1.001662")
    );

    let table = vec![
        synonym("xin giấy nước", "khai thác nước dưới đất"),
        synonym("<script>\"*\" 🙂", "di chúc"),
    ];
    catalog
        .apply_snapshot(&snapshot(5, Some(table)), Some("\"catalog-v5\""))
        .expect("full");
    assert_eq!(first(&catalog, "xin giay nuoc").code, "1.001662");
    assert_eq!(first(&catalog, "<script>\"*\" 🙂").code, "2.001019");
    // The server's table replaced the bundled one: công chứng is only its own words now.
    assert_ne!(
        codes(&catalog.search("cong chung", None, 3).unwrap()).first(),
        Some(&"2.000815")
    );

    // A delta from an older server says nothing of synonyms: the table held stays.
    let mut delta = snapshot(6, None);
    delta.full = false;
    delta.procedures.clear();
    catalog.apply_snapshot(&delta, None).expect("delta");
    assert_eq!(first(&catalog, "xin giay nuoc").code, "1.001662");

    // A full catalog from an older server: back to the bundled table.
    catalog
        .apply_snapshot(&snapshot(7, None), None)
        .expect("full");
    assert_eq!(first(&catalog, "cong chung").code, "2.000815");

    // And an empty table from the server: no synonyms at all.
    catalog
        .apply_snapshot(&snapshot(8, Some(vec![])), None)
        .expect("full");
    assert_ne!(
        codes(&catalog.search("cong chung", None, 3).unwrap()).first(),
        Some(&"2.000815")
    );
}

#[test]
fn the_servers_weights_break_ties_and_a_bad_weight_refuses_the_catalog() {
    let mut catalog = seeded();
    assert_eq!(first(&catalog, "chung thuc").code, "2.000815", "bundled");
    let mut full = snapshot(5, None);
    for p in &mut full.procedures {
        let weight = if p.code == "2.001019" { 100 } else { 0 };
        p.details.insert("common_weight".into(), json!(weight));
    }
    catalog.apply_snapshot(&full, None).expect("weights");
    assert_eq!(first(&catalog, "chung thuc").code, "2.001019");

    for bad in [json!(101), json!(-3), json!("high"), json!(1.5)] {
        full.procedures[0]
            .details
            .insert("common_weight".into(), bad.clone());
        assert!(
            matches!(
                catalog.apply_snapshot(&full, None),
                Err(catalog::CatalogError::Invalid(_))
            ),
            "{bad}"
        );
    }
    assert_eq!(first(&catalog, "chung thuc").code, "2.001019", "kept");
}

#[test]
fn a_catalog_file_of_an_older_kiosk_is_fetched_whole_again_and_ranked_meanwhile() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("catalog.sqlite3");
    {
        let mut catalog = Catalog::open(&path).unwrap();
        catalog
            .apply_snapshot(&snapshot(9, None), Some("\"catalog-v9\""))
            .unwrap();
    }
    // The file as the kiosk before this change left it: schema 1, no weights, no notes.
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "ALTER TABLE procedures DROP COLUMN common_weight;
             ALTER TABLE procedures DROP COLUMN document_notes;
             PRAGMA user_version = 1;",
        )
        .unwrap();
    }
    let catalog = Catalog::open(&path).unwrap();
    let meta = catalog.meta().unwrap();
    assert_eq!(meta.source, "server");
    // Version 0 and no ETag: the next sync asks for everything, notes and weights included.
    assert_eq!((meta.version, meta.etag), (0, None));
    assert_eq!(meta.procedures, 326);
    // Meanwhile the bundled weights order the search.
    assert_eq!(first(&catalog, "chung thuc").code, "2.000815");
}

#[test]
fn an_admins_synonyms_reach_the_kiosk_with_the_next_sync() {
    let central = net::central();
    let client = central.client();
    let mut catalog = seeded();
    catalog::sync(&mut catalog, &client).expect("first sync");
    assert_ne!(
        catalog
            .search("nha tu thien", None, 1)
            .unwrap()
            .first()
            .map(|h| h.code.as_str()),
        Some("1.012888")
    );
    let status = reqwest::blocking::Client::new()
        .put(
            central
                .url()
                .join("api/v1/admin/catalog/synonyms")
                .expect("url"),
        )
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!([{ "words": "nhà từ thiện", "means": "ban quản trị nhà chung cư" }]))
        .send()
        .expect("admin")
        .status();
    assert!(status.is_success(), "{status}");
    catalog::sync(&mut catalog, &client).expect("delta with the table");
    assert_eq!(first(&catalog, "nha tu thien").code, "1.012888");
}
