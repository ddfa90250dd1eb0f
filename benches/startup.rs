//! Start-up: from starting the kiosk's release binary to its first frame on screen, fullscreen
//! 1920×1080 with the software renderer on an X server (Xvfb), and its resident memory once
//! started; the same for the usual alternative, a browser kiosk (Debian's chromium, headless)
//! showing an equivalent static page.
//!
//! Both are timed here, on this process's monotonic clock, from the moment the program is
//! started: for the kiosk, until its "first frame drawn" log line arrives; for chromium, until
//! it has written its screenshot and exited. The kiosk's own figure (from the first line of its
//! `main`, monotonic too) is printed beside it; the two differ by the loader and the pipe.
//!
//! `cargo bench --bench startup` (release). Uses `$DISPLAY`, or starts Xvfb (and
//! matchbox-window-manager for fullscreen) itself. `STARTUP_RUNS=n` changes the number of
//! restarts measured (default 10).

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const KIOSK: &str = env!("CARGO_BIN_EXE_motcua-kiosk");

/// A private X server (and window manager) for the run, stopped on drop.
struct Display {
    name: String,
    children: Vec<Child>,
}

impl Drop for Display {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn display() -> Option<Display> {
    if let Ok(name) = std::env::var("DISPLAY") {
        return Some(Display {
            name,
            children: Vec::new(),
        });
    }
    let name = format!(":{}", 60 + std::process::id() % 200);
    let xvfb = Command::new("Xvfb")
        .args([&name, "-screen", "0", "1920x1080x24", "-nolisten", "tcp"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let mut children = vec![xvfb];
    std::thread::sleep(Duration::from_millis(700));
    if let Ok(wm) = Command::new("matchbox-window-manager")
        .args(["-use_titlebar", "no"])
        .env("DISPLAY", &name)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
    {
        children.push(wm);
        std::thread::sleep(Duration::from_millis(300));
    }
    Some(Display { name, children })
}

/// Proportional memory (PSS: shared pages split between the processes sharing them) of `pid`
/// and all its descendants, in KiB: a browser's many processes share much, so their RSS summed
/// would overstate it.
fn tree_pss_kib(pid: u32) -> u64 {
    let mut parents: Vec<(u32, u32)> = Vec::new();
    if let Ok(entries) = std::fs::read_dir("/proc") {
        for entry in entries.flatten() {
            let Some(p) = entry
                .file_name()
                .to_str()
                .and_then(|s| s.parse::<u32>().ok())
            else {
                continue;
            };
            if let Ok(stat) = std::fs::read_to_string(format!("/proc/{p}/stat")) {
                let after = stat.rfind(')').map_or("", |i| &stat[i + 2..]);
                if let Some(ppid) = after.split_whitespace().nth(1).and_then(|s| s.parse().ok()) {
                    parents.push((p, ppid));
                }
            }
        }
    }
    let mut tree = vec![pid];
    let mut i = 0;
    while i < tree.len() {
        let parent = tree[i];
        tree.extend(
            parents
                .iter()
                .filter(|(_, pp)| *pp == parent)
                .map(|(p, _)| *p),
        );
        i += 1;
    }
    tree.iter().map(|p| pss_kib(*p)).sum()
}

fn pss_kib(pid: u32) -> u64 {
    common::proc_kib(&pid.to_string(), "smaps_rollup", "Pss:")
}

fn rss_kib(pid: u32) -> u64 {
    common::proc_kib(&pid.to_string(), "status", "VmRSS:")
}

/// The log line without its terminal colour codes (`ESC [ ... m`).
fn without_colours(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

struct Run {
    /// From starting the program to its first frame, timed by this bench.
    first_frame_ms: f64,
    /// The kiosk's own figure, from its `main` (none for chromium).
    since_main_ms: Option<f64>,
    rss_kib: u64,
    pss_kib: u64,
}

/// Starts the kiosk, waits for its "first frame drawn" line, lets it settle 3 s, reads its
/// memory, stops it.
fn kiosk_once(config: &Path, display: &str) -> Option<Run> {
    let started = Instant::now();
    let mut child = Command::new(KIOSK)
        .args(["--config", &config.display().to_string()])
        .env("DISPLAY", display)
        .env("RUST_LOG", "info")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("SLINT_BACKEND")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    let stderr = child.stderr.take()?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let line = without_colours(&line);
            if line.contains("first frame drawn")
                && let Some(ms) = line
                    .split("ms=\"")
                    .nth(1)
                    .and_then(|rest| rest.split('"').next())
                    .and_then(|v| v.parse::<f64>().ok())
            {
                let _ = tx.send((started.elapsed().as_secs_f64() * 1000.0, ms));
            }
        }
    });
    let first_frame = rx.recv_timeout(Duration::from_secs(30)).ok();
    std::thread::sleep(Duration::from_secs(3));
    let (rss_kib, pss_kib) = (rss_kib(child.id()), pss_kib(child.id()));
    let _ = child.kill();
    let _ = child.wait();
    let (first_frame_ms, since_main_ms) = first_frame?;
    Some(Run {
        first_frame_ms,
        since_main_ms: Some(since_main_ms),
        rss_kib,
        pss_kib,
    })
}

/// Chromium, headless, draws the page and saves a screenshot: the time until it exits is the
/// browser's time to a first frame. Then, kept running on the page, its memory (all processes).
fn chromium_once(chromium: &str, page: &Path, scratch: &Path) -> Option<Run> {
    let url = format!("file://{}", page.display());
    let common = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--window-size=1920,1080",
    ];
    let profile = format!("--user-data-dir={}", scratch.join("profile").display());
    let shot = format!("--screenshot={}", scratch.join("shot.png").display());
    let started = Instant::now();
    let status = Command::new(chromium)
        .args(common)
        .args([&profile, &shot, &url])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .ok()?;
    let first_frame_ms = started.elapsed().as_secs_f64() * 1000.0;
    if !status.success() {
        return None;
    }
    let mut child = Command::new(chromium)
        .args(common)
        .args([&profile, "--remote-debugging-port=0", &url])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    std::thread::sleep(Duration::from_secs(4));
    let rss_kib = rss_kib(child.id());
    let pss_kib = tree_pss_kib(child.id());
    let _ = child.kill();
    let _ = child.wait();
    // Chromium's helper processes end with their parent; give them a moment.
    std::thread::sleep(Duration::from_millis(500));
    Some(Run {
        first_frame_ms,
        since_main_ms: None,
        rss_kib,
        pss_kib,
    })
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn report(name: &str, runs: &[Run]) {
    let ms: Vec<f64> = runs.iter().map(|r| r.first_frame_ms).collect();
    let mib = |kib: u64| kib as f64 / 1024.0;
    let rss: Vec<f64> = runs.iter().map(|r| mib(r.rss_kib)).collect();
    let pss: Vec<f64> = runs.iter().map(|r| mib(r.pss_kib)).collect();
    let inside: Vec<f64> = runs.iter().filter_map(|r| r.since_main_ms).collect();
    let own = if inside.is_empty() {
        String::new()
    } else {
        format!(" ({:.0} ms from its main)", median(inside))
    };
    println!(
        "{name:<44} first frame p50 {:>6.0} ms{own} (min {:>5.0}, max {:>5.0}) | memory p50: PSS {:>6.1} MiB all processes, RSS {:>6.1} MiB main process",
        median(ms.clone()),
        ms.iter().copied().fold(f64::MAX, f64::min),
        ms.iter().copied().fold(0.0, f64::max),
        median(pss),
        median(rss),
    );
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    if !std::env::args().any(|a| a == "--bench") {
        // `cargo test --all-targets` runs benches without `--bench`; this one needs a release
        // build and an X server to mean anything.
        println!("startup: run it with `cargo bench --bench startup`");
        return;
    }
    let runs: usize = std::env::var("STARTUP_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let Some(display) = display() else {
        println!("startup: skipped, no $DISPLAY and no Xvfb (apt install xvfb)");
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let scratch = tempfile::tempdir().expect("temp dir");
    // The shipped config (demo server, preview printer), its state in a fresh folder.
    let config = scratch.path().join("kiosk-config.toml");
    std::fs::copy(root.join("kiosk-config.toml"), &config).expect("copy the shipped config");

    let first = kiosk_once(&config, &display.name);
    let mut again = Vec::new();
    for _ in 0..runs {
        if let Some(run) = kiosk_once(&config, &display.name) {
            again.push(run);
        }
    }
    println!(
        "start-up, 1920x1080 fullscreen, software renderer, X server {}",
        display.name
    );
    match first {
        Some(run) => report("kiosk, first start (builds catalog, demo db)", &[run]),
        None => println!("kiosk, first start: no first frame within 30 s"),
    }
    if again.is_empty() {
        println!("kiosk: no first frame within 30 s");
        std::process::exit(1);
    }
    report(&format!("kiosk, restart ({} runs)", again.len()), &again);

    let chromium = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|c| {
            Command::new(c)
                .arg("--version")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        });
    match chromium {
        None => println!("chromium: not installed (apt install chromium), comparison skipped"),
        Some(chromium) => {
            let page = root.join("benches/home-page.html");
            let browser: Vec<Run> = (0..runs.min(5))
                .filter_map(|_| chromium_once(chromium, &page, scratch.path()))
                .collect();
            if browser.is_empty() {
                println!("chromium: did not run");
            } else {
                report(
                    &format!("chromium --headless, static page ({} runs)", browser.len()),
                    &browser,
                );
            }
        }
    }
}
