//! The queue's live path, measured:
//!
//! 1. call → display: a counter's `call-next` until the lobby display (the real page in
//!    Debian's chromium, over WebDriver) shows the number, for `CALLS_RUNS` calls (default
//!    200), p50/p99. The page notes each change of its big number with `Date.now()`.
//! 2. how many event-stream clients one server holds: N clients read `GET /queue/events`
//!    (displays and kiosks alike) while a counter calls 20 numbers; the delay from the call to
//!    each client reading its `called` event, p50/p99, for N = 100 … 2,000.
//!
//! `cargo bench --bench calls` (release; the server runs in this process on 2 worker
//! threads, the clients on one more). `CALLS_SKIP_BROWSER=1` runs part 2 only.

#[path = "../tests/support/browser.rs"]
#[allow(dead_code)]
mod browser;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const KIOSK: &str = "bench-kiosk-token";
const COUNTER: &str = "bench-counter-token";
const DISPLAY: &str = "bench-display-token";

struct Server {
    central: motcua_central::RunningCentral,
    _dir: tempfile::TempDir,
    http: reqwest::blocking::Client,
}

impl Server {
    fn start() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = motcua_central::CentralConfig::demo(
            dir.path().join("central.sqlite3"),
            "BENCH-01".into(),
            KIOSK.into(),
        );
        config.counter_token = Some(COUNTER.into());
        config.display_token = Some(DISPLAY.into());
        let central = motcua_central::spawn(config).expect("server");
        Self {
            central,
            _dir: dir,
            http: reqwest::blocking::Client::new(),
        }
    }

    fn post(&self, path: &str, token: &str, body: &Value) -> Value {
        let r = self
            .http
            .post(format!("{}/api/v1{path}", self.central.base_url()))
            .bearer_auth(token)
            .json(body)
            .send()
            .expect("the server answers");
        assert!(r.status().is_success(), "{path}: {}", r.status());
        r.json().expect("json")
    }

    /// Issues `n` tickets over the four services.
    fn issue(&self, n: usize) {
        let services = ["ho-tich", "chung-thuc", "dat-dai", "tra-ket-qua"];
        for i in 0..n {
            self.post(
                "/queue/tickets",
                KIOSK,
                &json!({ "request_id": format!("bench-{i}-{}", std::process::id()),
                         "service_id": services[i % services.len()] }),
            );
        }
    }

    fn call(&self) -> String {
        let a = self.post("/queue/call-next", COUNTER, &json!({ "counter": "3" }));
        a["number"].as_str().unwrap_or_default().to_string()
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn summary(mut ms: Vec<f64>) -> String {
    ms.sort_by(f64::total_cmp);
    format!(
        "p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({} samples)",
        percentile(&ms, 0.5),
        percentile(&ms, 0.99),
        ms.last().copied().unwrap_or(f64::NAN),
        ms.len()
    )
}

fn call_to_display(runs: usize) {
    let server = Server::start();
    server.issue(runs);
    let b = browser::browser();
    b.windows(1, 1920, 1080);
    b.goto(&format!(
        "{}/display?token={DISPLAY}",
        server.central.base_url()
    ));
    b.wait_for(
        "the display connects",
        Duration::from_secs(20),
        "return document.body.dataset.link === 'up'",
    );
    b.js(
        "window.seen = [];
         new MutationObserver(() => window.seen.push(
             [document.getElementById('current-number').textContent, Date.now()]))
           .observe(document.getElementById('current-number'),
                    { childList: true, characterData: true, subtree: true });
         return true",
        vec![],
    );
    let mut sent = Vec::with_capacity(runs);
    for _ in 0..runs {
        let at = browser::epoch_ms();
        let number = server.call();
        sent.push((number, at));
        // A busy counter calls every few minutes; this is many times faster.
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_secs(1));
    let seen = b.js("return window.seen", vec![]);
    let seen: Vec<(String, f64)> = seen
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| Some((s[0].as_str()?.to_string(), s[1].as_f64()?)))
        .collect();
    let mut delays = Vec::new();
    let mut missed = 0;
    for (number, at) in &sent {
        match seen.iter().find(|(n, t)| n == number && *t >= *at - 5.0) {
            Some((_, t)) => delays.push(t - at),
            None => missed += 1,
        }
    }
    println!(
        "call → display (chromium, {runs} calls 100 ms apart): {}; not shown: {missed}",
        summary(delays)
    );
}

/// One event-stream client: reads the stream and notes when each `called` number arrives.
async fn client(
    addr: std::net::SocketAddr,
    token: &'static str,
    seen: Arc<Mutex<Vec<(String, Instant)>>>,
    ready: Arc<std::sync::atomic::AtomicUsize>,
) {
    let Ok(mut stream) = tokio::net::TcpStream::connect(addr).await else {
        return;
    };
    let request = format!(
        "GET /api/v1/queue/events HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n"
    );
    if stream.write_all(request.as_bytes()).await.is_err() {
        return;
    }
    let mut buffer = Vec::new();
    let mut chunk = vec![0u8; 16 * 1024];
    let mut counted = false;
    loop {
        let n = match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        let now = Instant::now();
        buffer.extend_from_slice(&chunk[..n]);
        if !counted && buffer.windows(13).any(|w| w == b"event: waitin") {
            counted = true;
            ready.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
        // Whole lines only; an event's data line follows its event line.
        let Some(end) = buffer.iter().rposition(|b| *b == b'\n') else {
            continue;
        };
        let text = String::from_utf8_lossy(&buffer[..=end]).into_owned();
        buffer.drain(..=end);
        for event in text.split("event: called\n").skip(1) {
            if let Some(i) = event.find("\"number\":\"") {
                let rest = &event[i + 10..];
                if let Some(j) = rest.find('"')
                    && let Ok(mut s) = seen.lock()
                {
                    s.push((rest[..j].to_string(), now));
                }
            }
        }
    }
}

fn stream_capacity(clients: usize, calls: usize) -> (usize, Vec<f64>) {
    let server = Server::start();
    server.issue(calls);
    let addr = server.central.addr();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let seen = Arc::new(Mutex::new(Vec::new()));
    let ready = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let handles: Vec<_> = (0..clients)
        .map(|i| {
            // Half displays, half kiosks.
            let token = if i % 2 == 0 { DISPLAY } else { KIOSK };
            runtime.spawn(client(addr, token, seen.clone(), ready.clone()))
        })
        .collect();
    let driver = std::thread::spawn(move || {
        runtime.block_on(async {
            tokio::time::sleep(Duration::from_secs(3600)).await;
        })
    });
    let connected = {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let n = ready.load(std::sync::atomic::Ordering::SeqCst);
            if n >= clients || Instant::now() > deadline {
                break n;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    let mut sent = Vec::new();
    for _ in 0..calls {
        let at = Instant::now();
        let number = server.call();
        sent.push((number, at));
        std::thread::sleep(Duration::from_millis(250));
    }
    std::thread::sleep(Duration::from_secs(2));
    let seen = seen.lock().map(|s| s.clone()).unwrap_or_default();
    let mut delays = Vec::with_capacity(clients * calls);
    let mut missing = 0;
    for (number, at) in &sent {
        let got: Vec<f64> = seen
            .iter()
            .filter(|(n, _)| n == number)
            .map(|(_, t)| t.saturating_duration_since(*at).as_secs_f64() * 1000.0)
            .collect();
        missing += connected.saturating_sub(got.len());
        delays.extend(got);
    }
    if missing > 0 {
        println!("    {missing} events never arrived");
    }
    for h in handles {
        h.abort();
    }
    drop(server);
    drop(driver);
    (connected, delays)
}

fn main() {
    // reqwest is built without a TLS provider of its own (no aws-lc-rs): ring, as everywhere.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runs = std::env::var("CALLS_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    if std::env::var_os("CALLS_SKIP_BROWSER").is_none() {
        call_to_display(runs);
    }
    let steps: Vec<usize> = std::env::var("CALLS_CLIENTS")
        .ok()
        .map(|v| v.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![100, 250, 500, 1000, 2000]);
    for n in steps {
        let (connected, delays) = stream_capacity(n, 20);
        let mut sorted = delays.clone();
        sorted.sort_by(f64::total_cmp);
        let p99 = percentile(&sorted, 0.99);
        println!(
            "{n:>5} event-stream clients ({connected} connected), 20 calls 250 ms apart: {}{}",
            summary(delays),
            if p99 < 100.0 {
                ""
            } else {
                "  ← p99 over 100 ms"
            }
        );
    }
}
