//! Bearer tokens. Kiosk tokens come from the command line (bound to an office) or from the admin
//! API (stored as a SHA-256 hash, never in clear); one counter token and one admin token come
//! from the command line.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use sha2::{Digest, Sha256};

use crate::config::{CounterToken, KioskToken};
use crate::offices::DEFAULT_OFFICE;
use crate::problem::ApiError;
use crate::routes::AppState;
use crate::store::{Sql, params};

/// How long a token found in the database is trusted without asking again (a revoked token
/// stops working within this), and how long a wrong one is remembered as wrong.
const KNOWN_FOR: Duration = Duration::from_secs(60);
const UNKNOWN_FOR: Duration = Duration::from_secs(5);

#[derive(Debug, Default)]
pub struct Tokens {
    pub kiosks: Vec<KioskToken>,
    /// The default office's shared counter token (any counter name).
    pub counter: Option<String>,
    pub counters: Vec<CounterToken>,
    /// The default office's display token.
    pub display: Option<String>,
    pub admin: Option<String>,
    /// Database credentials by token hash, with when they were looked up.
    cache: Mutex<HashMap<String, (Option<Credential>, Instant)>>,
}

/// What a database token grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    pub role: String,
    pub office: String,
    pub subject: String,
}

impl Tokens {
    pub fn new(config: &crate::config::CentralConfig) -> Self {
        Self {
            kiosks: config.kiosk_tokens.clone(),
            counter: config.counter_token.clone(),
            counters: config.counter_tokens.clone(),
            display: config.display_token.clone(),
            admin: config.admin_token.clone(),
            cache: Mutex::new(HashMap::new()),
        }
    }

    fn kiosk_for(&self, token: &str) -> Option<&KioskToken> {
        self.kiosks.iter().find(|k| same(&k.token, token))
    }

    fn cached(&self, hash: &str) -> Option<Option<Credential>> {
        let cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        let (found, at) = cache.get(hash)?;
        let fresh = if found.is_some() {
            KNOWN_FOR
        } else {
            UNKNOWN_FOR
        };
        (at.elapsed() < fresh).then(|| found.clone())
    }

    fn remember(&self, hash: String, found: Option<Credential>) {
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        // A flood of wrong tokens must not grow the cache without end.
        if cache.len() > 10_000 {
            cache.retain(|_, (_, at)| at.elapsed() < UNKNOWN_FOR);
        }
        cache.insert(hash, (found, Instant::now()));
    }
}

/// Compares without stopping at the first differing byte, so timing does not leak a prefix.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The stored form of a token.
pub fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A new random token (32 bytes, hex) for the admin API to hand out once.
pub fn new_token() -> Result<String, ApiError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| ApiError::Internal(format!("random: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Stores a credential for `role` in `office`; returns the token (shown once).
pub fn issue(
    sql: &mut dyn Sql,
    role: &str,
    office: &str,
    subject: &str,
    now: chrono::DateTime<chrono::FixedOffset>,
) -> Result<String, ApiError> {
    let token = new_token()?;
    sql.execute(
        "INSERT INTO credentials (token_hash, role, office_id, subject, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (role, office_id, subject) DO UPDATE SET token_hash = ?1, created_at = ?5",
        &params![token_hash(&token), role, office, subject, now],
    )?;
    Ok(token)
}

fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// Looks a token up in the database (through the cache).
async fn stored(state: &AppState, token: &str) -> Result<Option<Credential>, ApiError> {
    let hash = token_hash(token);
    if let Some(found) = state.tokens.cached(&hash) {
        return Ok(found);
    }
    let key = hash.clone();
    let found = state
        .store
        .read(move |sql| {
            sql.query_opt(
                "SELECT role, office_id, subject FROM credentials WHERE token_hash = ?1",
                &params![key.as_str()],
            )?
            .map(|r| {
                Ok(Credential {
                    role: r.text(0)?,
                    office: r.text(1)?,
                    subject: r.text(2)?,
                })
            })
            .transpose()
        })
        .await?;
    state.tokens.remember(hash, found.clone());
    Ok(found)
}

/// A caller holding a kiosk token: the kiosk's id and its office.
#[derive(Debug, Clone)]
pub struct Kiosk {
    pub id: String,
    pub office: String,
}

/// A caller holding a counter token, for an office: its own counter, or (the shared token of
/// the default office) any counter it names.
#[derive(Debug, Clone)]
pub struct Counter {
    pub office: String,
    /// The counter the token belongs to; `None` for the shared token.
    pub name: Option<String>,
}

/// The counter shared-token callers are when they name none.
pub const DEFAULT_COUNTER: &str = "1";

impl Counter {
    /// The counter a call acts for: its own (naming another is `403`), or for the shared token
    /// the one named (default [`DEFAULT_COUNTER`]).
    pub fn acting_as(&self, named: Option<&str>) -> Result<String, ApiError> {
        match (&self.name, named) {
            (Some(own), Some(other)) if own != other => Err(ApiError::Forbidden(format!(
                "this token belongs to counter \"{own}\", not \"{other}\""
            ))),
            (Some(own), _) => Ok(own.clone()),
            (None, Some(named)) => Ok(named.to_string()),
            (None, None) => Ok(DEFAULT_COUNTER.to_string()),
        }
    }
}

/// Who may watch an office's queue: a kiosk, a counter or a lobby display.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub office: String,
}

/// A caller holding the admin token.
#[derive(Debug, Clone, Copy)]
pub struct Admin;

impl FromRequestParts<AppState> for Kiosk {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(parts).ok_or(ApiError::Unauthorized)?;
        if let Some(k) = state.tokens.kiosk_for(token) {
            return Ok(Kiosk {
                id: k.kiosk_id.clone(),
                office: k.office.clone(),
            });
        }
        match stored(state, token).await? {
            Some(c) if c.role == "kiosk" => Ok(Kiosk {
                id: c.subject,
                office: c.office,
            }),
            _ => Err(ApiError::Unauthorized),
        }
    }
}

impl FromRequestParts<AppState> for Counter {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(parts).ok_or(ApiError::Unauthorized)?;
        if let Some(expected) = &state.tokens.counter
            && same(token, expected)
        {
            return Ok(Counter {
                office: DEFAULT_OFFICE.to_string(),
                name: None,
            });
        }
        if let Some(c) = state.tokens.counters.iter().find(|c| same(&c.token, token)) {
            return Ok(Counter {
                office: c.office.clone(),
                name: Some(c.counter.clone()),
            });
        }
        match stored(state, token).await? {
            Some(c) if c.role == "counter" => Ok(Counter {
                office: c.office,
                name: Some(c.subject),
            }),
            _ => Err(ApiError::Unauthorized),
        }
    }
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        viewer_of(state, bearer(parts).ok_or(ApiError::Unauthorized)?).await
    }
}

/// Who holds `token`, when it may watch an office's queue (a lobby display's address carries
/// its token, so pages check it without a header too).
pub async fn viewer_of(state: &AppState, token: &str) -> Result<Viewer, ApiError> {
    let t = &state.tokens;
    if token.is_empty() {
        return Err(ApiError::Unauthorized);
    }
    if let Some(k) = t.kiosk_for(token) {
        return Ok(Viewer {
            office: k.office.clone(),
        });
    }
    if t.counter.as_deref().is_some_and(|c| same(c, token)) {
        return Ok(Viewer {
            office: DEFAULT_OFFICE.to_string(),
        });
    }
    if let Some(c) = t.counters.iter().find(|c| same(&c.token, token)) {
        return Ok(Viewer {
            office: c.office.clone(),
        });
    }
    if t.display.as_deref().is_some_and(|d| same(d, token)) {
        return Ok(Viewer {
            office: DEFAULT_OFFICE.to_string(),
        });
    }
    match stored(state, token).await? {
        Some(c) if matches!(c.role.as_str(), "kiosk" | "counter" | "display") => {
            Ok(Viewer { office: c.office })
        }
        _ => Err(ApiError::Unauthorized),
    }
}

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match (bearer(parts), &state.tokens.admin) {
            (Some(t), Some(expected)) if same(t, expected) => Ok(Admin),
            _ => Err(ApiError::Unauthorized),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_kept_as_hashes() {
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let a = new_token().unwrap_or_default();
        let b = new_token().unwrap_or_default();
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
    }
}
