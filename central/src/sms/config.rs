//! The `[sms]` section of `central.toml`: serde types (unknown keys are errors), defaults,
//! and [`SmsConfig::check`], which reports every problem with its key and the allowed values
//! and turns a good section into [`SmsSettings`].
//!
//! ```toml
//! [sms]
//! gateway = "kannel"            # none | smpp | kannel | http
//! unaccented = false            # true: fold to ASCII, GSM-7 (160 a segment) instead of UCS-2 (70)
//! max_segments = 3              # 1..=10; a longer message is refused, never cut
//! notify_when_ahead = 3         # "your turn is near" when this many are ahead
//! keep_days = 30                # phone numbers of dossier subscriptions are deleted after
//! quiet_hours = "21:00-07:00"   # messages are held until the end; absent: none
//! office = "UBND phường Bến Nghé"
//!
//! [sms.templates]               # placeholders: {number} {counter} {code} {status} {office}
//! called = "{office}: mời số {number} đến quầy {counter}."
//!
//! [sms.kannel]
//! sendsms_url = "http://127.0.0.1:13013/cgi-bin/sendsms"
//! username = "motcua"
//! password = "…"
//! from = "UBND-BENNGHE"
//! dlr_url = "http://10.0.0.5:8080/api/v1/sms/kannel-dlr"
//! dlr_secret = "a long random string"
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use serde::Deserialize;

use super::quiet::QuietHours;
use super::text::{self, Placeholder, Prepared, Template, TextError, Values};

/// A password or key: read from the file, never printed by `{:?}`.
#[derive(Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_empty() { "\"\"" } else { "\"***\"" })
    }
}

/// Which gateway sends.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GatewayKind {
    /// Sending disabled.
    #[default]
    None,
    Smpp,
    Kannel,
    Http,
}

impl GatewayKind {
    pub fn name(self) -> &'static str {
        match self {
            GatewayKind::None => "none",
            GatewayKind::Smpp => "smpp",
            GatewayKind::Kannel => "kannel",
            GatewayKind::Http => "http",
        }
    }
}

/// `[sms]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsConfig {
    #[serde(default)]
    pub gateway: GatewayKind,
    #[serde(default)]
    pub unaccented: bool,
    #[serde(default = "default_max_segments")]
    pub max_segments: u32,
    #[serde(default = "default_notify_when_ahead")]
    pub notify_when_ahead: u32,
    #[serde(default = "default_keep_days")]
    pub keep_days: u32,
    /// `"HH:MM-HH:MM"`, may cross midnight.
    #[serde(default)]
    pub quiet_hours: Option<String>,
    /// The `{office}` of every message (a short name that fits the brandname); absent: the
    /// name of the office the ticket or dossier belongs to.
    #[serde(default)]
    pub office: Option<String>,
    #[serde(default)]
    pub templates: TemplatesConfig,
    pub smpp: Option<SmppConfig>,
    pub kannel: Option<KannelConfig>,
    pub http: Option<HttpConfig>,
}

fn default_max_segments() -> u32 {
    3
}
fn default_notify_when_ahead() -> u32 {
    3
}
fn default_keep_days() -> u32 {
    30
}
/// `{office}` when neither `[sms] office` nor the caller names one.
const FALLBACK_OFFICE: &str = "Bộ phận Một cửa";

impl Default for SmsConfig {
    fn default() -> Self {
        Self {
            gateway: GatewayKind::None,
            unaccented: false,
            max_segments: default_max_segments(),
            notify_when_ahead: default_notify_when_ahead(),
            keep_days: default_keep_days(),
            quiet_hours: None,
            office: None,
            templates: TemplatesConfig::default(),
            smpp: None,
            kannel: None,
            http: None,
        }
    }
}

/// `[sms.templates]`: one per trigger; each may use only the placeholders its trigger fills.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TemplatesConfig {
    /// `notify_when_ahead` people are ahead of the ticket.
    pub turn_near: String,
    /// The ticket is called.
    pub called: String,
    /// Dossier status 5: documents needed.
    pub status_5: String,
    /// Dossier status 6: a fee to pay.
    pub status_6: String,
    /// Dossier status 9: the result is ready.
    pub status_9: String,
    /// Dossier status 10: the result was handed over.
    pub status_10: String,
    /// The dossier is past its appointment date.
    pub late: String,
}

impl Default for TemplatesConfig {
    fn default() -> Self {
        Self {
            turn_near: "{office}: sắp đến lượt số {number} của quý vị. Mời quý vị có mặt gần quầy."
                .into(),
            called: "{office}: mời số {number} đến quầy {counter}.".into(),
            status_5: "{office}: hồ sơ {code} cần bổ sung giấy tờ. Mời quý vị liên hệ bộ phận Một cửa."
                .into(),
            status_6: "{office}: hồ sơ {code} cần nộp phí, lệ phí. Mời quý vị liên hệ bộ phận Một cửa."
                .into(),
            status_9: "{office}: hồ sơ {code} đã có kết quả. Mời quý vị đến nhận tại bộ phận Một cửa."
                .into(),
            status_10: "{office}: hồ sơ {code} đã trả kết quả. Cảm ơn quý vị.".into(),
            late: "{office}: hồ sơ {code} chưa có kết quả đúng hẹn. Xin lỗi quý vị; chúng tôi sẽ nhắn khi có kết quả."
                .into(),
        }
    }
}

const TICKET: &[Placeholder] = &[Placeholder::Number, Placeholder::Office];
const CALLED: &[Placeholder] = &[
    Placeholder::Number,
    Placeholder::Counter,
    Placeholder::Office,
];
const DOSSIER: &[Placeholder] = &[Placeholder::Code, Placeholder::Status, Placeholder::Office];

/// How the SMPP client binds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BindMode {
    /// Sends and receives delivery receipts on one session.
    #[default]
    Transceiver,
    /// Sends only (SMSCs without transceiver support); no receipts.
    Transmitter,
}

/// `[sms.smpp]`: an SMPP 3.4 account (brandname) at the operator or an aggregator.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmppConfig {
    /// `host:port`.
    pub address: String,
    pub system_id: String,
    pub password: Secret,
    #[serde(default)]
    pub system_type: String,
    /// The brandname (alphanumeric, up to 11 characters) or a number.
    pub source_addr: String,
    /// TON of `source_addr`; default 5 (alphanumeric) for a brandname, 1 for digits.
    pub source_addr_ton: Option<u8>,
    /// NPI of `source_addr`; default 0 for a brandname, 1 (ISDN) for digits.
    pub source_addr_npi: Option<u8>,
    #[serde(default)]
    pub bind: BindMode,
    /// Ask for delivery receipts (`registered_delivery = 1`); only with `bind = "transceiver"`.
    #[serde(default = "yes")]
    pub delivery_reports: bool,
    #[serde(default = "default_enquire_link_secs")]
    pub enquire_link_secs: u64,
    #[serde(default = "default_timeout_secs")]
    pub response_timeout_secs: u64,
    #[serde(default = "default_timeout_secs")]
    pub connect_timeout_secs: u64,
}

fn yes() -> bool {
    true
}
fn default_enquire_link_secs() -> u64 {
    30
}
fn default_timeout_secs() -> u64 {
    10
}

/// `[sms.kannel]`: Kannel's `cgi-bin/sendsms` (a `sendsms-user` group).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KannelConfig {
    pub sendsms_url: String,
    pub username: String,
    pub password: Secret,
    /// The brandname or number shown as sender.
    pub from: String,
    /// Kannel's `smsc` routing, when it has several.
    pub smsc: Option<String>,
    /// Where Kannel reports delivery: this server's `/api/v1/sms/kannel-dlr` as Kannel
    /// reaches it. Absent: no delivery reports.
    pub dlr_url: Option<String>,
    /// Shared secret Kannel sends back on every report.
    pub dlr_secret: Option<Secret>,
    /// Kannel's dlr-mask: 1 delivered, 2 failed, 4 buffered, 8 at the SMSC, 16 refused by
    /// the SMSC. Default 19: the final states and refusals.
    #[serde(default = "default_dlr_mask")]
    pub dlr_mask: u8,
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,
}

fn default_dlr_mask() -> u8 {
    19
}

/// `[sms.http]`: a brandname provider's JSON API; [`HttpConfig::ESMS_EXAMPLE`] shows one.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpConfig {
    pub url: String,
    /// Sent as they are (API keys often go here, so they print as `***`).
    #[serde(default)]
    pub headers: BTreeMap<String, Secret>,
    /// The JSON body with `{to}`, `{to_national}`, `{text}`, `{id}`, `{unicode}` (1 or 0) and
    /// `{data_coding}` (8 or 0), each JSON-escaped when inserted (write them inside quotes).
    pub body: Secret,
    /// JSON pointer (RFC 6901) of the field that says whether the provider took the message.
    pub success_pointer: String,
    /// Its value on success (compared as text: `"100"` matches `100` and `"100"`).
    pub success_value: String,
    /// JSON pointer of the provider's message id.
    pub id_pointer: Option<String>,
    /// JSON pointer of the provider's error text, quoted in the reason of a refusal.
    pub message_pointer: Option<String>,
    /// Values at `success_pointer` that mean "try again later" (else a refusal is final).
    #[serde(default)]
    pub transient_values: Vec<String>,
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,
}

impl HttpConfig {
    /// An example to adapt, shaped after eSMS.vn's documented
    /// `SendMultipleMessage_V4_post_json` (customer-care brandname, `SmsType` 2): check the
    /// field names and codes against the provider's current documentation.
    pub const ESMS_EXAMPLE: &'static str = r#"[sms.http]
url = "https://rest.esms.vn/MainService.svc/json/SendMultipleMessage_V4_post_json/"
headers = { "Content-Type" = "application/json" }
body = '''
{"ApiKey": "YOUR_API_KEY", "SecretKey": "YOUR_SECRET_KEY", "Brandname": "YOUR_BRANDNAME",
 "SmsType": "2", "Phone": "{to_national}", "Content": "{text}", "IsUnicode": "{unicode}",
 "RequestId": "{id}", "Sandbox": "0"}
'''
success_pointer = "/CodeResult"
success_value = "100"
id_pointer = "/SMSID"
message_pointer = "/ErrorMessage"
# Codes from the provider's error table that mean "try again later" (e.g. a balance to top up).
transient_values = []
"#;
}

/// One problem in the section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    /// The key, e.g. `sms.smpp.address`.
    pub key: String,
    pub message: String,
    /// What would be accepted, when it can be listed.
    pub allowed: Option<String>,
}

impl fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.key, self.message)?;
        if let Some(a) = &self.allowed {
            write!(f, " (allowed: {a})")?;
        }
        Ok(())
    }
}

/// The parsed templates.
#[derive(Debug, Clone)]
pub struct Templates {
    pub turn_near: Template,
    pub called: Template,
    pub status_5: Template,
    pub status_6: Template,
    pub status_9: Template,
    pub status_10: Template,
    pub late: Template,
}

impl Templates {
    /// The template of a dossier status that sends a message (5, 6, 9, 10).
    pub fn for_status(&self, status: u8) -> Option<&Template> {
        match status {
            5 => Some(&self.status_5),
            6 => Some(&self.status_6),
            9 => Some(&self.status_9),
            10 => Some(&self.status_10),
            _ => None,
        }
    }
}

/// A checked gateway section.
#[derive(Debug, Clone)]
pub enum GatewaySettings {
    None,
    Smpp(SmppConfig),
    Kannel(KannelConfig),
    Http(HttpConfig),
}

/// A checked `[sms]` section.
#[derive(Debug, Clone)]
pub struct SmsSettings {
    pub gateway: GatewaySettings,
    pub unaccented: bool,
    pub max_segments: usize,
    pub notify_when_ahead: u32,
    pub keep_days: u32,
    pub quiet_hours: Option<QuietHours>,
    /// `[sms] office`, which replaces every office's own name in messages.
    pub office: Option<String>,
    pub templates: Templates,
}

impl SmsSettings {
    /// Renders `template` with `values` (`{office}`: `[sms] office` when set, else the one in
    /// `values`), folds it when `unaccented` and prepares it; a message over `max_segments` is
    /// refused.
    pub fn compose(&self, template: &Template, values: Values<'_>) -> Result<Prepared, TextError> {
        let office = self
            .office
            .as_deref()
            .or(values.office)
            .unwrap_or(FALLBACK_OFFICE);
        let values = Values {
            office: Some(office),
            ..values
        };
        text::compose(template, &values, self.unaccented, self.max_segments)
    }
}

/// Collects problems under one prefix.
struct Problems {
    list: Vec<ConfigProblem>,
}

impl Problems {
    fn add(&mut self, key: &str, message: impl Into<String>, allowed: Option<&str>) {
        self.list.push(ConfigProblem {
            key: key.to_string(),
            message: message.into(),
            allowed: allowed.map(str::to_string),
        });
    }
}

impl SmsConfig {
    /// Every problem in the section (empty when it is good).
    pub fn validate(&self) -> Vec<ConfigProblem> {
        self.check().err().unwrap_or_default()
    }

    /// The checked settings, or every problem found.
    pub fn check(&self) -> Result<SmsSettings, Vec<ConfigProblem>> {
        let mut p = Problems { list: Vec::new() };
        if !(1..=10).contains(&self.max_segments) {
            p.add(
                "sms.max_segments",
                format!("is {}", self.max_segments),
                Some("1 to 10"),
            );
        }
        if !(1..=50).contains(&self.notify_when_ahead) {
            p.add(
                "sms.notify_when_ahead",
                format!("is {}", self.notify_when_ahead),
                Some("1 to 50"),
            );
        }
        if !(1..=3650).contains(&self.keep_days) {
            p.add(
                "sms.keep_days",
                format!("is {}", self.keep_days),
                Some("1 to 3650"),
            );
        }
        let quiet_hours = match self.quiet_hours.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(q) => match QuietHours::parse(q) {
                Ok(q) => Some(q),
                Err(e) => {
                    p.add(
                        "sms.quiet_hours",
                        e,
                        Some("\"HH:MM-HH:MM\", e.g. \"21:00-07:00\""),
                    );
                    None
                }
            },
        };
        if self.office.as_deref().is_some_and(|o| o.trim().is_empty()) {
            p.add(
                "sms.office",
                "is empty",
                Some("a name, or leave the key out"),
            );
        }
        let templates = self.templates.check(&mut p);
        let gateway = self.check_gateway(&mut p);
        match (templates, gateway) {
            (Some(templates), Some(gateway)) if p.list.is_empty() => Ok(SmsSettings {
                gateway,
                unaccented: self.unaccented,
                max_segments: self.max_segments as usize,
                notify_when_ahead: self.notify_when_ahead,
                keep_days: self.keep_days,
                quiet_hours,
                office: self.office.clone(),
                templates,
            }),
            _ => Err(p.list),
        }
    }

    fn check_gateway(&self, p: &mut Problems) -> Option<GatewaySettings> {
        let missing = |p: &mut Problems, kind: GatewayKind| {
            p.add(
                &format!("sms.{}", kind.name()),
                format!("is missing; gateway = \"{}\" needs it", kind.name()),
                None,
            );
            None
        };
        match self.gateway {
            GatewayKind::None => Some(GatewaySettings::None),
            GatewayKind::Smpp => match &self.smpp {
                None => missing(p, GatewayKind::Smpp),
                Some(c) => c.check(p).then(|| GatewaySettings::Smpp(c.clone())),
            },
            GatewayKind::Kannel => match &self.kannel {
                None => missing(p, GatewayKind::Kannel),
                Some(c) => c.check(p).then(|| GatewaySettings::Kannel(c.clone())),
            },
            GatewayKind::Http => match &self.http {
                None => missing(p, GatewayKind::Http),
                Some(c) => c.check(p).then(|| GatewaySettings::Http(c.clone())),
            },
        }
    }
}

impl TemplatesConfig {
    fn check(&self, p: &mut Problems) -> Option<Templates> {
        let mut one = |key: &str, source: &str, allowed: &[Placeholder]| {
            Template::parse(source, allowed)
                // The message lists the allowed placeholders itself.
                .map_err(|e| p.add(&format!("sms.templates.{key}"), e.to_string(), None))
                .ok()
        };
        let turn_near = one("turn_near", &self.turn_near, TICKET);
        let called = one("called", &self.called, CALLED);
        let status_5 = one("status_5", &self.status_5, DOSSIER);
        let status_6 = one("status_6", &self.status_6, DOSSIER);
        let status_9 = one("status_9", &self.status_9, DOSSIER);
        let status_10 = one("status_10", &self.status_10, DOSSIER);
        let late = one("late", &self.late, DOSSIER);
        Some(Templates {
            turn_near: turn_near?,
            called: called?,
            status_5: status_5?,
            status_6: status_6?,
            status_9: status_9?,
            status_10: status_10?,
            late: late?,
        })
    }
}

fn check_timeout(p: &mut Problems, key: &str, secs: u64) {
    if !(1..=300).contains(&secs) {
        p.add(key, format!("is {secs}"), Some("1 to 300 seconds"));
    }
}

/// Printable ASCII without spaces, `max` characters at most (SMPP C-octet strings).
fn check_ascii(p: &mut Problems, key: &str, value: &str, min: usize, max: usize) {
    let ok = (min..=max).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_graphic());
    if !ok {
        p.add(
            key,
            format!("is {} characters or not plain ASCII", value.chars().count()),
            Some(&format!(
                "{min} to {max} ASCII letters, digits or punctuation, no spaces"
            )),
        );
    }
}

impl SmppConfig {
    pub fn enquire_link(&self) -> Duration {
        Duration::from_secs(self.enquire_link_secs)
    }

    pub fn response_timeout(&self) -> Duration {
        Duration::from_secs(self.response_timeout_secs)
    }

    pub fn connect_timeout(&self) -> Duration {
        Duration::from_secs(self.connect_timeout_secs)
    }

    /// A brandname (any letter in it) is alphanumeric: TON 5, NPI 0; digits are TON 1, NPI 1.
    pub fn source_ton_npi(&self) -> (u8, u8) {
        let alpha = !self.source_addr.bytes().all(|b| b.is_ascii_digit());
        let (ton, npi) = if alpha { (5, 0) } else { (1, 1) };
        (
            self.source_addr_ton.unwrap_or(ton),
            self.source_addr_npi.unwrap_or(npi),
        )
    }

    fn check(&self, p: &mut Problems) -> bool {
        let before = p.list.len();
        if self.address.parse::<SocketAddr>().is_err() {
            let ok = self.address.rsplit_once(':').is_some_and(|(host, port)| {
                !host.is_empty() && port.parse::<u16>().is_ok_and(|n| n > 0)
            });
            if !ok {
                p.add(
                    "sms.smpp.address",
                    format!("\"{}\" is not host:port", self.address),
                    Some("\"smsc.example.vn:2775\" or \"203.0.113.5:2775\""),
                );
            }
        }
        // SMPP 3.4 field sizes, without the terminating NUL.
        check_ascii(p, "sms.smpp.system_id", &self.system_id, 1, 15);
        check_ascii(p, "sms.smpp.password", self.password.expose(), 1, 8);
        if !self.system_type.is_empty() {
            check_ascii(p, "sms.smpp.system_type", &self.system_type, 1, 12);
        }
        check_ascii(p, "sms.smpp.source_addr", &self.source_addr, 1, 20);
        if self.source_ton_npi().0 == 5 && self.source_addr.len() > 11 {
            p.add(
                "sms.smpp.source_addr",
                format!(
                    "a brandname of {} characters; phones show at most 11",
                    self.source_addr.len()
                ),
                Some("1 to 11 characters"),
            );
        }
        if self.source_addr_ton.is_some_and(|t| t > 6) {
            p.add(
                "sms.smpp.source_addr_ton",
                "is out of range",
                Some("0 to 6"),
            );
        }
        if self.source_addr_npi.is_some_and(|n| n > 18) {
            p.add(
                "sms.smpp.source_addr_npi",
                "is out of range",
                Some("0 to 18"),
            );
        }
        if !(5..=600).contains(&self.enquire_link_secs) {
            p.add(
                "sms.smpp.enquire_link_secs",
                format!("is {}", self.enquire_link_secs),
                Some("5 to 600"),
            );
        }
        check_timeout(
            p,
            "sms.smpp.response_timeout_secs",
            self.response_timeout_secs,
        );
        check_timeout(
            p,
            "sms.smpp.connect_timeout_secs",
            self.connect_timeout_secs,
        );
        p.list.len() == before
    }
}

/// An http(s) URL.
fn check_url(p: &mut Problems, key: &str, value: &str) -> Option<url::Url> {
    match url::Url::parse(value) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Some(u),
        _ => {
            p.add(
                key,
                format!("\"{value}\" is not an http or https URL"),
                Some("\"http://host:port/path\""),
            );
            None
        }
    }
}

/// What Kannel's dlr-url and our ids may carry without being read as Kannel's `%` escapes.
pub(crate) fn is_url_safe(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~'))
}

impl KannelConfig {
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_secs)
    }

    fn check(&self, p: &mut Problems) -> bool {
        let before = p.list.len();
        check_url(p, "sms.kannel.sendsms_url", &self.sendsms_url);
        if self.username.is_empty() {
            p.add("sms.kannel.username", "is empty", None);
        }
        if self.from.trim().is_empty() {
            p.add("sms.kannel.from", "is empty", None);
        }
        if let Some(url) = &self.dlr_url {
            if let Some(u) = check_url(p, "sms.kannel.dlr_url", url)
                && u.query().is_some()
            {
                p.add(
                    "sms.kannel.dlr_url",
                    "has a query; the gateway adds its own",
                    None,
                );
            }
            match &self.dlr_secret {
                Some(s) if s.expose().len() >= 16 && is_url_safe(s.expose()) => {}
                _ => p.add(
                    "sms.kannel.dlr_secret",
                    "is missing, shorter than 16 characters or not URL-safe",
                    Some("16 or more letters, digits, '-', '_', '.' or '~'"),
                ),
            }
        }
        if !(1..=31).contains(&self.dlr_mask) {
            p.add(
                "sms.kannel.dlr_mask",
                format!("is {}", self.dlr_mask),
                Some("1 to 31 (1 delivered, 2 failed, 4 buffered, 8 at the SMSC, 16 refused)"),
            );
        }
        check_timeout(p, "sms.kannel.timeout_secs", self.timeout_secs);
        p.list.len() == before
    }
}

impl HttpConfig {
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_secs)
    }

    fn check(&self, p: &mut Problems) -> bool {
        let before = p.list.len();
        check_url(p, "sms.http.url", &self.url);
        for (name, value) in &self.headers {
            let ok = reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_ok()
                && reqwest::header::HeaderValue::from_str(value.expose()).is_ok();
            if !ok {
                p.add(
                    &format!("sms.http.headers.{name}"),
                    "is not a valid HTTP header",
                    None,
                );
            }
        }
        match super::http::BodyTemplate::parse(self.body.expose()) {
            Err(e) => p.add(
                "sms.http.body",
                e,
                Some(super::http::BodyTemplate::PLACEHOLDERS),
            ),
            Ok(t) => {
                if let Err(e) = t.check_json() {
                    p.add("sms.http.body", e, None);
                }
            }
        }
        for (key, pointer) in [
            ("success_pointer", Some(&self.success_pointer)),
            ("id_pointer", self.id_pointer.as_ref()),
            ("message_pointer", self.message_pointer.as_ref()),
        ] {
            if let Some(ptr) = pointer
                && !ptr.is_empty()
                && !ptr.starts_with('/')
            {
                p.add(
                    &format!("sms.http.{key}"),
                    format!("\"{ptr}\" is not a JSON pointer"),
                    Some("\"/Field\" or \"/data/0/id\""),
                );
            }
        }
        check_timeout(p, "sms.http.timeout_secs", self.timeout_secs);
        p.list.len() == before
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(toml_text: &str) -> Result<SmsConfig, String> {
        toml::from_str(toml_text).map_err(|e| e.to_string())
    }

    #[test]
    fn defaults_are_good_and_vietnamese() {
        let c = parse("").expect("empty section");
        let s = c.check().expect("defaults check");
        assert_eq!(s.max_segments, 3);
        assert_eq!(s.notify_when_ahead, 3);
        assert_eq!(s.keep_days, 30);
        let m = s
            .compose(
                &s.templates.status_9,
                Values {
                    code: Some("H56.22-250101-0001"),
                    ..Values::default()
                },
            )
            .expect("fits");
        assert!(
            m.text.contains("hồ sơ H56.22-250101-0001 đã có kết quả"),
            "{}",
            m.text
        );
        assert_eq!(m.encoding, text::Encoding::Ucs2);
        // Every default fits the cap with a long office name and dossier code.
        let long = Values {
            number: Some("A123"),
            counter: Some("12"),
            code: Some("000.00.17.H56-250101-0001"),
            status: Some("đã có kết quả"),
            office: None,
        };
        let s = SmsConfig {
            office: Some("UBND phường Bến Nghé, quận 1".into()),
            ..SmsConfig::default()
        }
        .check()
        .expect("checks");
        for t in [
            &s.templates.turn_near,
            &s.templates.called,
            &s.templates.status_5,
            &s.templates.status_6,
            &s.templates.status_9,
            &s.templates.status_10,
            &s.templates.late,
        ] {
            s.compose(t, long).expect("fits 3 segments");
        }
    }

    #[test]
    fn unknown_keys_and_gateways_are_errors() {
        let e = parse("gatewy = \"smpp\"").expect_err("an error");
        assert!(e.contains("unknown field `gatewy`"), "{e}");
        let e = parse("gateway = \"sms\"").expect_err("an error");
        assert!(e.contains("none") && e.contains("kannel"), "{e}");
        let e = parse("[templates]\ncaled = \"x\"").expect_err("an error");
        assert!(e.contains("unknown field `caled`"), "{e}");
    }

    #[test]
    fn every_problem_is_reported_with_its_key() {
        let c = parse(
            r#"
gateway = "smpp"
max_segments = 11
quiet_hours = "25:00-07:00"
[templates]
called = "{office}: số {number} quầy {quay}"
turn_near = "{counter}"
[smpp]
address = "smsc"
system_id = "a-system-id-too-long"
password = "123456789"
source_addr = "UBND-PHUONG-BEN-NGHE"
"#,
        )
        .expect("parses");
        let problems = c.validate();
        let keys: Vec<&str> = problems.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "sms.max_segments",
                "sms.quiet_hours",
                "sms.templates.turn_near",
                "sms.templates.called",
                "sms.smpp.address",
                "sms.smpp.system_id",
                "sms.smpp.password",
                "sms.smpp.source_addr",
            ],
            "{problems:#?}"
        );
        let called = &problems[3];
        assert_eq!(
            called.to_string(),
            "sms.templates.called: names {quay}, which is not a placeholder; allowed: {number}, {counter}, {office}"
        );
        // The password never shows.
        assert!(!format!("{c:?}").contains("123456789"));
    }

    #[test]
    fn a_gateway_needs_its_table() {
        let c = parse("gateway = \"kannel\"").expect("parses");
        assert_eq!(c.validate()[0].key, "sms.kannel");
    }

    #[test]
    fn kannel_dlr_needs_a_secret() {
        let c = parse(
            r#"
gateway = "kannel"
[kannel]
sendsms_url = "http://127.0.0.1:13013/cgi-bin/sendsms"
username = "u"
password = "p"
from = "UBND"
dlr_url = "http://127.0.0.1:8080/api/v1/sms/kannel-dlr"
dlr_secret = "short"
"#,
        )
        .expect("parses");
        assert_eq!(c.validate()[0].key, "sms.kannel.dlr_secret");
    }

    #[test]
    fn the_esms_example_checks() {
        let c = parse(&format!(
            "gateway = \"http\"\n{}",
            HttpConfig::ESMS_EXAMPLE.replace("[sms.http]", "[http]")
        ))
        .expect("parses");
        assert_eq!(c.validate(), vec![]);
        assert!(!format!("{c:?}").contains("YOUR_SECRET_KEY"));
    }

    #[test]
    fn brandnames_are_alphanumeric() {
        let c = SmppConfig {
            address: "127.0.0.1:2775".into(),
            system_id: "x".into(),
            password: Secret::new("p"),
            system_type: String::new(),
            source_addr: "UBND-BN".into(),
            source_addr_ton: None,
            source_addr_npi: None,
            bind: BindMode::Transceiver,
            delivery_reports: true,
            enquire_link_secs: 30,
            response_timeout_secs: 10,
            connect_timeout_secs: 10,
        };
        assert_eq!(c.source_ton_npi(), (5, 0));
        let digits = SmppConfig {
            source_addr: "8085".into(),
            ..c
        };
        assert_eq!(digits.source_ton_npi(), (1, 1));
    }
}
