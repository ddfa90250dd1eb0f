//! `POST /feedback`.

use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

use super::{AppState, check_request_id, created_or_ok};
use crate::auth::Kiosk;
use crate::clock::parse_time;
use crate::extract::JsonBody;
use crate::feedback::{self, Rating};
use crate::problem::ApiError;

#[derive(Deserialize)]
pub struct FeedbackBody {
    request_id: String,
    rating: i64,
    #[serde(default)]
    service_id: Option<String>,
    #[serde(default)]
    ticket: Option<String>,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    at: Option<String>,
}

fn optional_text(
    field: &str,
    value: Option<String>,
    max: usize,
) -> Result<Option<String>, ApiError> {
    match value.map(|v| v.trim().to_string()) {
        None => Ok(None),
        Some(v) if v.is_empty() => Ok(None),
        Some(v) if v.chars().count() > max => {
            Err(ApiError::bad(field, format!("at most {max} characters")))
        }
        Some(v) => Ok(Some(v)),
    }
}

pub async fn rate(
    State(state): State<AppState>,
    Kiosk(kiosk_id): Kiosk,
    JsonBody(body): JsonBody<FeedbackBody>,
) -> Result<Response, ApiError> {
    let now = state.clock.now();
    let rating = u8::try_from(body.rating)
        .ok()
        .filter(|r| (1..=4).contains(r))
        .ok_or_else(|| ApiError::bad("rating", "1, 2, 3 or 4"))?;
    let at = match body.at.as_deref() {
        None => now,
        Some(s) => parse_time(s).ok_or_else(|| ApiError::bad("at", "an RFC 3339 time"))?,
    };
    let r = Rating {
        request_id: check_request_id(&body.request_id)?,
        rating,
        service_id: optional_text("service_id", body.service_id, 64)?,
        ticket: optional_text("ticket", body.ticket, 32)?,
        reason: optional_text("reason", body.reason, 200)?,
        at,
    };
    let (answer, created) = state
        .db
        .call(move |conn| feedback::record(conn, &r, &kiosk_id, now))
        .await?;
    Ok(super::json(created_or_ok(created), &answer))
}
