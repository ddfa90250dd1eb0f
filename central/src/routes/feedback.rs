//! `POST /feedback`.

use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

use super::{AppState, created_or_ok};
use crate::auth::Kiosk;
use crate::clock::parse_time;
use crate::extract::{JsonBody, integer};
use crate::feedback::{self, Rating};
use crate::problem::ApiError;
use crate::queue::Issuer;
use crate::validate;

#[derive(Deserialize)]
pub struct FeedbackBody {
    request_id: String,
    #[serde(deserialize_with = "integer")]
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

pub async fn rate(
    State(state): State<AppState>,
    kiosk: Kiosk,
    JsonBody(body): JsonBody<FeedbackBody>,
) -> Result<Response, ApiError> {
    let now = state.clock.now();
    let request_id = validate::request_id("request_id", &body.request_id)?;
    let rating = u8::try_from(body.rating)
        .ok()
        .filter(|r| (1..=4).contains(r))
        .ok_or_else(|| ApiError::bad("rating", "1, 2, 3 or 4"))?;
    let r = Rating {
        request_id,
        rating,
        service_id: body
            .service_id
            .map(|s| validate::service_id("service_id", &s))
            .transpose()?,
        ticket: body
            .ticket
            .map(|t| validate::ticket_number("ticket", &t))
            .transpose()?,
        reason: body
            .reason
            .map(|t| validate::short_text("reason", &t, 200))
            .transpose()?,
        given_at: body
            .at
            .map(|s| parse_time(&s).ok_or_else(|| ApiError::bad("at", "an RFC 3339 time")))
            .transpose()?,
    };
    let by = Issuer {
        office: kiosk.office,
        kiosk_id: kiosk.id,
    };
    let (answer, created) = state
        .store
        .write(move |sql| feedback::record(sql, &r, &by, now))
        .await?;
    Ok(super::json(created_or_ok(created), &answer))
}
