//! A minimal blocking HTTP/1.1 client over `std::net::TcpStream` (one request per
//! connection) and a helper that starts a server on a temporary database.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use motcua_central::{
    CentralConfig, Clock, Database, KioskToken, ManualTime, RunningCentral, spawn,
};
use serde_json::Value;

use crate::pg::TestDatabase;

/// Which database a test binary runs the suite against (`tests/api` SQLite,
/// `tests/api_postgres.rs` PostgreSQL: the same tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub fn backend() -> Backend {
    crate::BACKEND
}

pub const KIOSK: &str = "KIOSK-01";
pub const TOKEN: &str = "kiosk-token-1";
pub const KIOSK2: &str = "KIOSK-02";
pub const TOKEN2: &str = "kiosk-token-2";
pub const COUNTER: &str = "counter-token";
pub const ADMIN: &str = "admin-token";

pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }

    /// Asserts a problem+json answer with this status and code; returns its detail.
    pub fn problem(&self, status: u16, code: &str) -> String {
        assert_eq!(
            self.status,
            status,
            "{}",
            String::from_utf8_lossy(&self.body)
        );
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json")
        );
        let v = self.json();
        assert_eq!(v["code"], code, "{v}");
        assert_eq!(v["status"], status);
        assert_eq!(v["type"], format!("https://motcua.example/problems/{code}"));
        v["detail"].as_str().unwrap_or_default().to_string()
    }
}

/// A request; a body goes as `application/json` unless `headers` name a Content-Type.
pub fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
) -> Response {
    let mut headers = headers.to_vec();
    if body.is_some()
        && !headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
    {
        headers.push(("Content-Type", "application/json"));
    }
    request_exactly(addr, method, path, &headers, body)
}

/// A request with exactly these headers (and Content-Length for a body).
pub fn request_exactly(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
) -> Response {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    if let Some(b) = body {
        head.push_str(&format!("Content-Length: {}\r\n", b.len()));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).expect("write head");
    if let Some(b) = body {
        // The server may answer (413) and close before reading everything.
        let _ = stream.write_all(b);
    }
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    parse(&raw)
}

fn parse(raw: &[u8]) -> Response {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete response head");
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if let Some(len) = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok())
    {
        body.truncate(len);
    }
    Response {
        status,
        headers,
        body,
    }
}

/// A running server on a temporary database (of this thread's [`Backend`]) with a hand-moved
/// clock. Fields drop in order: the server stops before its database goes.
pub struct Harness {
    pub server: RunningCentral,
    pub time: ManualTime,
    pub database: Database,
    pub dir: tempfile::TempDir,
    pub postgres: Option<TestDatabase>,
}

/// Wednesday 25 November 2026, 09:00 in the office: inside opening hours.
pub fn wednesday_9am() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2026-11-25T09:00:00+07:00").expect("time")
}

pub fn config(database: &Database, clock: Clock) -> CentralConfig {
    let mut c = CentralConfig::demo(std::path::PathBuf::new(), KIOSK.into(), TOKEN.into());
    c.database = database.clone();
    c.kiosk_tokens.push(KioskToken::new(KIOSK2, TOKEN2));
    c.counter_token = Some(COUNTER.into());
    c.admin_token = Some(ADMIN.into());
    c.clock = clock;
    c
}

impl Harness {
    pub fn start() -> Self {
        Self::start_with(|_| {})
    }

    pub fn start_with(adjust: impl FnOnce(&mut CentralConfig)) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let (clock, time) = Clock::manual(wednesday_9am());
        let (database, postgres) = match backend() {
            Backend::Sqlite => (Database::Sqlite(dir.path().join("central.db")), None),
            Backend::Postgres => {
                let db = TestDatabase::new();
                (Database::Postgres(db.url.clone()), Some(db))
            }
        };
        let mut c = config(&database, clock);
        adjust(&mut c);
        let server = spawn(c).expect("spawn");
        Self {
            server,
            time,
            database,
            dir,
            postgres,
        }
    }

    fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        extra: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Response {
        let auth = token.map(|t| format!("Bearer {t}"));
        let mut headers: Vec<(&str, &str)> = extra.to_vec();
        if let Some(a) = &auth {
            headers.push(("Authorization", a));
        }
        request(
            self.server.addr(),
            method,
            &format!("/api/v1{path}"),
            &headers,
            body,
        )
    }

    /// One integer from the server's own database (a count), read the way the server reads
    /// it: for what no call shows, such as whether a phone number is still kept.
    pub fn scalar(&self, query: &str) -> i64 {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let query = query.to_string();
        runtime.block_on(async {
            let store = motcua_central::store::Store::open(&self.database, 1)
                .await
                .expect("the database opens");
            store
                .read(move |sql| Ok(sql.query_one(&query, &[])?.int(0)?))
                .await
                .expect("the query runs")
        })
    }

    pub fn get(&self, path: &str) -> Response {
        self.call("GET", path, Some(TOKEN), &[], None)
    }

    pub fn get_with(&self, path: &str, token: Option<&str>, extra: &[(&str, &str)]) -> Response {
        self.call("GET", path, token, extra, None)
    }

    pub fn post(&self, path: &str, body: &Value) -> Response {
        self.post_as(path, Some(TOKEN), body)
    }

    pub fn post_as(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        self.call("POST", path, token, &[], Some(body.to_string().as_bytes()))
    }

    pub fn put_as(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        self.call("PUT", path, token, &[], Some(body.to_string().as_bytes()))
    }

    pub fn delete_as(&self, path: &str, token: Option<&str>) -> Response {
        self.call("DELETE", path, token, &[], None)
    }

    pub fn post_raw(&self, path: &str, token: Option<&str>, body: &[u8]) -> Response {
        self.call("POST", path, token, &[], Some(body))
    }

    /// A POST whose Content-Type is `content_type`, or absent.
    pub fn post_typed(&self, path: &str, content_type: Option<&str>, body: &[u8]) -> Response {
        let auth = format!("Bearer {TOKEN}");
        let mut headers = vec![("Authorization", auth.as_str())];
        if let Some(t) = content_type {
            headers.push(("Content-Type", t));
        }
        request_exactly(
            self.server.addr(),
            "POST",
            &format!("/api/v1{path}"),
            &headers,
            Some(body),
        )
    }

    /// A ticket request from the kiosk holding `token`.
    pub fn ticket_as(&self, token: &str, body: &Value) -> Response {
        self.post_as("/queue/tickets", Some(token), body)
    }

    pub fn ticket(&self, request_id: &str, service: &str, priority: &str) -> Response {
        self.post(
            "/queue/tickets",
            &serde_json::json!({ "request_id": request_id, "service_id": service, "priority": priority }),
        )
    }

    pub fn call_next(&self, service: &str) -> Response {
        self.post_as(
            &format!("/queue/services/{service}/call-next"),
            Some(COUNTER),
            &serde_json::json!({ "counter": "3" }),
        )
    }

    pub fn service(&self, id: &str) -> Value {
        let r = self.get("/queue/services");
        assert_eq!(r.status, 200);
        r.json()["services"]
            .as_array()
            .and_then(|s| s.iter().find(|s| s["id"] == id).cloned())
            .expect("service listed")
    }
}

/// A Server-Sent Events connection: `GET path` with a token, read event by event.
pub struct EventStream {
    reader: std::io::BufReader<TcpStream>,
    /// Decoded body bytes not yet split into events.
    pending: Vec<u8>,
    pub status: u16,
    pub headers: Vec<(String, String)>,
}

/// One SSE event (or comment, with `event` empty and `comment` set).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sse {
    pub id: Option<String>,
    pub event: String,
    pub data: String,
    pub comment: Option<String>,
}

impl Sse {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.data).unwrap_or_else(|e| panic!("{e}: {}", self.data))
    }
}

impl EventStream {
    pub fn open(addr: SocketAddr, path: &str, token: &str, last_event_id: Option<&str>) -> Self {
        use std::io::BufRead;
        let stream = TcpStream::connect(addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .expect("timeout");
        let mut head = format!(
            "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\nAuthorization: Bearer {token}\r\n"
        );
        if let Some(id) = last_event_id {
            head.push_str(&format!("Last-Event-ID: {id}\r\n"));
        }
        head.push_str("\r\n");
        let mut writer = stream.try_clone().expect("clone");
        writer.write_all(head.as_bytes()).expect("write");
        let mut reader = std::io::BufReader::new(stream);
        let mut status_line = String::new();
        reader.read_line(&mut status_line).expect("status line");
        let status = status_line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .expect("status");
        let mut headers = Vec::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).expect("header");
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((k, v)) = line.split_once(':') {
                headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
            }
        }
        Self {
            reader,
            pending: Vec::new(),
            status,
            headers,
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Reads one chunk of the chunked body into `pending`; false at the end of the stream.
    fn fill(&mut self) -> bool {
        use std::io::BufRead;
        let mut size = String::new();
        if self.reader.read_line(&mut size).unwrap_or(0) == 0 {
            return false;
        }
        let Ok(n) = usize::from_str_radix(size.trim(), 16) else {
            return false;
        };
        if n == 0 {
            return false;
        }
        let mut chunk = vec![0; n + 2];
        if self.reader.read_exact(&mut chunk).is_err() {
            return false;
        }
        chunk.truncate(n);
        self.pending.extend(chunk);
        true
    }

    /// The next event or comment; `None` when the stream ends (or nothing comes for 20 s).
    pub fn next(&mut self) -> Option<Sse> {
        loop {
            if let Some(end) = self.pending.windows(2).position(|w| w == b"\n\n") {
                let block: Vec<u8> = self.pending.drain(..end + 2).collect();
                let text = String::from_utf8_lossy(&block).to_string();
                let mut e = Sse::default();
                for line in text.lines() {
                    if let Some(c) = line.strip_prefix(':') {
                        e.comment = Some(c.trim().to_string());
                    } else if let Some((k, v)) = line.split_once(':') {
                        let v = v.strip_prefix(' ').unwrap_or(v);
                        match k {
                            "id" => e.id = Some(v.to_string()),
                            "event" => e.event = v.to_string(),
                            "data" => e.data.push_str(v),
                            _ => {}
                        }
                    }
                }
                return Some(e);
            }
            if !self.fill() {
                return None;
            }
        }
    }

    /// The next event of `kind`, skipping others and heartbeats.
    pub fn next_of(&mut self, kind: &str) -> Option<Sse> {
        loop {
            let e = self.next()?;
            if e.event == kind {
                return Some(e);
            }
        }
    }
}
