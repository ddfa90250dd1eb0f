//! Ranking on the 326 real procedures, search as the citizen types, and hostile input.

use motcua_catalog::fold;

use super::{codes, first, indexed};

#[test]
fn ranking_on_the_real_procedures() {
    let index = indexed();
    let table: &[(&str, &str)] = &[
        ("khai sinh", "1.001193"),
        ("dang ky khai sinh", "1.001193"),
        ("DK KHAI SINH", "1.001193"),
        ("khai sin", "1.001193"),
        ("Đăng ký khai sinh", "1.001193"),
        ("d\u{0323}a\u{0306}ng ky\u{0301} khai sinh", "1.001193"),
        ("dk ks", "1.001193"),
        ("khai sinh co yeu to nuoc ngoai", "2.000528"),
        ("chung thuc ban sao", "2.000815"),
        ("ho kinh doanh", "1.001612"),
        ("thanh lap ho kinh doanh", "1.001612"),
        ("ket hon", "1.000894"),
        ("dang ky khai tu", "1.000656"),
        ("khai tu nuoc ngoai", "1.001766"),
        ("di chuc", "2.001019"),
        ("giai quyet tranh chap dat dai", "1.013967"),
        ("nuoc duoi dat", "1.001662"),
        ("ban quan tri nha chung cu", "1.012888"),
        ("thuong tru", "1.004222"),
        ("2.000528", "2.000528"),
        // One letter wrong, swapped or missing in a longer word.
        ("khia sinh", "1.001193"),
        ("khai sinhh", "1.001193"),
        ("dang ky kahi sinh", "1.001193"),
        ("giai thee hop tac xa", "1.004982"),
    ];
    let mut wrong = Vec::new();
    for (query, expected) in table {
        let hits = index.search(query, None, 10).expect("search");
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
    let index = indexed();
    let hits = index.search("khai sinh", None, 20).expect("search");
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
    let index = indexed();
    let gcn = first(&index, "gcn");
    assert!(fold(&gcn.name).contains("giay chung nhan"), "{gcn:?}");
    let qsdd = first(&index, "qsdd");
    assert!(fold(&qsdd.name).contains("quyen su dung dat"), "{qsdd:?}");
    for query in ["chugn thuc", "chung thucc", "chung thuv", "chunng thuc"] {
        let hits = index.search(query, None, 5).expect("search");
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
    assert!(index.search("xyz", None, 5).expect("search").is_empty());
}

#[test]
fn search_as_you_type_keeps_the_answer_in_view() {
    let index = indexed();
    let query = "dang ky khai sinh";
    for end in 10..=query.len() {
        let hits = index.search(&query[..end], None, 5).expect("search");
        assert!(
            codes(&hits).contains(&"1.001193"),
            "{:?}: {:?}",
            &query[..end],
            codes(&hits)
        );
    }
}

#[test]
fn hostile_input_is_plain_text_never_an_fts_error() {
    let index = indexed();
    let long_a = "a".repeat(500);
    let long_vi = "thủ tục đăng ký khai sinh ".repeat(20);
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
    for input in &table {
        for field in [None, Some("Hộ tịch"), Some(*input)] {
            let result = index.search(input, field, 20);
            assert!(result.is_ok(), "{input:?} with {field:?}: {result:?}");
        }
    }
    assert_eq!(
        codes(&index.search("khai sinh", None, 3).expect("search")).len(),
        3
    );
    // A quoted query still finds what its words say.
    assert_eq!(first(&index, "\"khai sinh\"").code, "1.001193");
    // A 500-character paste is cut to its first words, which still find the procedure.
    assert_eq!(first(&index, &long_vi).code, "1.001193");
}

#[test]
fn the_words_citizens_use_find_what_the_catalog_calls_otherwise() {
    let index = indexed();
    let named = |query: &str, n: usize, words: &str| {
        let hits = index.search(query, None, 10).expect("search");
        assert!(
            hits.len() >= n && hits.iter().take(n).all(|h| fold(&h.name).contains(words)),
            "{query:?}: the first {n} should name {words:?}: {:?}",
            hits.iter().map(|h| &h.name).collect::<Vec<_>>()
        );
        hits
    };
    // sổ đỏ is the land-use right certificate.
    named("so do", 1, "giay chung nhan quyen su dung dat");
    named("SỔ ĐỎ", 1, "giay chung nhan quyen su dung dat");
    // A ward office certifies (chứng thực); notaries (công chứng) are elsewhere.
    let hits = named("cong chung", 3, "chung thuc");
    assert_eq!(
        hits[0].code, "2.000815",
        "the commonest certification first"
    );
    // A photocopy to certify is a bản sao.
    let hits = named("photo", 3, "ban sao");
    assert_eq!(hits[0].code, "2.000815");
    named("photo cong chung", 1, "chung thuc ban sao");
    // The birth certificate is the khai sinh procedures, not documents that mention a giấy.
    named("giay khai sinh", 5, "khai sinh");
    // Certified copies, the commonest ward procedure, lead the certifications.
    let hits = named("chung thuc", 10, "chung thuc");
    assert_eq!(hits[0].code, "2.000815");
    // The typed words still count after the rewritten ones.
    assert!(
        codes(&index.search("cong chung", None, 20).expect("search")).len() >= 10,
        "every certification"
    );
}
