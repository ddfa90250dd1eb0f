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

    /// Counter `counter` calls the next number of `service`: the server's answer.
    pub fn call_next(&self, service: &str, counter: &str) -> serde_json::Value {
        let path = format!("api/v1/queue/services/{service}/call-next");
        reqwest::blocking::Client::new()
            .post(self.url().join(&path).expect("url"))
            .bearer_auth(COUNTER_TOKEN)
            .json(&serde_json::json!({ "counter": counter }))
            .send()
            .expect("the server answers")
            .json()
            .expect("a JSON answer")
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
        max_catalog_body: motcua_kiosk::server::DEFAULT_MAX_CATALOG_BODY,
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
                // Passed on as it comes: an event stream never ends.
                let _ = std::io::copy(&mut upstream, &mut client);
            });
        }
    });
    addr
}

/// How a [`Proxy`] treats the server's answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProxyMode {
    /// Passes everything through.
    Pass,
    /// Lets the request reach the server, then cuts both connections as the answer starts to
    /// come back: the server acted, the kiosk never hears of it (a server killed mid-request).
    CutAnswers,
    /// Cuts the next answer as `CutAnswers` does, then passes everything (one answer lost on
    /// the way).
    CutNextAnswer,
    /// Holds each answer this long before passing it on (a slow server).
    Delay(Duration),
}

/// A TCP proxy in front of a real server, told at any moment how to misbehave.
pub struct Proxy {
    pub addr: SocketAddr,
    mode: std::sync::Arc<std::sync::Mutex<ProxyMode>>,
}

impl Proxy {
    pub fn url(&self) -> url::Url {
        url::Url::parse(&format!("http://{}", self.addr)).expect("url")
    }

    pub fn set_mode(&self, mode: ProxyMode) {
        *self.mode.lock().unwrap_or_else(|p| p.into_inner()) = mode;
    }
}

pub fn proxy(upstream: SocketAddr) -> Proxy {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let mode = std::sync::Arc::new(std::sync::Mutex::new(ProxyMode::Pass));
    let shared = mode.clone();
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let Ok(server) = TcpStream::connect(upstream) else {
                continue;
            };
            let mode = shared.clone();
            std::thread::spawn(move || relay(client, server, &mode));
        }
    });
    Proxy { addr, mode }
}

fn relay(client: TcpStream, server: TcpStream, mode: &std::sync::Mutex<ProxyMode>) {
    let (Ok(mut from_client), Ok(mut to_server)) = (client.try_clone(), server.try_clone()) else {
        return;
    };
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut from_client, &mut to_server);
        let _ = to_server.shutdown(std::net::Shutdown::Write);
    });
    let (mut from_server, mut to_client) = (server, client);
    let mut buf = [0u8; 16 * 1024];
    loop {
        let n = match from_server.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let now = {
            let mut held = mode.lock().unwrap_or_else(|p| p.into_inner());
            let now = *held;
            if now == ProxyMode::CutNextAnswer {
                *held = ProxyMode::Pass;
            }
            now
        };
        match now {
            ProxyMode::Pass => {}
            ProxyMode::CutAnswers | ProxyMode::CutNextAnswer => break,
            ProxyMode::Delay(d) => std::thread::sleep(d),
        }
        if to_client.write_all(&buf[..n]).is_err() {
            break;
        }
    }
    let _ = to_client.shutdown(std::net::Shutdown::Both);
    let _ = from_server.shutdown(std::net::Shutdown::Both);
}
