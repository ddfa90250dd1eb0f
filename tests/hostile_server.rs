//! Servers that answer garbage, HTML, 500s, huge bodies or nothing at all: each gives a clear,
//! typed error within the configured timeout, and nothing panics.

use std::io::Write;
use std::time::{Duration, Instant};

use motcua_kiosk::server::{CentralClient, ErrorKind, ServerError};

use crate::support::net::{self, hostile};

fn client_for(url: url::Url) -> CentralClient {
    CentralClient::new(&net::settings(url, "token")).expect("client")
}

#[test]
fn html_instead_of_json_is_a_bad_response() {
    let server = hostile(|mut s| {
        let body = "<html><body><h1>502 Bad Gateway</h1></body></html>";
        let _ = write!(
            s,
            "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
    });
    let err = client_for(server.url()).queue_services().expect_err("html");
    assert!(
        matches!(&err, ServerError::BadResponse(why) if why.contains("<html>")),
        "{err:?}"
    );
    assert_eq!(err.kind(), ErrorKind::Busy);
}

#[test]
fn truncated_json_is_a_bad_response() {
    let server = hostile(|mut s| {
        let _ = write!(
            s,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n{{\"services\": [{{\"id\": \"ho-"
        );
    });
    let err = client_for(server.url())
        .queue_services()
        .expect_err("truncated");
    assert!(matches!(err, ServerError::BadResponse(_)), "{err:?}");
}

#[test]
fn a_50_mb_body_is_refused_without_reading_it_all() {
    // Announced size ...
    let announced = hostile(|mut s| {
        let _ = write!(
            s,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 52428800\r\n\r\n"
        );
        let _ = s.write_all(&vec![b' '; 1024 * 1024]);
    });
    let err = client_for(announced.url())
        .queue_services()
        .expect_err("too large");
    assert!(matches!(err, ServerError::TooLarge { .. }), "{err:?}");
    // ... and unannounced, streamed until the connection closes.
    let streamed = hostile(|mut s| {
        let _ = write!(
            s,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n["
        );
        let chunk = vec![b'1'; 1024 * 1024];
        for _ in 0..50 {
            if s.write_all(&chunk).is_err() {
                return;
            }
        }
    });
    let err = client_for(streamed.url())
        .queue_services()
        .expect_err("too large");
    assert!(matches!(err, ServerError::TooLarge { .. }), "{err:?}");
    assert_eq!(err.kind(), ErrorKind::Busy);
}

#[test]
fn a_server_that_never_answers_times_out_in_time() {
    let server = hostile(|s| {
        std::thread::sleep(Duration::from_secs(30));
        drop(s);
    });
    let started = Instant::now();
    let err = client_for(server.url())
        .queue_services()
        .expect_err("timeout");
    let took = started.elapsed();
    assert_eq!(err, ServerError::Timeout);
    assert_eq!(err.kind(), ErrorKind::Offline);
    // request_timeout is 1.5 s; one retry is allowed only for connection failures.
    assert!(took < Duration::from_secs(4), "took {took:?}");
}

#[test]
fn a_500_without_body_is_a_server_fault() {
    let server = hostile(|mut s| {
        let _ = write!(
            s,
            "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n"
        );
    });
    assert_eq!(
        client_for(server.url()).queue_services().expect_err("500"),
        ServerError::ServerFault { status: 500 }
    );
}

#[test]
fn nobody_listening_is_unreachable() {
    let url = crate::support::net::nobody_listening();
    let err = client_for(url).queue_services().expect_err("refused");
    assert!(matches!(err, ServerError::Unreachable(_)), "{err:?}");
    assert_eq!(err.kind(), ErrorKind::Offline);
}

#[test]
fn garbage_that_is_not_http_is_an_error() {
    let server = hostile(|mut s| {
        let _ = s.write_all(b"\x00\x01\x02 hello, this is not HTTP \xff\xfe\r\n\r\n");
    });
    let err = client_for(server.url())
        .queue_services()
        .expect_err("garbage");
    assert!(
        matches!(err.kind(), ErrorKind::Offline | ErrorKind::Busy),
        "{err:?}"
    );
}

#[test]
fn extra_ca_file_is_loaded_or_refused_clearly() {
    let url = url::Url::parse("https://127.0.0.1:9").expect("url");
    let mut settings = net::settings(url, "token");
    settings.ca_file = Some(crate::support::repo_root().join("tests/fixtures/office-ca.pem"));
    CentralClient::new(&settings).expect("a PEM CA is accepted");

    let dir = tempfile::tempdir().expect("temp dir");
    let junk = dir.path().join("not-a-cert.pem");
    std::fs::write(&junk, "this is not a certificate").expect("write");
    settings.ca_file = Some(junk);
    let err = CentralClient::new(&settings).expect_err("junk CA refused");
    assert!(
        matches!(&err, ServerError::Setup(why) if why.contains("not-a-cert.pem")),
        "{err:?}"
    );
}
