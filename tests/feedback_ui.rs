//! The satisfaction rating: given offline, kept, and sent once the central system is back.

use std::time::Duration;

use motcua_kiosk::ui::{FeedbackAdapter, FeedbackStep, KioskState, Page};
use slint::ComponentHandle;

use crate::queue::always_open;
use crate::support::net::{self, central_with};
use crate::support::ui::{UiKiosk, advance, kiosk, settle, tap, wait_until};
use crate::support::{self, MINIMAL};

fn config(url: &str, data_dir: &std::path::Path) -> motcua_kiosk::config::Config {
    let text = support::with_server(&always_open(MINIMAL, data_dir), url, net::KIOSK_TOKEN);
    support::parse(&text).unwrap_or_else(|e| panic!("{e}"))
}

fn adapter(k: &UiKiosk) -> FeedbackAdapter<'_> {
    k.window().global::<FeedbackAdapter>()
}

/// Ratings in the kiosk's database: (rating, reason, sync).
fn kept(data_dir: &std::path::Path) -> Vec<(u8, Option<String>, String)> {
    let Ok(db) = rusqlite::Connection::open(data_dir.join("tickets.sqlite3")) else {
        return Vec::new();
    };
    let Ok(mut stmt) = db.prepare("SELECT rating, reason, sync FROM ratings ORDER BY rowid") else {
        return Vec::new();
    };
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .map(|rows| rows.flatten().collect())
        .unwrap_or_default()
}

#[test]
fn a_rating_given_offline_reaches_the_central_system_later() {
    let server_dir = tempfile::tempdir().unwrap();
    let db = server_dir.path().join("central.sqlite3");
    // Where the server will be: it is down while the citizen rates.
    let first = central_with(|c| c.database = motcua_central::Database::Sqlite(db.clone()));
    let (addr, url) = (first.server.addr(), first.url());
    first.server.shutdown();

    let dir = tempfile::tempdir().unwrap();
    {
        let k = kiosk(&config(url.as_str(), dir.path()), 1920, 1080);
        tap(&k, "Đánh giá");
        tap(&k, "Không hài lòng");
        assert_eq!(adapter(&k).get_step(), FeedbackStep::Reason);
        tap(&k, "Phải chờ lâu");
        assert_eq!(adapter(&k).get_step(), FeedbackStep::Thanks);
        assert!(
            wait_until(&k, Duration::from_secs(10), || kept(dir.path()).len() == 1),
            "the rating is kept on the kiosk"
        );
        assert_eq!(
            kept(dir.path()),
            [(4, Some("wait-time".to_string()), "waiting".to_string())]
        );
        // Thanks, then home by itself; nothing of the choice stays.
        advance(Duration::from_secs(9));
        settle();
        assert_eq!(k.window().global::<KioskState>().get_page(), Page::Home);
        assert_eq!(adapter(&k).get_choice(), -1);
        assert_eq!(adapter(&k).get_step(), FeedbackStep::Faces);
        // Let this kiosk's attempt to send (with its retry) end while the server is still down.
        std::thread::sleep(Duration::from_secs(2));
        assert_eq!(kept(dir.path())[0].2, "waiting");
    }

    // The server is back; the kiosk restarts and sends what waited.
    let _back = central_with(|c| {
        c.database = motcua_central::Database::Sqlite(db.clone());
        c.listen = addr;
    });
    let k = kiosk(&config(url.as_str(), dir.path()), 1920, 1080);
    assert_eq!(
        kept(dir.path())[0].2,
        "waiting",
        "nothing was sent before the restart"
    );
    assert!(
        wait_until(&k, Duration::from_secs(15), || {
            kept(dir.path()).first().is_some_and(|r| r.2 == "sent")
        }),
        "{:?}",
        kept(dir.path())
    );
    let central = rusqlite::Connection::open(&db).unwrap();
    let (rating, reason, kiosk_id): (u8, Option<String>, String) = central
        .query_row("SELECT rating, reason, kiosk_id FROM feedback", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!((rating, reason.as_deref()), (4, Some("wait-time")));
    assert_eq!(kiosk_id, net::KIOSK_ID);
}

#[test]
fn a_happy_rating_is_one_tap_and_sent_at_once() {
    let server_dir = tempfile::tempdir().unwrap();
    let db = server_dir.path().join("central.sqlite3");
    let c = central_with(|cfg| cfg.database = motcua_central::Database::Sqlite(db.clone()));
    let dir = tempfile::tempdir().unwrap();
    let k = kiosk(&config(c.url().as_str(), dir.path()), 1080, 1920);
    assert!(wait_until(&k, Duration::from_secs(10), || {
        k.window()
            .global::<motcua_kiosk::ui::QueueAdapter>()
            .get_live()
    }));
    tap(&k, "Đánh giá");
    // The service is optional; a second tap takes the choice back, a third gives it again.
    tap(&k, "Chứng thực");
    tap(&k, "Chứng thực");
    assert_eq!(adapter(&k).get_service(), "");
    tap(&k, "Hộ tịch");
    assert_eq!(adapter(&k).get_service(), "ho-tich");
    tap(&k, "Rất hài lòng");
    assert_eq!(
        adapter(&k).get_step(),
        FeedbackStep::Thanks,
        "no reason asked"
    );
    assert!(wait_until(&k, Duration::from_secs(10), || {
        kept(dir.path()).first().is_some_and(|r| r.2 == "sent")
    }));
    let central = rusqlite::Connection::open(&db).unwrap();
    let count: i64 = central
        .query_row(
            "SELECT COUNT(*) FROM feedback WHERE rating = 1 AND service_id = 'ho-tich'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        count, 1,
        "the rating reached the central system with its service"
    );
    // A second tap on the thanks screen cannot send the same rating twice.
    tap(&k, "Về trang chủ");
    assert_eq!(k.window().global::<KioskState>().get_page(), Page::Home);
    // The next citizen starts without a service chosen.
    assert_eq!(adapter(&k).get_service(), "");
}
