//! Importing a catalog: full replacement with a report, a refused file changes nothing, a
//! delta needs a catalog from the server.

use motcua_kiosk::catalog::{self, CatalogError};
use motcua_kiosk::server::model::CatalogSnapshot;

use super::{SEED_PROCEDURES, codes, first, seed_array, seeded};

#[test]
fn import_replaces_all_and_reports_changes() {
    let mut catalog = seeded();
    let mut list = seed_array();
    let removed = list.remove(0)["code"].as_str().expect("code").to_string();
    list[0]["name"] = "Thủ tục thử nghiệm đổi tên".into();
    let report = catalog
        .import_json(&serde_json::to_string(&list).expect("json"))
        .expect("import");
    assert_eq!(report.procedures, SEED_PROCEDURES - 1);
    assert_eq!(report.changed, 1);
    assert_eq!(report.removed, 1);
    assert_eq!(report.version, 0);
    let meta = catalog.meta().expect("meta");
    assert_eq!(
        (meta.source.as_str(), meta.procedures),
        ("file", SEED_PROCEDURES - 1)
    );
    assert_eq!(catalog.procedure(&removed).expect("read"), None);
    assert_eq!(
        first(&catalog, "thu nghiem doi ten").name,
        "Thủ tục thử nghiệm đổi tên"
    );
    assert!(
        !codes(&catalog.search("khai sinh", None, 50).expect("search")).contains(&removed.as_str())
    );

    // A full snapshot object is accepted too; a delta is not a catalog of its own.
    let snapshot = serde_json::json!({
        "version": 7, "full": true,
        "procedures": [{"code": "X.1", "name": "Đăng ký tạm trú", "field": "Cư trú"}]
    });
    let report = catalog
        .import_json(&snapshot.to_string())
        .expect("snapshot");
    assert_eq!(
        (report.version, report.procedures, report.removed),
        (7, 1, SEED_PROCEDURES - 1)
    );
    assert_eq!(first(&catalog, "tam tru").code, "X.1");
    let delta = serde_json::json!({"version": 8, "full": false, "procedures": []});
    assert!(matches!(
        catalog.import_json(&delta.to_string()),
        Err(CatalogError::Invalid(_))
    ));
}

fn truncated_seed() -> String {
    catalog::SEED_JSON
        .chars()
        .take(catalog::SEED_JSON.len() / 3)
        .collect()
}

#[test]
fn a_refused_import_changes_nothing() {
    let mut catalog = seeded();
    let before = catalog.meta().expect("meta");
    let hits_before = catalog.search("khai sinh", None, 10).expect("search");
    let mut no_name = seed_array();
    no_name[3].as_object_mut().expect("object").remove("name");
    let mut duplicate = seed_array();
    duplicate[5]["code"] = duplicate[4]["code"].clone();
    let mut bad_documents = seed_array();
    bad_documents[2]["documents"] = "giấy tờ".into();
    // Written procedure by procedure before the end says it is only a delta.
    let delta_last = serde_json::json!({"procedures": seed_array(), "version": 9, "full": false});
    let mut bad_last = seed_array();
    let last = bad_last.len() - 1;
    bad_last[last]["methods_detail"] = serde_json::json!([{"time": "5 ngày"}]);
    for (what, text) in [
        ("garbage", "{{{ not json".to_string()),
        ("a number", "42".to_string()),
        ("no name", serde_json::to_string(&no_name).expect("json")),
        (
            "duplicate code",
            serde_json::to_string(&duplicate).expect("json"),
        ),
        (
            "documents not a list",
            serde_json::to_string(&bad_documents).expect("json"),
        ),
        ("a truncated file", truncated_seed()),
        ("a delta, said last", delta_last.to_string()),
        (
            "the last procedure broken",
            serde_json::to_string(&bad_last).expect("json"),
        ),
    ] {
        let result = catalog.import_json(&text);
        assert!(
            matches!(result, Err(CatalogError::Invalid(_))),
            "{what}: {result:?}"
        );
        assert_eq!(catalog.meta().expect("meta"), before, "{what}");
    }
    assert_eq!(
        catalog.search("khai sinh", None, 10).expect("search"),
        hits_before
    );
    // The error names where the problem is.
    let err = catalog
        .import_json(&serde_json::to_string(&no_name).expect("json"))
        .expect_err("no name");
    assert!(err.to_string().contains("[3].name"), "{err}");
}

#[test]
fn a_delta_needs_a_catalog_from_the_server() {
    let mut catalog = seeded();
    let delta = CatalogSnapshot {
        version: 3,
        generated_at: None,
        full: false,
        fields: vec![],
        procedures: vec![],
        removed: vec!["2.000528".into()],
        synonyms: None,
    };
    assert!(matches!(
        catalog.apply_snapshot(&delta, None),
        Err(CatalogError::Invalid(_))
    ));
    assert_eq!(catalog.meta().expect("meta").procedures, SEED_PROCEDURES);
}
