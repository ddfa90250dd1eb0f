//! What an embedder or the command line decides about a server.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use crate::clock::Clock;
use crate::offices::DEFAULT_OFFICE;
use crate::sms::SmsSettings;
use crate::store::Database;
use crate::validate::is_identifier;

/// A kiosk allowed to call, bound to its office.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KioskToken {
    pub office: String,
    pub kiosk_id: String,
    pub token: String,
}

impl KioskToken {
    /// A kiosk of the default office.
    pub fn new(kiosk_id: impl Into<String>, token: impl Into<String>) -> Self {
        Self {
            office: DEFAULT_OFFICE.to_string(),
            kiosk_id: kiosk_id.into(),
            token: token.into(),
        }
    }

    /// `KIOSK_ID=TOKEN` (the default office) or `OFFICE/KIOSK_ID=TOKEN`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let (who, token) = text
            .split_once('=')
            .filter(|(who, token)| !who.trim().is_empty() && !token.trim().is_empty())
            .ok_or_else(|| format!("\"{text}\" is not KIOSK_ID=TOKEN or OFFICE/KIOSK_ID=TOKEN"))?;
        let (office, kiosk_id) = who.split_once('/').unwrap_or((DEFAULT_OFFICE, who));
        Ok(Self {
            office: office.trim().to_string(),
            kiosk_id: kiosk_id.trim().to_string(),
            token: token.trim().to_string(),
        })
    }
}

/// A counter allowed to call numbers, with its own token: it calls as itself only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CounterToken {
    pub office: String,
    pub counter: String,
    pub token: String,
}

impl CounterToken {
    /// `COUNTER=TOKEN` (the default office) or `OFFICE/COUNTER=TOKEN`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let k = KioskToken::parse(text)
            .map_err(|_| format!("\"{text}\" is not COUNTER=TOKEN or OFFICE/COUNTER=TOKEN"))?;
        Ok(Self {
            office: k.office,
            counter: k.kiosk_id,
            token: k.token,
        })
    }
}

/// Everything [`crate::spawn`] needs.
#[derive(Debug, Clone)]
pub struct CentralConfig {
    /// Where to listen; port 0 picks a free port (see [`crate::RunningCentral::addr`]).
    pub listen: SocketAddr,
    /// SQLite file (created and seeded on first start) or PostgreSQL URL.
    pub database: Database,
    /// Connections to PostgreSQL this instance may hold.
    pub pool_size: usize,
    /// The default office's name, as citizens read it.
    pub office_name: String,
    /// Every kiosk allowed to call from the command line (more can be added through the
    /// admin API).
    pub kiosk_tokens: Vec<KioskToken>,
    /// The shared counter token of the default office (any counter name, "1" when none is
    /// given); `None` accepts none.
    pub counter_token: Option<String>,
    /// Counters with their own tokens.
    pub counter_tokens: Vec<CounterToken>,
    /// The token of the default office's lobby displays (read-only: board, calls, events).
    pub display_token: Option<String>,
    /// The token of admin calls; `None` refuses them all.
    pub admin_token: Option<String>,
    /// Ignore opening hours (demos, tests, 24-hour kiosks).
    pub always_open: bool,
    /// Dossier lookups allowed per kiosk per minute; 0 disables the limit.
    pub dossier_lookups_per_minute: u32,
    /// The time source.
    pub clock: Clock,
    /// Text messages to citizens; `None` sends none.
    pub sms: Option<SmsSettings>,
    /// How often data past its keeping time is removed and late dossiers are looked for.
    pub housekeeping_every: std::time::Duration,
    /// The lobby displays' notices line (up to 500 characters).
    pub display_notice: Option<String>,
    /// A folder of the office's own recordings replacing the shipped voice clips by name.
    pub voice_dir: Option<PathBuf>,
}

/// The kiosk that `motcua-central` serves when no `--kiosk-token` is given.
pub const DEFAULT_KIOSK: (&str, &str) = ("KIOSK-01", "demo-token");

/// The longest notices line a display shows.
pub const NOTICE_MAX: usize = 500;

/// The default office's name when none is given.
pub const DEFAULT_OFFICE_NAME: &str = "Bộ phận Một cửa";

impl CentralConfig {
    /// What `motcua-central --db PATH` runs with no other flag: 127.0.0.1:8080, kiosk
    /// [`DEFAULT_KIOSK`], no counter or admin token, opening hours kept, 10 dossier lookups a
    /// minute.
    pub fn new(database: impl Into<Database>) -> Self {
        Self {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 8080)),
            database: database.into(),
            pool_size: 16,
            office_name: DEFAULT_OFFICE_NAME.to_string(),
            kiosk_tokens: vec![KioskToken::new(DEFAULT_KIOSK.0, DEFAULT_KIOSK.1)],
            counter_token: None,
            counter_tokens: Vec::new(),
            display_token: None,
            admin_token: None,
            always_open: false,
            dossier_lookups_per_minute: 10,
            clock: Clock::system(),
            sms: None,
            housekeeping_every: std::time::Duration::from_secs(3600),
            display_notice: None,
            voice_dir: None,
        }
    }

    /// A demo server on a free loopback port for one kiosk: always open, 10 lookups a
    /// minute, no counter or admin token (set them on the returned value when needed).
    pub fn demo(db_path: PathBuf, kiosk_id: String, token: String) -> Self {
        Self {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            kiosk_tokens: vec![KioskToken::new(kiosk_id, token)],
            always_open: true,
            ..Self::new(db_path)
        }
    }

    /// Rejects configurations that would make tokens ambiguous.
    pub(crate) fn check(&self) -> Result<(), String> {
        let mut seen = std::collections::HashSet::new();
        let mut ids = std::collections::HashSet::new();
        for k in &self.kiosk_tokens {
            if !is_identifier(&k.office) {
                return Err(format!(
                    "office id \"{}\" is not 1 to 32 letters, digits, '-' or '_'",
                    k.office
                ));
            }
            if !is_identifier(&k.kiosk_id) {
                return Err(format!(
                    "kiosk id \"{}\" is not 1 to 32 letters, digits, '-' or '_'",
                    k.kiosk_id
                ));
            }
            if k.token.trim().is_empty() {
                return Err(format!("kiosk \"{}\" has an empty token", k.kiosk_id));
            }
            if !ids.insert(k.kiosk_id.as_str()) {
                return Err(format!("kiosk \"{}\" is given twice", k.kiosk_id));
            }
            if !seen.insert(k.token.as_str()) {
                return Err(format!(
                    "kiosk \"{}\" shares its token with another kiosk",
                    k.kiosk_id
                ));
            }
        }
        for c in &self.counter_tokens {
            if !is_identifier(&c.office) {
                return Err(format!(
                    "office id \"{}\" is not 1 to 32 letters, digits, '-' or '_'",
                    c.office
                ));
            }
            if c.counter.is_empty()
                || c.counter.chars().count() > 32
                || c.counter.chars().any(char::is_control)
            {
                return Err(format!(
                    "counter \"{}\" is not 1 to 32 characters",
                    c.counter
                ));
            }
            if c.token.trim().is_empty() || !seen.insert(c.token.as_str()) {
                return Err(format!(
                    "counter \"{}\" has an empty or shared token",
                    c.counter
                ));
            }
        }
        for (what, token) in [
            ("counter", &self.counter_token),
            ("display", &self.display_token),
            ("admin", &self.admin_token),
        ] {
            if let Some(t) = token {
                if t.trim().is_empty() {
                    return Err(format!("the {what} token is empty"));
                }
                if !seen.insert(t.as_str()) {
                    return Err(format!("the {what} token is also another token"));
                }
            }
        }
        if self.office_name.trim().is_empty() {
            return Err("the office name is empty".into());
        }
        if let Some(n) = &self.display_notice
            && (n.chars().count() > NOTICE_MAX || n.chars().any(char::is_control))
        {
            return Err(format!(
                "the display notice is not 1 to {NOTICE_MAX} characters without line breaks"
            ));
        }
        Ok(())
    }
}

impl From<PathBuf> for Database {
    fn from(path: PathBuf) -> Self {
        Database::Sqlite(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kiosk_tokens_name_their_office_or_take_the_default() {
        let k = KioskToken::parse("KIOSK-01=secret").ok();
        assert_eq!(k, Some(KioskToken::new("KIOSK-01", "secret")));
        let k = KioskToken::parse("hai-chau/K2=s2")
            .ok()
            .map(|k| (k.office, k.kiosk_id));
        assert_eq!(k, Some(("hai-chau".into(), "K2".into())));
        assert!(KioskToken::parse("K3=").is_err() && KioskToken::parse("nothing").is_err());
    }
}
