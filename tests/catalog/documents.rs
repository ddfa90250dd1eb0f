//! The document index of a catalog file, built after an import has committed: names are found at
//! once, documents once it is built, also when the kiosk was switched off before, and a delta
//! that comes meanwhile is in it.

use motcua_kiosk::catalog::Catalog;
use motcua_kiosk::server::model::CatalogSnapshot;

use super::{codes, first};

/// Two procedures whose documents hold words none of the names do.
fn two_procedures() -> serde_json::Value {
    serde_json::json!([
        {"code": "A.1", "name": "Đăng ký thường trú", "field": "Cư trú",
         "documents": [{"name": "Sổ lưu trữ của tổ dân phố"}]},
        {"code": "A.2", "name": "Xác nhận thông tin về cư trú", "field": "Cư trú",
         "documents": [{"name": "Giấy ủy quyền có công chứng"}]}
    ])
}

fn delta(version: u64, procedures: serde_json::Value, removed: &[&str]) -> CatalogSnapshot {
    serde_json::from_value(serde_json::json!({
        "version": version, "full": false, "procedures": procedures, "removed": removed
    }))
    .expect("delta")
}

/// Marks the index out of date and empties it, as an import's commit leaves it.
fn as_left_by_an_import(path: &std::path::Path) {
    rusqlite::Connection::open(path)
        .expect("open")
        .execute_batch(
            "INSERT INTO procedure_search (procedure_search) VALUES ('delete-all');
             INSERT INTO catalog_meta (key, value) VALUES ('documents_index', 'pending');",
        )
        .expect("marked");
}

fn finds(catalog: &Catalog, query: &str) -> Vec<String> {
    codes(&catalog.search(query, None, 10).expect("search"))
        .into_iter()
        .map(str::to_string)
        .collect()
}

#[test]
fn names_are_found_at_once_and_documents_once_their_index_is_built() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut catalog = Catalog::open(&dir.path().join("catalog.sqlite3")).expect("open");
    catalog
        .import_json(&two_procedures().to_string())
        .expect("import");
    assert_eq!(first(&catalog, "thuong tru").code, "A.1");
    catalog.wait_for_documents().expect("document index");
    assert_eq!(finds(&catalog, "so luu tru"), ["A.1"]);
    assert_eq!(finds(&catalog, "uy quyen"), ["A.2"]);
    // The typo pass corrects against the document words too.
    assert_eq!(finds(&catalog, "uy quyeen"), ["A.2"]);
}

#[test]
fn an_index_left_unbuilt_when_the_kiosk_stopped_is_built_at_the_next_start() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("catalog.sqlite3");
    {
        let mut catalog = Catalog::open(&path).expect("open");
        catalog
            .import_json(&two_procedures().to_string())
            .expect("import");
    }
    as_left_by_an_import(&path);
    let mut catalog = Catalog::open(&path).expect("reopen");
    catalog.wait_for_documents().expect("document index");
    assert_eq!(finds(&catalog, "so luu tru"), ["A.1"]);
}

#[test]
fn a_delta_is_in_the_document_index_whether_it_came_before_or_after_the_build() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("catalog.sqlite3");
    let mut catalog = Catalog::open(&path).expect("open");
    let full: CatalogSnapshot = serde_json::from_value(serde_json::json!({
        "version": 1, "full": true, "procedures": two_procedures()
    }))
    .expect("snapshot");
    catalog.apply_snapshot(&full, None).expect("full");
    catalog.wait_for_documents().expect("document index");

    // Before the build: the delta leaves the index to it.
    as_left_by_an_import(&path);
    let added = serde_json::json!([{"code": "B.1", "name": "Cấp bản sao trích lục",
        "documents": [{"name": "Tờ khai theo mẫu khai thác"}]}]);
    catalog
        .apply_snapshot(&delta(2, added, &["A.2"]), None)
        .expect("delta");
    catalog.wait_for_documents().expect("document index");
    assert_eq!(finds(&catalog, "mau khai thac"), ["B.1"]);
    assert_eq!(finds(&catalog, "uy quyen"), Vec::<String>::new());

    // After it: the delta keeps the index up to date itself.
    let changed = serde_json::json!([{"code": "A.1", "name": "Đăng ký thường trú",
        "documents": [{"name": "Hợp đồng thuê nhà có chứng thực"}]}]);
    catalog
        .apply_snapshot(&delta(3, changed, &["B.1"]), None)
        .expect("delta");
    assert_eq!(finds(&catalog, "hop dong thue nha"), ["A.1"]);
    assert_eq!(finds(&catalog, "so luu tru"), Vec::<String>::new());
    assert_eq!(finds(&catalog, "mau khai thac"), Vec::<String>::new());
}
