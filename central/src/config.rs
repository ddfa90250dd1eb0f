//! What an embedder or the command line decides about a server.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use crate::clock::Clock;

/// Everything [`crate::spawn`] needs.
#[derive(Debug, Clone)]
pub struct CentralConfig {
    /// Where to listen; port 0 picks a free port (see [`crate::RunningCentral::addr`]).
    pub listen: SocketAddr,
    /// The SQLite file; created and seeded on first start.
    pub db_path: PathBuf,
    /// `(kiosk_id, token)` for every kiosk allowed to call.
    pub kiosk_tokens: Vec<(String, String)>,
    /// The token of counter calls (`call-next`); `None` refuses them all.
    pub counter_token: Option<String>,
    /// The token of admin calls; `None` refuses them all.
    pub admin_token: Option<String>,
    /// Ignore opening hours (demos, tests, 24-hour kiosks).
    pub always_open: bool,
    /// Dossier lookups allowed per kiosk per minute; 0 disables the limit.
    pub dossier_lookups_per_minute: u32,
    /// The time source.
    pub clock: Clock,
}

/// The kiosk that `motcua-central` serves when no `--kiosk-token` is given.
pub const DEFAULT_KIOSK: (&str, &str) = ("KIOSK-01", "demo-token");

impl CentralConfig {
    /// What `motcua-central --db PATH` runs with no other flag: 127.0.0.1:8080, kiosk
    /// [`DEFAULT_KIOSK`], no counter or admin token, opening hours kept, 10 dossier lookups a
    /// minute.
    pub fn new(db_path: PathBuf) -> Self {
        Self {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 8080)),
            db_path,
            kiosk_tokens: vec![(DEFAULT_KIOSK.0.into(), DEFAULT_KIOSK.1.into())],
            counter_token: None,
            admin_token: None,
            always_open: false,
            dossier_lookups_per_minute: 10,
            clock: Clock::system(),
        }
    }

    /// A demo server on a free loopback port for one kiosk: always open, 10 lookups a
    /// minute, no counter or admin token (set them on the returned value when needed).
    pub fn demo(db_path: PathBuf, kiosk_id: String, token: String) -> Self {
        Self {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            db_path,
            kiosk_tokens: vec![(kiosk_id, token)],
            counter_token: None,
            admin_token: None,
            always_open: true,
            dossier_lookups_per_minute: 10,
            clock: Clock::system(),
        }
    }

    /// Rejects configurations that would make tokens ambiguous.
    pub(crate) fn check(&self) -> Result<(), String> {
        let mut seen = std::collections::HashSet::new();
        for (id, token) in &self.kiosk_tokens {
            if !crate::validate::is_identifier(id) {
                return Err(format!(
                    "kiosk id \"{id}\" is not 1 to 32 letters, digits, '-' or '_'"
                ));
            }
            if token.trim().is_empty() {
                return Err(format!("kiosk \"{id}\" has an empty token"));
            }
            if !seen.insert(token.as_str()) {
                return Err(format!(
                    "kiosk \"{id}\" shares its token with another kiosk"
                ));
            }
        }
        for (what, token) in [
            ("counter", &self.counter_token),
            ("admin", &self.admin_token),
        ] {
            if let Some(t) = token {
                if t.trim().is_empty() {
                    return Err(format!("the {what} token is empty"));
                }
                if seen.contains(t.as_str()) {
                    return Err(format!("the {what} token is also a kiosk token"));
                }
            }
        }
        Ok(())
    }
}
