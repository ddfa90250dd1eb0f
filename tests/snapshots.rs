//! Every page drawn headless by Slint's software renderer with the real fonts, as a citizen
//! reaches it by tapping.
//!
//! - Reference snapshots: each page in standard, large-text and high-contrast mode, compared with
//!   the PNGs in `tests/snapshots/` (a few pixels may differ; a changed layout, colour or text
//!   may not). After a deliberate change: `UPDATE_SNAPSHOTS=1 cargo test --test main snapshots`,
//!   then look at every changed picture before committing it.
//! - The gallery: every page in both orientations and both languages against the reference
//!   server; `GALLERY_DIR=docs/gallery cargo test --test main snapshots::gallery` writes the
//!   README's pictures.

use std::path::{Path, PathBuf};
use std::time::Duration;

use i_slint_backend_testing::ElementHandle;
use motcua_kiosk::ui::{CatalogAdapter, DossierAdapter, DossierStep, KioskState, Page, QueueStep};
use motcua_kiosk::ui::{QueueAdapter, ServerState, Theme};
use slint::{ComponentHandle, Model};

use crate::queue::always_open;
use crate::support::net::{self, central};
use crate::support::snapshot::{self, Picture};
use crate::support::ui::{
    Drawing, UiKiosk, advance, find, kiosk_drawn, scroll_by, settle, tap, type_keys, wait_until,
};
use crate::support::{self, MINIMAL};

const WAIT: Duration = Duration::from_secs(10);
/// Share of pixels that may differ from a reference (anti-aliasing, not content).
const ALLOWED_CHANGE: f64 = 0.002;

/// A page as a citizen reaches it from the home page.
pub struct Screen {
    pub name: &'static str,
    pub reach: fn(&UiKiosk),
}

fn home(_: &UiKiosk) {}

fn queue_services(k: &UiKiosk) {
    tap(k, "Lấy số thứ tự");
}

fn queue_priority(k: &UiKiosk) {
    tap(k, "Lấy số thứ tự");
    tap(k, "Hộ tịch");
}

fn queue_sms_offer(k: &UiKiosk) {
    tap(k, "Lấy số thứ tự");
    tap(k, "Trả kết quả");
}

fn queue_phone(k: &UiKiosk) {
    tap(k, "Lấy số thứ tự");
    tap(k, "Trả kết quả");
    tap(k, "Có, nhắn tin cho tôi");
    type_keys(k, "0912345678");
}

fn queue_ticket(k: &UiKiosk) {
    take_ticket(
        k,
        [
            "Lấy số thứ tự",
            "Hộ tịch",
            "Người cao tuổi",
            "Không cần, lấy số",
        ],
    );
}

/// A priority ticket for civil status, the screen's words given in the language shown.
fn take_ticket(k: &UiKiosk, words: [&str; 4]) {
    for word in words {
        tap(k, word);
    }
    assert!(
        wait_until(k, WAIT, || k.window().global::<QueueAdapter>().get_step()
            == QueueStep::Done),
        "the ticket is printed"
    );
}

fn catalog(k: &UiKiosk) {
    tap(k, "Tra cứu thủ tục");
    type_keys(k, "KHAI");
    tap(k, "Dấu cách");
    type_keys(k, "SIN");
    // Answers come per keystroke; wait for the last one.
    assert!(
        wait_until(k, WAIT, || {
            let results = k.window().global::<CatalogAdapter>().get_results();
            results.row_count() > 3 && results.row_data(0).is_some_and(|p| p.code == "1.001193")
        }),
        "search results"
    );
}

/// A visitor typed English: told the catalog is Vietnamese, offered its words.
fn catalog_english(k: &UiKiosk) {
    tap(k, "Tra cứu thủ tục");
    type_keys(k, "BIRTH");
    // The last keystroke's answer (nothing) has replaced the earlier ones.
    let adapter = k.window().global::<CatalogAdapter>();
    assert!(
        wait_until(k, WAIT, || adapter.get_english_words().row_count() == 1
            && adapter.get_results().row_count() == 0),
        "the catalog's words for BIRTH, and no procedure"
    );
}

fn procedure(k: &UiKiosk) {
    catalog(k);
    open_procedure(k, "Thủ tục đăng ký khai sinh", "1.001193");
}

/// Types `words` on the catalog's keyboard, a space between them.
fn search(k: &UiKiosk, words: &[&str]) {
    tap(k, "Tra cứu thủ tục");
    for (i, word) in words.iter().enumerate() {
        if i > 0 {
            tap(k, "Dấu cách");
        }
        type_keys(k, word);
    }
}

/// Taps the result `name` once it is listed, and waits for procedure `code` on screen.
fn open_procedure(k: &UiKiosk, name: &str, code: &str) {
    assert!(
        wait_until(k, WAIT, || find(k, name).len() == 1),
        "{code} found"
    );
    tap(k, name);
    assert!(
        wait_until(k, WAIT, || {
            k.window().global::<CatalogAdapter>().get_detail().code == code
                && k.window().global::<KioskState>().get_page() == Page::Procedure
        }),
        "the procedure is shown"
    );
}

/// A procedure whose fee depends on where it is paid: each way with the note that says where.
fn procedure_fees(k: &UiKiosk) {
    search(k, &["CHUNG", "THUC", "BAN", "SAO"]);
    let name = "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan, tổ chức có thẩm \
                quyền của Việt Nam; cơ quan, tổ chức có thẩm quyền của nước ngoài; cơ quan, tổ \
                chức có thẩm quyền của Việt Nam liên kết với cơ quan, tổ chức có thẩm quyền của \
                nước ngoài cấp hoặc chứng nhận";
    open_procedure(k, name, "2.000815");
    // Past the long name and the facts, to the ways to submit.
    scroll_by(k, 900.0);
}

/// A procedure's documents: three groups (one the source leaves unnamed), numbered on, and a
/// note among them.
fn procedure_documents(k: &UiKiosk) {
    search(k, &["KET", "HON", "NUOC", "NGOAI"]);
    open_procedure(
        k,
        "Thủ tục đăng ký kết hôn có yếu tố nước ngoài",
        "2.000806",
    );
    // Past the facts and the ways to submit, to the documents.
    scroll_by(k, 1060.0);
}

/// A citizen reading a checklist has not touched the kiosk for 45 s: asked whether still there.
fn idle_warning(k: &UiKiosk) {
    procedure(k);
    for _ in 0..45 {
        advance(Duration::from_secs(1));
    }
    assert!(
        k.window().global::<KioskState>().get_idle_warning(),
        "the idle warning"
    );
}

fn dossier_entry(k: &UiKiosk) {
    tap(k, "Tra cứu hồ sơ");
}

thread_local! {
    /// The reference server's dossier the gallery looks up (one in progress).
    static DOSSIER_CODE: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

fn dossier_result(k: &UiKiosk) {
    tap(k, "Tra cứu hồ sơ");
    let code = DOSSIER_CODE.with(|c| c.borrow().clone());
    type_keys(k, code.replace(['.', '-'], "").as_str());
    tap(k, "Tra cứu");
    assert!(
        wait_until(k, WAIT, || {
            k.window().global::<DossierAdapter>().get_step() == DossierStep::Result
        }),
        "the dossier is shown"
    );
}

fn dossier_sms(k: &UiKiosk) {
    dossier_result(k);
    tap(k, "Nhắn tin cho tôi khi có kết quả");
    type_keys(k, "0912345678");
}

fn feedback(k: &UiKiosk) {
    tap(k, "Đánh giá");
}

fn feedback_reason(k: &UiKiosk) {
    tap(k, "Đánh giá");
    tap(k, "Không hài lòng");
}

fn attract(k: &UiKiosk) {
    advance(Duration::from_secs(200));
    settle();
    assert_eq!(k.window().global::<KioskState>().get_page(), Page::Attract);
}

fn admin_pin(k: &UiKiosk) {
    k.window().global::<KioskState>().invoke_open_admin();
    settle();
    type_keys(k, "24");
}

fn admin_panel(k: &UiKiosk) {
    k.window().global::<KioskState>().invoke_open_admin();
    settle();
    type_keys(k, support::ADMIN_PIN);
    tap(k, "Mở màn hình quản trị");
    let admin = k.window().global::<motcua_kiosk::ui::AdminAdapter>();
    assert!(
        wait_until(k, WAIT, || admin.get_step()
            == motcua_kiosk::ui::AdminStep::Panel
            && admin.get_latency_ms() >= 0),
        "the admin panel with the server's latency"
    );
}

/// Pages that look the same on every run without a server.
pub const REFERENCE_SCREENS: &[Screen] = &[
    Screen {
        name: "admin-pin",
        reach: admin_pin,
    },
    Screen {
        name: "home",
        reach: home,
    },
    Screen {
        name: "queue",
        reach: queue_services,
    },
    Screen {
        name: "queue-priority",
        reach: queue_priority,
    },
    Screen {
        name: "catalog",
        reach: catalog,
    },
    Screen {
        name: "catalog-english",
        reach: catalog_english,
    },
    Screen {
        name: "procedure",
        reach: procedure,
    },
    Screen {
        name: "procedure-fees",
        reach: procedure_fees,
    },
    Screen {
        name: "procedure-documents",
        reach: procedure_documents,
    },
    Screen {
        name: "idle-warning",
        reach: idle_warning,
    },
    Screen {
        name: "dossier",
        reach: dossier_entry,
    },
    Screen {
        name: "feedback",
        reach: feedback,
    },
    Screen {
        name: "feedback-reason",
        reach: feedback_reason,
    },
    Screen {
        name: "attract",
        reach: attract,
    },
];

/// Every page, with the reference server's live data.
const GALLERY_SCREENS: &[Screen] = &[
    Screen {
        name: "home",
        reach: home,
    },
    Screen {
        name: "queue",
        reach: queue_services,
    },
    Screen {
        name: "queue-priority",
        reach: queue_priority,
    },
    Screen {
        name: "queue-sms-offer",
        reach: queue_sms_offer,
    },
    Screen {
        name: "queue-phone",
        reach: queue_phone,
    },
    Screen {
        name: "queue-ticket",
        reach: queue_ticket,
    },
    Screen {
        name: "catalog",
        reach: catalog,
    },
    Screen {
        name: "procedure",
        reach: procedure,
    },
    Screen {
        name: "dossier",
        reach: dossier_entry,
    },
    Screen {
        name: "dossier-result",
        reach: dossier_result,
    },
    Screen {
        name: "dossier-sms",
        reach: dossier_sms,
    },
    Screen {
        name: "feedback",
        reach: feedback,
    },
    Screen {
        name: "feedback-reason",
        reach: feedback_reason,
    },
    Screen {
        name: "attract",
        reach: attract,
    },
    Screen {
        name: "admin-pin",
        reach: admin_pin,
    },
    Screen {
        name: "admin",
        reach: admin_panel,
    },
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Standard,
    LargeText,
    HighContrast,
}

impl Mode {
    fn suffix(self) -> &'static str {
        match self {
            Mode::Standard => "",
            Mode::LargeText => "-large",
            Mode::HighContrast => "-contrast",
        }
    }

    /// What every citizen starts with (the toggles on the home page are tested on their own;
    /// the attract screen shows the config's mode, as it comes after the citizen has gone).
    fn config_line(self) -> &'static str {
        match self {
            Mode::Standard => "",
            Mode::LargeText => "text_size = \"large\"",
            Mode::HighContrast => "theme = \"high-contrast\"",
        }
    }
}

pub fn config_text(data_dir: &Path) -> String {
    support::with_admin_pin(&always_open(MINIMAL, data_dir))
        .replace("[ui]", "[ui]\nattract_after_s = 180")
}

/// The clock moves; pictures compared across days must not. Set after the last timer tick, so
/// the kiosk's own clock cannot overwrite it before the picture is taken.
fn fix_clock(k: &UiKiosk) {
    settle();
    let state = k.window().global::<KioskState>();
    state.set_clock("09:30".into());
    state.set_date(
        if state.get_language() == "en" {
            "Friday, 27 November 2026"
        } else {
            "Thứ Sáu, 27/11/2026"
        }
        .into(),
    );
}

fn shoot(k: &UiKiosk) -> Picture {
    fix_clock(k);
    snapshot::take(k)
}

fn references_dir() -> PathBuf {
    support::repo_root().join("tests/snapshots")
}

#[test]
fn each_page_in_each_mode_matches_its_reference() {
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let mut failures = Vec::new();
    for (orientation, (w, h)) in [("landscape", (1920, 1080)), ("portrait", (1080, 1920))] {
        for mode in [Mode::Standard, Mode::LargeText, Mode::HighContrast] {
            for screen in REFERENCE_SCREENS {
                let dir = tempfile::tempdir().unwrap();
                let text = config_text(dir.path())
                    .replace("[ui]", &format!("[ui]\n{}", mode.config_line()));
                let config = support::parse(&text).unwrap_or_else(|e| panic!("{e}"));
                let k = kiosk_drawn(&config, w, h, Drawing::Software);
                assert!(
                    wait_until(&k, WAIT, || {
                        !k.window()
                            .global::<CatalogAdapter>()
                            .get_version()
                            .is_empty()
                    }),
                    "catalog ready"
                );
                (screen.reach)(&k);
                let picture = shoot(&k);
                let name = format!("{}-{orientation}{}.png", screen.name, mode.suffix());
                let path = references_dir().join(&name);
                match snapshot::load(&path) {
                    _ if update => snapshot::save(&picture, &path),
                    None => failures.push(format!(
                        "{name}: no reference; make it with UPDATE_SNAPSHOTS=1 and look at it"
                    )),
                    Some(reference) => {
                        let difference = snapshot::compare(&reference, &picture);
                        if difference.changed_share() > ALLOWED_CHANGE {
                            let actual = std::env::temp_dir().join(format!("actual-{name}"));
                            snapshot::save(&picture, &actual);
                            failures.push(format!(
                                "{name}: {} of {} pixels changed; drawn now: {}",
                                difference.changed,
                                difference.total,
                                actual.display()
                            ));
                        }
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_modes_change_what_is_drawn_and_go_back_when_the_citizen_leaves() {
    let dir = tempfile::tempdir().unwrap();
    let config = support::parse(&config_text(dir.path())).unwrap_or_else(|e| panic!("{e}"));
    let k = kiosk_drawn(&config, 1920, 1080, Drawing::Software);
    let standard = shoot(&k);
    let theme = k.window().global::<Theme>();

    tap(&k, "Chữ lớn");
    assert!(theme.get_large_text());
    let large = shoot(&k);
    assert!(snapshot::compare(&standard, &large).changed_share() > 0.05);
    tap(&k, "Tương phản cao");
    assert!(theme.get_high_contrast());
    let both = shoot(&k);
    assert!(snapshot::compare(&large, &both).changed_share() > 0.3);

    // They stay on from page to page...
    tap(&k, "Tra cứu thủ tục");
    tap(&k, "Quay lại");
    assert!(theme.get_large_text() && theme.get_high_contrast());
    // ...and go back to the config's when the citizen walks away.
    advance(Duration::from_secs(61));
    settle();
    assert!(!theme.get_large_text() && !theme.get_high_contrast());
    let after = shoot(&k);
    assert!(snapshot::compare(&standard, &after).changed_share() <= ALLOWED_CHANGE);
}

#[test]
fn the_config_chooses_what_each_citizen_starts_with() {
    let dir = tempfile::tempdir().unwrap();
    let text = config_text(dir.path()).replace(
        "[ui]",
        "[ui]\ntheme = \"high-contrast\"\ntext_size = \"large\"",
    );
    let config = support::parse(&text).unwrap_or_else(|e| panic!("{e}"));
    let k = kiosk_drawn(&config, 1920, 1080, Drawing::Software);
    let theme = k.window().global::<Theme>();
    assert!(theme.get_large_text() && theme.get_high_contrast());
    tap(&k, "Chữ lớn");
    assert!(!theme.get_large_text());
    advance(Duration::from_secs(61));
    settle();
    assert!(theme.get_large_text() && theme.get_high_contrast());
}

#[test]
fn the_attract_screen_comes_after_a_long_quiet_spell_and_any_touch_leads_home() {
    let dir = tempfile::tempdir().unwrap();
    let config = support::parse(&config_text(dir.path())).unwrap_or_else(|e| panic!("{e}"));
    let k = kiosk_drawn(&config, 1080, 1920, Drawing::Software);
    let state = k.window().global::<KioskState>();
    tap(&k, "Tra cứu thủ tục");
    type_keys(&k, "HO");
    // The idle timeout first brings the kiosk home, the attract screen comes later.
    advance(Duration::from_secs(61));
    settle();
    assert_eq!(state.get_page(), Page::Home);
    assert_eq!(k.window().global::<CatalogAdapter>().get_query(), "");
    advance(Duration::from_secs(100));
    settle();
    assert_eq!(
        state.get_page(),
        Page::Home,
        "180 s counted from the last touch"
    );
    advance(Duration::from_secs(20));
    settle();
    assert_eq!(state.get_page(), Page::Attract);
    let attract = shoot(&k);

    // A touch anywhere but on an action: home, and the lifted finger opens no page by accident.
    let top = slint::LogicalPosition::new(540.0, 30.0);
    let window = k.window().window();
    window.dispatch_event(slint::platform::WindowEvent::PointerPressed {
        position: top,
        button: slint::platform::PointerEventButton::Left,
    });
    settle();
    assert_eq!(state.get_page(), Page::Home);
    window.dispatch_event(slint::platform::WindowEvent::PointerReleased {
        position: top,
        button: slint::platform::PointerEventButton::Left,
    });
    settle();
    assert_eq!(state.get_page(), Page::Home);
    assert!(snapshot::compare(&attract, &shoot(&k)).changed_share() > 0.3);

    // A receipt scanned while the attract screen shows opens its dossier page.
    advance(Duration::from_secs(200));
    settle();
    assert_eq!(state.get_page(), Page::Attract);
    for ch in "000.00.20.H15-261126-0007\n".chars() {
        let key: slint::SharedString = ch.to_string().into();
        window.dispatch_event(slint::platform::WindowEvent::KeyPressed { text: key.clone() });
        window.dispatch_event(slint::platform::WindowEvent::KeyReleased { text: key });
    }
    settle();
    assert_eq!(state.get_page(), Page::Dossier);
    assert_eq!(
        k.window().global::<DossierAdapter>().get_code(),
        "000.00.20.H15-261126-0007"
    );
    tap(&k, "Quay lại");

    // A touch on one of the things the kiosk does opens it.
    advance(Duration::from_secs(200));
    settle();
    assert_eq!(state.get_page(), Page::Attract);
    tap(&k, "Tra cứu thủ tục");
    assert_eq!(state.get_page(), Page::Catalog);
    tap(&k, "Quay lại");

    // Touches keep it away.
    for _ in 0..5 {
        advance(Duration::from_secs(50));
        tap(&k, "Chữ lớn");
    }
    assert_eq!(state.get_page(), Page::Home);
}

#[test]
fn the_attract_screen_can_be_turned_off() {
    let dir = tempfile::tempdir().unwrap();
    let text = config_text(dir.path()).replace("attract_after_s = 180", "attract_after_s = 0");
    let config = support::parse(&text).unwrap_or_else(|e| panic!("{e}"));
    let k = kiosk_drawn(&config, 1920, 1080, Drawing::Software);
    advance(Duration::from_secs(3600));
    settle();
    assert_eq!(k.window().global::<KioskState>().get_page(), Page::Home);
}

/// The reference server the gallery pages are drawn against; the dossier pages look up one in
/// progress.
fn gallery_server() -> net::Central {
    let c = central();
    let code = motcua_central::seed::sample_dossiers(c.server.seeded_on())
        .into_iter()
        .find(|s| s.dossier.status == 4)
        .map(|s| s.dossier.code)
        .expect("a dossier in progress");
    DOSSIER_CODE.with(|c| *c.borrow_mut() = code);
    c
}

/// A kiosk of `width`×`height` in `mode` on the gallery's server, drawn with the real fonts, and
/// the folder it keeps its state in (the kiosk needs it while it runs).
fn gallery_kiosk(
    c: &net::Central,
    mode: Mode,
    width: u32,
    height: u32,
) -> (UiKiosk, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let text = support::with_server(&config_text(dir.path()), c.url().as_str(), net::KIOSK_TOKEN)
        .replace("[queue]", "[dossier]\nlookups_per_minute = 60\n\n[queue]")
        .replace("[ui]", &format!("[ui]\n{}", mode.config_line()))
        // The gallery shows "Đọc to" as an office with a speaker has it (`true` plays nothing).
        .replace("[ui]", "[ui]\nread_aloud = true\ntone_player = \"true\"");
    let config = support::parse(&text).unwrap_or_else(|e| panic!("{e}"));
    (kiosk_drawn(&config, width, height, Drawing::Software), dir)
}

#[test]
fn gallery_every_page_in_both_orientations_and_languages() {
    let out = std::env::var_os("GALLERY_DIR").map(|d| support::repo_root().join(d));
    let c = gallery_server();
    for (orientation, (w, h)) in [("landscape", (1920, 1080)), ("portrait", (1080, 1920))] {
        for screen in GALLERY_SCREENS {
            let (k, _state) = gallery_kiosk(&c, Mode::Standard, w, h);
            assert!(
                wait_until(&k, WAIT, || {
                    let state = k.window().global::<KioskState>();
                    state.get_server_state() == ServerState::Online
                        && k.window().global::<QueueAdapter>().get_live()
                }),
                "online with live queues"
            );
            (screen.reach)(&k);
            let vi = shoot(&k);
            k.window()
                .global::<KioskState>()
                .invoke_select_language("en".into());
            if screen.name == "queue-ticket" {
                // An English visitor's own number, printed in English.
                tap(&k, "Done");
                take_ticket(
                    &k,
                    [
                        "Take a number",
                        "Civil status",
                        "Older person",
                        "No thanks, give me a number",
                    ],
                );
            }
            let en = shoot(&k);
            assert_eq!((vi.width, vi.height), (w / 2, h / 2));
            assert!(
                snapshot::compare(&vi, &en).changed_share() > 0.001,
                "{} {orientation}: the English page looks like the Vietnamese one",
                screen.name
            );
            if let Some(out) = &out {
                snapshot::save(
                    &vi,
                    &out.join(format!("{}-{orientation}-vi.png", screen.name)),
                );
                snapshot::save(
                    &en,
                    &out.join(format!("{}-{orientation}-en.png", screen.name)),
                );
            }
        }
    }
}

/// A text on screen in layout checks (`LayoutCheck`): its words, its box, and whether its
/// words fit that box.
struct Placed {
    text: String,
    rect: [f32; 4],
    fits: bool,
}

impl Placed {
    fn of(e: &ElementHandle) -> Option<Placed> {
        let description = e.accessible_description()?;
        let (fits, text) = if let Some(text) = description.strip_prefix("text: ") {
            (true, text)
        } else {
            (false, description.strip_prefix("overflow: ")?)
        };
        let (at, size) = (e.absolute_position(), e.size());
        Some(Placed {
            text: text.chars().take(60).collect(),
            rect: [at.x, at.y, at.x + size.width, at.y + size.height],
            fits,
        })
    }

    fn key(&self) -> String {
        format!(
            "{:?} at {:.0},{:.0} in {:.0}×{:.0}",
            self.text,
            self.rect[0],
            self.rect[1],
            self.rect[2] - self.rect[0],
            self.rect[3] - self.rect[1]
        )
    }

    fn inside(&self, outer: [f32; 4]) -> bool {
        const SLACK: f32 = 1.0;
        self.rect[0] >= outer[0] - SLACK
            && self.rect[1] >= outer[1] - SLACK
            && self.rect[2] <= outer[2] + SLACK
            && self.rect[3] <= outer[3] + SLACK
    }
}

fn rect(e: &ElementHandle) -> [f32; 4] {
    let (at, size) = (e.absolute_position(), e.size());
    [at.x, at.y, at.x + size.width, at.y + size.height]
}

fn labels(under: &ElementHandle) -> Vec<Placed> {
    under
        .query_descendants()
        .match_type_name("Label")
        .find_all()
        .iter()
        .filter_map(Placed::of)
        .collect()
}

/// The texts in the Flickables under `under`: they may scroll out of the boxes around them.
fn scrolling_labels(under: &ElementHandle) -> std::collections::BTreeSet<String> {
    under
        .query_descendants()
        .match_inherits("Flickable")
        .find_all()
        .iter()
        .flat_map(|f| labels(f).into_iter().map(|l| l.key()))
        .collect()
}

/// The texts on screen that do not fit: wrapped lines taller than their box or one line wider
/// (`LayoutCheck`), or a text that leaves the box drawn around it (a tile, a button, a row: a
/// layout given less room than its words need) or the window. What scrolls in a Flickable
/// may leave the boxes around the Flickable.
fn overflowing(k: &UiKiosk) -> Vec<String> {
    use i_slint_backend_testing::{ElementQuery, ElementRoot};
    settle();
    let root = k.window().root_element();
    let window = rect(&root);
    let mut problems = std::collections::BTreeSet::new();
    let scrolling = scrolling_labels(&root);
    for label in labels(&root) {
        if !label.fits {
            problems.insert(format!("{} is cut", label.key()));
        } else if !scrolling.contains(&label.key()) && !label.inside(window) {
            problems.insert(format!("{} leaves the window", label.key()));
        }
    }
    let boxes = ElementQuery::from_root(k.window())
        .match_descendants()
        .match_inherits("Rectangle")
        .find_all();
    for outer in boxes {
        let area = rect(&outer);
        if area[2] - area[0] < 1.0 || area[3] - area[1] < 1.0 {
            continue;
        }
        let scrolling_inside = scrolling_labels(&outer);
        for label in labels(&outer) {
            if label.fits && !scrolling_inside.contains(&label.key()) && !label.inside(area) {
                let name = outer.type_name().unwrap_or_default();
                problems.insert(format!("{} leaves its {name}", label.key()));
            }
        }
    }
    problems.into_iter().collect()
}

#[test]
fn every_page_in_large_text_fits_its_boxes_in_both_orientations_and_languages() {
    // `LARGE_TEXT_DIR=/tmp/large` also writes every page drawn, to look at.
    let out = std::env::var_os("LARGE_TEXT_DIR").map(std::path::PathBuf::from);
    let c = gallery_server();
    let mut problems = Vec::new();
    for (orientation, (w, h)) in [("landscape", (1920, 1080)), ("portrait", (1080, 1920))] {
        for screen in GALLERY_SCREENS {
            let (k, _state) = gallery_kiosk(&c, Mode::LargeText, w, h);
            k.window()
                .global::<motcua_kiosk::ui::LayoutCheck>()
                .set_on(true);
            assert!(
                wait_until(&k, WAIT, || k.window().global::<QueueAdapter>().get_live()),
                "online with live queues"
            );
            (screen.reach)(&k);
            assert!(k.window().global::<Theme>().get_large_text());
            for lang in ["vi", "en"] {
                k.window()
                    .global::<KioskState>()
                    .invoke_select_language(lang.into());
                for text in overflowing(&k) {
                    problems.push(format!("{} {orientation} {lang}: {text}", screen.name));
                }
                if let Some(out) = &out {
                    let name = format!("{}-{orientation}-{lang}-large.png", screen.name);
                    snapshot::save(&shoot(&k), &out.join(name));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} texts do not fit in large text:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
