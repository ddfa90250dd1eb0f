//! `central.toml`: the server's whole configuration in one validated file. Every problem names
//! the file, line and column, the key, and what is allowed; all problems are reported at once.
//! Command-line flags, where given, override the file.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use motcua_common::locate::{self, KeyPath};
use serde::Deserialize;

use crate::config::{CentralConfig, KioskToken};
use crate::sms::{SmsConfig, SmsSettings};
use crate::store::Database;
use crate::validate::is_identifier;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    server: RawServer,
    #[serde(default)]
    office: RawOffice,
    #[serde(default)]
    tokens: RawTokens,
    #[serde(default)]
    kiosks: Vec<RawKiosk>,
    #[serde(default)]
    counters: Vec<RawCounter>,
    #[serde(default)]
    sms: Option<SmsConfig>,
    #[serde(default)]
    display: RawDisplay,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDisplay {
    notice: Option<String>,
    voice_dir: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawServer {
    listen: Option<String>,
    database: Option<String>,
    pool_size: Option<i64>,
    always_open: Option<bool>,
    lookups_per_minute: Option<i64>,
    log_format: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOffice {
    name: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTokens {
    admin: Option<String>,
    counter: Option<String>,
    display: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCounter {
    name: String,
    token: String,
    #[serde(default)]
    office: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKiosk {
    id: String,
    token: String,
    #[serde(default)]
    office: Option<String>,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    /// One readable line per event.
    #[default]
    Text,
    /// One JSON object per line, for a log collector.
    Json,
}

/// What a configuration file gives: the server's configuration and how to log.
#[derive(Debug)]
pub struct FileConfig {
    pub config: CentralConfig,
    pub log_format: LogFormat,
}

/// One problem, located.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub column: usize,
    pub key: String,
    pub message: String,
    pub allowed: Option<String>,
}

/// Every problem of a file.
#[derive(Debug)]
pub struct ConfigFileError {
    pub file: PathBuf,
    pub problems: Vec<Problem>,
}

impl fmt::Display for ConfigFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{}:{}:{}: ", self.file.display(), p.line, p.column)?;
            if !p.key.is_empty() {
                write!(f, "{}: ", p.key)?;
            }
            write!(f, "{}", p.message)?;
            if let Some(a) = &p.allowed {
                write!(f, " (allowed: {a})")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for ConfigFileError {}

struct Checker<'a> {
    text: &'a str,
    problems: Vec<Problem>,
}

impl Checker<'_> {
    fn report(&mut self, key: &str, message: impl Into<String>, allowed: Option<&str>) {
        let offset = locate::span_of(self.text, &KeyPath::parse(key)).map_or(0, |s| s.start);
        let (line, column) = locate::line_col(self.text, offset);
        self.problems.push(Problem {
            line,
            column,
            key: key.to_string(),
            message: message.into(),
            allowed: allowed.map(str::to_string),
        });
    }
}

/// Reads and checks `path`. Relative database paths are read from the file's folder.
pub fn load(path: &Path) -> Result<FileConfig, ConfigFileError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigFileError {
        file: path.to_path_buf(),
        problems: vec![Problem {
            line: 1,
            column: 1,
            key: String::new(),
            message: format!("cannot read the file: {e}"),
            allowed: None,
        }],
    })?;
    parse(&text, path)
}

/// Checks the text of a configuration file named `path`.
pub fn parse(text: &str, path: &Path) -> Result<FileConfig, ConfigFileError> {
    let fail = |problems| ConfigFileError {
        file: path.to_path_buf(),
        problems,
    };
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        let (line, column) = locate::line_col(text, offset);
        fail(vec![Problem {
            line,
            column,
            key: locate::path_at(text, offset).to_string(),
            message: e.message().trim().to_string(),
            allowed: None,
        }])
    })?;
    let mut c = Checker {
        text,
        problems: Vec::new(),
    };
    let base = path.parent().unwrap_or(Path::new("."));
    let mut config = CentralConfig::new(PathBuf::from("central.sqlite3"));
    config.kiosk_tokens.clear();

    if let Some(listen) = &raw.server.listen {
        match listen.parse::<SocketAddr>() {
            Ok(a) => config.listen = a,
            Err(_) => c.report(
                "server.listen",
                format!("\"{listen}\" is not an address and port"),
                Some("e.g. \"127.0.0.1:8080\" or \"0.0.0.0:8080\""),
            ),
        }
    }
    match raw.server.database.as_deref().map(str::trim) {
        None | Some("") => c.report(
            "server.database",
            "is missing",
            Some("a SQLite file, e.g. \"/var/lib/motcua-central/central.sqlite3\", or postgres://user@host/db"),
        ),
        Some(db) => {
            config.database = match Database::parse(db) {
                Database::Sqlite(p) if p.is_relative() => Database::Sqlite(base.join(p)),
                other => other,
            }
        }
    }
    if let Some(n) = raw.server.pool_size {
        match usize::try_from(n).ok().filter(|n| (1..=512).contains(n)) {
            Some(n) => config.pool_size = n,
            None => c.report("server.pool_size", format!("is {n}"), Some("1 to 512")),
        }
    }
    if let Some(open) = raw.server.always_open {
        config.always_open = open;
    }
    if let Some(n) = raw.server.lookups_per_minute {
        match u32::try_from(n).ok().filter(|n| *n <= 10_000) {
            Some(n) => config.dossier_lookups_per_minute = n,
            None => c.report(
                "server.lookups_per_minute",
                format!("is {n}"),
                Some("0 (no limit) to 10000"),
            ),
        }
    }
    let log_format = match raw.server.log_format.as_deref() {
        None | Some("text") => LogFormat::Text,
        Some("json") => LogFormat::Json,
        Some(other) => {
            c.report(
                "server.log_format",
                format!("\"{other}\" is not a log format"),
                Some("\"text\" or \"json\""),
            );
            LogFormat::Text
        }
    };
    if let Some(name) = raw.office.name {
        if name.trim().is_empty() || name.chars().count() > 120 {
            c.report("office.name", "must be 1 to 120 characters", None);
        } else {
            config.office_name = name;
        }
    }
    if let Some(notice) = raw.display.notice {
        let max = crate::config::NOTICE_MAX;
        if notice.chars().count() > max || notice.chars().any(char::is_control) {
            c.report(
                "display.notice",
                format!("is {} characters", notice.chars().count()),
                Some(&format!("up to {max} characters on one line")),
            );
        } else {
            config.display_notice = Some(notice);
        }
    }
    if let Some(dir) = raw.display.voice_dir {
        let dir = base.join(dir.trim());
        if dir.is_dir() {
            config.voice_dir = Some(dir);
        } else {
            c.report(
                "display.voice_dir",
                format!("\"{}\" is not a folder", dir.display()),
                Some("a folder of WAV files named as the shipped clips"),
            );
        }
    }
    for (key, value) in [
        ("tokens.admin", raw.tokens.admin),
        ("tokens.counter", raw.tokens.counter),
        ("tokens.display", raw.tokens.display),
    ] {
        match value {
            Some(t) if t.trim().len() < 16 => c.report(
                key,
                "is too short to be a secret",
                Some("at least 16 characters, e.g. from `openssl rand -hex 24`"),
            ),
            Some(t) if key == "tokens.admin" => config.admin_token = Some(t),
            Some(t) if key == "tokens.counter" => config.counter_token = Some(t),
            Some(t) => config.display_token = Some(t),
            None => {}
        }
    }
    for (i, k) in raw.counters.into_iter().enumerate() {
        let key = |f: &str| format!("counters[{i}].{f}");
        let office = k
            .office
            .unwrap_or_else(|| crate::offices::DEFAULT_OFFICE.to_string());
        if crate::validate::short_text("", &k.name, 32).is_err() {
            c.report(
                &key("name"),
                format!("\"{}\" is not a counter name", k.name),
                Some("1 to 32 characters, e.g. \"3\""),
            );
        }
        if k.token.trim().len() < 16 {
            c.report(
                &key("token"),
                "is too short to be a secret",
                Some("at least 16 characters"),
            );
        }
        config.counter_tokens.push(crate::config::CounterToken {
            office,
            counter: k.name,
            token: k.token,
        });
    }
    for (i, k) in raw.kiosks.into_iter().enumerate() {
        let key = |f: &str| format!("kiosks[{i}].{f}");
        let office = k
            .office
            .unwrap_or_else(|| crate::offices::DEFAULT_OFFICE.to_string());
        if !is_identifier(&k.id) {
            c.report(
                &key("id"),
                format!("\"{}\" is not a kiosk id", k.id),
                Some("1 to 32 letters, digits, - or _"),
            );
        }
        if !is_identifier(&office) {
            c.report(
                &key("office"),
                format!("\"{office}\" is not an office id"),
                Some("1 to 32 letters, digits, - or _"),
            );
        }
        if k.token.trim().is_empty() {
            c.report(&key("token"), "is empty", None);
        }
        config.kiosk_tokens.push(KioskToken {
            office,
            kiosk_id: k.id,
            token: k.token,
        });
    }
    if let Err(why) = config.check() {
        c.report("kiosks", why, None);
    }
    config.sms = match raw.sms.map(|s| s.check()) {
        None => None,
        Some(Ok(settings)) => Some(settings),
        Some(Err(problems)) => {
            for p in problems {
                c.report(&p.key, p.message, p.allowed.as_deref());
            }
            None
        }
    };
    if c.problems.is_empty() {
        Ok(FileConfig { config, log_format })
    } else {
        Err(fail(c.problems))
    }
}

/// The checked `[sms]` settings of a file, for `sms-test`.
pub fn sms_settings(path: &Path) -> Result<Option<SmsSettings>, ConfigFileError> {
    load(path).map(|f| f.config.sms)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[server]
listen = "127.0.0.1:9090"
database = "data/central.sqlite3"
lookups_per_minute = 20
log_format = "json"

[office]
name = "Trung tâm Phục vụ hành chính công phường Hải Châu"

[tokens]
admin = "an-admin-secret-of-some-length"

[[kiosks]]
id = "KIOSK-01"
token = "kiosk-one-token"

[[kiosks]]
id = "HC-02"
token = "kiosk-two-token"
office = "hai-chau"
"#;

    fn problems(text: &str) -> Vec<String> {
        match parse(text, Path::new("/etc/motcua-central/central.toml")) {
            Ok(_) => Vec::new(),
            Err(e) => e.to_string().lines().map(str::to_string).collect(),
        }
    }

    #[test]
    fn a_good_file_gives_the_whole_configuration() {
        let f = parse(GOOD, Path::new("/etc/motcua-central/central.toml")).expect("good");
        assert_eq!(f.config.listen.port(), 9090);
        assert_eq!(
            f.config.database,
            Database::Sqlite(PathBuf::from("/etc/motcua-central/data/central.sqlite3"))
        );
        assert_eq!(f.config.dossier_lookups_per_minute, 20);
        assert_eq!(f.log_format, LogFormat::Json);
        assert_eq!(f.config.kiosk_tokens.len(), 2);
        assert_eq!(f.config.kiosk_tokens[1].office, "hai-chau");
        assert!(f.config.sms.is_none());
    }

    /// The shipped file, and its commented examples switched on.
    #[test]
    fn the_shipped_file_is_valid_with_and_without_its_examples() {
        let shipped = include_str!("../central.toml");
        let f =
            parse(shipped, Path::new("/etc/motcua-central/central.toml")).expect("shipped file");
        assert_eq!(f.config.kiosk_tokens.len(), 1);
        let uncommented: String = shipped
            .lines()
            .map(|l| match l.strip_prefix("# ") {
                Some(rest) if rest.starts_with('[') || rest.contains(" = ") => rest,
                _ => l,
            })
            .map(|l| format!("{l}\n"))
            .collect();
        let text = uncommented
            .replace("admin = \"\"", "admin = \"0123456789abcdef0123\"")
            .replace("counter = \"\"", "counter = \"fedcba98765432100123\"")
            .replace(
                "voice_dir = \"voice\"",
                &format!("voice_dir = \"{}\"", std::env::temp_dir().display()),
            );
        let f = parse(&text, Path::new("central.toml")).unwrap_or_else(|e| panic!("{e}"));
        assert!(f.config.sms.is_some() && f.config.admin_token.is_some());
        assert!(f.config.display_notice.is_some() && f.config.voice_dir.is_some());
    }

    /// The package installs the shipped file with only the database moved under /var/lib.
    #[test]
    fn the_packaged_file_is_the_shipped_one_with_its_database_in_var_lib() {
        let shipped = include_str!("../central.toml");
        let packaged = include_str!("../../packaging/central/central.toml");
        let differing: Vec<(&str, &str)> = shipped
            .lines()
            .zip(packaged.lines())
            .filter(|(a, b)| a != b)
            .collect();
        assert_eq!(
            differing,
            [(
                "database = \"central.sqlite3\"",
                "database = \"/var/lib/motcua-central/central.sqlite3\""
            )]
        );
        assert_eq!(shipped.lines().count(), packaged.lines().count());
        let f = parse(packaged, Path::new("/etc/motcua-central/central.toml")).expect("valid");
        assert_eq!(
            f.config.database,
            Database::Sqlite(PathBuf::from("/var/lib/motcua-central/central.sqlite3"))
        );
    }

    #[test]
    fn every_problem_names_file_line_key_and_what_is_allowed() {
        let bad = GOOD
            .replace("127.0.0.1:9090", "localhost")
            .replace("lookups_per_minute = 20", "lookups_per_minute = -1")
            .replace("\"json\"", "\"xml\"");
        let p = problems(&bad);
        assert_eq!(p.len(), 3, "{p:#?}");
        assert!(
            p[0].starts_with("/etc/motcua-central/central.toml:3:1: server.listen: \"localhost\""),
            "{}",
            p[0]
        );
        assert!(
            p[1].contains(
                ":5:1: server.lookups_per_minute: is -1 (allowed: 0 (no limit) to 10000)"
            ),
            "{}",
            p[1]
        );
        assert!(
            p[2].contains("server.log_format") && p[2].contains("\"text\" or \"json\""),
            "{}",
            p[2]
        );

        let p = problems(&GOOD.replace("[office]", "[office]\ncolour = \"blue\""));
        assert!(
            p[0].contains(":9:1:") && p[0].contains("unknown field `colour`"),
            "{p:?}"
        );
        let p = problems(&GOOD.replace("id = \"HC-02\"", "id = \"HC 02\""));
        assert!(p[0].contains("kiosks[1].id"), "{p:?}");
        let p = problems("[sms]\ngateway = \"smpp\"\n");
        assert!(
            p.iter()
                .any(|l| l.contains(":1:1: sms") || l.contains("sms.smpp")),
            "{p:?}"
        );
    }
}
