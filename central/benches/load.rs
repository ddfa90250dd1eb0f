//! Load: a province's kiosks on loopback against the release `motcua-central`, started as
//! separate processes so client and server share no runtime. Targets: SQLite (one instance),
//! PostgreSQL with one instance, PostgreSQL with two instances on one database (the kiosks split
//! between them). Every kiosk holds its own token (created through the admin API) and its own
//! keep-alive connection, as a real kiosk's HTTP client does, and sends:
//!
//! - a heartbeat every 60 s (the kiosk's `HEARTBEAT_EVERY`);
//! - a catalog check every 5 minutes (`If-None-Match` → 304; 5 min is the shortest
//!   `[catalog] sync_interval_min` a kiosk accepts, the default is 60);
//! - tickets at ten times a busy ward's peak hour: 1,000 an hour, Poisson arrivals;
//! - dossier lookups at ten times a peak hour too: 250 an hour, evenly spaced with ±25 %
//!   jitter, so never more than 7 in a minute, under the server's limit of 10 per kiosk.
//!
//! Open loop: each request leaves at its scheduled time whatever happened to the previous
//! ones, and its latency counts from that scheduled time, so a server that falls behind shows
//! its queue instead of slowing the client down (no coordinated omission).
//!
//! Every answer is checked (status, body); tickets must be numbered 1, 2, 3… per service per
//! office with no gap and no repeat across instances. Any 5xx, transport error, timeout or wrong
//! answer makes the bench exit non-zero. The p99 < 50 ms ticket target is reported, not enforced.
//!
//! Where the time goes: CPU of each process from `/proc/<pid>/stat` (client, each server, every
//! PostgreSQL process) and of the whole machine, every second; disk and CPU pressure stalls
//! (`/proc/pressure`); the servers' own latency histograms (`/metrics`); PostgreSQL's WAL syncs.
//!
//! `cargo bench -p motcua-central --bench load` (2 min measured per target, ≈ 7 min in all).
//! Flags (after `--`) or environment: `--kiosks N` (`LOAD_KIOSKS`, 2000), `--offices N`
//! (`LOAD_OFFICES`, kiosks / 20), `--seconds S` (`LOAD_SECONDS`, 120), `--warmup S`
//! (`LOAD_WARMUP`, 10), `--targets sqlite,pg,pg2` (`LOAD_TARGETS`), `--fsync on|off|both`
//! (`LOAD_FSYNC`, on: PostgreSQL as deployed), `--dossiers N` per office (`LOAD_DOSSIERS`, 500).
//! Without `--bench` (`cargo test --all-targets`) it is a smoke run: 40 kiosks, 3 s per target,
//! every job every few seconds so that each route is exercised.
//! PostgreSQL: a throwaway cluster per target (`tests/api/pg.rs`, Debian's `postgresql`).

#[path = "../tests/api/pg.rs"]
mod pg;

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use chrono::{Duration as Days, FixedOffset, NaiveDate, Utc};
use serde_json::{Value, json};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

const SERVER: &str = env!("CARGO_BIN_EXE_motcua-central");
const ADMIN_TOKEN: &str = "load-admin-token";
/// A kiosk gives up on a ticket after ~1.5 s and prints an offline number (DESIGN.md).
const KIOSK_TICKET_TIMEOUT: Duration = Duration::from_millis(1500);
/// Long enough to see how slow a slow answer is; anything slower is a failure.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(10);
/// Other processes' CPU (cores) below which a second counts as quiet.
const QUIET_OTHERS: f64 = 0.2;
/// The ticket latency the issue sets.
const TICKET_P99_TARGET_MS: f64 = 50.0;

/// The queue services of each office, as the seed's: id, prefix, name, whether priority is
/// allowed, and the share of tickets (%) each gets.
const SERVICES: [(&str, &str, &str, bool, u64); 4] = [
    ("ho-tich", "HT", "Hộ tịch", true, 35),
    ("chung-thuc", "CT", "Chứng thực", true, 35),
    ("dat-dai", "DD", "Đất đai", true, 15),
    ("tra-ket-qua", "TK", "Trả kết quả", false, 15),
];

// ---------------------------------------------------------------------------------------------
// What to run

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres { instances: usize, durable: bool },
}

impl Backend {
    fn name(self) -> String {
        match self {
            Backend::Sqlite => "SQLite, 1 instance".into(),
            Backend::Postgres { instances, durable } => format!(
                "PostgreSQL, {instances} instance{}, fsync {}",
                if instances == 1 { "" } else { "s" },
                if durable { "on" } else { "off" }
            ),
        }
    }
}

/// How often a kiosk does each thing.
#[derive(Debug, Clone, Copy)]
struct Timing {
    heartbeat_every: Duration,
    catalog_every: Duration,
    /// Mean gap between tickets (exponential gaps).
    ticket_mean: Duration,
    /// Gap between lookups, ±25 %.
    lookup_every: Duration,
}

#[derive(Debug, Clone)]
struct Options {
    full: bool,
    kiosks: usize,
    offices: usize,
    warmup: Duration,
    measured: Duration,
    dossiers_per_office: usize,
    targets: Vec<Backend>,
    timing: Timing,
}

fn flag_or_env(args: &[String], flag: &str, env: &str) -> Option<String> {
    args.iter()
        .position(|a| a == flag)
        .and_then(|i| args.get(i + 1).cloned())
        .or_else(|| std::env::var(env).ok().filter(|v| !v.trim().is_empty()))
}

fn number<T: std::str::FromStr>(
    args: &[String],
    flag: &str,
    env: &str,
    default: T,
) -> Result<T, String> {
    match flag_or_env(args, flag, env) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse()
            .map_err(|_| format!("{flag} / {env}: not a number: {v}")),
    }
}

impl Options {
    fn parse() -> Result<Self, String> {
        let args: Vec<String> = std::env::args().collect();
        // `cargo test --all-targets` runs benches without `--bench`: a short smoke run then.
        let full = args.iter().any(|a| a == "--bench");
        let kiosks: usize = number(
            &args,
            "--kiosks",
            "LOAD_KIOSKS",
            if full { 2000 } else { 40 },
        )?;
        let offices: usize = number(&args, "--offices", "LOAD_OFFICES", kiosks.div_ceil(20))?;
        let seconds: f64 = number(
            &args,
            "--seconds",
            "LOAD_SECONDS",
            if full { 120.0 } else { 3.0 },
        )?;
        let warmup: f64 = number(
            &args,
            "--warmup",
            "LOAD_WARMUP",
            if full { 10.0 } else { 1.0 },
        )?;
        let dossiers_per_office: usize = number(
            &args,
            "--dossiers",
            "LOAD_DOSSIERS",
            if full { 500 } else { 20 },
        )?;
        if kiosks == 0 || offices == 0 || offices > kiosks || offices > 9999 {
            return Err("--kiosks and --offices: 1 ≤ offices ≤ kiosks, offices ≤ 9999".into());
        }
        if !(seconds > 0.0 && warmup >= 0.0) || dossiers_per_office == 0 {
            return Err("--seconds > 0, --warmup ≥ 0, --dossiers ≥ 1".into());
        }
        let fsync = flag_or_env(&args, "--fsync", "LOAD_FSYNC").unwrap_or_else(|| "on".into());
        let durability: Vec<bool> = match fsync.as_str() {
            "on" => vec![true],
            "off" => vec![false],
            "both" => vec![true, false],
            other => return Err(format!("--fsync: on, off or both, not {other}")),
        };
        let names = flag_or_env(&args, "--targets", "LOAD_TARGETS")
            .unwrap_or_else(|| "sqlite,pg,pg2".into());
        let mut targets = Vec::new();
        for name in names.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            match name {
                "sqlite" => targets.push(Backend::Sqlite),
                "pg" | "pg2" => {
                    let instances = if name == "pg" { 1 } else { 2 };
                    for &durable in &durability {
                        targets.push(Backend::Postgres { instances, durable });
                    }
                }
                other => return Err(format!("--targets: sqlite, pg or pg2, not {other}")),
            }
        }
        let timing = if full {
            Timing {
                heartbeat_every: Duration::from_secs(60),
                catalog_every: Duration::from_secs(300),
                ticket_mean: Duration::from_secs_f64(3600.0 / 1000.0),
                lookup_every: Duration::from_secs_f64(3600.0 / 250.0),
            }
        } else {
            // A few seconds must still exercise every route: each kiosk does each at least once.
            Timing {
                heartbeat_every: Duration::from_secs(2),
                catalog_every: Duration::from_secs(2),
                ticket_mean: Duration::from_millis(500),
                lookup_every: Duration::from_secs(3),
            }
        };
        Ok(Self {
            full,
            kiosks,
            offices,
            warmup: Duration::from_secs_f64(warmup),
            measured: Duration::from_secs_f64(seconds),
            dossiers_per_office,
            targets,
            timing,
        })
    }
}

/// Small, seedable randomness (xorshift64*).
struct Dice(u64);

impl Dice {
    fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// Uniform in (0, 1].
    fn unit(&mut self) -> f64 {
        ((self.next() >> 11) as f64 + 1.0) / (1u64 << 53) as f64
    }

    /// An exponential gap with this mean (Poisson arrivals).
    fn exponential(&mut self, mean: Duration) -> Duration {
        mean.mul_f64(-self.unit().ln())
    }

    /// `every` ± 25 %.
    fn jitter(&mut self, every: Duration) -> Duration {
        every.mul_f64(0.75 + 0.5 * self.unit())
    }
}

// ---------------------------------------------------------------------------------------------
// Server processes and CPU accounting

/// One `motcua-central` process; stopped (SIGTERM, then SIGKILL) when dropped.
struct Server {
    child: Child,
    base: String,
    log: PathBuf,
    _stdout: BufReader<ChildStdout>,
}

impl Server {
    fn start(db: &str, dir: &Path, name: &str) -> Result<Self, String> {
        let log = dir.join(format!("{name}.log"));
        let log_file = std::fs::File::create(&log).map_err(|e| e.to_string())?;
        let mut child = Command::new(SERVER)
            .args(["--listen", "127.0.0.1:0", "--db", db])
            .args(["--admin-token", ADMIN_TOKEN, "--always-open"])
            // Logs as deployed (one line per request at info), into a file.
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log_file)
            .spawn()
            .map_err(|e| format!("{SERVER}: {e}"))?;
        let mut stdout = BufReader::new(child.stdout.take().ok_or("no stdout")?);
        let mut first = String::new();
        let _ = stdout.read_line(&mut first);
        let Some(base) = first.trim().strip_prefix("listening on ") else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!(
                "{name} did not start: {first:?}\n{}",
                tail(&log, 20)
            ));
        };
        Ok(Self {
            base: base.to_string(),
            log,
            child,
            _stdout: stdout,
        })
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn tail(path: &Path, lines: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// `/proc` counts CPU time in USER_HZ, 100 per second on Linux.
const TICKS_PER_SECOND: f64 = 100.0;

/// (ppid, utime + stime, cutime + cstime) of a process, in ticks.
fn proc_stat(pid: &str) -> Option<(u32, u64, u64)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    let fields: Vec<&str> = text.get(text.rfind(')')? + 2..)?.split(' ').collect();
    let field = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok());
    // Counting from the state field (3 in proc(5)): ppid 4, utime 14 … cstime 17.
    Some((
        u32::try_from(field(1)?).ok()?,
        field(11)? + field(12)?,
        field(13)? + field(14)?,
    ))
}

fn own_cpu(pid: &str) -> u64 {
    proc_stat(pid).map_or(0, |(_, own, _)| own)
}

/// The PostgreSQL server on `port`: its postmaster (whose children's reaped time counts too)
/// and the live backends and helpers under it.
fn postgres_cpu(port: u16) -> u64 {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return 0;
    };
    let port = port.to_string();
    let mut stats = Vec::new();
    let mut postmaster = None;
    for entry in dir.flatten() {
        let pid = entry.file_name().to_string_lossy().to_string();
        if !pid.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let Some(stat) = proc_stat(&pid) else {
            continue;
        };
        if let Ok(cmdline) = std::fs::read(format!("/proc/{pid}/cmdline")) {
            let args: Vec<&[u8]> = cmdline.split(|b| *b == 0).collect();
            let is_postmaster = args.first().is_some_and(|a| a.ends_with(b"/postgres"))
                && args
                    .windows(2)
                    .any(|w| w[0] == b"-p" && w[1] == port.as_bytes());
            if is_postmaster {
                postmaster = pid.parse::<u32>().ok();
            }
        }
        stats.push((pid, stat));
    }
    let Some(master) = postmaster else {
        return 0;
    };
    stats
        .iter()
        .map(|(pid, (ppid, own, reaped))| {
            if pid.parse::<u32>().ok() == Some(master) {
                own + reaped
            } else if *ppid == master {
                *own
            } else {
                0
            }
        })
        .sum()
}

/// Busy ticks of the whole machine, every CPU.
fn machine_busy() -> u64 {
    let text = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let values: Vec<u64> = text
        .lines()
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .skip(1)
        .take(8)
        .filter_map(|v| v.parse().ok())
        .collect();
    if values.len() < 8 {
        return 0;
    }
    // user nice system idle iowait irq softirq steal
    values.iter().sum::<u64>() - values[3] - values[4]
}

fn rss_mib(pid: &str) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

#[derive(Debug, Clone, Default)]
struct CpuSnapshot {
    at: Option<Instant>,
    client: u64,
    servers: Vec<u64>,
    postgres: u64,
    machine_busy: u64,
    /// Microseconds in which some task waited for the disk, for a CPU (Linux pressure stall
    /// information; 0 without it).
    io_stall_us: u64,
    cpu_stall_us: u64,
}

/// `some … total=N` of `/proc/pressure/{io,cpu}`.
fn stall_us(resource: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/pressure/{resource}"))
        .ok()
        .and_then(|text| {
            let line = text.lines().find(|l| l.starts_with("some "))?;
            line.split_whitespace()
                .find_map(|f| f.strip_prefix("total="))?
                .parse()
                .ok()
        })
        .unwrap_or(0)
}

fn cpu_snapshot(servers: &[u32], pg_port: Option<u16>) -> CpuSnapshot {
    CpuSnapshot {
        at: Some(Instant::now()),
        client: own_cpu("self"),
        servers: servers.iter().map(|p| own_cpu(&p.to_string())).collect(),
        postgres: pg_port.map_or(0, postgres_cpu),
        machine_busy: machine_busy(),
        io_stall_us: stall_us("io"),
        cpu_stall_us: stall_us("cpu"),
    }
}

// ---------------------------------------------------------------------------------------------
// The server's own view: /metrics

#[derive(Debug, Clone, Default)]
struct Scrape {
    /// route → cumulative (le, count) of the latency histogram.
    buckets: BTreeMap<String, Vec<(f64, u64)>>,
    tickets_issued: u64,
}

fn label<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    let start = line.find(&format!("{name}=\""))? + name.len() + 2;
    let len = line[start..].find('"')?;
    Some(&line[start..start + len])
}

fn parse_metrics(text: &str) -> Scrape {
    let mut scrape = Scrape::default();
    for line in text.lines() {
        let value = line.rsplit(' ').next().and_then(|v| v.parse::<f64>().ok());
        if line.starts_with("motcua_http_request_duration_seconds_bucket{") {
            let (Some(route), Some(le), Some(n)) = (label(line, "route"), label(line, "le"), value)
            else {
                continue;
            };
            let le = if le == "+Inf" {
                f64::INFINITY
            } else {
                le.parse().unwrap_or(f64::INFINITY)
            };
            scrape
                .buckets
                .entry(route.to_string())
                .or_default()
                .push((le, n as u64));
        } else if line.starts_with("motcua_tickets_issued_total ") {
            scrape.tickets_issued = value.unwrap_or(0.0) as u64;
        }
    }
    scrape
}

async fn scrape(http: &reqwest::Client, base: &str) -> Result<Scrape, String> {
    let text = http
        .get(format!("{base}/metrics"))
        .send()
        .await
        .map_err(|e| e.to_string())?
        .text()
        .await
        .map_err(|e| e.to_string())?;
    Ok(parse_metrics(&text))
}

/// The server-side latency of `route` between two scrapes of every instance: the bucket bound
/// under which `q` of the requests were answered (its own clock: from routing to response).
fn server_quantile(before: &[Scrape], after: &[Scrape], route: &str, q: f64) -> Option<f64> {
    let mut merged: BTreeMap<u64, u64> = BTreeMap::new();
    for (b, a) in before.iter().zip(after) {
        let old: HashMap<u64, u64> = b
            .buckets
            .get(route)
            .into_iter()
            .flatten()
            .map(|(le, n)| (le.to_bits(), *n))
            .collect();
        for (le, n) in a.buckets.get(route).into_iter().flatten() {
            *merged.entry(le.to_bits()).or_default() +=
                n - old.get(&le.to_bits()).copied().unwrap_or(0);
        }
    }
    let mut bounds: Vec<(f64, u64)> = merged
        .into_iter()
        .map(|(b, n)| (f64::from_bits(b), n))
        .collect();
    bounds.sort_by(|x, y| x.0.total_cmp(&y.0));
    let total = bounds.last()?.1;
    if total == 0 {
        return None;
    }
    bounds
        .iter()
        .find(|(_, n)| *n as f64 >= q * total as f64)
        .map(|(le, _)| le * 1000.0)
}

// ---------------------------------------------------------------------------------------------
// The simulated province

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Route {
    Ticket,
    Lookup,
    Catalog,
    Heartbeat,
}

impl Route {
    const ALL: [Route; 4] = [
        Route::Ticket,
        Route::Lookup,
        Route::Catalog,
        Route::Heartbeat,
    ];

    fn name(self) -> &'static str {
        match self {
            Route::Ticket => "POST /queue/tickets",
            Route::Lookup => "GET /dossiers/{code}",
            Route::Catalog => "GET /catalog (304)",
            Route::Heartbeat => "POST /kiosks/heartbeat",
        }
    }

    fn pattern(self) -> &'static str {
        match self {
            Route::Ticket => "/api/v1/queue/tickets",
            Route::Lookup => "/api/v1/dossiers/{code}",
            Route::Catalog => "/api/v1/catalog",
            Route::Heartbeat => "/api/v1/kiosks/heartbeat",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

struct Kiosk {
    id: String,
    office: usize,
    token: String,
    base: String,
    http: reqwest::Client,
    started: Instant,
}

/// What every kiosk knows about the province.
struct World {
    offices: usize,
    dossiers_per_office: usize,
    today: NaiveDate,
    etag: String,
    catalog_version: i64,
    timing: Timing,
}

fn office_id(o: usize) -> String {
    format!("ward-{o:04}")
}

/// Dossier `i` of office `o`: received on one of the last 60 days, numbered within its day.
fn dossier_code(today: NaiveDate, o: usize, i: usize) -> String {
    let day = today - Days::days((i % 60) as i64);
    format!(
        "000.{:02}.{:02}.H43-{}-{:04}",
        o / 100,
        o % 100,
        day.format("%y%m%d"),
        i / 60 + 1
    )
}

/// A code of office `o`'s form that was never seeded: a mistyped receipt.
fn unknown_code(today: NaiveDate, o: usize, n: u64) -> String {
    format!(
        "000.{:02}.{:02}.H43-{}-{:04}",
        o / 100,
        o % 100,
        today.format("%y%m%d"),
        9000 + n % 1000
    )
}

fn dossier_json(today: NaiveDate, o: usize, i: usize) -> Value {
    const NAMES: [&str; 6] = [
        "Nguyễn Văn An",
        "Trần Thị Bích Ngọc",
        "Lê Hoàng Minh",
        "Phạm Thị Thu Hà",
        "Võ Thị Mai",
        "Đặng Quốc Bảo",
    ];
    let office = FixedOffset::east_opt(7 * 3600).expect("UTC+7");
    let day = today - Days::days((i % 60) as i64);
    let received = day
        .and_hms_opt(8, 15, 0)
        .and_then(|t| t.and_local_timezone(office).single())
        .expect("a time");
    let status = (i % 10 + 1) as i64;
    let at = |d: i64| (received + Days::days(d)).to_rfc3339();
    let mut steps =
        vec![json!({ "at": at(0), "unit": "Bộ phận Một cửa", "action": "Tiếp nhận hồ sơ" })];
    if status >= 4 {
        steps.push(json!({ "at": at(1), "unit": "Công chức Tư pháp - Hộ tịch", "action": "Thẩm định hồ sơ" }));
    }
    json!({
        "code": dossier_code(today, o, i),
        "procedure_code": "1.001193",
        "procedure_name": "Thủ tục đăng ký khai sinh",
        "applicant_name": NAMES[i % NAMES.len()],
        "status": status,
        "received_at": at(0),
        "due_at": at(7),
        "returned_at": if status == 10 { Some(at(5)) } else { None },
        "steps": steps,
    })
}

// ---------------------------------------------------------------------------------------------
// Recording

#[derive(Default)]
struct RouteStats {
    /// Measured window only, microseconds from the scheduled time.
    latencies_us: Vec<u64>,
    /// The same, with the second of the window each was scheduled in.
    timed: Vec<(u32, u64)>,
    /// Measured window only: outcome label → count.
    outcomes: BTreeMap<String, u64>,
    /// Tickets slower than a kiosk waits (it would have printed an offline number).
    over_kiosk_timeout: u64,
}

struct Outcome {
    label: String,
    /// Not an answer the contract gives to this request: the bench fails.
    unexpected: Option<String>,
}

impl Outcome {
    fn ok(label: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            unexpected: None,
        }
    }

    fn bad(label: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            unexpected: Some(detail.into()),
        }
    }
}

struct Recorder {
    measure_from: Instant,
    routes: [Mutex<RouteStats>; 4],
    /// Every ticket number answered, by (office, service).
    numbers: Mutex<HashMap<(usize, usize), Vec<u32>>>,
    /// Unexpected answers anywhere (warm-up too), and the first few of them.
    failures: Mutex<(u64, Vec<String>)>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Recorder {
    fn new(measure_from: Instant) -> Self {
        Self {
            measure_from,
            routes: Default::default(),
            numbers: Mutex::new(HashMap::new()),
            failures: Mutex::new((0, Vec::new())),
        }
    }

    fn record(&self, route: Route, scheduled: Instant, latency: Duration, outcome: Outcome) {
        if let Some(detail) = outcome.unexpected {
            let mut f = lock(&self.failures);
            f.0 += 1;
            if f.1.len() < 10 {
                f.1.push(format!("{}: {detail}", route.name()));
            }
        }
        if scheduled < self.measure_from {
            return;
        }
        let mut stats = lock(&self.routes[route.index()]);
        let us = latency.as_micros() as u64;
        stats.latencies_us.push(us);
        let second = (scheduled - self.measure_from).as_secs() as u32;
        stats.timed.push((second, us));
        *stats.outcomes.entry(outcome.label).or_default() += 1;
        if route == Route::Ticket && latency > KIOSK_TICKET_TIMEOUT {
            stats.over_kiosk_timeout += 1;
        }
    }
}

/// The label of a transport failure.
fn transport(e: &reqwest::Error) -> Outcome {
    let label = if e.is_timeout() {
        "timeout"
    } else if e.is_connect() {
        "connect error"
    } else {
        "transport error"
    };
    Outcome::bad(label, e.to_string())
}

async fn answer(
    request: reqwest::RequestBuilder,
) -> Result<(u16, reqwest::header::HeaderMap, bytes::Bytes), Outcome> {
    let response = request.send().await.map_err(|e| transport(&e))?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.bytes().await.map_err(|e| transport(&e))?;
    Ok((status, headers, body))
}

fn unexpected_status(status: u16, body: &[u8]) -> Outcome {
    let text = String::from_utf8_lossy(&body[..body.len().min(300)]).to_string();
    Outcome::bad(status.to_string(), format!("{status} {text}"))
}

async fn ticket(k: &Kiosk, dice: &mut Dice, rec: &Recorder) -> Outcome {
    let mut pick = dice.below(100);
    let mut service = 0;
    for (i, s) in SERVICES.iter().enumerate() {
        if pick < s.4 {
            service = i;
            break;
        }
        pick -= s.4;
    }
    let (service_id, prefix, _, priority_allowed, _) = SERVICES[service];
    // One in ten is an elderly, pregnant, disabled person or a parent with a small child.
    let priority = match dice.below(40) {
        0 if priority_allowed => "elderly",
        1 if priority_allowed => "pregnant",
        2 if priority_allowed => "disabled",
        3 if priority_allowed => "child",
        _ => "none",
    };
    let request_id = format!("{}-{:016x}", k.id, dice.next());
    let mut body =
        json!({ "request_id": request_id, "service_id": service_id, "priority": priority });
    // About a third leave a phone number for the "your turn" SMS.
    if dice.below(3) == 0 {
        body["phone"] = json!(format!("09{:08}", dice.below(100_000_000)));
    }
    let request = k
        .http
        .post(format!("{}/api/v1/queue/tickets", k.base))
        .bearer_auth(&k.token)
        .header("content-type", "application/json")
        .body(body.to_string());
    let (status, _, bytes) = match answer(request).await {
        Ok(a) => a,
        Err(o) => return o,
    };
    if status != 201 {
        return unexpected_status(status, &bytes);
    }
    let Ok(v) = serde_json::from_slice::<Value>(&bytes) else {
        return Outcome::bad("201, not JSON", "ticket answer is not JSON");
    };
    let seq = v["number"].as_str().and_then(|n| {
        n.strip_prefix(prefix)?
            .strip_prefix('-')?
            .parse::<u32>()
            .ok()
    });
    let right = v["request_id"] == request_id.as_str()
        && v["service_id"] == service_id
        && v["priority"] == priority
        && v["offline"] == false;
    match seq {
        Some(seq) if right => {
            lock(&rec.numbers)
                .entry((k.office, service))
                .or_default()
                .push(seq);
            Outcome::ok("201")
        }
        _ => Outcome::bad("201, wrong ticket", format!("{v} for {body}")),
    }
}

async fn lookup(k: &Kiosk, world: &World, dice: &mut Dice) -> Outcome {
    // One in ten codes is mistyped or not in the system.
    let known = dice.below(10) != 0;
    let code = if known {
        dossier_code(
            world.today,
            k.office,
            dice.below(world.dossiers_per_office as u64) as usize,
        )
    } else {
        unknown_code(world.today, k.office, dice.next())
    };
    let request = k
        .http
        .get(format!("{}/api/v1/dossiers/{code}", k.base))
        .bearer_auth(&k.token);
    let (status, _, bytes) = match answer(request).await {
        Ok(a) => a,
        Err(o) => return o,
    };
    let v: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    match (known, status) {
        (true, 200) if v["code"] == code.as_str() && v["status"]["code"].as_i64().is_some() => {
            Outcome::ok("200")
        }
        (false, 404) if v["code"] == "not-found" => Outcome::ok("404 (unknown code)"),
        (true, 200) | (false, 404) => Outcome::bad(
            format!("{status}, wrong body"),
            format!("{code}: {status} {v}"),
        ),
        _ => unexpected_status(status, &bytes),
    }
}

async fn catalog(k: &Kiosk, world: &World) -> Outcome {
    let request = k
        .http
        .get(format!(
            "{}/api/v1/catalog?since={}",
            k.base, world.catalog_version
        ))
        .bearer_auth(&k.token)
        .header("if-none-match", &world.etag);
    match answer(request).await {
        Ok((304, headers, _))
            if headers.get("etag").and_then(|t| t.to_str().ok()) == Some(&world.etag) =>
        {
            Outcome::ok("304")
        }
        Ok((status, _, bytes)) => unexpected_status(status, &bytes),
        Err(o) => o,
    }
}

async fn heartbeat(k: &Kiosk, world: &World) -> Outcome {
    let body = json!({
        "kiosk_id": k.id, "version": "0.1.0", "printer": "ok",
        "catalog_version": world.catalog_version, "outbox": 0,
        "uptime_s": k.started.elapsed().as_secs(),
    });
    let request = k
        .http
        .post(format!("{}/api/v1/kiosks/heartbeat", k.base))
        .bearer_auth(&k.token)
        .header("content-type", "application/json")
        .body(body.to_string());
    match answer(request).await {
        Ok((200, _, bytes))
            if serde_json::from_slice::<Value>(&bytes)
                .is_ok_and(|v| v["server_time"].is_string()) =>
        {
            Outcome::ok("200")
        }
        Ok((status, _, bytes)) => unexpected_status(status, &bytes),
        Err(o) => o,
    }
}

/// One kiosk's day: each request leaves at its scheduled time, in its own task.
async fn run_kiosk(
    k: Arc<Kiosk>,
    world: Arc<World>,
    rec: Arc<Recorder>,
    seed: u64,
    start: Instant,
    end: Instant,
) {
    let t = world.timing;
    let mut dice = Dice::new(seed);
    // Kiosks started at different times: each periodic job at its own phase.
    let phase = |dice: &mut Dice, every: Duration| every.mul_f64(dice.unit());
    let mut next = [
        start + dice.exponential(t.ticket_mean),
        start + phase(&mut dice, t.lookup_every),
        start + phase(&mut dice, t.catalog_every),
        start + phase(&mut dice, t.heartbeat_every),
    ];
    let mut running = JoinSet::new();
    loop {
        let (i, at) = next
            .iter()
            .enumerate()
            .min_by_key(|(_, at)| **at)
            .map(|(i, at)| (i, *at))
            .expect("four jobs");
        if at >= end {
            break;
        }
        tokio::time::sleep_until(at.into()).await;
        let route = Route::ALL[i];
        next[i] = at
            + match route {
                Route::Ticket => dice.exponential(t.ticket_mean),
                Route::Lookup => dice.jitter(t.lookup_every),
                Route::Catalog => t.catalog_every,
                Route::Heartbeat => t.heartbeat_every,
            };
        let (k, world, rec) = (Arc::clone(&k), Arc::clone(&world), Arc::clone(&rec));
        let mut own = Dice::new(dice.next());
        running.spawn(async move {
            let outcome = match route {
                Route::Ticket => ticket(&k, &mut own, &rec).await,
                Route::Lookup => lookup(&k, &world, &mut own).await,
                Route::Catalog => catalog(&k, &world).await,
                Route::Heartbeat => heartbeat(&k, &world).await,
            };
            rec.record(route, at, at.elapsed(), outcome);
        });
        while running.try_join_next().is_some() {}
    }
    while running.join_next().await.is_some() {}
}

// ---------------------------------------------------------------------------------------------
// Setting a target up

async fn admin_post(http: &reqwest::Client, url: String, body: &Value) -> Result<Value, String> {
    let response = http
        .post(&url)
        .bearer_auth(ADMIN_TOKEN)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .map_err(|e| format!("{url}: {e}"))?;
    let status = response.status();
    let text = response.text().await.map_err(|e| format!("{url}: {e}"))?;
    if !status.is_success() {
        return Err(format!("{url}: {status} {text}"));
    }
    serde_json::from_str(&text).map_err(|e| format!("{url}: {e}"))
}

fn office_json(o: usize) -> Value {
    let services: Vec<Value> = SERVICES
        .iter()
        .map(|(id, prefix, name, priority, _)| {
            json!({ "id": id, "name_vi": name, "name_en": id, "prefix": prefix,
                    "priority_allowed": priority, "daily_cap": 9999 })
        })
        .collect();
    let hours: Vec<Value> = (1..=6)
        .flat_map(|d| {
            [
                json!({ "weekday": d, "opens": "07:30", "closes": "11:30" }),
                json!({ "weekday": d, "opens": "13:30", "closes": "17:00" }),
            ]
        })
        .collect();
    json!({
        "id": office_id(o),
        "name": format!("Trung tâm Phục vụ hành chính công phường số {}", o + 1),
        "services": services, "hours": hours,
    })
}

/// Offices, one token per kiosk, dossiers; returns the kiosks (each bound to an instance) and
/// what they know.
async fn setup(opts: &Options, bases: &[String]) -> Result<(Vec<Arc<Kiosk>>, Arc<World>), String> {
    let admin = reqwest::Client::builder()
        .timeout(Duration::from_secs(120))
        .build()
        .map_err(|e| e.to_string())?;
    let base = &bases[0];
    let today = (Utc::now() + Days::hours(7)).date_naive();
    let started = Instant::now();
    for o in 0..opts.offices {
        admin_post(
            &admin,
            format!("{base}/api/v1/admin/offices"),
            &office_json(o),
        )
        .await?;
    }
    // Tokens: a few at a time, as a provisioning script would.
    let gate = Arc::new(Semaphore::new(8));
    let mut jobs = JoinSet::new();
    let per_office = opts.kiosks.div_ceil(opts.offices);
    for i in 0..opts.kiosks {
        let (office, id) = (
            i / per_office,
            format!("W{:04}-K{:03}", i / per_office, i % per_office),
        );
        let (admin, base, gate) = (admin.clone(), base.clone(), Arc::clone(&gate));
        jobs.spawn(async move {
            let _permit = gate.acquire_owned().await.map_err(|e| e.to_string())?;
            let v = admin_post(
                &admin,
                format!("{base}/api/v1/admin/offices/{}/kiosks", office_id(office)),
                &json!({ "kiosk_id": id }),
            )
            .await?;
            let token = v["token"].as_str().ok_or("no token")?.to_string();
            Ok::<_, String>((i, office, id, token))
        });
    }
    let mut tokens = Vec::new();
    while let Some(done) = jobs.join_next().await {
        tokens.push(done.map_err(|e| e.to_string())??);
    }
    tokens.sort();
    let all: Vec<(usize, usize)> = (0..opts.offices)
        .flat_map(|o| (0..opts.dossiers_per_office).map(move |i| (o, i)))
        .collect();
    for batch in all.chunks(5000) {
        let body: Vec<Value> = batch
            .iter()
            .map(|&(o, i)| dossier_json(today, o, i))
            .collect();
        admin_post(
            &admin,
            format!("{base}/api/v1/admin/dossiers"),
            &Value::Array(body),
        )
        .await?;
    }
    let (_, _, _, token) = tokens.first().ok_or("no kiosk")?;
    let response = admin
        .get(format!("{base}/api/v1/catalog"))
        .bearer_auth(token)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let etag = response
        .headers()
        .get("etag")
        .and_then(|t| t.to_str().ok())
        .ok_or("catalog without ETag")?
        .to_string();
    let catalog: Value =
        serde_json::from_slice(&response.bytes().await.map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
    let world = Arc::new(World {
        offices: opts.offices,
        dossiers_per_office: opts.dossiers_per_office,
        today,
        etag,
        catalog_version: catalog["version"]
            .as_i64()
            .ok_or("catalog without version")?,
        timing: opts.timing,
    });
    let mut kiosks = Vec::new();
    for (i, office, id, token) in tokens {
        // Each kiosk its own client, configured as the kiosk's (src/server/client.rs): one
        // keep-alive connection per kiosk, as a province's server sees them.
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(3))
            .timeout(CLIENT_TIMEOUT)
            .pool_idle_timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| e.to_string())?;
        kiosks.push(Arc::new(Kiosk {
            id,
            office,
            token,
            base: bases[i % bases.len()].clone(),
            http,
            started: Instant::now(),
        }));
    }
    println!(
        "  setup: {} offices, {} kiosk tokens, {} dossiers in {:.1} s",
        world.offices,
        kiosks.len(),
        opts.offices * opts.dossiers_per_office,
        started.elapsed().as_secs_f64()
    );
    Ok((kiosks, world))
}

// ---------------------------------------------------------------------------------------------
// One target

struct RouteResult {
    route: Route,
    count: usize,
    per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    outcomes: BTreeMap<String, u64>,
    over_kiosk_timeout: u64,
    server_p99_ms: Option<f64>,
}

struct TargetResult {
    backend: Backend,
    routes: Vec<RouteResult>,
    /// Cores used over the measured window: client, each server, PostgreSQL, whole machine.
    client_cores: f64,
    server_cores: Vec<f64>,
    postgres_cores: f64,
    machine_cores: f64,
    client_rss: f64,
    server_rss: Vec<f64>,
    failures: (u64, Vec<String>),
    numbering: Result<usize, String>,
    issued_by_servers: u64,
    timeline: Vec<Second>,
    wal: Option<Wal>,
}

/// PostgreSQL's WAL over the window (`pg_stat_wal`, `pg_stat_database`).
#[derive(Debug, Clone, Copy, Default)]
struct Wal {
    commits: i64,
    syncs: i64,
    sync_ms: f64,
}

/// Times WAL syncs from now on (an admin setting, reloaded without a restart).
async fn time_wal_syncs(url: &str) -> Result<tokio_postgres::Client, String> {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(connection);
    // Two messages: ALTER SYSTEM refuses to run inside the implicit transaction of a batch.
    for statement in [
        "ALTER SYSTEM SET track_wal_io_timing = on",
        "SELECT pg_reload_conf()",
    ] {
        client
            .batch_execute(statement)
            .await
            .map_err(|e| format!("{statement}: {e:?}"))?;
    }
    Ok(client)
}

async fn wal_now(client: &tokio_postgres::Client) -> Result<Wal, String> {
    let row = client
        .query_one(
            "SELECT w.wal_sync, w.wal_sync_time,
                    (SELECT SUM(xact_commit)::bigint FROM pg_stat_database)
             FROM pg_stat_wal w",
            &[],
        )
        .await
        .map_err(|e| e.to_string())?;
    Ok(Wal {
        syncs: row.get(0),
        sync_ms: row.get(1),
        commits: row.get::<_, Option<i64>>(2).unwrap_or(0),
    })
}

/// One second of the measured window.
struct Second {
    /// Tickets scheduled in it: latencies (µs, sorted) and p99 (None with too few to tell).
    tickets: Vec<u64>,
    ticket_p99_ms: Option<f64>,
    /// Busy cores: the whole machine, and this bench's processes (client, servers, PostgreSQL).
    machine: f64,
    ours: f64,
    /// Share of the second in which some task waited for the disk, for a CPU.
    io_stall: f64,
    cpu_stall: f64,
}

fn per_second(samples: &[CpuSnapshot], tickets: &[(u32, u64)]) -> Vec<Second> {
    let mut by_second: Vec<Vec<u64>> = vec![Vec::new(); samples.len().saturating_sub(1)];
    for (second, us) in tickets {
        if let Some(list) = by_second.get_mut(*second as usize) {
            list.push(*us);
        }
    }
    samples
        .windows(2)
        .zip(by_second)
        .map(|(w, mut list)| {
            let dt = match (w[0].at, w[1].at) {
                (Some(a), Some(b)) => (b - a).as_secs_f64().max(1e-3),
                _ => 1.0,
            };
            let ours = |s: &CpuSnapshot| s.client + s.servers.iter().sum::<u64>() + s.postgres;
            list.sort_unstable();
            Second {
                ticket_p99_ms: (list.len() >= 20).then(|| percentile(&list, 0.99)),
                tickets: list,
                machine: w[1].machine_busy.saturating_sub(w[0].machine_busy) as f64
                    / TICKS_PER_SECOND
                    / dt,
                ours: ours(&w[1]).saturating_sub(ours(&w[0])) as f64 / TICKS_PER_SECOND / dt,
                io_stall: w[1].io_stall_us.saturating_sub(w[0].io_stall_us) as f64 / 1e6 / dt,
                cpu_stall: w[1].cpu_stall_us.saturating_sub(w[0].cpu_stall_us) as f64 / 1e6 / dt,
            }
        })
        .collect()
}

fn percentile(sorted: &[u64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i] as f64 / 1000.0
}

/// Every (office, service) series must read 1, 2, … n: no gap, no number twice.
fn check_numbering(numbers: &HashMap<(usize, usize), Vec<u32>>) -> Result<usize, String> {
    let mut total = 0;
    for ((office, service), list) in numbers {
        let mut sorted = list.clone();
        sorted.sort_unstable();
        for (i, n) in sorted.iter().enumerate() {
            if *n as usize != i + 1 {
                return Err(format!(
                    "{} {}: number {} where {} was due ({} tickets)",
                    office_id(*office),
                    SERVICES[*service].0,
                    n,
                    i + 1,
                    sorted.len()
                ));
            }
        }
        total += sorted.len();
    }
    Ok(total)
}

fn run_target(opts: &Options, backend: Backend) -> Result<TargetResult, String> {
    let dir = tempfile::Builder::new()
        .prefix("motcua-load-")
        .tempdir()
        .map_err(|e| e.to_string())?;
    // The cluster (if any) must outlive the servers; fields drop in reverse order of declaration
    // below, so servers go first.
    let mut cluster = None;
    let mut database = None;
    let dbs: Vec<String> = match backend {
        Backend::Sqlite => vec![dir.path().join("central.sqlite3").display().to_string()],
        Backend::Postgres { instances, durable } => {
            let c = pg::Cluster::start(durable)?;
            let base: &'static str = Box::leak(c.url.clone().into_boxed_str());
            let db = pg::TestDatabase::on(base);
            let urls = vec![db.url.clone(); instances];
            cluster = Some(c);
            database = Some(db);
            urls
        }
    };
    let pg_port = cluster
        .as_ref()
        .and_then(|c: &pg::Cluster| c.url.rsplit(':').next().and_then(|p| p.parse::<u16>().ok()));
    let mut servers = Vec::new();
    for (i, db) in dbs.iter().enumerate() {
        servers.push(Server::start(db, dir.path(), &format!("central-{i}"))?);
    }
    let bases: Vec<String> = servers.iter().map(|s| s.base.clone()).collect();
    let pids: Vec<u32> = servers.iter().map(Server::pid).collect();

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let result = runtime.block_on(async {
        let (kiosks, world) = setup(opts, &bases).await?;
        let wal_client = match dbs.first() {
            Some(url) if url.starts_with("postgres") => Some(time_wal_syncs(url).await?),
            _ => None,
        };
        let metrics_http = reqwest::Client::new();
        let start = Instant::now() + Duration::from_millis(200);
        let measure_from = start + opts.warmup;
        let end = measure_from + opts.measured;
        let rec = Arc::new(Recorder::new(measure_from));
        let mut fleet = JoinSet::new();
        for (i, k) in kiosks.iter().enumerate() {
            fleet.spawn(run_kiosk(
                Arc::clone(k),
                Arc::clone(&world),
                Arc::clone(&rec),
                i as u64 + 1,
                start,
                end,
            ));
        }
        // CPU every second of the window, on a thread of its own so a busy client runtime
        // cannot delay it.
        let mut marks: Vec<Instant> = (0..)
            .map(|i| measure_from + Duration::from_secs(i))
            .take_while(|t| *t < end)
            .collect();
        marks.push(end);
        let sampler = {
            let pids = pids.clone();
            std::thread::spawn(move || {
                marks
                    .into_iter()
                    .map(|at| {
                        std::thread::sleep(at.saturating_duration_since(Instant::now()));
                        cpu_snapshot(&pids, pg_port)
                    })
                    .collect::<Vec<_>>()
            })
        };
        tokio::time::sleep_until(measure_from.into()).await;
        let mut before = Vec::new();
        for base in &bases {
            before.push(scrape(&metrics_http, base).await?);
        }
        let wal_before = match &wal_client {
            Some(c) => Some(wal_now(c).await?),
            None => None,
        };
        tokio::time::sleep_until(end.into()).await;
        let mut after = Vec::new();
        for base in &bases {
            after.push(scrape(&metrics_http, base).await?);
        }
        let wal = match (&wal_client, wal_before) {
            (Some(c), Some(b)) => {
                let a = wal_now(c).await?;
                Some(Wal {
                    commits: a.commits - b.commits,
                    syncs: a.syncs - b.syncs,
                    sync_ms: a.sync_ms - b.sync_ms,
                })
            }
            _ => None,
        };
        let client_rss = rss_mib("self");
        let server_rss: Vec<f64> = pids.iter().map(|p| rss_mib(&p.to_string())).collect();
        while fleet.join_next().await.is_some() {}
        let mut finals = Vec::new();
        for base in &bases {
            finals.push(scrape(&metrics_http, base).await?);
        }
        let samples = sampler.join().map_err(|_| "CPU sampler panicked")?;
        let (Some(cpu_before), Some(cpu_after)) = (samples.first(), samples.last()) else {
            return Err("no CPU samples".to_string());
        };
        let seconds = opts.measured.as_secs_f64();
        let wall = match (cpu_before.at, cpu_after.at) {
            (Some(a), Some(b)) => (b - a).as_secs_f64(),
            _ => seconds,
        };
        let cores = |a: u64, b: u64| (b.saturating_sub(a)) as f64 / TICKS_PER_SECOND / wall;
        let mut routes = Vec::new();
        let mut timeline = Vec::new();
        for route in Route::ALL {
            let mut stats = std::mem::take(&mut *lock(&rec.routes[route.index()]));
            if route == Route::Ticket {
                timeline = per_second(&samples, &stats.timed);
            }
            stats.latencies_us.sort_unstable();
            let l = &stats.latencies_us;
            routes.push(RouteResult {
                route,
                count: l.len(),
                per_second: l.len() as f64 / seconds,
                p50_ms: percentile(l, 0.50),
                p99_ms: percentile(l, 0.99),
                max_ms: l.last().map_or(0.0, |v| *v as f64 / 1000.0),
                outcomes: stats.outcomes,
                over_kiosk_timeout: stats.over_kiosk_timeout,
                server_p99_ms: server_quantile(&before, &after, route.pattern(), 0.99),
            });
        }
        let numbering = check_numbering(&lock(&rec.numbers));
        let failures = std::mem::take(&mut *lock(&rec.failures));
        Ok::<_, String>(TargetResult {
            backend,
            routes,
            client_cores: cores(cpu_before.client, cpu_after.client),
            server_cores: cpu_before
                .servers
                .iter()
                .zip(&cpu_after.servers)
                .map(|(a, b)| cores(*a, *b))
                .collect(),
            postgres_cores: cores(cpu_before.postgres, cpu_after.postgres),
            machine_cores: cores(cpu_before.machine_busy, cpu_after.machine_busy),
            client_rss,
            server_rss,
            failures,
            numbering,
            issued_by_servers: finals.iter().map(|s| s.tickets_issued).sum(),
            timeline,
            wal,
        })
    });
    runtime.shutdown_timeout(Duration::from_secs(2));
    if let Err(e) = &result {
        for s in &servers {
            eprintln!("--- {} ---\n{}", s.log.display(), tail(&s.log, 20));
        }
        eprintln!("{e}");
    }
    drop(servers);
    drop(database);
    if let Some(c) = cluster {
        let _ = c.stop();
    }
    result
}

// ---------------------------------------------------------------------------------------------
// Report

/// The machine is shared: the seconds in which other processes left it nearly alone show what
/// this load does by itself. Their number, and the latencies of the tickets scheduled in them.
fn quiet_tickets(r: &TargetResult) -> (usize, Vec<u64>) {
    let quiet: Vec<&Second> = r
        .timeline
        .iter()
        .filter(|s| s.machine - s.ours < QUIET_OTHERS)
        .collect();
    let mut tickets: Vec<u64> = quiet
        .iter()
        .flat_map(|s| s.tickets.iter().copied())
        .collect();
    tickets.sort_unstable();
    (quiet.len(), tickets)
}

fn print_target(opts: &Options, r: &TargetResult) {
    println!(
        "\n{} — {} kiosks, {} offices, {:.0} s measured after {:.0} s warm-up",
        r.backend.name(),
        opts.kiosks,
        opts.offices,
        opts.measured.as_secs_f64(),
        opts.warmup.as_secs_f64()
    );
    println!(
        "  {:<24} {:>8} {:>8} {:>8} {:>8} {:>9} {:>12}  answers",
        "route", "requests", "req/s", "p50 ms", "p99 ms", "max ms", "server p99≤"
    );
    let mut all = 0;
    for route in &r.routes {
        all += route.count;
        let outcomes: Vec<String> = route
            .outcomes
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect();
        println!(
            "  {:<24} {:>8} {:>8.1} {:>8.1} {:>8.1} {:>9.1} {:>12}  {}",
            route.route.name(),
            route.count,
            route.per_second,
            route.p50_ms,
            route.p99_ms,
            route.max_ms,
            route
                .server_p99_ms
                .map_or("-".into(), |v| format!("{v} ms")),
            outcomes.join(", ")
        );
    }
    println!(
        "  {:<24} {:>8} {:>8.1}",
        "all",
        all,
        all as f64 / opts.measured.as_secs_f64()
    );
    let ticket = &r.routes[Route::Ticket.index()];
    println!(
        "  tickets: p99 {:.1} ms, target < {TICKET_P99_TARGET_MS} ms: {}; {} slower than the \
         kiosk's {} ms (it would have printed an offline number)",
        ticket.p99_ms,
        if ticket.p99_ms < TICKET_P99_TARGET_MS {
            "met"
        } else {
            "MISSED"
        },
        ticket.over_kiosk_timeout,
        KIOSK_TICKET_TIMEOUT.as_millis()
    );
    let servers: Vec<String> = r.server_cores.iter().map(|c| format!("{:.2}", c)).collect();
    let ours = r.client_cores + r.server_cores.iter().sum::<f64>() + r.postgres_cores;
    println!(
        "  CPU (cores of 2): client {:.2}, server {}, PostgreSQL {:.2}; machine {:.2} \
         (others {:.2})",
        r.client_cores,
        servers.join(" + "),
        r.postgres_cores,
        r.machine_cores,
        (r.machine_cores - ours).max(0.0)
    );
    let rss: Vec<String> = r.server_rss.iter().map(|m| format!("{m:.0}")).collect();
    println!(
        "  memory (RSS MiB): client {:.0}, server {}",
        r.client_rss,
        rss.join(" + ")
    );
    let (slow, fast): (Vec<&Second>, Vec<&Second>) = r
        .timeline
        .iter()
        .filter(|s| s.ticket_p99_ms.is_some())
        .partition(|s| s.ticket_p99_ms.is_some_and(|p| p > TICKET_P99_TARGET_MS));
    let mean = |list: &[&Second], f: fn(&Second) -> f64| {
        // 0.0 + …: an empty f64 sum is -0.0.
        0.0 + list.iter().map(|s| f(s)).sum::<f64>() / list.len().max(1) as f64
    };
    let describe = |list: &[&Second]| {
        format!(
            "machine busy {:.2} cores (others {:.2}), stalled on disk {:.0} % and on CPU {:.0} % \
             of the time",
            mean(list, |s| s.machine),
            mean(list, |s| (s.machine - s.ours).max(0.0)),
            mean(list, |s| s.io_stall * 100.0),
            mean(list, |s| s.cpu_stall * 100.0),
        )
    };
    println!(
        "  per second: ticket p99 over {TICKET_P99_TARGET_MS} ms in {} of {} s",
        slow.len(),
        slow.len() + fast.len()
    );
    if !slow.is_empty() {
        println!("    in those: {}", describe(&slow));
    }
    if !fast.is_empty() {
        println!("    in the others: {}", describe(&fast));
    }
    if let Some(w) = &r.wal {
        println!(
            "  PostgreSQL WAL: {} commits flushed with {} syncs ({:.0}/s), {:.2} ms a sync on \
             average, syncing {:.0} % of the window",
            w.commits,
            w.syncs,
            w.syncs as f64 / opts.measured.as_secs_f64(),
            w.sync_ms / w.syncs.max(1) as f64,
            w.sync_ms / 10.0 / opts.measured.as_secs_f64()
        );
    }
    let (quiet_seconds, quiet) = quiet_tickets(r);
    if quiet.is_empty() {
        println!("  quiet seconds (others < {QUIET_OTHERS} cores): none");
    } else {
        println!(
            "  quiet seconds (others < {QUIET_OTHERS} cores): {quiet_seconds}, {} tickets: \
             p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            quiet.len(),
            percentile(&quiet, 0.5),
            percentile(&quiet, 0.99),
            quiet.last().map_or(0.0, |v| *v as f64 / 1000.0)
        );
    }
    let mut worst: Vec<(usize, &Second)> = r.timeline.iter().enumerate().collect();
    worst.sort_by(|a, b| {
        b.1.ticket_p99_ms
            .unwrap_or(0.0)
            .total_cmp(&a.1.ticket_p99_ms.unwrap_or(0.0))
    });
    let worst: Vec<String> = worst
        .iter()
        .take(5)
        .filter_map(|(i, s)| {
            Some(format!(
                "{i} s: {:.0} ms ({:.2}/{:.2}, disk {:.0} %)",
                s.ticket_p99_ms?,
                s.machine,
                (s.machine - s.ours).max(0.0),
                s.io_stall * 100.0
            ))
        })
        .collect();
    println!(
        "  worst seconds, ticket p99 (machine/others cores, stalled on disk): {}",
        worst.join(", ")
    );
    match &r.numbering {
        Ok(n) => println!(
            "  numbering: {n} tickets answered, every series 1..n without gap or repeat; \
             servers counted {} issued",
            r.issued_by_servers
        ),
        Err(e) => println!("  numbering BROKEN: {e}"),
    }
    if r.failures.0 > 0 {
        println!("  {} unexpected answers, first ones:", r.failures.0);
        for f in &r.failures.1 {
            println!("    {f}");
        }
    }
}

fn print_summary(results: &[TargetResult]) {
    println!(
        "\n| target | route | req/s | p50 ms | p99 ms | max ms | errors | p99 ms in quiet seconds | CPU cores: client / server / PostgreSQL / machine |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for r in results {
        let (quiet_seconds, quiet) = quiet_tickets(r);
        for (i, route) in r.routes.iter().enumerate() {
            let errors: u64 = route
                .outcomes
                .iter()
                .filter(|(k, _)| {
                    !matches!(k.as_str(), "200" | "201" | "304" | "404 (unknown code)")
                })
                .map(|(_, v)| v)
                .sum();
            let quiet = if i == 0 && !quiet.is_empty() {
                format!("{:.1} ({quiet_seconds} s)", percentile(&quiet, 0.99))
            } else {
                String::new()
            };
            let cpu = if i == 0 {
                let servers: Vec<String> =
                    r.server_cores.iter().map(|c| format!("{c:.2}")).collect();
                format!(
                    "{:.2} / {} / {:.2} / {:.2}",
                    r.client_cores,
                    servers.join("+"),
                    r.postgres_cores,
                    r.machine_cores
                )
            } else {
                String::new()
            };
            println!(
                "| {} | {} | {:.1} | {:.1} | {:.1} | {:.1} | {} | {} | {} |",
                if i == 0 {
                    r.backend.name()
                } else {
                    String::new()
                },
                route.route.name(),
                route.per_second,
                route.p50_ms,
                route.p99_ms,
                route.max_ms,
                errors,
                quiet,
                cpu
            );
        }
    }
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo bench -- --list` asks benches to list their cases.
    }
    let opts = match Options::parse() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("load: {e}");
            std::process::exit(2);
        }
    };
    // reqwest is built with rustls and no provider (central/Cargo.toml): install ring's.
    let _ = rustls::crypto::ring::default_provider().install_default();
    println!(
        "load: {} kiosks in {} offices; per kiosk: heartbeat every {:?}, catalog check every \
         {:?}, a ticket every {:?} on average, a lookup every {:?}; server {SERVER}",
        opts.kiosks,
        opts.offices,
        opts.timing.heartbeat_every,
        opts.timing.catalog_every,
        opts.timing.ticket_mean,
        opts.timing.lookup_every,
    );
    let mut results = Vec::new();
    let mut failed = false;
    for &backend in &opts.targets {
        println!("\n{} …", backend.name());
        match run_target(&opts, backend) {
            Ok(r) => {
                print_target(&opts, &r);
                let counted = r.numbering.as_ref().ok().copied().unwrap_or(0) as u64;
                if r.failures.0 > 0 || r.numbering.is_err() || counted != r.issued_by_servers {
                    failed = true;
                    if counted != r.issued_by_servers {
                        println!(
                            "  servers issued {} tickets, kiosks were answered {counted}",
                            r.issued_by_servers
                        );
                    }
                }
                results.push(r);
            }
            Err(e)
                if !opts.full
                    && matches!(backend, Backend::Postgres { .. })
                    && e.contains("no PostgreSQL") =>
            {
                println!("  skipped (smoke run): {e}");
            }
            Err(e) => {
                println!("  FAILED: {e}");
                failed = true;
            }
        }
    }
    if opts.full {
        print_summary(&results);
    }
    if failed {
        eprintln!("load: unexpected answers or broken numbering (above)");
        std::process::exit(1);
    }
}
