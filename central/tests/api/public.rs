//! The citizens' public pages over HTTP: security and caching headers, hostile catalog text and
//! queries kept as text, the follow page from the ticket answer and its live updates, dossier
//! lookups limited per client address (behind a trusted proxy too), the English switch, and
//! the kiosk's ranking table run against the web search.

use serde_json::{Value, json};

use crate::support::{self, ADMIN, EventStream, Harness, Response};

fn get(h: &Harness, path: &str, headers: &[(&str, &str)]) -> Response {
    support::request(h.server.addr(), "GET", path, headers, None)
}

fn text(r: &Response) -> String {
    String::from_utf8_lossy(&r.body).into_owned()
}

/// The `/t/…` of a new ticket.
fn follow_path(h: &Harness, request_id: &str) -> String {
    let r = h.ticket(request_id, "ho-tich", "none");
    assert_eq!(r.status, 201);
    let path = r.json()["follow_path"]
        .as_str()
        .expect("follow_path")
        .to_string();
    let id = path.strip_prefix("/t/").expect("/t/…");
    assert!(
        id.len() == 32
            && id
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()),
        "{path}"
    );
    path
}

#[test]
fn every_public_page_carries_the_security_and_caching_headers() {
    let h = Harness::start();
    let follow = follow_path(&h, "pub-head-1");
    let home = get(&h, "/", &[]);
    assert_eq!(home.status, 200);
    let linked: Vec<String> = text(&home)
        .split('"')
        .filter(|s| s.starts_with("/static/"))
        .map(str::to_string)
        .collect();
    assert!(
        linked
            .iter()
            .any(|s| s.starts_with("/static/public.css?v="))
    );
    assert!(linked.iter().any(|s| s.starts_with("/static/public.js?v=")));
    for path in [
        "/",
        follow.as_str(),
        "/procedures",
        "/procedures?q=khai+sinh",
        "/procedures/2.000528",
        "/dossiers",
        "/t/0123456789abcdef0123456789abcdef",
    ] {
        let r = get(&h, path, &[]);
        let page = text(&r);
        let csp = r.header("content-security-policy").unwrap_or_default();
        assert!(
            csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"),
            "{path}: {csp}"
        );
        assert_eq!(
            r.header("x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(r.header("referrer-policy"), Some("no-referrer"), "{path}");
        // Live numbers are asked again every time; a dossier page is never kept.
        let cache = if path.starts_with("/dossiers") {
            "no-store"
        } else {
            "no-cache"
        };
        assert_eq!(r.header("cache-control"), Some(cache), "{path}");
        // Nothing from elsewhere: every address in the page is this server's.
        for attr in ["src=\"", "href=\""] {
            for value in page.split(attr).skip(1) {
                assert!(
                    value.starts_with('/') || value.starts_with('#') || value.starts_with('?'),
                    "{path}: {attr}{}",
                    &value[..value.len().min(40)]
                );
            }
        }
        assert!(
            !page.contains("<style") && !page.contains(" style="),
            "{path}"
        );
        for script in page.split("<script").skip(1) {
            assert!(
                script.trim_start().starts_with("src=")
                    || script.contains("type=\"application/json\""),
                "{path}: inline script"
            );
        }
    }
    // A dossier is a citizen's: never kept by a cache.
    let d = get(&h, "/dossiers?code=000.00.20.H15-000000-0000", &[]);
    assert_eq!(d.header("cache-control"), Some("no-store"));
    for file in linked {
        let r = get(&h, &file, &[]);
        assert_eq!(r.status, 200, "{file}");
        assert_eq!(
            r.header("cache-control"),
            Some("public, max-age=31536000, immutable"),
            "{file}"
        );
    }
}

#[test]
fn hostile_catalog_text_and_queries_stay_text() {
    let h = Harness::start();
    let evil = "<script>alert('x')</script><img src=x onerror=alert(1)>\"'&";
    let catalog = json!([{
        "code": "9.999999",
        "name": format!("Khai sinh {evil}"),
        "field": format!("Hộ tịch {evil}"),
        "fee": evil,
        "processing_time": evil,
        "documents": [{ "name": evil, "copies": evil }],
        "submission_methods": [evil],
        "legal_basis": [{ "code": evil, "title": evil }],
    }]);
    let r = h.post_as("/admin/catalog", Some(ADMIN), &catalog);
    assert!(r.status == 200 || r.status == 201, "{}", text(&r));
    for path in [
        "/procedures?q=khai+sinh".to_string(),
        "/procedures/9.999999".to_string(),
        format!(
            "/procedures?q={}",
            url::form_urlencoded::byte_serialize(evil.as_bytes()).collect::<String>()
        ),
        format!(
            "/dossiers?code={}",
            url::form_urlencoded::byte_serialize(evil.as_bytes()).collect::<String>()
        ),
        "/procedures/%3Cscript%3E".to_string(),
    ] {
        let r = get(&h, &path, &[]);
        let page = text(&r);
        assert!(
            !page.contains("<script>alert") && !page.contains("<img src=x"),
            "{path}: {page}"
        );
        assert!(r.status < 500, "{path}: {}", r.status);
    }
    let found = text(&get(&h, "/procedures?q=khai+sinh", &[]));
    assert!(
        found.contains("&lt;script&gt;alert(&#39;x&#39;)"),
        "{found}"
    );
    let detail = text(&get(&h, "/procedures/9.999999", &[]));
    assert!(
        detail.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "{detail}"
    );
    // The script's results come as JSON, which the page puts in as text.
    let j = get(&h, "/procedures.json?q=khai", &[]);
    assert_eq!(j.json()["results"][0]["name"], format!("Khai sinh {evil}"));
}

#[test]
fn the_follow_page_shows_the_ticket_and_its_call_live() {
    let h = Harness::start();
    let first = follow_path(&h, "pub-follow-1");
    let mine = follow_path(&h, "pub-follow-2");
    let page = text(&get(&h, &mine, &[]));
    assert!(
        page.contains("HT-002") && page.contains("Còn 1 người trước quý vị"),
        "{page}"
    );
    assert_ne!(first, mine);
    let mut live = EventStream::open(h.server.addr(), &format!("{mine}/events"), "", None);
    assert_eq!(live.status, 200);
    let now = live.next_of("update").expect("the picture first").json();
    assert_eq!(now["status"], "waiting");
    h.call_next("ho-tich");
    let next = live.next_of("update").expect("after the first call").json();
    assert_eq!(next["state"], "Quý vị là người tiếp theo");
    h.call_next("ho-tich");
    let called = live.next_of("update").expect("my call").json();
    assert_eq!(called["status"], "called");
    assert_eq!(called["state"], "Đã đến lượt — mời đến quầy 3");
    // Nothing else of the office goes out: no ticket ids, no other numbers.
    assert!(!called.to_string().contains("ticket_id"));
    // English, and unknown or malformed ids.
    let en = text(&get(&h, &format!("{mine}?lang=en"), &[]));
    assert!(en.contains("Your turn — please go to counter 3"), "{en}");
    assert_eq!(
        get(&h, "/t/0123456789abcdef0123456789abcdef", &[]).status,
        404
    );
    assert_eq!(get(&h, "/t/..%2F..%2Fetc", &[]).status, 404);
    assert_eq!(
        get(&h, "/t/0123456789abcdef0123456789abcdef/events", &[]).status,
        404
    );
}

#[test]
fn an_offline_ticket_gets_its_page_once_recorded() {
    let h = Harness::start();
    let r = h.post(
        "/queue/tickets",
        &json!({
            "request_id": "pub-offline-1", "service_id": "ho-tich",
            "offline": { "number": "K1-HT-001", "issued_at": "2026-11-25T08:55:00+07:00" },
        }),
    );
    assert_eq!(r.status, 201);
    let path = r.json()["follow_path"]
        .as_str()
        .expect("follow_path")
        .to_string();
    assert!(text(&get(&h, &path, &[])).contains("K1-HT-001"));
}

#[test]
fn dossier_lookups_are_limited_per_client_address_and_show_no_personal_data() {
    let h = Harness::start_with(|c| {
        c.dossier_lookups_per_minute = 3;
        c.trust_proxy = true;
    });
    let code = &motcua_central::seed::sample_dossiers(h.server.seeded_on())[0];
    let page = text(&get(&h, &format!("/dossiers?code={}", code.code), &[]));
    assert!(page.contains(&motcua_central::dossier::mask_name(&code.applicant_name)));
    assert!(
        !page.contains(&code.applicant_name),
        "the full name never shows"
    );
    for _ in 0..2 {
        let r = get(&h, "/dossiers?code=NO-SUCH-DOSSIER", &[]);
        assert_eq!(r.status, 404);
    }
    let limited = get(&h, "/dossiers?code=NO-SUCH-DOSSIER", &[]);
    assert_eq!(limited.status, 429);
    assert!(limited.header("retry-after").is_some());
    // Another citizen behind the same proxy has a budget of their own.
    let r = get(
        &h,
        "/dossiers?code=NO-SUCH-DOSSIER",
        &[("X-Forwarded-For", "203.0.113.7")],
    );
    assert_eq!(r.status, 404);
}

#[test]
fn without_trust_proxy_forwarded_addresses_change_nothing() {
    let h = Harness::start_with(|c| c.dossier_lookups_per_minute = 1);
    assert_eq!(get(&h, "/dossiers?code=NO-SUCH-DOSSIER", &[]).status, 404);
    let r = get(
        &h,
        "/dossiers?code=NO-SUCH-DOSSIER",
        &[("X-Forwarded-For", "198.51.100.1")],
    );
    assert_eq!(r.status, 429);
}

#[test]
fn english_is_one_click_away_and_remembered() {
    let h = Harness::start();
    let r = get(&h, "/procedures?q=khai&lang=en", &[]);
    let page = text(&r);
    assert!(page.contains("<html lang=\"en\">") && page.contains("Look up a procedure"));
    assert!(
        page.contains("href=\"/procedures?q=khai&amp;lang=vi\""),
        "{page}"
    );
    let cookie = r.header("set-cookie").expect("remembered").to_string();
    assert!(cookie.starts_with("motcua-lang=en"), "{cookie}");
    let home = text(&get(&h, "/", &[("Cookie", "motcua-lang=en")]));
    assert!(home.contains("Now serving"), "{home}");
}

#[test]
fn the_kiosk_ranking_table_holds_for_the_web_search() {
    let h = Harness::start();
    let table = include_str!("../../../catalog-core/tests/ranking-first.tsv");
    let mut wrong = Vec::new();
    for line in table
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let (q, expected) = line.split_once('\t').expect("query TAB code");
        let path = format!(
            "/procedures.json?q={}",
            url::form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>()
        );
        let found: Value = get(&h, &path, &[]).json();
        if found["results"][0]["code"] != expected {
            wrong.push(format!(
                "{q:?}: expected {expected}, got {}",
                found["results"]
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
