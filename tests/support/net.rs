//! Real servers on 127.0.0.1 for the tests: the reference central server, hostile little servers
//! that misbehave the ways real ones do, and a proxy that breaks one call of a good server.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::mpsc;
use std::time::Duration;

use motcua_central::{CentralConfig, Clock, RunningCentral};
use motcua_kiosk::config::Secret;
use motcua_kiosk::server::{CentralClient, ClientSettings};

pub const KIOSK_ID: &str = "TEST-01";
pub const KIOSK_TOKEN: &str = "kiosk-token-test-01";
pub const ADMIN_TOKEN: &str = "admin-token-test";
pub const COUNTER_TOKEN: &str = "counter-token-test";

pub struct Central {
    pub server: RunningCentral,
    pub _dir: tempfile::TempDir,
}

impl Central {
    pub fn url(&self) -> url::Url {
        url::Url::parse(&self.server.base_url()).expect("base url")
    }

    pub fn client(&self) -> CentralClient {
        CentralClient::new(&settings(self.url(), KIOSK_TOKEN)).expect("client")
    }
}

/// The reference server on a free loopback port with its seed data, open at any hour.
pub fn central() -> Central {
    central_with(|_| {})
}

pub fn central_with(adjust: impl FnOnce(&mut CentralConfig)) -> Central {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = CentralConfig::demo(
        dir.path().join("central.sqlite3"),
        KIOSK_ID.into(),
        KIOSK_TOKEN.into(),
    );
    config.admin_token = Some(ADMIN_TOKEN.into());
    config.counter_token = Some(COUNTER_TOKEN.into());
    config.clock = Clock::system();
    adjust(&mut config);
    let server = motcua_central::spawn(config).expect("central starts");
    Central { server, _dir: dir }
}

/// `http://127.0.0.1:<port>` where nothing listens: a server that is down.
pub fn nobody_listening() -> url::Url {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    url::Url::parse(&format!("http://127.0.0.1:{port}")).expect("url")
}

pub fn settings(base_url: url::Url, token: &str) -> ClientSettings {
    ClientSettings {
        base_url,
        token: Secret::new(token),
        connect_timeout: Duration::from_millis(500),
        request_timeout: Duration::from_millis(1500),
        ca_file: None,
        max_body: motcua_kiosk::server::DEFAULT_MAX_BODY,
        retries: 1,
    }
}

/// A one-purpose HTTP server: `answer` gets each accepted connection (after the request head
/// has been read) and writes whatever it likes.
pub struct Hostile {
    pub addr: SocketAddr,
    pub accepted: mpsc::Receiver<()>,
}

impl Hostile {
    pub fn url(&self) -> url::Url {
        url::Url::parse(&format!("http://{}", self.addr)).expect("url")
    }
}

pub fn hostile(answer: impl Fn(TcpStream) + Send + Sync + 'static) -> Hostile {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (tx, accepted) = mpsc::channel();
    let answer = std::sync::Arc::new(answer);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let _ = tx.send(());
            let answer = answer.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                read_head(&mut reader);
                answer(stream);
            });
        }
    });
    Hostile { addr, accepted }
}

/// Reads a request head; returns (head lines, body).
pub fn read_head(reader: &mut BufReader<TcpStream>) -> (Vec<String>, Vec<u8>) {
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            break;
        }
        let line = line.trim_end().to_string();
        if line.is_empty() {
            break;
        }
        lines.push(line);
    }
    let length = lines
        .iter()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .and_then(|v| v.trim().parse::<usize>().ok())
        })
        .unwrap_or(0);
    let mut body = vec![0; length];
    let _ = reader.read_exact(&mut body);
    (lines, body)
}

/// A proxy in front of `target` that forwards every request, except that `break_request` may
/// rewrite the head lines first (to break one call).
pub fn breaking_proxy(target: SocketAddr, break_request: fn(&mut Vec<String>)) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut client = stream;
                let mut reader = BufReader::new(client.try_clone().expect("clone"));
                let (mut head, body) = read_head(&mut reader);
                if head.is_empty() {
                    return;
                }
                break_request(&mut head);
                head.retain(|l| !l.to_ascii_lowercase().starts_with("connection:"));
                head.push("Connection: close".into());
                let Ok(mut upstream) = TcpStream::connect(target) else {
                    return;
                };
                let mut request = head.join("\r\n").into_bytes();
                request.extend_from_slice(b"\r\n\r\n");
                request.extend_from_slice(&body);
                let _ = upstream.write_all(&request);
                let mut response = Vec::new();
                let _ = upstream.read_to_end(&mut response);
                let _ = client.write_all(&response);
            });
        }
    });
    addr
}
