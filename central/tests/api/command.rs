//! The `motcua-central` command: its configuration file and flags.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn central() -> Command {
    Command::new(env!("CARGO_BIN_EXE_motcua-central"))
}

#[test]
fn a_bad_configuration_file_names_every_problem_and_stops() {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("central.toml");
    std::fs::write(
        &file,
        "[server]\nlisten = \"everywhere\"\ndatabase = \"c.sqlite3\"\nlog_format = \"xml\"\n",
    )
    .expect("write");
    let out = central().arg("--config").arg(&file).output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(
        text.contains(&format!("{}:2:1: server.listen", file.display())),
        "{text}"
    );
    assert!(
        text.contains(":4:1: server.log_format") && text.contains("\"text\" or \"json\""),
        "{text}"
    );
    let out = central().output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--config"));
}

#[test]
fn the_file_starts_the_server_and_flags_override_it() {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("central.toml");
    std::fs::write(
        &file,
        "[server]\nlisten = \"127.0.0.1:1\"\ndatabase = \"data.sqlite3\"\nlog_format = \"json\"\n\n\
         [[kiosks]]\nid = \"K-9\"\ntoken = \"k9-token\"\n",
    )
    .expect("write");
    let mut child = central()
        .arg("--config")
        .arg(&file)
        .args(["--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let first = lines.next().and_then(Result::ok).unwrap_or_default();
    assert!(
        first.starts_with("listening on http://127.0.0.1:"),
        "{first}"
    );
    assert_ne!(first, "listening on http://127.0.0.1:1");
    let kiosks = lines.next().and_then(Result::ok).unwrap_or_default();
    assert_eq!(kiosks, "kiosks: main/K-9");
    assert!(
        dir.path().join("data.sqlite3").exists(),
        "relative to the file"
    );
    let _ = child.kill();
    let out = child.wait_with_output().expect("stopped");
    let log = String::from_utf8_lossy(&out.stderr);
    let line = log
        .lines()
        .find(|l| l.contains("central server listening"))
        .unwrap_or_default();
    assert!(
        line.starts_with('{') && line.contains("\"message\""),
        "JSON log lines: {log}"
    );
}
