//! The floors of the kiosk (DEVELOPERS.md, "Architecture"), checked on its source: a top-level
//! module uses only modules on lower floors, so there is no import cycle; only the command
//! line's run command reaches into `app`; and `app` stays the thin layer between Slint and the
//! rest: no file, port or socket, under 1,800 lines.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::support::repo_root;

/// Each top-level module of `src/lib.rs` and its floor; a module may use only lower floors.
const FLOORS: &[(&str, u8)] = &[
    // Foundations: no other module of the kiosk.
    ("language", 0),
    ("ticket", 0),
    ("pin", 0),
    ("supervise", 0),
    ("systemd", 0),
    ("tone", 0),
    ("ui", 0),
    // The kiosk's words: time and dates, the config.
    ("clock", 1),
    ("config", 1),
    // The outside world: logs, the central server, the printer, the speaker.
    ("logging", 2),
    ("server", 2),
    ("printer", 2),
    ("speech", 2),
    // The domains, each with its workers.
    ("catalog", 3),
    ("queue", 3),
    ("dossier", 3),
    ("feedback", 3),
    // What puts them together: every worker from one config; the admin screen's needs.
    ("workers", 4),
    ("admin", 4),
    // The screen, then the command line that opens it.
    ("app", 5),
    ("cli", 6),
];

fn src() -> PathBuf {
    repo_root().join("src")
}

/// The top-level modules `src/lib.rs` declares.
fn declared_modules() -> BTreeSet<String> {
    let lib = std::fs::read_to_string(src().join("lib.rs")).expect("src/lib.rs");
    lib.lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod "))
        .map(|m| m.trim_end_matches(';').to_string())
        .collect()
}

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// A module's files: `src/name.rs` and everything under `src/name/`.
fn files_of(module: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let single = src().join(format!("{module}.rs"));
    if single.exists() {
        files.push(single);
    }
    let dir = src().join(module);
    if dir.is_dir() {
        rust_files(&dir, &mut files);
    }
    files
}

/// The code of a file without its comments (line comments and doc comments).
fn code(path: &Path) -> String {
    std::fs::read_to_string(path)
        .expect("read source")
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level modules `text` names as `crate::name` or inside `crate::{…}`.
fn named_modules(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (at, _) in text.match_indices("crate::") {
        let rest = &text[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            for item in group.split(',') {
                let first = item.trim().split("::").next().unwrap_or("");
                out.insert(first.trim().to_string());
            }
        } else {
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            out.insert(rest[..end].to_string());
        }
    }
    out.retain(|m| !m.is_empty());
    out
}

/// Which top-level modules each one uses.
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let modules = declared_modules();
    modules
        .iter()
        .map(|m| {
            let used: BTreeSet<String> = files_of(m)
                .iter()
                .flat_map(|f| named_modules(&code(f)))
                .filter(|n| n != m && modules.contains(n))
                .collect();
            (m.clone(), used)
        })
        .collect()
}

#[test]
fn every_module_has_a_floor_and_uses_only_lower_floors() {
    let floors: BTreeMap<&str, u8> = FLOORS.iter().copied().collect();
    let modules = declared_modules();
    let unplaced: Vec<&String> = modules
        .iter()
        .filter(|m| !floors.contains_key(m.as_str()))
        .collect();
    assert!(
        unplaced.is_empty(),
        "give these modules a floor: {unplaced:?}"
    );
    let mut upward = Vec::new();
    for (module, used) in imports() {
        for other in used {
            if floors[other.as_str()] >= floors[module.as_str()] {
                upward.push(format!("{module} → {other}"));
            }
        }
    }
    assert!(
        upward.is_empty(),
        "imports that do not go down a floor: {upward:?}"
    );
}

#[test]
fn no_import_cycle_between_top_level_modules() {
    let graph = imports();
    // Depth-first search; a module met again while still on the path closes a cycle.
    fn visit<'a>(
        m: &'a str,
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|p| *p == m) {
            let mut cycle: Vec<String> = path[at..].iter().map(|s| s.to_string()).collect();
            cycle.push(m.to_string());
            return Some(cycle);
        }
        if !done.insert(m) {
            return None;
        }
        path.push(m);
        for next in &graph[m] {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    for m in graph.keys() {
        if let Some(cycle) = visit(m, &graph, &mut Vec::new(), &mut done) {
            panic!("import cycle: {}", cycle.join(" → "));
        }
    }
}

#[test]
fn only_the_run_command_opens_the_window() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let reaching: Vec<String> = files
        .iter()
        .filter(|f| !f.starts_with(src().join("app")))
        .filter(|f| named_modules(&code(f)).contains("app"))
        .map(|f| f.strip_prefix(src()).unwrap().display().to_string())
        .collect();
    assert_eq!(reaching, ["cli/run_cmd.rs"]);
}

#[test]
fn app_maps_and_nothing_more() {
    let files = files_of("app");
    let lines: usize = files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap().lines().count())
        .sum();
    // Slint helpers that know nothing of the kiosk live in `ui` (bind, jobs, values, platform);
    // decisions live in the domain modules. Past 1,800 lines, move what is not mapping out.
    assert!(
        lines < 1800,
        "src/app has {lines} lines: move what is not mapping out of it"
    );
    // Files, ports and sockets belong to the workers; the UI thread never waits for them.
    const TOUCHING: [&str; 11] = [
        "std::fs",
        "std::net",
        "std::os::unix::net",
        "File::",
        "serialport",
        "rusqlite",
        "reqwest",
        "TcpStream",
        "UnixDatagram",
        "load_from_path",
        "canonicalize",
    ];
    for file in &files {
        let text = code(file);
        for word in TOUCHING {
            assert!(
                !text.contains(word),
                "{} uses {word}",
                file.strip_prefix(src()).unwrap().display()
            );
        }
    }
}
