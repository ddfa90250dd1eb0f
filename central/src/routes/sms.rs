//! `GET /admin/sms`: an office's messages and where each is; `POST /admin/sms/{id}/resend`:
//! send an unconfirmed message again once staff know it did not arrive.

use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use serde_json::json;

use super::AppState;
use crate::auth::Admin;
use crate::extract::{PathParams, integer_text};
use crate::notify::outbox::{self, Status};
use crate::offices::DEFAULT_OFFICE;
use crate::problem::ApiError;
use crate::validate;

/// `GET /admin/sms[?status=S][&office=ID][&limit=N]`: newest first, numbers masked.
pub async fn list(
    State(state): State<AppState>,
    _admin: Admin,
    uri: Uri,
) -> Result<Response, ApiError> {
    let pairs = axum::extract::Query::<Vec<(String, String)>>::try_from_uri(&uri)
        .map(|q| q.0)
        .map_err(|e| ApiError::bad("query", e.body_text()))?;
    let param = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    let status = param("status")
        .map(|s| {
            Status::parse(s).ok_or_else(|| {
                let all: Vec<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();
                ApiError::bad("status", format!("one of {}", all.join(", ")))
            })
        })
        .transpose()?;
    let office = param("office")
        .map(|o| validate::service_id("office", o))
        .transpose()?
        .unwrap_or_else(|| DEFAULT_OFFICE.to_string());
    let limit = match param("limit") {
        None => 100,
        Some(v) => integer_text(v)
            .flatten()
            .filter(|n| (1..=1000).contains(n))
            .ok_or_else(|| ApiError::bad("limit", "a whole number from 1 to 1000"))?,
    };
    let o = office.clone();
    let messages = state
        .store
        .read(move |sql| {
            if !crate::offices::exists(sql, &o)? {
                return Err(ApiError::NotFound(format!("no office {o}")));
            }
            outbox::list(sql, &o, status, limit)
        })
        .await?;
    Ok(super::json(
        StatusCode::OK,
        &json!({
            "office_id": office,
            "sending": state.sms.is_some(),
            "messages": messages,
        }),
    ))
}

/// `POST /admin/sms/{id}/resend`.
pub async fn resend(
    State(state): State<AppState>,
    _admin: Admin,
    PathParams(id): PathParams<String>,
) -> Result<Response, ApiError> {
    let ok = id.len() == 32
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if !ok {
        return Err(ApiError::bad(
            "id",
            "a message id: 32 hexadecimal digits (0-9, a-f)",
        ));
    }
    let sms = state.sms.as_ref().ok_or(ApiError::SmsUnavailable)?;
    let now = state.clock.now();
    let message = id.clone();
    state
        .store
        .write(move |sql| outbox::resend(sql, &message, now))
        .await?;
    sms.poke();
    Ok(super::json(
        StatusCode::OK,
        &json!({ "id": id, "status": Status::Queued.as_str() }),
    ))
}
