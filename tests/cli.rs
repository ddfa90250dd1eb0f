//! The command line as a technician meets it: exit codes, messages, help.

use crate::support::{self, MINIMAL};

#[test]
fn check_config_on_the_shipped_file_prints_the_summary() {
    let out = support::kiosk_cmd(
        &support::repo_root(),
        &["check-config", "kiosk-config.toml"],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for expected in [
        "is valid",
        "KIOSK-01",
        "Printer",
        "preview",
        "Queue",
        "HT",
        "Hộ tịch",
        "07:30-11:30",
    ] {
        assert!(
            stdout.contains(expected),
            "summary lacks {expected:?}:\n{stdout}"
        );
    }
}

#[test]
fn bad_config_exits_2_naming_file_line_and_key() {
    let dir = support::write_config(
        &MINIMAL.replace("idle_timeout_s = 60", "idle_timeout_s = 60\nbogus = true"),
    );
    for args in [
        vec!["check-config", "kiosk-config.toml"],
        vec!["--config", "kiosk-config.toml"],
    ] {
        let out = support::kiosk_cmd(dir.dir.path(), &args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("kiosk-config.toml:5:1: kiosk.bogus"),
            "{stderr}"
        );
        assert!(stderr.contains("allowed:"), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn running_without_any_config_says_where_it_looked() {
    let dir = tempfile::tempdir().expect("temp dir");
    if std::path::Path::new(motcua_kiosk::config::SYSTEM_PATH).exists() {
        return; // an installed kiosk's config would be found; nothing to prove here
    }
    let out = support::kiosk_cmd(dir.path(), &["check-config"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("kiosk-config.toml and /etc/motcua-kiosk/kiosk-config.toml"),
        "{stderr}"
    );
}

#[test]
fn unreadable_config_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = support::kiosk_cmd(dir.path(), &["check-config", "nowhere.toml"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("cannot read config file nowhere.toml"),
        "{stderr}"
    );
}

#[test]
fn help_and_version_speak_plainly() {
    let root = support::repo_root();
    let out = support::kiosk_cmd(&root, &["--help"]);
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    for expected in ["check-config", "hash-pin", "--config", "--windowed"] {
        assert!(help.contains(expected), "--help lacks {expected}:\n{help}");
    }
    let out = support::kiosk_cmd(&root, &["check-config", "--help"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("what the kiosk will do"));
    let out = support::kiosk_cmd(&root, &["--version"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("motcua-kiosk {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn hash_pin_makes_a_hash_the_config_accepts() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_motcua-kiosk"))
        .arg("hash-pin")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"482913\n")
        .expect("write pin");
    let out = child.wait_with_output().expect("wait");
    assert!(out.status.success());
    let line = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(line.starts_with("admin_pin_hash = \"$argon2"), "{line}");
    assert!(!line.contains("482913"));
    let text = MINIMAL.replace(
        "idle_timeout_s = 60",
        &format!("idle_timeout_s = 60\n{line}"),
    );
    let config = support::parse(&text).expect("hash accepted");
    let hash = config.kiosk.admin_pin_hash.expect("hash kept");
    assert!(motcua_kiosk::pin::verify("482913", &hash));
}

#[test]
fn kiosk_without_a_display_fails_cleanly_and_logs() {
    let dir = support::write_config(MINIMAL);
    let out = support::kiosk_cmd(dir.dir.path(), &["--config", "kiosk-config.toml"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("cannot open the kiosk window"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let log =
        motcua_kiosk::logging::newest_log_file(&dir.dir.path().join("log")).expect("a log file");
    let logged = std::fs::read_to_string(log).expect("read log");
    assert!(logged.contains("starting"), "{logged}");
}

#[test]
fn output_piped_into_a_reader_that_stops_early_ends_quietly() {
    use std::process::{Command, Stdio};
    // Like `| head -0`: the reading end is gone before the first line is written.
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let out = Command::new(env!("CARGO_BIN_EXE_motcua-kiosk"))
        .args(["check-config"])
        .arg(support::repo_root().join("kiosk-config.toml"))
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .expect("run motcua-kiosk");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
}
