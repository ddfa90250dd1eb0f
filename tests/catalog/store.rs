//! The catalog file: the seed on first open, Vietnamese kept intact, fields and details,
//! reopening, a damaged file rebuilt, a file from a newer kiosk refused.

use motcua_kiosk::catalog::{self, Catalog, CatalogError, fold};

use super::{SEED_FIELDS, SEED_PROCEDURES, first, seeded};

#[test]
fn a_damaged_catalog_file_is_moved_aside_and_rebuilt_from_the_seed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("catalog.sqlite3");

    // Not a database at all (a disk that wrote garbage).
    std::fs::write(
        &path,
        b"this is not an SQLite file, just bytes left by a crash".repeat(100),
    )
    .unwrap();
    let (catalog, aside) = Catalog::open_or_rebuild(&path).expect("rebuilt");
    assert_eq!(catalog.meta().unwrap().procedures, SEED_PROCEDURES);
    let aside = aside.expect("the damaged file was moved aside");
    assert!(aside.to_string_lossy().contains("catalog.sqlite3.corrupt-"));
    assert!(
        std::fs::read(&aside)
            .unwrap()
            .starts_with(b"this is not an SQLite"),
        "kept as it was"
    );
    drop(catalog);

    // A real catalog with a page overwritten in the middle.
    let mut bytes = std::fs::read(&path).unwrap();
    assert!(bytes.len() > 64 * 1024);
    let middle = bytes.len() / 2;
    bytes[middle..middle + 8192].fill(0xA5);
    let _ = std::fs::remove_file(dir.path().join("catalog.sqlite3-wal"));
    let _ = std::fs::remove_file(dir.path().join("catalog.sqlite3-shm"));
    std::fs::write(&path, &bytes).unwrap();
    let (catalog, aside) = Catalog::open_or_rebuild(&path).expect("rebuilt");
    assert!(aside.is_some(), "the quick check found the damage");
    assert_eq!(catalog.meta().unwrap().procedures, SEED_PROCEDURES);
    assert!(
        !catalog.search("khai sinh", None, 5).unwrap().is_empty(),
        "searchable again"
    );

    // A sound catalog is left alone.
    drop(catalog);
    let (_, aside) = Catalog::open_or_rebuild(&path).expect("opens");
    assert_eq!(aside, None);
}

#[test]
fn first_open_loads_the_seed_with_vietnamese_text_intact() {
    let catalog = seeded();
    let meta = catalog.meta().expect("meta");
    assert_eq!(meta.procedures, SEED_PROCEDURES);
    assert_eq!(meta.fields, SEED_FIELDS);
    assert_eq!(meta.version, 0);
    assert_eq!(meta.source, "seed");
    assert_eq!(meta.etag, None);
    assert_eq!(meta.synced_at, None);

    let p = catalog
        .procedure("2.000528")
        .expect("read")
        .expect("2.000528 is in the seed");
    assert_eq!(p.name, "Thủ tục đăng ký khai sinh có yếu tố nước ngoài");
    assert_eq!(p.field, "Hộ tịch");
    assert_eq!(p.level.as_deref(), Some("Cấp xã"));
    assert_eq!(p.result.as_deref(), Some("Giấy khai sinh"));
    assert_eq!(
        p.submission_methods,
        ["Trực tiếp", "Trực tuyến", "Dịch vụ bưu chính"]
    );
    let groups: Vec<&str> = p.documents.iter().map(|g| g.group.as_str()).collect();
    assert_eq!(
        groups,
        ["Giấy tờ phải nộp", "Giấy tờ phải xuất trình", ""],
        "groups in source order; documents without a heading last"
    );
    assert_eq!(p.documents[0].documents[0].name, "Giấy Chứng sinh");
    assert_eq!(
        p.documents[0].documents[0].copies.as_deref(),
        Some("1 bản chính")
    );
    assert_eq!(
        p.documents.iter().map(|g| g.documents.len()).sum::<usize>(),
        10
    );
    let methods: Vec<&str> = p.methods.iter().map(|m| m.method.as_str()).collect();
    assert_eq!(methods, ["Trực tuyến", "Dịch vụ bưu chính", "Trực tiếp"]);
    assert_eq!(p.methods[0].fee.as_deref(), Some("Miễn phí"));
    assert!(
        p.legal_basis.iter().any(
            |l| l.code.as_deref() == Some("123/2015/NĐ-CP") && l.title.contains("Luật Hộ tịch")
        )
    );
    // An entry with a title and no code keeps its title.
    let business = catalog
        .procedure("1.001266")
        .expect("read")
        .expect("1.001266");
    assert!(
        business
            .legal_basis
            .iter()
            .any(|l| l.code.is_none() && l.title.starts_with("Luật sửa đổi"))
    );

    // Notes that are not documents are kept apart, as the source gives them.
    assert!(
        p.document_notes
            .iter()
            .any(|n| n.starts_with("[Lưu ý]") && n.contains("hợp pháp hóa lãnh sự")),
        "{:?}",
        p.document_notes
    );
    // A method's note says where its fee applies (the 10 USD are for overseas missions).
    let copies = catalog
        .procedure("2.000815")
        .expect("read")
        .expect("2.000815");
    assert!(
        copies
            .methods
            .iter()
            .any(|m| m.note.as_deref() == Some("Tại cơ quan đại diện: 10 USD/bản.")),
        "{:?}",
        copies.methods
    );

    // A form file name is kept as the source gives it.
    let water = catalog
        .procedure("1.001662")
        .expect("read")
        .expect("1.001662");
    assert!(
        water.documents[0].documents[0]
            .form
            .as_deref()
            .is_some_and(|f| f.ends_with("Mau13.docx"))
    );

    // The longest real procedure keeps every one of its 111 documents, in order.
    let longest = catalog
        .procedure("1.011441")
        .expect("read")
        .expect("1.011441");
    assert_eq!(
        longest
            .documents
            .iter()
            .map(|g| g.documents.len())
            .sum::<usize>(),
        111
    );
    assert_eq!(catalog.procedure("9.999999").expect("read"), None);
}

#[test]
fn fields_are_sorted_by_folded_name_with_counts() {
    let catalog = seeded();
    let fields = catalog.fields().expect("fields");
    assert_eq!(fields.len(), SEED_FIELDS);
    assert_eq!(
        fields.iter().map(|f| f.count).sum::<usize>(),
        SEED_PROCEDURES
    );
    let folded: Vec<String> = fields.iter().map(|f| fold(&f.name)).collect();
    let mut sorted = folded.clone();
    sorted.sort();
    assert_eq!(folded, sorted);
    // "Đất đai" sorts among the d's, not after z as its raw bytes would.
    let dat = fields
        .iter()
        .position(|f| f.name == "Đất đai")
        .expect("Đất đai");
    let hang_hai = fields
        .iter()
        .position(|f| f.name == "Hàng hải và đường thủy nội địa")
        .expect("Hàng hải");
    assert!(dat < hang_hai);
    let ho_tich = fields
        .iter()
        .find(|f| f.name == "Hộ tịch")
        .expect("Hộ tịch");
    assert_eq!(ho_tich.count, 41);

    let browse = catalog.in_field("Chứng thực", 100).expect("browse");
    assert_eq!(browse.len(), 12);
    assert!(browse.iter().all(|h| h.field == "Chứng thực"));
    let names: Vec<String> = browse.iter().map(|h| fold(&h.name)).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "browsing is by name");
    assert_eq!(catalog.in_field("chung thuc", 3).expect("folded").len(), 3);
    assert!(
        catalog
            .in_field("Không có", 10)
            .expect("unknown")
            .is_empty()
    );
}

#[test]
fn reopening_the_file_keeps_the_catalog() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("var/sub/catalog.sqlite3");
    {
        let mut catalog = Catalog::open(&path).expect("open creates folders");
        assert_eq!(catalog.meta().expect("meta").source, "seed");
        let two = serde_json::json!([
            {"code": "A.1", "name": "Đăng ký thường trú", "field": "Cư trú"},
            {"code": null, "name": "Xác nhận thông tin về cư trú", "field": "Cư trú"}
        ]);
        catalog.import_json(&two.to_string()).expect("import");
    }
    let catalog = Catalog::open(&path).expect("reopen");
    let meta = catalog.meta().expect("meta");
    assert_eq!(
        (meta.procedures, meta.source.as_str()),
        (2, "file"),
        "not seeded again"
    );
    assert_eq!(first(&catalog, "thuong tru").code, "A.1");
    assert_eq!(
        first(&catalog, "xac nhan cu tru").code,
        catalog::local_code("Xác nhận thông tin về cư trú")
    );
    let mode: String = rusqlite::Connection::open(&path)
        .expect("open")
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .expect("journal mode");
    assert_eq!(mode, "wal");
}

#[test]
fn a_database_from_a_newer_kiosk_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("catalog.sqlite3");
    drop(Catalog::open(&path).expect("open"));
    rusqlite::Connection::open(&path)
        .expect("open")
        .pragma_update(None, "user_version", catalog::SCHEMA_VERSION + 1)
        .expect("bump");
    assert!(matches!(
        Catalog::open(&path),
        Err(CatalogError::TooNew { .. })
    ));
}

#[test]
fn the_catalog_file_holds_the_shared_search_tables() {
    // The kiosk's first migration created the index before it moved to `motcua-catalog`: the
    // shared search must find the very tables it defines.
    let dir = tempfile::tempdir().unwrap();
    let kiosk = rusqlite::Connection::open(dir.path().join("catalog.sqlite3")).unwrap();
    drop(Catalog::open(&dir.path().join("catalog.sqlite3")).unwrap());
    let shared = rusqlite::Connection::open_in_memory().unwrap();
    shared.execute_batch(motcua_catalog::index::TABLES).unwrap();
    let tables = |conn: &rusqlite::Connection| -> Vec<String> {
        let mut stmt = conn
            .prepare(
                "SELECT sql FROM sqlite_master WHERE name IN
                 ('procedure_search', 'procedure_terms') ORDER BY name",
            )
            .unwrap();
        stmt.query_map([], |r| r.get::<_, String>(0))
            .unwrap()
            .map(|sql| {
                sql.unwrap()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    };
    assert_eq!(tables(&kiosk).len(), 2);
    assert_eq!(tables(&kiosk), tables(&shared));
}
