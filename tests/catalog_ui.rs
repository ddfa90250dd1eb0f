//! The procedure screens, headless: type on the on-screen keyboard, see results per keystroke,
//! open a procedure, print its checklist to the preview printer, browse by field.

use std::time::Duration;

use motcua_kiosk::ui::{CatalogAdapter, KioskState, Page, PrintState};
use slint::{ComponentHandle, Model};

use crate::support::ui::{find, kiosk, settle, tap, type_keys, wait_until};
use crate::support::{self, MINIMAL};

const LIMIT: Duration = Duration::from_secs(10);

fn results(k: &motcua_kiosk::app::Kiosk) -> Vec<(String, String)> {
    let model = k.window().global::<CatalogAdapter>().get_results();
    (0..model.row_count())
        .filter_map(|i| model.row_data(i))
        .map(|p| (p.code.to_string(), p.field.to_string()))
        .collect()
}

#[test]
fn type_a_query_open_a_procedure_and_print_its_checklist() {
    let config = support::parse(MINIMAL).expect("config");
    let k = kiosk(&config, 1920, 1080);
    assert!(
        wait_until(&k, LIMIT, || !k
            .window()
            .global::<CatalogAdapter>()
            .get_version()
            .is_empty()),
        "catalog ready"
    );
    tap(&k, "Tra cứu thủ tục");
    type_keys(&k, "KHAI");
    tap(&k, "Dấu cách");
    type_keys(&k, "SIN");
    // Copies of a birth certificate, the commonest khai sinh procedure of the seed, come first.
    assert!(
        wait_until(&k, LIMIT, || results(&k)
            .first()
            .is_some_and(|(code, _)| code == "1.001193")),
        "results for KHAI SIN: {:?}",
        results(&k)
    );
    tap(&k, "Thủ tục đăng ký khai sinh");
    assert!(wait_until(&k, LIMIT, || k
        .window()
        .global::<KioskState>()
        .get_page()
        == Page::Procedure));
    let adapter = k.window().global::<CatalogAdapter>();
    assert_eq!(adapter.get_detail().code, "1.001193");
    let groups = adapter.get_detail_documents();
    assert!(groups.row_count() >= 1);
    let first = groups.row_data(0).expect("a document group");
    assert_eq!(first.group, "Giấy tờ phải nộp");
    assert_eq!(
        first.documents.row_data(0).expect("a document").copies,
        "1 bản chính"
    );

    tap(&k, "In danh mục hồ sơ");
    assert!(wait_until(&k, LIMIT, || adapter.get_print_state() == PrintState::Done));
    // One copy: the button says it is done and prints no more.
    let button = find(&k, "Đã in");
    assert_eq!(button.len(), 1, "the print button says it printed");
    assert_eq!(button[0].accessible_enabled(), Some(false));
    // The preview printer keeps the job as the printer would get it, and a picture of the paper.
    let mut printed: Vec<String> = std::fs::read_dir(k.preview_dir())
        .expect("preview dir")
        .flatten()
        .filter_map(|e| {
            e.path()
                .extension()
                .map(|x| x.to_string_lossy().to_string())
        })
        .collect();
    printed.sort();
    assert_eq!(printed, ["bin", "png"]);

    // Back leads to the results, which are still there; home clears them.
    tap(&k, "Quay lại");
    assert_eq!(k.window().global::<KioskState>().get_page(), Page::Catalog);
    assert_eq!(adapter.get_query(), "KHAI SIN");
    tap(&k, "Quay lại");
    assert_eq!(adapter.get_query(), "");
    assert_eq!(adapter.get_results().row_count(), 0);
}

/// Opens the procedure named `name` found by typing `query` (words separated by spaces).
fn open(k: &motcua_kiosk::app::Kiosk, query: &str, name: &str, code: &str) {
    tap(k, "Tra cứu thủ tục");
    for (i, word) in query.split(' ').enumerate() {
        if i > 0 {
            tap(k, "Dấu cách");
        }
        type_keys(k, word);
    }
    assert!(wait_until(k, LIMIT, || find(k, name).len() == 1), "{name}");
    tap(k, name);
    assert!(wait_until(k, LIMIT, || k
        .window()
        .global::<CatalogAdapter>()
        .get_detail()
        .code
        == code));
}

#[test]
fn a_procedure_page_reads_as_edited_content() {
    let config = support::parse(MINIMAL).expect("config");
    let k = kiosk(&config, 1920, 1080);
    let adapter = k.window().global::<CatalogAdapter>();
    assert!(wait_until(&k, LIMIT, || !adapter.get_version().is_empty()));
    open(
        &k,
        "KET HON NUOC NGOAI",
        "Thủ tục đăng ký kết hôn có yếu tố nước ngoài",
        "2.000806",
    );
    assert_eq!(adapter.get_detail_fee(), "Miễn phí");
    assert!(!adapter.get_detail_fee_by_method());
    assert!(
        adapter
            .get_detail_fee_note()
            .starts_with("Mức lệ phí cụ thể")
    );
    let groups: Vec<_> = adapter.get_detail_documents().iter().collect();
    let headed: Vec<(String, bool)> = groups
        .iter()
        .map(|g| (g.group.to_string(), g.other))
        .collect();
    assert_eq!(
        headed,
        [
            ("Giấy tờ phải nộp".to_string(), false),
            ("Giấy tờ phải xuất trình".to_string(), false),
            (String::new(), true),
        ]
    );
    let rows: Vec<_> = groups.iter().flat_map(|g| g.documents.iter()).collect();
    let numbers: Vec<i32> = rows.iter().filter(|d| !d.note).map(|d| d.number).collect();
    assert_eq!(numbers, (1..=11).collect::<Vec<_>>());
    let notes: Vec<_> = rows.iter().filter(|d| d.note).collect();
    assert_eq!(notes.len(), 1);
    assert!(notes[0].name.starts_with("Ngoài giấy tờ nêu trên") && notes[0].copies.is_empty());
    assert_eq!(groups[1].notes.row_count(), 4);
    assert!(adapter.get_detail_notes().row_count() > 10);
    assert!(
        adapter
            .get_detail_legal()
            .iter()
            .all(|l| !l.is_empty() && !l.starts_with(": "))
    );

    tap(&k, "Quay lại");
    tap(&k, "Quay lại");
    open(
        &k,
        "CHUNG THUC BAN SAO",
        "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan, tổ chức có thẩm quyền \
         của Việt Nam; cơ quan, tổ chức có thẩm quyền của nước ngoài; cơ quan, tổ chức có thẩm \
         quyền của Việt Nam liên kết với cơ quan, tổ chức có thẩm quyền của nước ngoài cấp hoặc \
         chứng nhận",
        "2.000815",
    );
    assert!(adapter.get_detail_fee_by_method());
    let methods: Vec<(String, String)> = adapter
        .get_detail_methods()
        .iter()
        .map(|m| (m.fee.to_string(), m.note.to_string()))
        .collect();
    assert_eq!(methods[0].0, "2.000 đ/trang");
    assert_eq!(
        methods[1],
        (
            "10 USD/bản".to_string(),
            "Tại cơ quan đại diện: 10 USD/bản.".to_string()
        )
    );
}

#[test]
fn browse_by_field_and_come_back_to_all_fields() {
    let config = support::parse(MINIMAL).expect("config");
    let k = kiosk(&config, 1080, 1920);
    assert!(wait_until(&k, LIMIT, || k
        .window()
        .global::<CatalogAdapter>()
        .get_fields()
        .row_count()
        > 0));
    tap(&k, "Tra cứu thủ tục");
    tap(&k, "Biển và hải đảo (4)");
    assert!(
        wait_until(&k, LIMIT, || results(&k).len() == 4),
        "{:?}",
        results(&k)
    );
    assert!(
        results(&k)
            .iter()
            .all(|(_, field)| field == "Biển và hải đảo")
    );
    // Typing searches within the field: "Trả lại khu vực biển…" first, nothing from elsewhere.
    type_keys(&k, "TRA");
    assert!(
        wait_until(&k, LIMIT, || results(&k)
            .first()
            .is_some_and(|(code, _)| code == "3.000441")),
        "{:?}",
        results(&k)
    );
    assert!(
        results(&k)
            .iter()
            .all(|(_, field)| field == "Biển và hải đảo")
    );
    tap(&k, "Tất cả lĩnh vực");
    assert_eq!(k.window().global::<CatalogAdapter>().get_field(), "");
}

/// A hardware keyboard on the search page types into the search as the on-screen one does;
/// keys that are not letters, digits or space add nothing.
#[test]
fn a_hardware_keyboard_types_into_the_search() {
    let config = support::parse(MINIMAL).expect("config");
    let k = kiosk(&config, 1920, 1080);
    tap(&k, "Tra cứu thủ tục");
    let window = k.window().window();
    let press = |key: slint::SharedString| {
        window.dispatch_event(slint::platform::WindowEvent::KeyPressed { text: key.clone() });
        window.dispatch_event(slint::platform::WindowEvent::KeyReleased { text: key });
    };
    for key in ["k", "h", "a", "i", " ", "s", "x", "\t"] {
        press(key.into());
    }
    press(slint::platform::Key::Backspace.into());
    press(slint::platform::Key::UpArrow.into());
    settle();
    let adapter = k.window().global::<CatalogAdapter>();
    assert_eq!(adapter.get_query(), "KHAI S");
    type_keys(&k, "INH");
    assert_eq!(adapter.get_query(), "KHAI SINH");
    assert!(
        wait_until(&k, LIMIT, || results(&k)
            .iter()
            .any(|(code, _)| code == "1.001193")),
        "{:?}",
        results(&k)
    );
}

#[test]
fn nothing_found_says_so() {
    let config = support::parse(MINIMAL).expect("config");
    let k = kiosk(&config, 1920, 1080);
    assert!(wait_until(&k, LIMIT, || !k
        .window()
        .global::<CatalogAdapter>()
        .get_version()
        .is_empty()));
    tap(&k, "Tra cứu thủ tục");
    type_keys(&k, "ZZQX");
    let notice =
        "Không tìm thấy thủ tục phù hợp. Quý vị thử gõ ít chữ hơn, hoặc chọn theo lĩnh vực.";
    assert!(wait_until(&k, LIMIT, || find(&k, notice).len() == 1));
}

#[test]
fn an_english_query_is_told_the_catalog_is_vietnamese_and_offered_its_words() {
    let config = support::parse(MINIMAL).expect("config");
    let k = kiosk(&config, 1920, 1080);
    assert!(wait_until(&k, LIMIT, || !k
        .window()
        .global::<CatalogAdapter>()
        .get_version()
        .is_empty()));
    tap(&k, "Tra cứu thủ tục");
    type_keys(&k, "BIRTH");
    let hint = "Danh mục thủ tục viết bằng tiếng Việt. Quý vị chạm vào từ tiếng Việt để tìm:";
    assert!(wait_until(&k, LIMIT, || find(&k, hint).len() == 1));
    // Not the advice to type fewer letters, which would not help.
    let fewer =
        "Không tìm thấy thủ tục phù hợp. Quý vị thử gõ ít chữ hơn, hoặc chọn theo lĩnh vực.";
    assert!(find(&k, fewer).is_empty());
    tap(&k, "khai sinh");
    let adapter = k.window().global::<CatalogAdapter>();
    assert_eq!(adapter.get_query(), "khai sinh");
    assert!(
        wait_until(&k, LIMIT, || results(&k)
            .iter()
            .any(|(code, _)| code == "2.000528")),
        "{:?}",
        results(&k)
    );
    assert!(find(&k, hint).is_empty(), "Vietnamese words: no hint");
}

#[test]
fn a_kiosk_started_on_a_damaged_catalog_rebuilds_it_and_searches() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let text = support::with_data_dir(MINIMAL, &data);
    let mut config = support::parse(&text).expect("config");
    config.catalog.database = dir.path().join("catalog.sqlite3");
    std::fs::write(&config.catalog.database, vec![0x5Au8; 64 * 1024]).unwrap();
    let k = crate::support::ui::kiosk_keeping_catalog(&config, 1920, 1080);
    assert!(
        wait_until(&k, LIMIT, || !k
            .window()
            .global::<CatalogAdapter>()
            .get_version()
            .is_empty()),
        "the catalog is ready again"
    );
    tap(&k, "Tra cứu thủ tục");
    type_keys(&k, "HO");
    assert!(wait_until(&k, LIMIT, || !results(&k).is_empty()));
    let kept: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("catalog.sqlite3.corrupt-")
        })
        .collect();
    assert_eq!(kept.len(), 1, "the damaged file is kept for a technician");
}
