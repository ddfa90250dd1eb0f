//! Bearer tokens: one per kiosk, one for counters, one for administrators.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use crate::problem::ApiError;
use crate::routes::AppState;

#[derive(Debug, Clone, Default)]
pub struct Tokens {
    /// (kiosk_id, token)
    pub kiosks: Vec<(String, String)>,
    pub counter: Option<String>,
    pub admin: Option<String>,
}

impl Tokens {
    fn kiosk_for(&self, token: &str) -> Option<&str> {
        self.kiosks
            .iter()
            .find(|(_, t)| same(t, token))
            .map(|(id, _)| id.as_str())
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

fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// A caller holding a kiosk token; carries the kiosk's id.
#[derive(Debug, Clone)]
pub struct Kiosk(pub String);

/// A caller holding the counter token.
#[derive(Debug, Clone, Copy)]
pub struct Counter;

/// A caller holding the admin token.
#[derive(Debug, Clone, Copy)]
pub struct Admin;

impl FromRequestParts<AppState> for Kiosk {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        bearer(parts)
            .and_then(|t| state.tokens.kiosk_for(t))
            .map(|id| Kiosk(id.to_string()))
            .ok_or(ApiError::Unauthorized)
    }
}

impl FromRequestParts<AppState> for Counter {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match (bearer(parts), &state.tokens.counter) {
            (Some(t), Some(expected)) if same(t, expected) => Ok(Counter),
            _ => Err(ApiError::Unauthorized),
        }
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
