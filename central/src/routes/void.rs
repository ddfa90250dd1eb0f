//! `POST /queue/tickets/{request_id}/void`: a kiosk gives back a number nobody holds.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::AppState;
use crate::auth::Kiosk;
use crate::extract::{JsonBody, PathParams};
use crate::problem::ApiError;
use crate::queue::Issuer;
use crate::validate;
use crate::void::{self, REASONS, VoidRequest};

#[derive(Deserialize)]
pub struct VoidBody {
    request_id: String,
    reason: String,
}

pub async fn void_ticket(
    State(state): State<AppState>,
    kiosk: Kiosk,
    PathParams(ticket_request_id): PathParams<String>,
    JsonBody(body): JsonBody<VoidBody>,
) -> Result<Response, ApiError> {
    let req = VoidRequest {
        ticket_request_id: validate::request_id("ticket_request_id", &ticket_request_id)?,
        request_id: validate::request_id("request_id", &body.request_id)?,
        reason: REASONS
            .iter()
            .find(|r| **r == body.reason)
            .map(|r| (*r).to_string())
            .ok_or_else(|| ApiError::bad("reason", format!("one of {}", REASONS.join(", "))))?,
    };
    let now = state.clock.now();
    let by = Issuer {
        office: kiosk.office,
        kiosk_id: kiosk.id,
    };
    let answer = state
        .store
        .write(move |sql| void::void(sql, &req, &by, now))
        .await?;
    Ok(super::json(StatusCode::OK, &answer))
}
