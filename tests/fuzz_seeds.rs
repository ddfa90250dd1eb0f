//! The fuzz targets' seed corpora (`fuzz/corpus/<target>/`) replayed on stable Rust, with the very
//! checks the fuzz targets run (`fuzz/checks.rs`): an input that once crashed a target and was
//! added to its corpus stays fixed without a nightly toolchain.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;

#[path = "../fuzz/checks.rs"]
mod checks;

fn seeds(target: &str) -> Vec<PathBuf> {
    let dir = crate::support::repo_root().join("fuzz/corpus").join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("a corpus entry").path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} holds no seed", dir.display());
    files
}

fn replay(target: &str) {
    let (_, check) = checks::TARGETS
        .iter()
        .find(|(name, _)| *name == target)
        .unwrap_or_else(|| panic!("no fuzz target {target}"));
    let mut failures = Vec::new();
    for path in seeds(target) {
        let data = std::fs::read(&path).expect("a readable seed");
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| check(&data))) {
            let why = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("(no message)");
            failures.push(format!("{}: {why}", path.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "{target}: {} seed(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_target_has_a_seed_folder() {
    let names: Vec<&str> = checks::TARGETS.iter().map(|(name, _)| *name).collect();
    let dir = crate::support::repo_root().join("fuzz/corpus");
    let mut folders: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("a corpus entry"))
        .filter(|entry| entry.path().is_dir())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    folders.sort();
    let mut expected: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    expected.sort();
    assert_eq!(
        folders, expected,
        "fuzz/corpus/ and fuzz/checks.rs name other targets"
    );
    for name in names {
        let target = crate::support::repo_root().join(format!("fuzz/fuzz_targets/{name}.rs"));
        assert!(target.is_file(), "{} is missing", target.display());
    }
}

#[test]
fn config_seeds() {
    replay("config");
}

#[test]
fn dossier_code_seeds() {
    replay("dossier_code");
}

#[test]
fn search_query_seeds() {
    replay("search_query");
}

#[test]
fn printer_status_seeds() {
    replay("printer_status");
}

#[test]
fn server_response_seeds() {
    replay("server_response");
}
