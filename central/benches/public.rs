//! The office's public pages, measured (issue 18's targets):
//!
//! 1. page weight: the bytes a phone transfers for each public page on a first visit (the HTML
//!    and every file it loads: style sheet, script, icon; the pages use system fonts, so no
//!    font file), from Chromium's resource timing (`transferSize`: headers and body, as on the
//!    wire; `encodedBodySize`: bodies only). Target < 60 KB. Also what a second visit
//!    transfers (the static files are cached for a year: the HTML alone).
//! 2. first contentful paint: `performance.getEntriesByType('paint')` in Debian's chromium
//!    (headless, over WebDriver) at a phone's 360×800, `LOADS` cold loads per page (default
//!    20: the browser's cache cleared through the DevTools protocol and the page opened from
//!    `about:blank`), median and p95. Target < 300 ms.
//! 3. search requests per second on one core: the release `motcua-central` as its own process
//!    pinned to CPU 0 (`taskset -c 0`: its runtime's two workers and blocking threads share
//!    one core; the server has no setting for its worker count), the client on CPU 1 (one
//!    thread, `CONNECTIONS` keep-alive connections, default 32, closed loop), for `SECONDS`
//!    (default 8) after 2 s of warm-up, once on `GET /procedures?q=…` (the page as a plain
//!    form submits it) and once on `GET /procedures.json?q=…` (what the page's script asks as
//!    one types: the prefixes of each query a few letters apart). The queries are what
//!    citizens type (`catalog-core/tests/ranking-first.tsv`: accents or none, upper case,
//!    typos, abbreviations, a code). Every answer must be `200`; those without any procedure
//!    are counted. The server's CPU (from `/proc/<pid>/stat`) gives requests per CPU-second,
//!    which other builds on the machine disturb less than requests per second.
//!
//! The server runs on a fresh SQLite file with its first-start seed (the 55 real procedures,
//! the four services, the sample dossiers), always open, without the dossier lookup limit (the
//! bench opens one dossier page 22 times in a minute from one address). The live pages' event
//! streams stay open, so resource timing never lists them: not counted.
//!
//! `cargo bench -p motcua-central --bench public` (≈ 1 min once built). Without `--bench`
//! (`cargo test --all-targets`) a smoke run: 3 loads per page, 1 s per search target.

#[path = "../../tests/support/browser.rs"]
#[allow(dead_code)]
mod browser;

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const SERVER: &str = env!("CARGO_BIN_EXE_motcua-central");
const KIOSK_TOKEN: &str = "demo-token";
const WEIGHT_TARGET: f64 = 60.0 * 1024.0;
const FCP_TARGET_MS: f64 = 300.0;
/// What citizens type, with the procedure that must come first (shared with the search tests).
const QUERIES: &str = include_str!("../../catalog-core/tests/ranking-first.tsv");

fn env_number<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

/// Pins the calling thread (and the threads and processes it starts from now on) to `cpu`.
fn pin_to(cpu: usize) {
    // SAFETY: a zeroed cpu_set_t is an empty set; CPU_SET writes inside it; pid 0 is the
    // calling thread.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(cpu, &mut set);
        if libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) != 0 {
            eprintln!(
                "cannot pin to CPU {cpu}: {}",
                std::io::Error::last_os_error()
            );
        }
    }
}

/// User + system CPU seconds of a process, from `/proc/<pid>/stat`.
fn cpu_seconds(pid: u32) -> f64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return f64::NAN;
    };
    // The command name may hold spaces: count fields after its closing parenthesis.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok());
    // SAFETY: reads a constant.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    // utime and stime: the 14th and 15th fields; after the name, the 3rd (state) is index 0.
    match (ticks(11), ticks(12)) {
        (Some(u), Some(s)) => (u + s) / hz,
        _ => f64::NAN,
    }
}

/// CPU seconds of the calling thread.
fn thread_cpu_seconds() -> f64 {
    // SAFETY: getrusage fills the struct it is given.
    unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_THREAD, &mut usage);
        let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
        secs(usage.ru_utime) + secs(usage.ru_stime)
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// The release server as its own process, pinned to one core when the machine has two.
struct Server {
    child: Child,
    base: String,
    _stdout: BufReader<ChildStdout>,
    _dir: tempfile::TempDir,
}

impl Server {
    fn start(cpu: Option<usize>) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("central.sqlite3");
        let log = std::fs::File::create(dir.path().join("central.log")).expect("log file");
        let mut command = match cpu {
            Some(cpu) => {
                let mut c = Command::new("taskset");
                c.args(["-c", &cpu.to_string(), SERVER]);
                c
            }
            None => Command::new(SERVER),
        };
        let mut child = command
            .args(["--listen", "127.0.0.1:0", "--always-open"])
            .args(["--lookups-per-minute", "0"])
            .arg("--db")
            .arg(&db)
            // Logs as deployed (a line per request at info), into a file.
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("start motcua-central");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut first = String::new();
        let _ = stdout.read_line(&mut first);
        let Some(base) = first.trim().strip_prefix("listening on ") else {
            let _ = child.kill();
            panic!("the server did not start: {first:?}");
        };
        Self {
            base: base.trim_end_matches('/').to_string(),
            child,
            _stdout: stdout,
            _dir: dir,
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A throwaway runtime for a few calls (the crate's reqwest has no blocking client).
fn block_on<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(f)
}

/// A real ticket's follow page: issues three tickets and follows the last (two people ahead).
fn follow_path(base: &str) -> String {
    let http = reqwest::Client::new();
    let mut path = String::new();
    for i in 0..3 {
        let answer: Value = block_on(async {
            let r = http
                .post(format!("{base}/api/v1/queue/tickets"))
                .bearer_auth(KIOSK_TOKEN)
                .header("content-type", "application/json")
                .body(
                    json!({ "request_id": format!("public-bench-{i}-{}", std::process::id()),
                            "service_id": "ho-tich" })
                    .to_string(),
                )
                .send()
                .await
                .expect("the server answers");
            assert!(r.status().is_success(), "a ticket: {}", r.status());
            serde_json::from_slice(&r.bytes().await.expect("body")).expect("json")
        });
        path = answer["follow_path"]
            .as_str()
            .unwrap_or_else(|| panic!("no follow_path in {answer}"))
            .to_string();
    }
    path
}

fn get_status(url: &str) -> u16 {
    block_on(async {
        reqwest::get(url)
            .await
            .map(|r| r.status().as_u16())
            .unwrap_or(0)
    })
}

/// `POST /session/{id}/goog/cdp/execute`: one DevTools command through chromedriver.
#[derive(Debug)]
struct Cdp(&'static str, Value);

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (axum::http::Method, Option<String>) {
        (
            axum::http::Method::POST,
            Some(json!({ "cmd": self.0, "params": self.1 }).to_string()),
        )
    }
}

/// One load of a page as Chromium saw it.
struct Load {
    fcp_ms: f64,
    html_transfer: f64,
    html_body: f64,
    /// (name, initiator, transferSize, encodedBodySize)
    files: Vec<(String, String, f64, f64)>,
}

impl Load {
    fn transferred(&self) -> f64 {
        self.html_transfer + self.files.iter().map(|f| f.2).sum::<f64>()
    }
    fn bodies(&self) -> f64 {
        self.html_body + self.files.iter().map(|f| f.3).sum::<f64>()
    }
}

const MEASURE: &str = "
    const paint = performance.getEntriesByType('paint')
        .find(e => e.name === 'first-contentful-paint');
    if (!paint || document.readyState !== 'complete') return null;
    const nav = performance.getEntriesByType('navigation')[0];
    return {
        fcp: paint.startTime,
        html: [nav.transferSize, nav.encodedBodySize],
        files: performance.getEntriesByType('resource')
            .map(r => [r.name, r.initiatorType, r.transferSize, r.encodedBodySize]),
    };";

fn load(b: &browser::Browser, url: &str, cold: bool) -> Load {
    b.goto("about:blank");
    if cold {
        b.run(
            b.client
                .issue_cmd(Cdp("Network.clearBrowserCache", json!({}))),
        );
    }
    b.goto(url);
    let m = b.wait_for("first contentful paint", Duration::from_secs(10), MEASURE);
    let n = |v: &Value| v.as_f64().unwrap_or(f64::NAN);
    let mut files: Vec<(String, String, f64, f64)> = Vec::new();
    for f in m["files"].as_array().into_iter().flatten() {
        let name = f[0].as_str().unwrap_or_default();
        let short = name.split_once("/static/").map_or(name, |(_, s)| s);
        let short = short.split('?').next().unwrap_or(short);
        // The icon is asked twice (the tab's icon and the header's picture): once over the
        // wire, once from the page's memory (0 bytes); one entry per file, the larger.
        if let Some(g) = files.iter_mut().find(|g| g.0 == short) {
            g.2 = g.2.max(n(&f[2]));
            g.3 = g.3.max(n(&f[3]));
            continue;
        }
        files.push((
            short.to_string(),
            f[1].as_str().unwrap_or_default().to_string(),
            n(&f[2]),
            n(&f[3]),
        ));
    }
    Load {
        fcp_ms: n(&m["fcp"]),
        html_transfer: n(&m["html"][0]),
        html_body: n(&m["html"][1]),
        files,
    }
}

struct PageResult {
    path: String,
    cold: Load,
    warm: Load,
    fcp: Vec<f64>,
    cache_hits: usize,
}

fn pages(server: &Server, loads: usize) -> Vec<PageResult> {
    let base = &server.base;
    let follow = follow_path(base);
    let dossier = motcua_central::seed::sample_dossiers(motcua_central::Clock::system().today())
        .first()
        .map(|d| d.code.clone())
        .expect("a sample dossier");
    let paths = [
        "/".to_string(),
        follow,
        "/procedures?q=khai+sinh".to_string(),
        "/procedures/2.000528".to_string(),
        format!("/dossiers?code={dossier}"),
    ];
    for p in &paths {
        let status = get_status(&format!("{base}{p}"));
        assert_eq!(status, 200, "{p}");
    }
    let b = browser::browser();
    b.windows(1, 360, 800);
    let mut out = Vec::new();
    for path in paths {
        let url = format!("{base}{path}");
        let mut fcp = Vec::with_capacity(loads);
        let mut first = None;
        let mut cache_hits = 0;
        for _ in 0..loads {
            let l = load(&b, &url, true);
            // A cold load transfers every file: a zero is a cache hit (the bench says so).
            cache_hits += l.files.iter().filter(|f| f.2 == 0.0).count();
            fcp.push(l.fcp_ms);
            first.get_or_insert(l);
        }
        let warm = load(&b, &url, false);
        out.push(PageResult {
            path,
            cold: first.expect("at least one load"),
            warm,
            fcp,
            cache_hits,
        });
    }
    out
}

struct Rate {
    requests: u64,
    seconds: f64,
    server_cpu: f64,
    client_cpu: f64,
    latencies: Vec<f64>,
    bytes: u64,
    /// Answers without any procedure (a prefix too short or a typo too far).
    empty: u64,
}

/// Closed loop: `connections` tasks on one client thread, each asking the next path as soon as
/// its previous answer is read, for `measured` after `warmup`.
fn search_rate(
    base: &str,
    server_pid: u32,
    client_cpu: Option<usize>,
    paths: Vec<String>,
    connections: usize,
    warmup: Duration,
    measured: Duration,
) -> Rate {
    let base = base.to_string();
    std::thread::spawn(move || {
        if let Some(cpu) = client_cpu {
            pin_to(cpu);
        }
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async move {
            let http = reqwest::Client::builder()
                .pool_max_idle_per_host(connections)
                .build()
                .expect("client");
            let paths = Arc::new(paths);
            let measuring = Arc::new(AtomicBool::new(false));
            let stop = Arc::new(AtomicBool::new(false));
            let bytes = Arc::new(AtomicU64::new(0));
            let empty = Arc::new(AtomicU64::new(0));
            let tasks: Vec<_> = (0..connections)
                .map(|t| {
                    let (http, paths, base) = (http.clone(), paths.clone(), base.clone());
                    let (measuring, stop) = (measuring.clone(), stop.clone());
                    let (bytes, empty) = (bytes.clone(), empty.clone());
                    tokio::spawn(async move {
                        let mut latencies = Vec::new();
                        let mut i = t * 7;
                        while !stop.load(Ordering::Relaxed) {
                            let path = &paths[i % paths.len()];
                            i += 1;
                            let at = Instant::now();
                            let r = http
                                .get(format!("{base}{path}"))
                                .send()
                                .await
                                .unwrap_or_else(|e| panic!("{path}: {e}"));
                            assert_eq!(r.status().as_u16(), 200, "{path}");
                            let body = r.bytes().await.unwrap_or_else(|e| panic!("{path}: {e}"));
                            let found = body
                                .windows(14)
                                .any(|w| w == b"/procedures/1." || w == b"/procedures/2.");
                            if measuring.load(Ordering::Relaxed) {
                                if !found {
                                    empty.fetch_add(1, Ordering::Relaxed);
                                }
                                latencies.push(at.elapsed().as_secs_f64() * 1000.0);
                                bytes.fetch_add(body.len() as u64, Ordering::Relaxed);
                            }
                        }
                        latencies
                    })
                })
                .collect();
            tokio::time::sleep(warmup).await;
            let (server0, client0, t0) = (
                cpu_seconds(server_pid),
                thread_cpu_seconds(),
                Instant::now(),
            );
            measuring.store(true, Ordering::Relaxed);
            tokio::time::sleep(measured).await;
            measuring.store(false, Ordering::Relaxed);
            let seconds = t0.elapsed().as_secs_f64();
            let (server1, client1) = (cpu_seconds(server_pid), thread_cpu_seconds());
            stop.store(true, Ordering::Relaxed);
            let mut latencies = Vec::new();
            for t in tasks {
                latencies.extend(t.await.expect("a client task"));
            }
            latencies.sort_by(f64::total_cmp);
            Rate {
                requests: latencies.len() as u64,
                seconds,
                server_cpu: server1 - server0,
                client_cpu: client1 - client0,
                latencies,
                bytes: bytes.load(Ordering::Relaxed),
                empty: empty.load(Ordering::Relaxed),
            }
        })
    })
    .join()
    .expect("the client thread")
}

/// The query mix: each query as submitted (the form), and as one types it (its prefixes a few
/// letters apart, as the page's script asks after 120 ms without a key; at least 2 letters).
fn query_mix() -> (Vec<String>, Vec<String>) {
    let queries: Vec<&str> = QUERIES
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split('\t').next())
        .collect();
    let enc = |q: &str| url::form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>();
    let form = queries
        .iter()
        .map(|q| format!("/procedures?q={}", enc(q)))
        .collect();
    let mut typed = Vec::new();
    for q in &queries {
        let chars: Vec<char> = q.chars().collect();
        let mut ends: Vec<usize> = (3..chars.len()).step_by(3).collect();
        ends.push(chars.len());
        for end in ends {
            let prefix: String = chars[..end].iter().collect();
            if prefix.trim().chars().count() >= 2 {
                typed.push(format!("/procedures.json?q={}", enc(prefix.trim())));
            }
        }
    }
    (form, typed)
}

fn kb(bytes: f64) -> String {
    format!("{:.1} KB", bytes / 1024.0)
}

fn main() {
    // The crate's reqwest has no TLS provider of its own (no aws-lc-rs): ring, as everywhere.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let full = std::env::args().any(|a| a == "--bench");
    let loads: usize = env_number("LOADS", if full { 20 } else { 3 });
    let seconds: f64 = env_number("SECONDS", if full { 8.0 } else { 1.0 });
    let connections: usize = env_number("CONNECTIONS", 32);
    let two_cores = std::thread::available_parallelism().map_or(1, |n| n.get()) >= 2;
    let server = Server::start(two_cores.then_some(0));
    println!(
        "motcua-central (release, own process{}) at {}; chromium {} at 360×800, {loads} cold loads a page",
        if two_cores {
            ", taskset -c 0"
        } else {
            ", not pinned: one CPU"
        },
        server.base,
        browser::CHROMIUM
    );

    let results = pages(&server, loads);
    println!();
    println!(
        "| page | HTML | static files (cold) | first visit: transferred (bodies) | second visit | FCP p50 | FCP p95 | FCP max |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for r in &results {
        let mut fcp = r.fcp.clone();
        fcp.sort_by(f64::total_cmp);
        let files = r
            .cold
            .files
            .iter()
            .map(|f| format!("{} {:.0}", f.0, f.2))
            .collect::<Vec<_>>()
            .join(", ");
        let fonts = r
            .cold
            .files
            .iter()
            .filter(|f| f.0.ends_with(".ttf") || f.0.ends_with(".woff2") || f.0.ends_with(".woff"))
            .count();
        let weight = r.cold.transferred();
        let p95 = percentile(&fcp, 0.95);
        println!(
            "| `{}` | {:.0} B | {files}{} | **{}** ({}){} | {} | {:.0} ms | {:.0} ms{} | {:.0} ms |",
            if r.path.starts_with("/t/") {
                "/t/{id}"
            } else {
                &r.path
            },
            r.cold.html_transfer,
            if fonts == 0 { "; no font" } else { "" },
            kb(weight),
            kb(r.cold.bodies()),
            if weight < WEIGHT_TARGET {
                ""
            } else {
                " ← over 60 KB"
            },
            kb(r.warm.transferred()),
            percentile(&fcp, 0.5),
            p95,
            if p95 < FCP_TARGET_MS {
                ""
            } else {
                " ← over 300 ms"
            },
            fcp.last().copied().unwrap_or(f64::NAN),
        );
        if r.cache_hits > 0 {
            println!(
                "    {}: {} files came from the cache on loads meant to be cold",
                r.path, r.cache_hits
            );
        }
    }

    let (form, typed) = query_mix();
    println!();
    println!(
        "search, server on one core (CPU 0), client on CPU 1, {connections} connections, {seconds} s each after 2 s warm-up:"
    );
    println!(
        "| route | queries in the mix | requests/s | per server CPU-second | server CPU (cores) | client CPU | p50 | p99 | bytes/answer | no result |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    let server_pid = server.child.id();
    for (route, paths) in [
        ("`GET /procedures?q=`", form),
        ("`GET /procedures.json?q=`", typed),
    ] {
        let n = paths.len();
        let r = search_rate(
            &server.base,
            server_pid,
            two_cores.then_some(1),
            paths,
            connections,
            Duration::from_secs(if full { 2 } else { 0 }),
            Duration::from_secs_f64(seconds),
        );
        let rps = r.requests as f64 / r.seconds;
        println!(
            "| {route} | {n} | **{rps:.0}** | {:.0} | {:.2} | {:.2} | {:.1} ms | {:.1} ms | {:.0} B | {:.1} % |",
            r.requests as f64 / r.server_cpu,
            r.server_cpu / r.seconds,
            r.client_cpu / r.seconds,
            percentile(&r.latencies, 0.5),
            percentile(&r.latencies, 0.99),
            r.bytes as f64 / r.requests.max(1) as f64,
            100.0 * r.empty as f64 / r.requests.max(1) as f64,
        );
    }
}
