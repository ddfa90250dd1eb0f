//! `kiosk-config.toml` → a validated [`Config`].
//!
//! Two steps: serde reads the text into `raw` types (unknown keys and wrong types fail there), then
//! `validate` checks ranges, paths, URLs, port names, hours and combinations. Every problem names
//! the file, line:column, key and what is allowed; all validation problems are reported at once.

mod hours;
mod locate;
mod raw;
pub mod reload;
mod summary;
mod validate;

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use hours::OpeningHours;
pub use locate::KeyPath;
pub use summary::Summary;

use crate::language::Language;
use crate::ticket::{Layout, Logo, TextMode};

/// The shipped config's file name; the kiosk looks for it in the working directory, then in /etc.
pub const FILE_NAME: &str = "kiosk-config.toml";
/// Where the package installs the config.
pub const SYSTEM_PATH: &str = "/etc/motcua-kiosk/kiosk-config.toml";

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The file this config came from; relative paths inside it are resolved against its folder.
    pub source: PathBuf,
    pub kiosk: KioskConfig,
    pub server: ServerConfig,
    pub printer: PrinterConfig,
    pub catalog: CatalogConfig,
    pub dossier: DossierConfig,
    pub scanner: ScannerConfig,
    pub queue: QueueConfig,
    pub ui: UiConfig,
    pub log: LogConfig,
}

impl Config {
    /// The file this config came from as a full path: a technician may not know which folder
    /// the kiosk was started in.
    pub fn full_source(&self) -> PathBuf {
        std::fs::canonicalize(&self.source).unwrap_or_else(|_| self.source.clone())
    }
}

impl KioskConfig {
    /// What every citizen sees first.
    pub fn first_language(&self) -> Language {
        self.languages.first().copied().unwrap_or(Language::Vi)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct KioskConfig {
    pub id: String,
    pub office_name: String,
    pub office_address: String,
    /// The first one is what every citizen sees first.
    pub languages: Vec<Language>,
    pub idle_timeout: Duration,
    /// How long before the idle timeout the citizen is asked whether they are still there, with
    /// a countdown (zero: never asked).
    pub idle_warning: Duration,
    /// Argon2 PHC string; `None` keeps the admin screen locked.
    pub admin_pin_hash: Option<String>,
    pub data_dir: PathBuf,
}

/// A value that must never reach a log line or a screen.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_empty() {
            "<empty>"
        } else {
            "<redacted>"
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerEndpoint {
    /// `url = ""`: the kiosk works offline only.
    NotConfigured,
    /// `url = "demo"`: the reference server runs inside the kiosk on 127.0.0.1 with sample data.
    Demo,
    /// An https URL (http only on this machine).
    Remote(url::Url),
}

#[derive(Debug, Clone, PartialEq)]
pub struct ServerConfig {
    pub endpoint: ServerEndpoint,
    pub token: Secret,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    pub ca_file: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowControl {
    None,
    RtsCts,
    XonXoff,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parity {
    None,
    Even,
    Odd,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrinterTransport {
    Serial {
        port: String,
        baud: u32,
        flow_control: FlowControl,
        parity: Parity,
    },
    Tcp {
        address: String,
    },
    File {
        path: PathBuf,
    },
    /// Each job is written to a folder (bytes plus a picture) instead of a printer.
    Preview {
        dir: PathBuf,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct PrinterConfig {
    pub transport: PrinterTransport,
    /// 384 (58 mm) or 576 (80 mm).
    pub paper_width_dots: u16,
    pub text_mode: TextMode,
    pub header_lines: Vec<String>,
    pub footer_lines: Vec<String>,
    pub logo: Option<LogoFile>,
    /// What the QR code on tickets points to.
    pub qr_url: QrUrl,
}

/// `[printer] qr_url`: the address printed as a QR code on tickets.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum QrUrl {
    /// `""`: the ticket's follow page on the central system (its `follow_path` from the
    /// kiosk's `[server] url`); no QR code on a ticket the server has not numbered.
    #[default]
    FollowPage,
    /// `"none"`: no QR code.
    Off,
    /// An address with `{number}`, `{service}` and `{follow}` (the follow page's path) filled in.
    Template(String),
}

impl PrinterConfig {
    /// The paper and text mode tickets and slips are laid out for.
    pub fn layout(&self) -> Layout {
        Layout {
            width_dots: self.paper_width_dots,
            text_mode: self.text_mode,
        }
    }
}

/// `[printer] logo`: the file, and its picture, decoded once when the config was read (a file
/// changed afterwards is read again only with the config).
#[derive(Debug, Clone, PartialEq)]
pub struct LogoFile {
    pub path: PathBuf,
    pub image: Logo,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CatalogConfig {
    pub database: PathBuf,
    pub sync_interval: Duration,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DossierConfig {
    /// Lookups this kiosk allows in any minute (0 = no kiosk-side limit).
    pub lookups_per_minute: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ScannerConfig {
    /// A scanner that types like a keyboard is recognised anywhere in the app.
    pub keyboard: bool,
    /// A scanner on a serial port, read by a worker thread.
    pub serial: Option<SerialScanner>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SerialScanner {
    pub port: String,
    pub baud: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub id: String,
    pub name_vi: String,
    pub name_en: String,
    pub prefix: String,
    pub priority_allowed: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct QueueConfig {
    pub opening_hours: OpeningHours,
    pub open_days: Vec<chrono::Weekday>,
    /// Tickets per service per day.
    pub daily_cap: u32,
    /// Marks this kiosk's own numbers (`K01` in `K01-HT-007`); unique per office.
    pub offline_tag: String,
    /// Shown when the server cannot be reached.
    pub services: Vec<Service>,
    /// "Lấy số cho thủ tục này": a catalog field's name and the id of the service that
    /// handles its procedures, where the service is not named like the field.
    pub field_services: Vec<(String, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Orientation {
    /// Portrait when the screen is taller than wide.
    Auto,
    Landscape,
    Portrait,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    Standard,
    HighContrast,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextSize {
    Standard,
    /// Every font 40 % bigger.
    Large,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Renderer {
    /// CPU rendering: fastest start and least memory on kiosk PCs without a GPU.
    Software,
    /// OpenGL rendering, for boards with a working GPU driver.
    Femtovg,
}

impl Renderer {
    /// The word of `[ui] renderer`, which is also Slint's name for the renderer.
    pub fn name(self) -> &'static str {
        match self {
            Renderer::Software => "software",
            Renderer::Femtovg => "femtovg",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct UiConfig {
    pub fullscreen: bool,
    pub orientation: Orientation,
    pub hide_cursor: bool,
    pub theme: Theme,
    /// What each new citizen starts with; the home page toggles it.
    pub text_size: TextSize,
    pub renderer: Renderer,
    /// How long the home page waits untouched before the attract screen; `None` = never.
    pub attract_after: Option<Duration>,
    /// The program (and its arguments) that plays the ticket tone, a WAV file on its standard
    /// input; `None` = no tone.
    pub ticket_tone: Option<Vec<String>>,
    /// "Đọc to" on the ticket and dossier results; `None` = no such button.
    pub read_aloud: Option<ReadAloud>,
}

/// How "Đọc to" speaks.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadAloud {
    /// The ticket tone's player: a program that plays a WAV file on its standard input.
    pub player: Vec<String>,
    /// The office's own recordings, each in place of the shipped clip of its name.
    pub voice_dir: Option<PathBuf>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LogConfig {
    pub dir: PathBuf,
    /// A `tracing` filter such as `info` or `motcua_kiosk=debug`.
    pub level: String,
    pub keep_days: u16,
}

/// One thing wrong with the config, located in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub column: usize,
    /// Dotted key path, e.g. `printer.baud` or `queue.services[1].prefix`.
    pub key: String,
    pub message: String,
    /// What the key accepts, in the words a technician would type.
    pub allowed: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("no config file found; looked for {}", .tried.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(" and "))]
    NotFound { tried: Vec<PathBuf> },
    #[error("{}", Problems::new(.file, .problems))]
    Invalid {
        file: PathBuf,
        problems: Vec<Problem>,
    },
}

impl ConfigError {
    /// The problems found, empty when the file could not be read at all.
    pub fn problems(&self) -> &[Problem] {
        match self {
            ConfigError::Invalid { problems, .. } => problems,
            _ => &[],
        }
    }
}

struct Problems<'a> {
    file: &'a Path,
    problems: &'a [Problem],
}

impl<'a> Problems<'a> {
    fn new(file: &'a Path, problems: &'a [Problem]) -> Self {
        Self { file, problems }
    }
}

impl fmt::Display for Problems<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        write!(
            f,
            "{} has {n} problem{}; the kiosk will not start until {} fixed",
            self.file.display(),
            if n == 1 { "" } else { "s" },
            if n == 1 { "it is" } else { "they are" }
        )?;
        for p in self.problems {
            write!(
                f,
                "\n  {}:{}:{}: {}: {}",
                self.file.display(),
                p.line,
                p.column,
                p.key,
                p.message
            )?;
            if let Some(allowed) = &p.allowed {
                write!(f, "\n      allowed: {allowed}")?;
            }
        }
        Ok(())
    }
}

/// Reads and validates the config at `path`.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse(&text, path)
}

/// Validates config text; `path` names the file in messages and anchors relative paths.
pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
    let invalid = |problems| ConfigError::Invalid {
        file: path.to_path_buf(),
        problems,
    };
    let raw: raw::RawConfig =
        toml::from_str(text).map_err(|e| invalid(vec![from_toml_error(text, &e)]))?;
    validate::validate(raw, text, path).map_err(invalid)
}

/// The config to use when none was named: `./kiosk-config.toml`, then the system one.
pub fn default_path() -> Result<PathBuf, ConfigError> {
    let tried = vec![PathBuf::from(FILE_NAME), PathBuf::from(SYSTEM_PATH)];
    tried
        .iter()
        .find(|p| p.is_file())
        .cloned()
        .ok_or(ConfigError::NotFound { tried })
}

fn from_toml_error(text: &str, err: &toml::de::Error) -> Problem {
    let offset = err.span().map_or(0, |s| s.start);
    let (line, column) = locate::line_col(text, offset);
    let key = locate::path_at(text, offset).to_string();
    let message = err.message().trim().replace('\n', " ");
    // serde lists the choices inside the message ("expected one of ..."); lift them out.
    let (message, allowed) = match message
        .split_once(", expected one of ")
        .or_else(|| message.split_once(", expected "))
    {
        Some((what, choices)) => (what.to_string(), Some(choices.replace('`', "\""))),
        None => (message, None),
    };
    Problem {
        line,
        column,
        key: if key.is_empty() { "(file)".into() } else { key },
        message,
        allowed,
    }
}
