//! The config file exactly as written: serde types that reject unknown keys and wrong types.
//! Nothing here is checked beyond its TOML type; `validate` turns it into a [`super::Config`].

use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    pub kiosk: RawKiosk,
    #[serde(default)]
    pub server: RawServer,
    #[serde(default)]
    pub printer: RawPrinter,
    #[serde(default)]
    pub catalog: RawCatalog,
    #[serde(default)]
    pub dossier: RawDossier,
    #[serde(default)]
    pub scanner: RawScanner,
    pub queue: RawQueue,
    #[serde(default)]
    pub ui: RawUi,
    #[serde(default)]
    pub log: RawLog,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawKiosk {
    pub id: String,
    pub office_name: String,
    #[serde(default)]
    pub office_address: String,
    #[serde(default = "default_languages")]
    pub languages: Vec<String>,
    #[serde(default = "default_idle_timeout")]
    pub idle_timeout_s: i64,
    /// Absent: 15 s, or half a shorter timeout.
    #[serde(default)]
    pub idle_warning_s: Option<i64>,
    #[serde(default)]
    pub admin_pin_hash: String,
    #[serde(default = "default_data_dir")]
    pub data_dir: String,
}

fn default_languages() -> Vec<String> {
    vec!["vi".into(), "en".into()]
}
fn default_idle_timeout() -> i64 {
    60
}
/// Seconds of the idle warning when the config does not say.
pub const DEFAULT_IDLE_WARNING: i64 = 15;
fn default_data_dir() -> String {
    "var".into()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawServer {
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub token: String,
    #[serde(default = "default_connect_timeout")]
    pub connect_timeout_ms: i64,
    #[serde(default = "default_request_timeout")]
    pub request_timeout_ms: i64,
    #[serde(default)]
    pub ca_file: String,
}

impl Default for RawServer {
    fn default() -> Self {
        Self {
            url: String::new(),
            token: String::new(),
            connect_timeout_ms: default_connect_timeout(),
            request_timeout_ms: default_request_timeout(),
            ca_file: String::new(),
        }
    }
}

fn default_connect_timeout() -> i64 {
    1500
}
fn default_request_timeout() -> i64 {
    5000
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RawTransport {
    Serial,
    Tcp,
    File,
    Preview,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RawParity {
    None,
    Even,
    Odd,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RawFlowControl {
    None,
    RtsCts,
    XonXoff,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RawTextMode {
    Raster,
    Codepage,
    Ascii,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RawCodeTable {
    Wpc1258,
    Tcvn3,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPrinter {
    #[serde(default = "default_transport")]
    pub transport: RawTransport,
    #[serde(default)]
    pub port: String,
    #[serde(default = "default_baud")]
    pub baud: i64,
    #[serde(default = "default_flow_control")]
    pub flow_control: RawFlowControl,
    #[serde(default = "default_parity")]
    pub parity: RawParity,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub path: String,
    #[serde(default = "default_preview_dir")]
    pub preview_dir: String,
    #[serde(default = "default_paper_width")]
    pub paper_width_dots: i64,
    #[serde(default = "default_text_mode")]
    pub text_mode: RawTextMode,
    #[serde(default = "default_code_table")]
    pub code_table: RawCodeTable,
    #[serde(default)]
    pub code_page: Option<i64>,
    #[serde(default)]
    pub header_lines: Vec<String>,
    #[serde(default)]
    pub footer_lines: Vec<String>,
    #[serde(default)]
    pub logo: String,
    #[serde(default)]
    pub qr_url: String,
}

impl Default for RawPrinter {
    fn default() -> Self {
        Self {
            transport: default_transport(),
            port: String::new(),
            baud: default_baud(),
            flow_control: default_flow_control(),
            parity: default_parity(),
            address: String::new(),
            path: String::new(),
            preview_dir: default_preview_dir(),
            paper_width_dots: default_paper_width(),
            text_mode: default_text_mode(),
            code_table: default_code_table(),
            code_page: None,
            header_lines: Vec::new(),
            footer_lines: Vec::new(),
            logo: String::new(),
            qr_url: String::new(),
        }
    }
}

fn default_transport() -> RawTransport {
    RawTransport::Preview
}
fn default_baud() -> i64 {
    115_200
}
fn default_parity() -> RawParity {
    RawParity::None
}
fn default_flow_control() -> RawFlowControl {
    RawFlowControl::None
}
fn default_preview_dir() -> String {
    "var/preview".into()
}
fn default_paper_width() -> i64 {
    576
}
fn default_text_mode() -> RawTextMode {
    RawTextMode::Raster
}
fn default_code_table() -> RawCodeTable {
    RawCodeTable::Wpc1258
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCatalog {
    #[serde(default = "default_database")]
    pub database: String,
    #[serde(default = "default_sync_interval")]
    pub sync_interval_min: i64,
}

impl Default for RawCatalog {
    fn default() -> Self {
        Self {
            database: default_database(),
            sync_interval_min: default_sync_interval(),
        }
    }
}

fn default_database() -> String {
    "var/catalog.sqlite3".into()
}
fn default_sync_interval() -> i64 {
    60
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDossier {
    #[serde(default = "default_lookups_per_minute")]
    pub lookups_per_minute: i64,
}

impl Default for RawDossier {
    fn default() -> Self {
        Self {
            lookups_per_minute: default_lookups_per_minute(),
        }
    }
}

fn default_lookups_per_minute() -> i64 {
    6
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScanner {
    #[serde(default = "yes")]
    pub keyboard: bool,
    #[serde(default)]
    pub port: String,
    #[serde(default = "default_scanner_baud")]
    pub baud: i64,
}

impl Default for RawScanner {
    fn default() -> Self {
        Self {
            keyboard: true,
            port: String::new(),
            baud: default_scanner_baud(),
        }
    }
}

fn default_scanner_baud() -> i64 {
    9600
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawQueue {
    pub opening_hours: String,
    #[serde(default = "default_open_days")]
    pub open_days: Vec<String>,
    #[serde(default = "default_daily_cap")]
    pub daily_cap: i64,
    #[serde(default)]
    pub offline_tag: String,
    #[serde(default)]
    pub services: Vec<RawService>,
    /// A catalog field's name → the id of the service that handles it.
    #[serde(default)]
    pub field_services: std::collections::BTreeMap<String, String>,
}

fn default_open_days() -> Vec<String> {
    ["mon", "tue", "wed", "thu", "fri"]
        .iter()
        .map(|d| d.to_string())
        .collect()
}
fn default_daily_cap() -> i64 {
    500
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawService {
    pub id: String,
    pub name_vi: String,
    pub name_en: String,
    pub prefix: String,
    #[serde(default)]
    pub priority_allowed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RawOrientation {
    Auto,
    Landscape,
    Portrait,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RawTheme {
    Standard,
    HighContrast,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RawTextSize {
    Standard,
    Large,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RawRenderer {
    Software,
    Femtovg,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawUi {
    #[serde(default = "yes")]
    pub fullscreen: bool,
    #[serde(default = "default_orientation")]
    pub orientation: RawOrientation,
    #[serde(default = "yes")]
    pub hide_cursor: bool,
    #[serde(default = "default_theme")]
    pub theme: RawTheme,
    #[serde(default = "default_text_size")]
    pub text_size: RawTextSize,
    #[serde(default = "default_renderer")]
    pub renderer: RawRenderer,
    #[serde(default = "default_attract_after")]
    pub attract_after_s: i64,
    #[serde(default)]
    pub ticket_tone: bool,
    #[serde(default)]
    pub read_aloud: bool,
    #[serde(default)]
    pub voice_dir: String,
    #[serde(default = "default_tone_player")]
    pub tone_player: String,
}

impl Default for RawUi {
    fn default() -> Self {
        Self {
            fullscreen: true,
            orientation: default_orientation(),
            hide_cursor: true,
            theme: default_theme(),
            text_size: default_text_size(),
            renderer: default_renderer(),
            attract_after_s: default_attract_after(),
            ticket_tone: false,
            read_aloud: false,
            voice_dir: String::new(),
            tone_player: default_tone_player(),
        }
    }
}

fn yes() -> bool {
    true
}
fn default_orientation() -> RawOrientation {
    RawOrientation::Auto
}
fn default_theme() -> RawTheme {
    RawTheme::Standard
}
fn default_text_size() -> RawTextSize {
    RawTextSize::Standard
}
fn default_attract_after() -> i64 {
    180
}
fn default_tone_player() -> String {
    "aplay -q -".into()
}
fn default_renderer() -> RawRenderer {
    RawRenderer::Software
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLog {
    #[serde(default = "default_log_dir")]
    pub dir: String,
    #[serde(default = "default_log_level")]
    pub level: String,
    #[serde(default = "default_keep_days")]
    pub keep_days: i64,
}

impl Default for RawLog {
    fn default() -> Self {
        Self {
            dir: default_log_dir(),
            level: default_log_level(),
            keep_days: default_keep_days(),
        }
    }
}

fn default_log_dir() -> String {
    "var/log".into()
}
fn default_log_level() -> String {
    "info".into()
}
fn default_keep_days() -> i64 {
    30
}
