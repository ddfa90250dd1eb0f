//! The page of real procedures from the bundled seed, read back from a real SQLite catalog.

use super::*;
use crate::catalog::{Catalog, Method};

fn page(code: &str) -> ProcedurePage {
    let catalog = Catalog::open_in_memory().expect("catalog with the seed");
    let detail = catalog
        .procedure(code)
        .expect("read")
        .unwrap_or_else(|| panic!("{code} is in the seed"));
    ProcedurePage::new(&detail)
}

#[test]
fn fees_are_written_the_vietnamese_way() {
    assert_eq!(
        format_fee("2,000 Việt Nam Đồng").as_deref(),
        Some("2.000 đ")
    );
    assert_eq!(format_fee("70,000 VNĐ").as_deref(), Some("70.000 đ"));
    assert_eq!(
        format_fee("4,500,000 Việt Nam Đồng").as_deref(),
        Some("4.500.000 đ")
    );
    assert_eq!(format_fee("700 VNĐ").as_deref(), Some("700 đ"));
    assert_eq!(format_fee("Miễn phí").as_deref(), Some("Miễn phí"));
    // Another currency, or wording that is not an amount, as the source gives it.
    assert_eq!(format_fee("10 USD").as_deref(), Some("10 USD"));
    assert_eq!(format_fee("2,5 VNĐ").as_deref(), Some("2,5 VNĐ"));
    assert_eq!(
        format_fee("Theo quy định của HĐND").as_deref(),
        Some("Theo quy định của HĐND")
    );
    // The source's own "no amount given" is no fee, not text for a citizen.
    assert_eq!(format_fee("Không ghi mức phí (JSON fees rỗng)"), None);
    assert_eq!(format_fee("  "), None);
}

#[test]
fn the_overseas_fee_is_shown_with_the_note_that_says_where_it_applies() {
    // Certifying a copy: 2.000 đ a page at the ward, 10 USD at a mission abroad.
    let p = page("2.000815");
    assert_eq!(p.fee, Fee::ByMethod);
    assert_eq!(p.methods.len(), 2);
    let ward = &p.methods[0];
    assert_eq!(ward.method, "Trực tiếp");
    assert_eq!(ward.fee.as_deref(), Some("2.000 đ/trang"));
    assert!(
        ward.note
            .as_deref()
            .is_some_and(|n| n.starts_with("Tại Ủy ban nhân dân cấp xã")),
        "{ward:?}"
    );
    let mission = &p.methods[1];
    assert_eq!(mission.fee.as_deref(), Some("10 USD/bản"));
    assert_eq!(
        mission.note.as_deref(),
        Some("Tại cơ quan đại diện: 10 USD/bản.")
    );
    assert_eq!(p.methods_note, None);
}

#[test]
fn one_fee_for_every_way_is_said_once_with_its_note() {
    // Marriage with a foreigner: free every way, explained three times in the source (once in
    // brackets).
    let p = page("2.000806");
    assert_eq!(p.fee, Fee::Same("Miễn phí".into()));
    assert!(
        p.fee_note
            .as_deref()
            .is_some_and(|n| n.starts_with("Mức lệ phí cụ thể do Hội đồng nhân dân")),
        "{:?}",
        p.fee_note
    );
    assert!(
        p.methods
            .iter()
            .all(|m| m.fee.is_none() && m.note.is_none()),
        "{:?}",
        p.methods
    );
    assert_eq!(p.processing_time.as_deref(), Some("10 ngày làm việc"));
}

#[test]
fn notes_among_the_documents_are_notes_and_every_group_has_a_heading() {
    // Marriage with a foreigner: two named groups and one the source leaves unnamed, a starred
    // lead-in among the documents, and notes labelled with the group they explain.
    let p = page("2.000806");
    let headings: Vec<&Heading> = p.groups.iter().map(|g| &g.heading).collect();
    assert_eq!(
        headings,
        [
            &Heading::Named("Giấy tờ phải nộp".into()),
            &Heading::Named("Giấy tờ phải xuất trình".into()),
            &Heading::Other,
        ]
    );
    let star = "Ngoài giấy tờ nêu trên, tùy từng trường hợp, bên nam, bên nữ phải nộp giấy tờ \
                tương ứng sau đây:";
    assert!(
        p.groups[0].entries.contains(&Entry::Note(star.into())),
        "{:?}",
        p.groups[0].entries
    );
    // Numbers run on across the groups, notes take none, and no list marker is left.
    let numbers: Vec<usize> = p.documents().map(|(n, _, _)| n).collect();
    assert_eq!(numbers, (1..=numbers.len()).collect::<Vec<_>>());
    assert_eq!(numbers.len(), 11);
    assert!(
        p.documents()
            .all(|(_, name, _)| !name.starts_with(['-', '+', '*'])),
        "{:?}",
        p.documents().collect::<Vec<_>>()
    );
    let last = p.groups[2]
        .entries
        .last()
        .expect("the unnamed group's documents");
    assert!(
        matches!(last, Entry::Document { number: 11, name, .. } if name.starts_with("Tờ khai đăng ký kết hôn")),
        "{last:?}"
    );
    // "[Giấy tờ phải xuất trình] …" notes close that group; "[Lưu ý] …" ones close the page.
    assert_eq!(p.groups[1].notes.len(), 4, "{:?}", p.groups[1].notes);
    assert!(p.groups[2].notes.is_empty());
    assert!(p.notes.len() >= 10, "{:?}", p.notes);
    assert!(
        p.notes.iter().all(|n| !n.starts_with(['[', '-', '+'])),
        "{:?}",
        p.notes
    );
}

#[test]
fn documents_the_source_cut_in_pieces_are_one_document_again() {
    // Security over land: the law's "(01 bản chính hoặc 01 bản sao có chứng thực)" was cut
    // into rows at every copy.
    let p = page("1.011441");
    let names: Vec<&str> = p.documents().map(|(_, name, _)| name).collect();
    assert_eq!(
        names[0],
        "Phiếu yêu cầu theo Mẫu số 01a tại Phụ lục (1 bản chính) \
         (khoản 1 Điều 27 Nghị định số 99/2022/NĐ-CP)."
    );
    assert!(
        names[1].starts_with("Hợp đồng bảo đảm hoặc hợp đồng bảo đảm có công chứng")
            && names[1].ends_with(
                "quy định (1 bản chính hoặc 1 bản sao có chứng thực) \
                 (khoản 2 Điều 27 Nghị định số 99/2022/NĐ-CP)."
            ),
        "{}",
        names[1]
    );
    // Three alternatives in one bracket.
    assert!(
        names.iter().any(|n| n.contains(
            "(1 bản chính hoặc 1 bản sao có chứng thực hoặc 1 bản sao kèm bản chính để đối chiếu)"
        )),
        "{names:#?}"
    );
    // No piece is left on its own: every name is whole.
    assert!(
        names
            .iter()
            .all(|n| n.trim() != "hoặc" && !n.ends_with('(') && !n.starts_with(')') && balanced(n)),
        "{names:#?}"
    );
    // 111 rows in the source.
    assert_eq!(p.documents().count(), 41);
}

#[test]
fn a_cut_that_never_closes_is_left_as_the_source_gives_it() {
    let doc = |name: &str, copies: &str| Document {
        name: name.into(),
        copies: Some(copies.into()),
        form: None,
    };
    let rows = [
        doc("Đơn đề nghị (", "1 bản chính"),
        doc("hoặc", "1 bản sao"),
    ];
    assert_eq!(join_fragments(&rows), rows.to_vec());
    let rows = [
        doc("Đơn đề nghị (", "1 bản chính"),
        doc("Tờ khai", "1 bản sao"),
    ];
    assert_eq!(join_fragments(&rows), rows.to_vec());
}

#[test]
fn legal_basis_reads_as_code_and_title_and_agency_as_given() {
    let p = page("2.000815");
    assert_eq!(
        p.legal_basis[1],
        "23/2015/NĐ-CP: Về cấp bản sao từ sổ gốc, chứng thực bản sao từ bản chính, chứng thực \
         chữ ký và chứng thực hợp đồng, giao dịch"
    );
    let p = page("1.004194");
    let catalog = Catalog::open_in_memory().unwrap();
    let detail = catalog.procedure("1.004194").unwrap().unwrap();
    assert_eq!(
        p.agency, detail.agency,
        "the agency is the source's, word for word"
    );
}

#[test]
fn hostile_text_passes_through_unchanged() {
    let hostile = "<script>alert('x')</script> \"*\" 😀 ".repeat(12);
    let detail = ProcedureDetail {
        code: "X".into(),
        name: hostile.clone(),
        field: String::new(),
        level: None,
        processing_time: Some(hostile.clone()),
        fee: None,
        agency: Some(hostile.clone()),
        result: None,
        target_groups: None,
        submission_methods: Vec::new(),
        methods: vec![Method {
            method: hostile.clone(),
            time: None,
            fee: Some(hostile.clone()),
            fee_note: None,
            note: Some(hostile.clone()),
        }],
        documents: vec![DocumentGroup {
            group: String::new(),
            documents: vec![Document {
                name: hostile.clone(),
                copies: None,
                form: None,
            }],
        }],
        document_notes: vec![format!("[{hostile}] {hostile}")],
        legal_basis: Vec::new(),
    };
    let p = ProcedurePage::new(&detail);
    assert_eq!(p.fee, Fee::Same(hostile.trim().to_string()));
    assert_eq!(p.methods_note.as_deref(), Some(hostile.trim()));
    assert_eq!(p.documents().next().map(|d| d.1), Some(hostile.trim()));
    assert_eq!(p.groups[0].heading, Heading::None);
    assert_eq!(p.notes, [hostile.trim().to_string()]);
}

#[test]
fn without_the_procedures_time_the_ways_times_are_shown() {
    let catalog = Catalog::open_in_memory().unwrap();
    let mut detail = catalog.procedure("1.001193").unwrap().unwrap();
    detail.processing_time = None;
    assert_eq!(ProcedurePage::new(&detail).processing_time, None);
    detail.methods[0].time = Some("3 ngày làm việc".into());
    detail.methods[2].time = Some("5 ngày làm việc".into());
    let page = ProcedurePage::new(&detail);
    let first = &detail.methods[0].method;
    let third = &detail.methods[2].method;
    assert_eq!(
        page.processing_time,
        Some(format!(
            "{first}: 3 ngày làm việc; {third}: 5 ngày làm việc"
        ))
    );
    // Shown there, not again under each way.
    assert!(
        page.methods.iter().all(|m| m.time.is_none()),
        "{:?}",
        page.methods
    );
}
