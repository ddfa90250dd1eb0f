//! Shared helpers for the integration tests: configs on disk, the built binary, the UI harness.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub mod browser;
pub mod net;
pub mod printer;
pub mod snapshot;
pub mod ui;
pub mod wait;

/// The repository root (where the shipped `kiosk-config.toml` lives).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn shipped_config_text() -> String {
    std::fs::read_to_string(repo_root().join("kiosk-config.toml"))
        .expect("shipped config is readable")
}

/// A small valid config; tests replace one line of it to make it wrong.
pub const MINIMAL: &str = r#"[kiosk]
id = "TEST-01"
office_name = "Trung tâm Phục vụ hành chính công phường Hải Châu"
idle_timeout_s = 60

[server]
url = ""

[printer]
transport = "preview"
preview_dir = "preview"

[queue]
opening_hours = "07:30-11:30,13:30-17:00"

[[queue.services]]
id = "ho-tich"
name_vi = "Hộ tịch"
name_en = "Civil status"
prefix = "HT"
priority_allowed = true

[[queue.services]]
id = "chung-thuc"
name_vi = "Chứng thực"
name_en = "Certification"
prefix = "CT"

[ui]
fullscreen = false

[log]
dir = "log"
"#;

/// `text` (based on MINIMAL) pointed at the central server `url` with `token` and short timeouts.
pub fn with_server(text: &str, url: &str, token: &str) -> String {
    text.replace(
        "url = \"\"",
        &format!(
            "url = \"{url}\"\ntoken = \"{token}\"\nconnect_timeout_ms = 500\nrequest_timeout_ms = 1500"
        ),
    )
}

/// `text` (based on MINIMAL) keeping its state in `data_dir`.
pub fn with_data_dir(text: &str, data_dir: &Path) -> String {
    text.replace(
        "idle_timeout_s = 60",
        &format!("idle_timeout_s = 60\ndata_dir = \"{}\"", data_dir.display()),
    )
}

/// A temporary folder holding `kiosk-config.toml` with `text`.
pub struct ConfigDir {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
}

pub fn write_config(text: &str) -> ConfigDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("kiosk-config.toml");
    std::fs::write(&path, text).expect("write config");
    ConfigDir { dir, path }
}

pub fn parse(
    text: &str,
) -> Result<motcua_kiosk::config::Config, motcua_kiosk::config::ConfigError> {
    motcua_kiosk::config::parse(text, Path::new("/etc/motcua-kiosk/kiosk-config.toml"))
}

/// Runs the kiosk binary with `args` in `cwd`, no terminal, no display.
pub fn kiosk_cmd(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_motcua-kiosk"))
        .args(args)
        .current_dir(cwd)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .expect("run motcua-kiosk")
}

/// The admin PIN of test configs, and its hash (made once: Argon2 is slow by design).
pub const ADMIN_PIN: &str = "246810";

pub fn admin_pin_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| motcua_kiosk::pin::hash(ADMIN_PIN).expect("hash"))
}

/// `text` (based on MINIMAL) with the admin PIN set.
pub fn with_admin_pin(text: &str) -> String {
    text.replace(
        "idle_timeout_s = 60",
        &format!(
            "idle_timeout_s = 60\nadmin_pin_hash = \"{}\"",
            admin_pin_hash()
        ),
    )
}
