//! The kiosk's client against the reference central server over real HTTP on 127.0.0.1.

use std::time::Duration;

use motcua_kiosk::server::model::*;
use motcua_kiosk::server::{CentralClient, ErrorKind, ServerError};

use crate::support::net::{self, ADMIN_TOKEN, KIOSK_TOKEN};

fn ticket(service: &str) -> TicketRequest {
    TicketRequest {
        request_id: motcua_kiosk::server::new_request_id(),
        service_id: service.into(),
        priority: Priority::None,
        phone: None,
        offline: None,
        procedure_code: None,
    }
}

fn snapshot(fetch: CatalogFetch) -> (Option<String>, CatalogSnapshot) {
    match fetch {
        CatalogFetch::Snapshot { etag, snapshot } => (etag, snapshot),
        CatalogFetch::NotModified => panic!("expected a snapshot, got 304"),
    }
}

#[test]
fn catalog_full_then_304_then_empty_delta() {
    let central = net::central();
    let client = central.client();
    let (etag, full) = snapshot(client.catalog(None, None).expect("catalog"));
    assert!(full.full);
    assert_eq!(full.procedures.len(), 326);
    assert!(
        full.procedures
            .iter()
            .any(|p| p.code == "2.000528" && p.name.contains("khai sinh"))
    );
    let etag = etag.expect("ETag");
    assert_eq!(
        client.catalog(Some(&etag), None).expect("304"),
        CatalogFetch::NotModified
    );
    let (_, delta) = snapshot(client.catalog(None, Some(full.version)).expect("delta"));
    assert!(!delta.full);
    assert!(delta.procedures.is_empty() && delta.removed.is_empty());
}

#[test]
fn delta_after_an_import_lists_changed_and_removed_procedures() {
    let central = net::central();
    let client = central.client();
    let (etag, before) = snapshot(client.catalog(None, None).expect("catalog"));
    let mut procedures: Vec<serde_json::Value> = before
        .procedures
        .iter()
        .map(|p| serde_json::to_value(p).expect("json"))
        .collect();
    let removed = procedures.remove(0)["code"]
        .as_str()
        .expect("code")
        .to_string();
    procedures[0]["name"] = serde_json::Value::String("Thủ tục đã sửa tên".into());
    let changed = procedures[0]["code"].as_str().expect("code").to_string();
    let status = reqwest::blocking::Client::new()
        .post(central.url().join("api/v1/admin/catalog").expect("url"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&procedures)
        .send()
        .expect("import")
        .status();
    assert!(status.is_success(), "{status}");

    assert!(
        matches!(
            client.catalog(etag.as_deref(), None).expect("changed"),
            CatalogFetch::Snapshot { .. }
        ),
        "the old ETag is stale after an import"
    );
    let (_, delta) = snapshot(client.catalog(None, Some(before.version)).expect("delta"));
    assert!(!delta.full);
    assert!(delta.version > before.version);
    assert_eq!(delta.removed, vec![removed]);
    assert_eq!(
        delta.procedures.len(),
        1,
        "{:?}",
        delta.procedures.iter().map(|p| &p.code).collect::<Vec<_>>()
    );
    assert_eq!(delta.procedures[0].code, changed);
    assert_eq!(delta.procedures[0].name, "Thủ tục đã sửa tên");
}

#[test]
fn ticket_retry_with_the_same_request_id_gives_the_same_number_and_no_gap() {
    let central = net::central();
    let client = central.client();
    let first = ticket("ho-tich");
    let a = client.issue_ticket(&first).expect("ticket");
    assert_eq!(a.number, "HT-001");
    let again = client.issue_ticket(&first).expect("retry");
    assert_eq!(again.number, "HT-001");
    let b = client.issue_ticket(&ticket("ho-tich")).expect("next");
    assert_eq!(b.number, "HT-002", "a retry does not consume a number");
    assert_eq!(b.people_ahead, 1);
    let other = client
        .issue_ticket(&ticket("chung-thuc"))
        .expect("other service");
    assert_eq!(other.number, "CT-001", "numbering is per service");
}

#[test]
fn offline_ticket_is_recorded_with_its_printed_number() {
    let central = net::central();
    let client = central.client();
    let mut offline = ticket("ho-tich");
    offline.offline = Some(OfflineIssue {
        number: "TEST01-HT-001".into(),
        issued_at: motcua_kiosk::clock::now().to_rfc3339(),
    });
    let recorded = client.issue_ticket(&offline).expect("recorded");
    assert_eq!(recorded.number, "TEST01-HT-001");
    assert!(recorded.offline);
    assert_eq!(
        client.issue_ticket(&offline).expect("replayed").number,
        "TEST01-HT-001"
    );
    let services = client.queue_services().expect("services");
    let ht = services
        .services
        .iter()
        .find(|s| s.id == "ho-tich")
        .expect("ho-tich");
    assert_eq!(ht.waiting, 1, "the offline ticket waits in the queue");
    let online = client.issue_ticket(&ticket("ho-tich")).expect("online");
    assert_eq!(online.number, "HT-001");
    assert_eq!(online.people_ahead, 1);
}

#[test]
fn wrong_token_is_unauthorized() {
    let central = net::central();
    let client =
        CentralClient::new(&net::settings(central.url(), "not-the-token")).expect("client");
    let err = client.queue_services().expect_err("401");
    assert_eq!(err, ServerError::Unauthorized { status: 401 });
    assert_eq!(err.kind(), ErrorKind::NotAuthorized);
}

#[test]
fn bad_phone_is_rejected_with_a_problem_document() {
    let central = net::central();
    let mut request = ticket("ho-tich");
    request.phone = Some("12345".into());
    match central.client().issue_ticket(&request) {
        Err(ServerError::Rejected {
            status: 400, code, ..
        }) => assert_eq!(code, "bad-request"),
        other => panic!("expected 400 bad-request, got {other:?}"),
    }
}

#[test]
fn unknown_service_and_unknown_dossier_are_not_found() {
    let central = net::central();
    let client = central.client();
    assert_eq!(
        client.issue_ticket(&ticket("khong-co")).expect_err("404"),
        ServerError::NotFound {
            code: "unknown-service".into()
        }
    );
    assert_eq!(
        client
            .dossier("000.00.20.H15-200101-9999")
            .expect_err("404"),
        ServerError::NotFound {
            code: "not-found".into()
        }
    );
}

#[test]
fn dossier_lookups_are_rate_limited() {
    let central = net::central_with(|c| c.dossier_lookups_per_minute = 3);
    let client = central.client();
    for _ in 0..3 {
        let _ = client.dossier("000.00.20.H15-200101-9999");
    }
    match client.dossier("000.00.20.H15-200101-9999") {
        Err(ServerError::RateLimited { retry_after }) => {
            let wait = retry_after.expect("Retry-After");
            assert!(
                wait > Duration::ZERO && wait <= Duration::from_secs(60),
                "{wait:?}"
            );
        }
        other => panic!("expected 429, got {other:?}"),
    }
}

#[test]
fn sample_dossier_is_served_masked() {
    let central = net::central();
    let today = motcua_kiosk::clock::now().date_naive();
    let sample = motcua_central::seed::sample_dossiers(today);
    let first = sample.first().expect("sample dossiers");
    let dossier = central.client().dossier(&first.code).expect("found");
    assert_eq!(dossier.code, first.code);
    assert!((1..=10).contains(&dossier.status.code));
    assert!(dossier.applicant.contains('*'), "{}", dossier.applicant);
    assert!(!dossier.steps.is_empty());
    assert!(
        !format!("{dossier:?}").contains(&dossier.applicant),
        "Debug must not show the applicant"
    );
}

#[test]
fn feedback_and_heartbeat_are_accepted() {
    let central = net::central();
    let client = central.client();
    let feedback = FeedbackRequest {
        request_id: motcua_kiosk::server::new_request_id(),
        rating: 1,
        service_id: Some("ho-tich".into()),
        ticket: None,
        reason: None,
        at: None,
    };
    assert!(client.feedback(&feedback).expect("rating").accepted);
    assert!(
        client
            .feedback(&feedback)
            .expect("same rating again")
            .accepted
    );
    client
        .heartbeat(&Heartbeat {
            kiosk_id: net::KIOSK_ID.into(),
            version: "0.1.0".into(),
            printer: "preview".into(),
            catalog_version: Some(1),
            outbox: 0,
            uptime_s: 5,
        })
        .expect("heartbeat");
    let _ = KIOSK_TOKEN;
}

/// A demo server that cannot start at first (its folder is blocked by a file) is tried again
/// until it can: the kiosk does not stay offline until a restart.
#[test]
fn a_link_whose_setup_fails_keeps_trying() {
    use motcua_kiosk::server::link::{
        DemoSettings, Link, LinkReport, LinkSettings, LinkState, LinkStatus, LinkTarget,
    };
    let dir = tempfile::tempdir().unwrap();
    let blocked = dir.path().join("var");
    std::fs::write(&blocked, "a file where the data folder should be").unwrap();
    let (tx, states) = std::sync::mpsc::channel();
    let _link = Link::spawn(
        LinkSettings {
            target: LinkTarget::Demo(DemoSettings {
                db_path: blocked.join("demo-central.sqlite3"),
                kiosk_id: "KIOSK-01".into(),
                connect_timeout: Duration::from_secs(2),
                request_timeout: Duration::from_secs(5),
            }),
            kiosk_id: "KIOSK-01".into(),
            status: LinkStatus::new("preview"),
            heartbeat_every: Duration::from_secs(60),
            retry_every: Duration::from_millis(200),
        },
        Default::default(),
        move |report| {
            if let LinkReport::State(state) = report {
                let _ = tx.send(state);
            }
        },
    );
    let wait = Duration::from_secs(20);
    let offline = states
        .iter()
        .find(|s| matches!(s, LinkState::Offline(_)))
        .is_some();
    assert!(offline, "the blocked start is reported");
    std::fs::remove_file(&blocked).unwrap();
    let deadline = std::time::Instant::now() + wait;
    let mut online = false;
    while let Ok(state) =
        states.recv_timeout(deadline.saturating_duration_since(std::time::Instant::now()))
    {
        if matches!(state, LinkState::Online { .. }) {
            online = true;
            break;
        }
    }
    assert!(online, "online once the folder can be made");
}
