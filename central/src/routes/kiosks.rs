//! `POST /kiosks/heartbeat` and the admin fleet listing.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

use super::AppState;
use crate::auth::{Admin, Kiosk};
use crate::clock::format_time;
use crate::extract::{JsonBody, optional_integer};
use crate::fleet::{self, Heartbeat, PRINTER_STATES};
use crate::problem::ApiError;
use crate::validate;

#[derive(Deserialize)]
pub struct HeartbeatBody {
    kiosk_id: String,
    version: String,
    printer: String,
    #[serde(default, deserialize_with = "optional_integer")]
    catalog_version: Option<i64>,
    #[serde(default, deserialize_with = "optional_integer")]
    outbox: Option<i64>,
    #[serde(default, deserialize_with = "optional_integer")]
    uptime_s: Option<i64>,
}

pub async fn heartbeat(
    State(state): State<AppState>,
    kiosk: Kiosk,
    JsonBody(body): JsonBody<HeartbeatBody>,
) -> Result<Response, ApiError> {
    if !validate::is_identifier(&body.kiosk_id) {
        return Err(ApiError::bad(
            "kiosk_id",
            "1 to 32 letters, digits, '-' or '_'",
        ));
    }
    if body.kiosk_id != kiosk.id {
        return Err(ApiError::Forbidden(format!(
            "this token belongs to kiosk \"{}\", not \"{}\"",
            kiosk.id, body.kiosk_id
        )));
    }
    if !PRINTER_STATES.contains(&body.printer.as_str()) {
        return Err(ApiError::bad(
            "printer",
            format!("one of {}", PRINTER_STATES.join(", ")),
        ));
    }
    let version = validate::short_text("version", &body.version, 64)?;
    let non_negative = |field: &str, v: Option<i64>| match v {
        Some(n) if n < 0 => Err(ApiError::bad(field, "must not be negative")),
        v => Ok(v),
    };
    let hb = Heartbeat {
        kiosk_id: kiosk.id,
        version,
        printer: body.printer,
        catalog_version: non_negative("catalog_version", body.catalog_version)?,
        outbox: non_negative("outbox", body.outbox)?,
        uptime_s: non_negative("uptime_s", body.uptime_s)?,
    };
    let now = state.clock.now();
    state
        .store
        .write(move |sql| fleet::record(sql, &kiosk.office, &hb, now))
        .await?;
    Ok(super::json(
        StatusCode::OK,
        &json!({ "server_time": format_time(now) }),
    ))
}

pub async fn list(State(state): State<AppState>, _admin: Admin) -> Result<Response, ApiError> {
    let now = state.clock.now();
    let configured: Vec<fleet::KnownKiosk> = state
        .tokens
        .kiosks
        .iter()
        .map(|k| (k.kiosk_id.clone(), k.office.clone()))
        .collect();
    let rows = state
        .store
        .read(move |sql| fleet::list(sql, &configured, now))
        .await?;
    Ok(super::json(StatusCode::OK, &Value::Array(rows)))
}
