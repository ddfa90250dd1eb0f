//! Sync against the reference server: full, 304, delta, and answers the kiosk refuses.

use std::io::Write;

use motcua_kiosk::catalog::{self, Catalog, CatalogMeta, SyncError, SyncOutcome};
use motcua_kiosk::server::model::Procedure;
use motcua_kiosk::server::{CentralClient, ServerError};

use super::{codes, first, seeded};
use crate::support::net::{self, ADMIN_TOKEN, KIOSK_TOKEN};

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

    // From the seed: the whole catalog, which is the same real records.
    let report = updated(catalog::sync(&mut catalog, &client).expect("first sync"));
    assert_eq!(
        (report.procedures, report.changed, report.removed),
        (super::SEED_PROCEDURES, 0, 0)
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
        (super::SEED_PROCEDURES - 1, 1, 1)
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

#[test]
fn the_catalog_has_its_own_larger_limit_checked_while_it_streams() {
    let central = net::central();
    let mut catalog = seeded();
    // Other answers are held to a small limit; the catalog (2.8 MB of real records, streamed
    // without a length) is not.
    let mut settings = net::settings(central.url(), KIOSK_TOKEN);
    settings.max_body = 64 * 1024;
    let client = CentralClient::new(&settings).expect("client");
    let report = updated(catalog::sync(&mut catalog, &client).expect("sync past max_body"));
    assert_eq!(report.procedures, super::SEED_PROCEDURES);

    // Its own limit holds: the answer is refused as it streams in and nothing changes.
    let mut catalog = seeded();
    let meta = catalog.meta().expect("meta");
    settings.max_catalog_body = 1024 * 1024;
    let client = CentralClient::new(&settings).expect("client");
    let err = catalog::sync(&mut catalog, &client).expect_err("above the catalog limit");
    assert!(
        matches!(err, SyncError::Server(ServerError::TooLarge { limit }) if limit == 1024 * 1024),
        "{err:?}"
    );
    assert_eq!(catalog.meta().expect("meta"), meta);

    // A server that streams without end is cut off at the limit, not read to its end.
    let endless = net::hostile(|mut s| {
        let _ = write!(
            s,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        );
        let head = "{\"procedures\":[";
        let _ = write!(s, "{:x}\r\n{head}\r\n", head.len());
        let piece = format!("{{\"code\":\"1\",\"name\":\"{}\"}},", "x".repeat(4000));
        for _ in 0..100_000 {
            if write!(s, "{:x}\r\n{piece}\r\n", piece.len()).is_err() {
                return;
            }
        }
    });
    let mut settings = net::settings(endless.url(), KIOSK_TOKEN);
    settings.max_catalog_body = 1024 * 1024;
    let client = CentralClient::new(&settings).expect("client");
    let started = std::time::Instant::now();
    let err = catalog::sync(&mut catalog, &client).expect_err("endless");
    assert!(
        matches!(err, SyncError::Server(ServerError::TooLarge { .. })),
        "{err:?}"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert_eq!(catalog.meta().expect("meta"), meta);
}
