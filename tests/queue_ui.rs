//! Taking a number on the screen: service, priority, phone, the result, and what the citizen is
//! told when the printer or the office cannot serve them.

use std::time::Duration;

use chrono::TimeZone;
use motcua_kiosk::ui::{KioskState, Page, PrinterState, QueueAdapter, QueueRefusal, QueueStep};
use slint::{ComponentHandle, Model};

use crate::queue::always_open;
use crate::support::net::{self, central_with};
use crate::support::printer::{FakePrinter, Mode};
use crate::support::ui::{UiKiosk, advance, find, kiosk, settle, tap, type_keys, wait_until};
use crate::support::{self, MINIMAL};

const WAIT: Duration = Duration::from_secs(10);

fn config(url: &str, data_dir: &std::path::Path) -> motcua_kiosk::config::Config {
    let text = always_open(MINIMAL, data_dir);
    let text = if url.is_empty() {
        text
    } else {
        support::with_server(&text, url, net::KIOSK_TOKEN)
    };
    support::parse(&text).unwrap_or_else(|e| panic!("{e}"))
}

fn adapter(k: &UiKiosk) -> QueueAdapter<'_> {
    k.window().global::<QueueAdapter>()
}

fn page(k: &UiKiosk) -> Page {
    k.window().global::<KioskState>().get_page()
}

fn step_is(k: &UiKiosk, step: QueueStep) -> bool {
    wait_until(k, WAIT, || adapter(k).get_step() == step)
}

#[test]
fn a_priority_ticket_from_the_server_is_shown_with_its_picture_then_cleared() {
    let c = central_with(|_| {});
    let dir = tempfile::tempdir().unwrap();
    let k = kiosk(&config(c.url().as_str(), dir.path()), 1920, 1080);
    assert!(
        wait_until(&k, WAIT, || adapter(&k).get_live()),
        "waiting counts arrive"
    );
    let services = adapter(&k).get_services();
    assert!(services.iter().all(|s| s.waiting >= 0 && s.open));

    tap(&k, "Lấy số thứ tự");
    tap(&k, "Hộ tịch");
    assert_eq!(adapter(&k).get_step(), QueueStep::Priority);
    tap(&k, "Người cao tuổi");
    assert_eq!(adapter(&k).get_step(), QueueStep::SmsOffer);
    tap(&k, "Không cần, lấy số");
    assert!(step_is(&k, QueueStep::Done), "{:?}", adapter(&k).get_step());
    assert_eq!(
        adapter(&k).get_sms_to(),
        "",
        "no text asked for, none promised"
    );
    let number = adapter(&k).get_number().to_string();
    assert!(number.starts_with("HT-"), "{number}");
    assert_eq!(adapter(&k).get_priority_label(), "Người cao tuổi");
    assert!(adapter(&k).get_people_ahead() >= 0);
    // A language switch redraws the result in the other language.
    k.window()
        .global::<KioskState>()
        .invoke_select_language("en".into());
    assert_eq!(adapter(&k).get_service_name(), "Civil status");
    assert_eq!(adapter(&k).get_priority_label(), "Older person");
    k.window()
        .global::<KioskState>()
        .invoke_select_language("vi".into());
    assert_eq!(adapter(&k).get_service_name(), "Hộ tịch");
    assert!(!adapter(&k).get_offline());
    assert!(
        adapter(&k).get_has_preview(),
        "the preview printer shows the ticket"
    );
    let pngs: Vec<_> = std::fs::read_dir(k.preview_dir())
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "png"))
        .collect();
    assert_eq!(pngs.len(), 1);

    // The kiosk is ready for the next citizen by itself.
    advance(Duration::from_secs(21));
    settle();
    assert_eq!(page(&k), Page::Home);
    assert_eq!(adapter(&k).get_number(), "");
    assert_eq!(adapter(&k).get_step(), QueueStep::Services);
}

#[test]
fn a_phone_number_is_checked_sent_with_the_ticket_and_forgotten() {
    let server_dir = tempfile::tempdir().unwrap();
    let db = server_dir.path().join("central.sqlite3");
    let c = central_with(|cfg| {
        cfg.database = motcua_central::Database::Sqlite(db.clone());
        // An office that sends no SMS keeps no phone numbers: this one sends (through a
        // gateway nobody answers).
        let sms: motcua_central::sms::SmsConfig = toml::from_str(
            "gateway = \"http\"\nnotify_when_ahead = 3\n[http]\nurl = \"http://127.0.0.1:9/send\"\n\
             body = '{\"to\": \"{to}\", \"text\": \"{text}\"}'\nsuccess_pointer = \"/ok\"\n\
             success_value = \"true\"\n",
        )
        .expect("[sms] parses");
        cfg.sms = Some(sms.check().expect("[sms] checks"));
    });
    let dir = tempfile::tempdir().unwrap();
    let k = kiosk(&config(c.url().as_str(), dir.path()), 1080, 1920);
    assert!(wait_until(&k, WAIT, || adapter(&k).get_live()));
    tap(&k, "Lấy số thứ tự");
    // No priority for this service: straight to the offer of a text message.
    tap(&k, "Trả kết quả");
    assert_eq!(adapter(&k).get_step(), QueueStep::SmsOffer);
    tap(&k, "Có, nhắn tin cho tôi");
    assert_eq!(adapter(&k).get_step(), QueueStep::Phone);
    type_keys(&k, "0241234567");
    assert_eq!(
        adapter(&k).invoke_format_phone(adapter(&k).get_phone()),
        "0241 234 567"
    );
    tap(&k, "Lấy số");
    assert!(adapter(&k).get_phone_invalid(), "a landline is refused");
    assert_eq!(adapter(&k).get_step(), QueueStep::Phone);
    tap(&k, "Xoá hết");
    type_keys(&k, "0912345678");
    tap(&k, "Lấy số");
    assert!(step_is(&k, QueueStep::Done));
    assert_eq!(adapter(&k).get_phone(), "", "the number left the screen");
    assert_eq!(
        adapter(&k).get_sms_to(),
        "09xx xxx 678",
        "confirmed, masked"
    );

    let central = rusqlite::Connection::open(&db).unwrap();
    let phone: Option<String> = central
        .query_row(
            "SELECT phone FROM tickets WHERE number = ?1",
            [adapter(&k).get_number().as_str()],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(phone.as_deref(), Some("0912345678"));
    // Nothing of it stays on the kiosk.
    let kiosk_db = rusqlite::Connection::open(dir.path().join("tickets.sqlite3")).unwrap();
    let kept: i64 = kiosk_db
        .query_row(
            "SELECT COUNT(*) FROM tickets WHERE phone IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(kept, 0);

    tap(&k, "Xong");
    assert_eq!(page(&k), Page::Home);
    assert_eq!(adapter(&k).get_sms_to(), "", "forgotten with the citizen");
}

#[test]
fn a_damaged_ticket_database_refuses_numbers_and_keeps_the_file() {
    // The ticket database holds the kiosk's own series and the outbox: it is never replaced
    // behind staff's back, since a fresh series could print a number twice.
    let dir = tempfile::tempdir().unwrap();
    let garbage = vec![0x5Au8; 32 * 1024];
    std::fs::write(dir.path().join("tickets.sqlite3"), &garbage).unwrap();
    let k = kiosk(&config("", dir.path()), 1920, 1080);
    tap(&k, "Lấy số thứ tự");
    tap(&k, "Chứng thực");
    assert!(
        step_is(&k, QueueStep::Refused),
        "{:?}",
        adapter(&k).get_step()
    );
    assert_eq!(adapter(&k).get_refusal(), QueueRefusal::Storage);
    assert_eq!(adapter(&k).get_number(), "", "no number handed out");
    assert_eq!(crate::support::ui::find(&k, "Chưa lấy được số").len(), 1);
    assert!(
        std::fs::read_dir(k.preview_dir())
            .map(|d| d.count() == 0)
            .unwrap_or(true),
        "nothing printed"
    );
    assert_eq!(
        std::fs::read(dir.path().join("tickets.sqlite3")).unwrap(),
        garbage,
        "the file is left for a technician"
    );
}

#[test]
fn with_the_server_down_the_kiosk_still_hands_out_numbers_of_its_own() {
    let down = net::nobody_listening();
    let dir = tempfile::tempdir().unwrap();
    let k = kiosk(&config(down.as_str(), dir.path()), 1920, 1080);
    tap(&k, "Lấy số thứ tự");
    assert!(!adapter(&k).get_live());
    assert_eq!(
        adapter(&k).get_services().row_count(),
        2,
        "the services of the config"
    );
    tap(&k, "Chứng thực");
    assert!(step_is(&k, QueueStep::Done));
    assert_eq!(adapter(&k).get_number(), "K01-CT-001");
    assert!(adapter(&k).get_offline());
    assert_eq!(
        adapter(&k).get_people_ahead(),
        -1,
        "unknown offline, not made up"
    );
}

/// A list longer than the screen says so at its foot, and one tap at a time brings the last
/// service up, after which the hint goes.
#[test]
fn a_long_service_list_shows_there_is_more_below() {
    let dir = tempfile::tempdir().unwrap();
    let extra: String = ('A'..='F')
        .enumerate()
        .map(|(i, letter)| {
            let n = i + 1;
            format!(
                "[[queue.services]]\nid = \"dich-vu-{n}\"\nname_vi = \"Dịch vụ số {n}\"\n\
                 name_en = \"Service {n}\"\nprefix = \"D{letter}\"\n\n"
            )
        })
        .collect();
    let text = always_open(MINIMAL, dir.path()).replace("[ui]", &format!("{extra}[ui]"));
    let config = support::parse(&text).unwrap_or_else(|e| panic!("{e}"));
    let k = kiosk(&config, 1920, 1080);
    tap(&k, "Lấy số thứ tự");
    assert_eq!(adapter(&k).get_services().row_count(), 8);
    let more = "Xem thêm dịch vụ bên dưới";
    assert_eq!(find(&k, more).len(), 1, "the list does not fit: said so");
    let mut taps = 0;
    while !find(&k, more).is_empty() {
        tap(&k, more);
        taps += 1;
        assert!(taps <= 5, "the foot of the list is reached");
    }
    assert!(taps >= 1);
    tap(&k, "Dịch vụ số 6");
    assert!(step_is(&k, QueueStep::Done));
    assert_eq!(adapter(&k).get_number(), "K01-DF-001");
}

#[test]
fn closed_hours_are_explained() {
    // The server's clock says 03:00 and it keeps office hours.
    let night = motcua_kiosk::clock::office_offset()
        .with_ymd_and_hms(2026, 11, 27, 3, 0, 0)
        .unwrap();
    let c = central_with(|cfg| {
        cfg.always_open = false;
        cfg.clock = motcua_central::Clock::fixed(night);
    });
    let dir = tempfile::tempdir().unwrap();
    let k = kiosk(&config(c.url().as_str(), dir.path()), 1920, 1080);
    assert!(wait_until(&k, WAIT, || adapter(&k).get_live()));
    let services = adapter(&k).get_services();
    assert!(
        services
            .iter()
            .all(|s| !s.open && s.closed_reason == "closed-hours")
    );
    // The home page says so, with the hours, before the first tap.
    let tile = &find(&k, "Lấy số thứ tự")[0];
    let said = tile.accessible_description().unwrap_or_default();
    assert!(
        said.starts_with("Ngoài giờ tiếp nhận. Giờ tiếp nhận: "),
        "{said}"
    );
    tap(&k, "Lấy số thứ tự");
    assert_eq!(page(&k), Page::Home, "nothing to take");
    // Closed services cannot be tapped.
    k.window()
        .global::<KioskState>()
        .invoke_navigate(Page::Queue);
    settle();
    tap(&k, "Hộ tịch");
    assert_eq!(adapter(&k).get_step(), QueueStep::Services);
}

#[test]
fn offline_the_kiosk_keeps_the_offices_days_itself() {
    use chrono::Datelike;
    // Open only tomorrow: today is closed whatever the hour.
    let tomorrow = motcua_kiosk::clock::now().weekday().succ();
    let day = format!("{tomorrow:?}").to_lowercase();
    let dir = tempfile::tempdir().unwrap();
    let text = always_open(MINIMAL, dir.path()).replace(
        "open_days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\", \"sat\", \"sun\"]",
        &format!("open_days = [\"{day}\"]"),
    );
    let k = kiosk(
        &support::parse(&text).unwrap_or_else(|e| panic!("{e}")),
        1920,
        1080,
    );
    tap(&k, "Lấy số thứ tự");
    tap(&k, "Hộ tịch");
    tap(&k, "Không, lấy số thường");
    assert!(step_is(&k, QueueStep::Refused));
    assert_eq!(adapter(&k).get_refusal(), QueueRefusal::ClosedHours);
    assert_eq!(adapter(&k).get_opening_hours(), "00:00-24:00");
    let store = motcua_kiosk::queue::QueueStore::open(&dir.path().join("tickets.sqlite3")).unwrap();
    assert_eq!(store.outbox_len().unwrap(), 0, "no number was taken");
}

#[test]
fn no_paper_no_ticket_action_and_it_comes_back_with_paper() {
    let fake = FakePrinter::start();
    fake.set_mode(Mode::PaperOut);
    let dir = tempfile::tempdir().unwrap();
    let mut config = config("", dir.path());
    config.printer.transport = fake.transport();
    let k = kiosk(&config, 1920, 1080);
    assert!(wait_until(&k, WAIT, || {
        k.window().global::<KioskState>().get_printer_state() == PrinterState::PaperOut
    }));
    assert!(!adapter(&k).get_can_issue());
    tap(&k, "Lấy số thứ tự");
    assert_eq!(
        page(&k),
        Page::Home,
        "the action is not offered without paper"
    );

    fake.set_mode(Mode::PaperNearEnd);
    assert!(wait_until(&k, Duration::from_secs(15), || adapter(&k).get_can_issue()));
    assert_eq!(
        k.window().global::<KioskState>().get_printer_state(),
        PrinterState::PaperNearEnd,
        "near end is a warning on the status line only"
    );
    tap(&k, "Lấy số thứ tự");
    tap(&k, "Chứng thực");
    assert!(step_is(&k, QueueStep::Done));
    assert_eq!(adapter(&k).get_number(), "K01-CT-001");
}

#[test]
fn the_ticket_tone_plays_once_per_printed_ticket_when_configured() {
    let dir = tempfile::tempdir().unwrap();
    // A player that keeps what it was given to play, one file per tone.
    let player = dir.path().join("player.sh");
    let heard = dir.path().join("heard");
    std::fs::create_dir(&heard).unwrap();
    std::fs::write(
        &player,
        format!("#!/bin/sh\ncat > \"{}/tone-$$.wav\"\n", heard.display()),
    )
    .unwrap();
    let text = always_open(MINIMAL, dir.path()).replace(
        "[ui]",
        &format!(
            // Run by sh rather than executed: a script just written cannot be exec'd while
            // another test thread's fork still holds it open.
            "[ui]\nticket_tone = true\ntone_player = \"/bin/sh {} -\"",
            player.display()
        ),
    );
    let k = kiosk(
        &support::parse(&text).unwrap_or_else(|e| panic!("{e}")),
        1920,
        1080,
    );
    let tones = || std::fs::read_dir(&heard).unwrap().count();

    tap(&k, "Lấy số thứ tự");
    tap(&k, "Chứng thực");
    assert!(step_is(&k, QueueStep::Done));
    let chime = motcua_kiosk::tone::chime_wav();
    let first = || {
        std::fs::read_dir(&heard)
            .unwrap()
            .next()
            .and_then(|f| std::fs::read(f.unwrap().path()).ok())
    };
    assert!(
        wait_until(&k, WAIT, || first().is_some_and(|w| w.len() == chime.len())),
        "the player got the tone"
    );
    assert_eq!(tones(), 1);
    assert!(
        first().is_some_and(|w| w == chime),
        "the whole chime reached the player"
    );

    // No tone when nothing printed: the printer is gone.
    drop(k);
    let fake = FakePrinter::start();
    let mut config = support::parse(&text).unwrap_or_else(|e| panic!("{e}"));
    config.printer.transport = fake.transport();
    let k = kiosk(&config, 1920, 1080);
    assert!(wait_until(&k, WAIT, || adapter(&k).get_can_issue()));
    fake.paper_out_after(100);
    tap(&k, "Lấy số thứ tự");
    tap(&k, "Chứng thực");
    assert!(step_is(&k, QueueStep::NotPrinted));
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(tones(), 1, "a ticket that did not print makes no sound");
}

#[test]
fn a_ticket_that_fails_mid_print_gives_the_number_and_sends_the_citizen_to_staff() {
    let fake = FakePrinter::start();
    let dir = tempfile::tempdir().unwrap();
    let mut config = config("", dir.path());
    config.printer.transport = fake.transport();
    let k = kiosk(&config, 1920, 1080);
    assert!(wait_until(&k, WAIT, || adapter(&k).get_can_issue()));
    fake.paper_out_after(100);
    tap(&k, "Lấy số thứ tự");
    tap(&k, "Chứng thực");
    assert!(
        step_is(&k, QueueStep::NotPrinted),
        "{:?} {:?} {}",
        adapter(&k).get_step(),
        adapter(&k).get_refusal(),
        adapter(&k).get_refusal_detail()
    );
    assert_eq!(adapter(&k).get_number(), "K01-CT-001");
    assert_eq!(crate::support::ui::find(&k, "Phiếu chưa in được").len(), 1);
    // The printer's paper-out now keeps the next citizen from taking a number.
    assert!(wait_until(&k, Duration::from_secs(15), || !adapter(&k).get_can_issue()));
}

#[test]
fn the_central_system_hears_of_a_missing_printer_in_words_it_knows() {
    let c = central_with(|_| {});
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(c.url().as_str(), dir.path());
    config.printer.transport = motcua_kiosk::config::PrinterTransport::Serial {
        port: dir.path().join("no-printer").display().to_string(),
        baud: 115_200,
        flow_control: motcua_kiosk::config::FlowControl::None,
        parity: motcua_kiosk::config::Parity::None,
    };
    let k = kiosk(&config, 1920, 1080);
    assert!(wait_until(&k, WAIT, || {
        k.window().global::<KioskState>().get_printer_state() == PrinterState::NotConnected
    }));
    // The heartbeat (sent at once on the printer's change) is accepted: the link stays up.
    assert!(wait_until(&k, WAIT, || {
        k.window().global::<KioskState>().get_server_state()
            == motcua_kiosk::ui::ServerState::Online
    }));
    let db = rusqlite::Connection::open(c._dir.path().join("central.sqlite3")).unwrap();
    let printer: String = db
        .query_row(
            "SELECT printer FROM kiosks WHERE kiosk_id = ?1",
            [net::KIOSK_ID],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(printer, "offline");
}

#[test]
fn the_central_system_hears_at_once_which_catalog_the_kiosk_searches() {
    let c = central_with(|_| {});
    let dir = tempfile::tempdir().unwrap();
    let k = kiosk(&config(c.url().as_str(), dir.path()), 1920, 1080);
    let catalog = k.window().global::<motcua_kiosk::ui::CatalogAdapter>();
    assert!(
        wait_until(&k, WAIT, || !catalog.get_synced_at().is_empty()),
        "the catalog syncs from the server"
    );
    let version: i64 = catalog.get_version().parse().unwrap();
    assert!(version > 0, "the server's catalog, not the seed");
    let db = rusqlite::Connection::open(c._dir.path().join("central.sqlite3")).unwrap();
    let reported = || -> Option<i64> {
        db.query_row(
            "SELECT catalog_version FROM kiosks WHERE kiosk_id = ?1",
            [net::KIOSK_ID],
            |r| r.get(0),
        )
        .ok()
        .flatten()
    };
    // Well before the next minute's heartbeat.
    assert!(
        wait_until(&k, Duration::from_secs(10), || reported() == Some(version)),
        "reported {:?}, searching {version}",
        reported()
    );
}

#[test]
fn the_home_page_shows_who_is_being_served_and_hides_it_offline() {
    let c = central_with(|_| {});
    // Two citizens took numbers; a counter called the first.
    let client = c.client();
    for _ in 0..2 {
        client
            .issue_ticket(&motcua_kiosk::server::model::TicketRequest {
                request_id: motcua_kiosk::server::new_request_id(),
                service_id: "ho-tich".into(),
                priority: motcua_kiosk::server::model::Priority::None,
                phone: None,
                offline: None,
                procedure_code: None,
            })
            .unwrap();
    }
    let called = reqwest::blocking::Client::new()
        .post(format!(
            "{}queue/services/ho-tich/call-next",
            c.url().join("api/v1/").unwrap()
        ))
        .bearer_auth(net::COUNTER_TOKEN)
        .json(&serde_json::json!({ "counter": "3" }))
        .send()
        .unwrap();
    assert!(called.status().is_success(), "{}", called.status());

    let dir = tempfile::tempdir().unwrap();
    let k = kiosk(&config(c.url().as_str(), dir.path()), 1920, 1080);
    assert!(wait_until(&k, WAIT, || adapter(&k).get_live()));
    assert_eq!(
        crate::support::ui::find(&k, "Hộ tịch: đang phục vụ HT-001").len(),
        1
    );
    assert_eq!(
        crate::support::ui::find(&k, "Chứng thực: chưa gọi số nào").len(),
        1
    );

    // With the server gone the strip is not shown rather than stale.
    let down = net::nobody_listening();
    let offline = tempfile::tempdir().unwrap();
    let k = kiosk(&config(down.as_str(), offline.path()), 1920, 1080);
    assert!(wait_until(&k, WAIT, || {
        k.window().global::<KioskState>().get_server_state()
            == motcua_kiosk::ui::ServerState::Offline
    }));
    assert!(crate::support::ui::find(&k, "Đang phục vụ").is_empty());
}

/// "Lấy số cho thủ tục này": from a procedure's page to a number for the service of its field,
/// which the counter sees with the procedure; a field no service is named for lets the citizen
/// pick, and going home forgets the procedure.
#[test]
fn a_procedure_page_takes_a_number_for_its_service() {
    let c = central_with(|_| {});
    let dir = tempfile::tempdir().unwrap();
    let k = kiosk(&config(c.url().as_str(), dir.path()), 1920, 1080);
    assert!(wait_until(&k, WAIT, || adapter(&k).get_live()));
    let catalog = || k.window().global::<motcua_kiosk::ui::CatalogAdapter>();
    // From the home page.
    let open = |query: &str, code: &str| {
        tap(&k, "Tra cứu thủ tục");
        for (i, word) in query.split(' ').enumerate() {
            if i > 0 {
                tap(&k, "Dấu cách");
            }
            type_keys(&k, word);
        }
        let hit = || catalog().get_results().iter().position(|r| r.code == code);
        assert!(wait_until(&k, WAIT, || hit().is_some()), "{code} found");
        catalog().invoke_open(code.into());
        assert!(wait_until(&k, WAIT, || catalog().get_detail().code == code));
        assert!(wait_until(&k, WAIT, || page(&k) == Page::Procedure));
    };

    open("KET HON NUOC NGOAI", "2.000806");
    tap(&k, "Lấy số cho thủ tục này");
    assert_eq!(page(&k), Page::Queue);
    assert_eq!(adapter(&k).get_service_name(), "Hộ tịch");
    assert_eq!(adapter(&k).get_step(), QueueStep::Priority);
    tap(&k, "Không, lấy số thường");
    tap(&k, "Không cần, lấy số");
    assert!(step_is(&k, QueueStep::Done));
    let called = c.call_next("ho-tich", "1");
    assert_eq!(called["number"], adapter(&k).get_number().as_str());
    assert_eq!(called["procedure"]["code"], "2.000806", "{called}");

    // A field no service is named for: the list, headed by the procedure; the citizen picks.
    tap(&k, "Xong");
    open("HO CHUA THUY LOI", "1.003347");
    tap(&k, "Lấy số cho thủ tục này");
    assert_eq!(adapter(&k).get_step(), QueueStep::Services);
    assert!(
        adapter(&k)
            .get_procedure()
            .starts_with("Phê duyệt, công bố công khai quy trình")
    );
    tap(&k, "Chứng thực");
    tap(&k, "Không, lấy số thường");
    tap(&k, "Không cần, lấy số");
    assert!(step_is(&k, QueueStep::Done));
    let called = c.call_next("chung-thuc", "1");
    assert_eq!(called["procedure"]["code"], "1.003347", "{called}");

    // Going home forgets it: the next number from the home page is for no procedure.
    tap(&k, "Xong");
    assert_eq!(adapter(&k).get_procedure(), "");
}
