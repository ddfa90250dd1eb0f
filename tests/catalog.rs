//! The procedure catalog: Vietnamese folding, ranking on the 55 real procedures, hostile
//! input, import, sync against the reference server, and the `catalog` command line.

use std::io::Write;

use motcua_kiosk::catalog::{
    self, Catalog, CatalogError, CatalogMeta, SearchHit, SyncError, SyncOutcome, fold,
};
use motcua_kiosk::server::CentralClient;
use motcua_kiosk::server::model::{CatalogSnapshot, Procedure};

use crate::support::net::{self, ADMIN_TOKEN, KIOSK_TOKEN};
use crate::support::{self, MINIMAL};

fn seeded() -> Catalog {
    Catalog::open_in_memory().expect("catalog opens with the seed")
}

fn codes(hits: &[SearchHit]) -> Vec<&str> {
    hits.iter().map(|h| h.code.as_str()).collect()
}

fn first(catalog: &Catalog, query: &str) -> SearchHit {
    let hits = catalog.search(query, None, 10).expect("search");
    hits.first()
        .cloned()
        .unwrap_or_else(|| panic!("{query:?} finds nothing"))
}

// ---------------------------------------------------------------- folding

#[test]
fn folding_table() {
    let table: &[(&str, &str)] = &[
        ("đăng ký khai sinh", "dang ky khai sinh"),
        ("ĐĂNG KÝ KHAI SINH", "dang ky khai sinh"),
        ("Đăng Ký", "dang ky"),
        ("đ", "d"),
        ("Đ", "d"),
        ("Ð", "d"), // U+00D0, used for Đ by some legacy files
        ("ư ơ ă â ê ô", "u o a a e o"),
        ("Ư Ơ Ă Â Ê Ô", "u o a a e o"),
        ("người", "nguoi"),
        ("Người", "nguoi"),
        ("ưỡng", "uong"),
        ("hộ tịch", "ho tich"),
        ("chứng thực", "chung thuc"),
        ("quyền sử dụng đất", "quyen su dung dat"),
        ("giấy chứng nhận", "giay chung nhan"),
        ("thủ tục hành chính", "thu tuc hanh chinh"),
        ("kết hôn", "ket hon"),
        ("khai tử", "khai tu"),
        ("Ủy ban nhân dân", "uy ban nhan dan"),
        ("ỷ ỹ ỵ ý ỳ", "y y y y y"),
        ("à á ả ã ạ", "a a a a a"),
        ("ằ ắ ẳ ẵ ặ", "a a a a a"),
        ("ầ ấ ẩ ẫ ậ", "a a a a a"),
        ("ề ế ể ễ ệ", "e e e e e"),
        ("ồ ố ổ ỗ ộ", "o o o o o"),
        ("ờ ớ ở ỡ ợ", "o o o o o"),
        ("ừ ứ ử ữ ự", "u u u u u"),
        // Decomposed input (base letter + combining marks) folds like precomposed.
        ("d\u{0323}a\u{0306}ng ky\u{0301}", "dang ky"),
        ("Vie\u{0302}\u{0323}t Nam", "viet nam"),
        ("\u{0110}a\u{0300} Na\u{0306}\u{0303}ng", "da nang"),
        // Separators and punctuation collapse into single spaces.
        ("  khai   sinh  ", "khai sinh"),
        ("khai\tsinh\n", "khai sinh"),
        ("cha, mẹ, con", "cha me con"),
        ("104/2022/NĐ-CP", "104 2022 nd cp"),
        ("2.000528", "2 000528"),
        ("(nếu có)", "neu co"),
        ("cấp III, cấp IV", "cap iii cap iv"),
        ("\"khai\" * NEAR AND", "khai near and"),
        ("🙂 khai 🎉 sinh", "khai sinh"),
        ("", ""),
        ("   ", ""),
        ("\u{0301}\u{0300}", ""),
        ("a\0b", "a b"),
        ("DK KHAI SINH", "dk khai sinh"),
        ("10m3/ngày đêm", "10m3 ngay dem"),
    ];
    assert!(table.len() >= 30);
    for (input, expected) in table {
        assert_eq!(fold(input), *expected, "fold({input:?})");
    }
}

#[test]
fn local_codes_match_the_servers_derivation() {
    // The same FNV-1a as motcua-central: `local-` + 16 hex digits of the trimmed name.
    let code = catalog::local_code("  Xét tuyển sinh vào trường PTDTNT ");
    assert_eq!(
        code,
        catalog::local_code("Xét tuyển sinh vào trường PTDTNT")
    );
    assert!(code.starts_with("local-") && code.len() == 22, "{code}");
}

// ---------------------------------------------------------------- seed and detail

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
    assert_eq!(catalog.meta().unwrap().procedures, 55);
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
    assert_eq!(catalog.meta().unwrap().procedures, 55);
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
    assert_eq!(meta.procedures, 55);
    assert_eq!(meta.fields, 10);
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
    // An entry with a code and no title keeps its code.
    assert!(
        p.legal_basis
            .iter()
            .any(|l| l.code.as_deref() == Some("281/2016/TT-BTC") && l.title.is_empty())
    );

    // A form file name is kept (1.001662 names Mau13.docx).
    let water = catalog
        .procedure("1.001662")
        .expect("read")
        .expect("1.001662");
    assert_eq!(
        water.documents[0].documents[0].form.as_deref(),
        Some("Mau13.docx")
    );

    // The two records without a national code are held under the server's local key.
    let local = catalog::local_code("Xét tuyển sinh vào trường PTDTNT");
    let pt = catalog
        .procedure(&local)
        .expect("read")
        .expect("local code");
    assert_eq!(pt.field, "Giáo dục và Đào tạo");
    assert!(pt.methods.is_empty() && pt.legal_basis.is_empty());
    assert_eq!(catalog.procedure("9.999999").expect("read"), None);
}

#[test]
fn fields_are_sorted_by_folded_name_with_counts() {
    let catalog = seeded();
    let fields = catalog.fields().expect("fields");
    assert_eq!(fields.len(), 10);
    assert_eq!(fields.iter().map(|f| f.count).sum::<usize>(), 55);
    let folded: Vec<String> = fields.iter().map(|f| fold(&f.name)).collect();
    let mut sorted = folded.clone();
    sorted.sort();
    assert_eq!(folded, sorted);
    // "Đất đai" sorts among the d's, not after z as its raw bytes would.
    let dat = fields
        .iter()
        .position(|f| f.name == "Đất đai")
        .expect("Đất đai");
    let giao = fields
        .iter()
        .position(|f| f.name == "Giáo dục và Đào tạo")
        .expect("Giáo dục");
    assert!(dat < giao);
    let ho_tich = fields
        .iter()
        .find(|f| f.name == "Hộ tịch")
        .expect("Hộ tịch");
    assert_eq!(ho_tich.count, 17);

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

// ---------------------------------------------------------------- ranking

#[test]
fn ranking_on_the_real_procedures() {
    let catalog = seeded();
    let table: &[(&str, &str)] = &[
        ("khai sinh", "2.000528"),
        ("dang ky khai sinh", "2.000528"),
        ("DK KHAI SINH", "2.000528"),
        ("khai sin", "2.000528"),
        ("Đăng ký khai sinh", "2.000528"),
        ("d\u{0323}a\u{0306}ng ky\u{0301} khai sinh", "2.000528"),
        ("dk ks", "2.000528"),
        ("chung thuc ban sao", "2.000815"),
        ("ho kinh doanh", "1.001612"),
        ("thanh lap ho kinh doanh", "1.001612"),
        ("ket hon", "2.000806"),
        ("khai tu", "1.001766"),
        ("di chuc", "2.001019"),
        ("tranh chap dat dai", "1.013967"),
        ("nuoc duoi dat", "1.001662"),
        ("ban quan tri nha chung cu", "1.012888"),
        ("2.000528", "2.000528"),
        // One letter wrong, swapped or missing in a longer word.
        ("khia sinh", "2.000528"),
        ("khai sinhh", "2.000528"),
        ("dang ky kahi sinh", "2.000528"),
        ("giai thee hop tac xa", "1.004982"),
    ];
    let mut wrong = Vec::new();
    for (query, expected) in table {
        let hits = catalog.search(query, None, 10).expect("search");
        if hits.first().map(|h| h.code.as_str()) != Some(*expected) {
            wrong.push(format!(
                "{query:?}: expected {expected} first, got {:?}",
                codes(&hits)
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn every_khai_sinh_procedure_comes_before_other_matches() {
    let catalog = seeded();
    let hits = catalog.search("khai sinh", None, 20).expect("search");
    let named: Vec<bool> = hits
        .iter()
        .map(|h| fold(&h.name).contains("khai sinh"))
        .collect();
    let first_other = named.iter().position(|n| !n).unwrap_or(named.len());
    assert!(first_other >= 6, "{:?}", codes(&hits));
    assert!(
        named[first_other..].iter().all(|n| !n),
        "name matches first, then documents: {:?}",
        codes(&hits)
    );
}

#[test]
fn abbreviations_and_misspellings_find_the_intended_words() {
    let catalog = seeded();
    let gcn = first(&catalog, "gcn");
    assert!(fold(&gcn.name).contains("giay chung nhan"), "{gcn:?}");
    let qsdd = first(&catalog, "qsdd");
    assert!(fold(&qsdd.name).contains("quyen su dung dat"), "{qsdd:?}");
    for query in ["chugn thuc", "chung thucc", "chung thuv", "chunng thuc"] {
        let hits = catalog.search(query, None, 5).expect("search");
        assert!(
            hits.len() >= 3
                && hits
                    .iter()
                    .take(3)
                    .all(|h| fold(&h.name).contains("chung thuc")),
            "{query:?}: {hits:?}"
        );
    }
    // Short words are not "corrected" into something else.
    assert!(catalog.search("xyz", None, 5).expect("search").is_empty());
}

#[test]
fn search_as_you_type_keeps_the_answer_in_view() {
    let catalog = seeded();
    let query = "dang ky khai sinh";
    for end in 10..=query.len() {
        let hits = catalog.search(&query[..end], None, 5).expect("search");
        assert!(
            codes(&hits).contains(&"2.000528"),
            "{:?}: {:?}",
            &query[..end],
            codes(&hits)
        );
    }
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
    assert_eq!(hit.name, "Thủ tục đăng ký khai sinh có yếu tố nước ngoài");
    assert_eq!(hit.field, "Hộ tịch");
}

#[test]
fn hostile_input_is_plain_text_never_an_fts_error() {
    let catalog = seeded();
    let long_a = "a".repeat(500);
    let long_vi = "đăng ký khai sinh ".repeat(28);
    let many_words = (0..200)
        .map(|i| format!("w{i}"))
        .collect::<Vec<_>>()
        .join(" ");
    let table: Vec<&str> = vec![
        "\"",
        "\"\"",
        "\"khai sinh",
        "khai\" OR \"sinh",
        "*",
        "khai*",
        "* sinh",
        "NEAR",
        "NEAR(khai sinh, 2)",
        "AND",
        "khai AND sinh",
        "OR NOT",
        "NOT khai",
        "(",
        "(khai",
        "khai)",
        "^khai",
        "-khai",
        "khai - sinh",
        ":",
        "name:khai",
        "{name}: khai",
        "{name documents}:",
        "🙂",
        "khai 🙂 sinh",
        "\0",
        "khai\0sinh",
        "'; DROP TABLE procedures; --",
        "%' OR 1=1 --",
        "\u{0301}",
        "\u{202e}khai",
        &long_a,
        &long_vi,
        &many_words,
    ];
    assert!(table.len() >= 12);
    let before = catalog.meta().expect("meta");
    for input in &table {
        for field in [None, Some("Hộ tịch"), Some(*input)] {
            let result = catalog.search(input, field, 20);
            assert!(result.is_ok(), "{input:?} with {field:?}: {result:?}");
        }
    }
    assert_eq!(catalog.meta().expect("meta"), before);
    // A quoted query still finds what its words say.
    assert_eq!(first(&catalog, "\"khai sinh\"").code, "2.000528");
    // A 500-character paste is cut to its first words, which still find the procedure.
    assert_eq!(first(&catalog, &long_vi).code, "2.000528");
}

// ---------------------------------------------------------------- import

fn seed_array() -> Vec<serde_json::Value> {
    serde_json::from_str(catalog::SEED_JSON).expect("seed JSON")
}

#[test]
fn import_replaces_all_and_reports_changes() {
    let mut catalog = seeded();
    let mut list = seed_array();
    let removed = list.remove(0)["code"].as_str().expect("code").to_string();
    list[0]["name"] = "Thủ tục thử nghiệm đổi tên".into();
    let report = catalog
        .import_json(&serde_json::to_string(&list).expect("json"))
        .expect("import");
    assert_eq!(report.procedures, 54);
    assert_eq!(report.changed, 1);
    assert_eq!(report.removed, 1);
    assert_eq!(report.version, 0);
    let meta = catalog.meta().expect("meta");
    assert_eq!((meta.source.as_str(), meta.procedures), ("file", 54));
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
        (7, 1, 54)
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
fn a_delta_needs_a_catalog_from_the_server() {
    let mut catalog = seeded();
    let delta = CatalogSnapshot {
        version: 3,
        generated_at: None,
        full: false,
        fields: vec![],
        procedures: vec![],
        removed: vec!["2.000528".into()],
    };
    assert!(matches!(
        catalog.apply_snapshot(&delta, None),
        Err(CatalogError::Invalid(_))
    ));
    assert_eq!(catalog.meta().expect("meta").procedures, 55);
}

// ---------------------------------------------------------------- sync

fn admin_import(central: &net::Central, procedures: &[serde_json::Value]) {
    let status = reqwest::blocking::Client::new()
        .post(central.url().join("api/v1/admin/catalog").expect("url"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&procedures)
        .send()
        .expect("admin import")
        .status();
    assert!(status.is_success(), "{status}");
}

fn updated(outcome: SyncOutcome) -> catalog::ImportReport {
    match outcome {
        SyncOutcome::Updated(r) => r,
        SyncOutcome::Unchanged => panic!("expected an update"),
    }
}

fn all_codes(catalog: &Catalog) -> Vec<String> {
    let mut out: Vec<String> = catalog
        .fields()
        .expect("fields")
        .iter()
        .flat_map(|f| catalog.in_field(&f.name, 1000).expect("browse"))
        .map(|h| h.code)
        .collect();
    out.sort();
    out
}

#[test]
fn sync_full_then_304_then_delta_with_a_removed_procedure() {
    let central = net::central();
    let client = central.client();
    let mut catalog = seeded();
    let seed_codes = all_codes(&catalog);

    // From the seed: the whole catalog, which is the same 55 records (local codes agree).
    let report = updated(catalog::sync(&mut catalog, &client).expect("first sync"));
    assert_eq!(
        (report.procedures, report.changed, report.removed),
        (55, 0, 0)
    );
    assert!(report.version >= 1);
    assert_eq!(all_codes(&catalog), seed_codes);
    let meta = catalog.meta().expect("meta");
    assert_eq!(meta.source, "server");
    assert_eq!(meta.version, report.version);
    assert!(meta.etag.is_some() && meta.synced_at.is_some(), "{meta:?}");

    // Nothing changed: 304, and only the time of the last contact moves.
    assert_eq!(
        catalog::sync(&mut catalog, &client).expect("second sync"),
        SyncOutcome::Unchanged
    );
    let after = catalog.meta().expect("meta");
    assert_eq!(
        CatalogMeta {
            synced_at: None,
            ..after.clone()
        },
        CatalogMeta {
            synced_at: None,
            ..meta.clone()
        }
    );

    // The office removes one procedure and renames another: a delta.
    let CatalogFetchFull { procedures } = full_catalog(&client);
    let mut list: Vec<serde_json::Value> = procedures
        .iter()
        .map(|p| serde_json::to_value(p).expect("json"))
        .collect();
    let gone = list.remove(0)["code"].as_str().expect("code").to_string();
    assert_eq!(gone, "2.000528");
    list[0]["name"] = "Thủ tục đăng ký khai sinh (đã sửa tên)".into();
    let renamed = list[0]["code"].as_str().expect("code").to_string();
    admin_import(&central, &list);

    let report = updated(catalog::sync(&mut catalog, &client).expect("delta sync"));
    assert_eq!(
        (report.procedures, report.changed, report.removed),
        (54, 1, 1)
    );
    assert!(report.version > meta.version);
    assert_eq!(catalog.procedure(&gone).expect("read"), None);
    let hits = catalog.search("khai sinh", None, 20).expect("search");
    assert!(!codes(&hits).contains(&"2.000528"));
    assert_eq!(first(&catalog, "da sua ten").code, renamed);
    let meta = catalog.meta().expect("meta");
    assert_eq!(meta.version, report.version);
    assert_ne!(meta.etag, after.etag);
}

struct CatalogFetchFull {
    procedures: Vec<Procedure>,
}

fn full_catalog(client: &CentralClient) -> CatalogFetchFull {
    match client.catalog(None, None).expect("catalog") {
        motcua_kiosk::server::model::CatalogFetch::Snapshot { snapshot, .. } => CatalogFetchFull {
            procedures: snapshot.procedures,
        },
        other => panic!("{other:?}"),
    }
}

/// A server answering every call with `body` as JSON.
fn serving(body: String) -> net::Hostile {
    net::hostile(move |mut s| {
        let _ = write!(
            s,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nETag: \"bad\"\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
    })
}

#[test]
fn a_malformed_or_failed_sync_leaves_the_catalog_as_it_was() {
    let central = net::central();
    let mut catalog = seeded();
    updated(catalog::sync(&mut catalog, &central.client()).expect("sync"));
    let meta = catalog.meta().expect("meta");
    let hits = catalog.search("khai sinh", None, 20).expect("search");

    let snapshot = |procedures: serde_json::Value, full: bool| {
        serde_json::json!({
            "version": meta.version + 1, "full": full, "fields": [],
            "procedures": procedures, "removed": ["1.000893"]
        })
        .to_string()
    };
    let cases: Vec<(&str, String)> = vec![
        ("garbage", "<html>502 Bad Gateway</html>".into()),
        ("truncated JSON", "{\"version\": 9, \"full\": tr".into()),
        ("a procedure without name", snapshot(serde_json::json!([{"code": "Z.1"}]), false)),
        (
            "a procedure with an empty name",
            snapshot(serde_json::json!([{"code": "Z.1", "name": "  "}]), false),
        ),
        (
            "a duplicate code",
            snapshot(
                serde_json::json!([{"code": "Z.1", "name": "A"}, {"code": "Z.1", "name": "B"}]),
                false,
            ),
        ),
        (
            "documents that are not a list",
            snapshot(
                serde_json::json!([{"code": "Z.1", "name": "A", "documents": 5}]),
                false,
            ),
        ),
        ("an empty full catalog", snapshot(serde_json::json!([]), true)),
        (
            "a delta older than the catalog held",
            serde_json::json!({"version": 0, "full": false, "procedures": [], "removed": ["2.000528"]})
                .to_string(),
        ),
    ];
    for (what, body) in cases {
        let server = serving(body);
        let client = CentralClient::new(&net::settings(server.url(), KIOSK_TOKEN)).expect("client");
        let err = catalog::sync(&mut catalog, &client).expect_err(what);
        assert!(
            matches!(err, SyncError::Malformed(_) | SyncError::Server(_)),
            "{what}: {err:?}"
        );
        assert_eq!(catalog.meta().expect("meta"), meta, "{what}");
        assert_eq!(
            catalog.search("khai sinh", None, 20).expect("search"),
            hits,
            "{what}"
        );
    }

    // A server that is gone.
    let url = central.url();
    drop(central);
    let client = CentralClient::new(&net::settings(url, KIOSK_TOKEN)).expect("client");
    assert!(matches!(
        catalog::sync(&mut catalog, &client),
        Err(SyncError::Server(_))
    ));
    assert_eq!(catalog.meta().expect("meta"), meta);
}

#[test]
fn a_snapshot_with_an_unusable_record_is_malformed() {
    let mut catalog = seeded();
    let server = serving(
        serde_json::json!({
            "version": 4, "full": true,
            "procedures": [{"code": "", "name": "Không mã"}], "removed": []
        })
        .to_string(),
    );
    let client = CentralClient::new(&net::settings(server.url(), KIOSK_TOKEN)).expect("client");
    let err = catalog::sync(&mut catalog, &client).expect_err("empty code");
    assert!(
        matches!(&err, SyncError::Malformed(why) if why.contains("code")),
        "{err:?}"
    );
    assert_eq!(catalog.meta().expect("meta").source, "seed");
}

// ---------------------------------------------------------------- command line

fn catalog_config(server: &str) -> support::ConfigDir {
    support::write_config(&format!(
        "{}\n[catalog]\ndatabase = \"var/catalog.sqlite3\"\n",
        MINIMAL.replace("url = \"\"", server)
    ))
}

fn run(dir: &support::ConfigDir, args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["--config", dir.path.to_str().expect("utf-8 path")];
    all.extend_from_slice(args);
    let out = support::kiosk_cmd(dir.dir.path(), &all);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn cli_search_prints_code_tab_name_best_first() {
    let dir = catalog_config("url = \"\"");
    let (code, out, err) = run(&dir, &["catalog", "search", "khai sinh"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let first_line = out.lines().next().expect("a line");
    assert_eq!(
        first_line,
        "2.000528\tThủ tục đăng ký khai sinh có yếu tố nước ngoài"
    );
    assert!(out.lines().count() <= 10);
    assert!(dir.dir.path().join("var/catalog.sqlite3").exists());

    let (code, out, _) = run(
        &dir,
        &[
            "catalog",
            "search",
            "DK KHAI SINH",
            "--limit",
            "2",
            "--json",
        ],
    );
    assert_eq!(code, 0);
    let list: Vec<serde_json::Value> = serde_json::from_str(&out).expect("JSON array");
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["code"], "2.000528");
    assert_eq!(list[0]["field"], "Hộ tịch");

    let (code, out, _) = run(&dir, &["catalog", "search", "\"NEAR( *"]);
    assert_eq!((code, out.as_str()), (0, ""));
    let (code, _, _) = run(&dir, &["catalog", "search"]);
    assert_eq!(code, 2, "missing query is a usage error");
}

#[test]
fn cli_stats_import_and_sync() {
    let dir = catalog_config("url = \"\"");
    let (code, out, err) = run(&dir, &["catalog", "stats"]);
    assert_eq!(code, 0, "{err}");
    for expected in [
        "version:    0",
        "source:     seed",
        "procedures: 55",
        "fields:     10",
        "never",
    ] {
        assert!(out.contains(expected), "{expected:?} in\n{out}");
    }

    let file = dir.dir.path().join("small.json");
    std::fs::write(
        &file,
        r#"[{"code": "A.1", "name": "Đăng ký thường trú", "field": "Cư trú"}]"#,
    )
    .expect("write");
    let (code, out, err) = run(&dir, &["catalog", "import", file.to_str().expect("path")]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("1 procedures"), "{out}");
    let (_, out, _) = run(&dir, &["catalog", "stats"]);
    assert!(
        out.contains("source:     file") && out.contains("procedures: 1"),
        "{out}"
    );

    std::fs::write(&file, "[{\"code\": \"A.2\"}]").expect("write");
    let (code, _, err) = run(&dir, &["catalog", "import", file.to_str().expect("path")]);
    assert_eq!(code, 1);
    assert!(err.contains("[0].name"), "{err}");
    let (code, _, err) = run(&dir, &["catalog", "import", "no-such-file.json"]);
    assert_eq!(code, 2, "{err}");

    // No server configured: a configuration problem.
    let (code, _, err) = run(&dir, &["catalog", "sync"]);
    assert_eq!(code, 2);
    assert!(err.contains("[server] url"), "{err}");

    // A real server.
    let central = net::central();
    let dir = catalog_config(&format!(
        "url = \"{}\"\ntoken = \"{KIOSK_TOKEN}\"",
        central.url()
    ));
    let (code, out, err) = run(&dir, &["catalog", "sync"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.starts_with("updated to version"), "{out}");
    let (code, out, _) = run(&dir, &["catalog", "sync"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("unchanged"), "{out}");
    let (_, out, _) = run(&dir, &["catalog", "stats"]);
    assert!(
        out.contains("source:     server") && out.contains("catalog-v"),
        "{out}"
    );

    // The built-in demo server.
    let dir = catalog_config("url = \"demo\"");
    let (code, out, err) = run(&dir, &["catalog", "sync"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("55 procedures"), "{out}");

    for help in [
        vec!["catalog", "--help"],
        vec!["catalog", "search", "--help"],
        vec!["catalog", "sync", "--help"],
    ] {
        let (code, out, _) = run(&dir, &help);
        assert_eq!(code, 0);
        assert!(out.contains("Usage"), "{out}");
    }
}
