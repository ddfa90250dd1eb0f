//! Queue calls: the service board, issuing/recording tickets, calling the next one.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use super::{AppState, created_or_ok};
use crate::auth::{Kiosk, Viewer};
use crate::clock::{format_time, parse_time};
use crate::extract::{JsonBody, non_null};
use crate::notify::triggers;
use crate::problem::ApiError;
use crate::queue::{self, Issuer, PRIORITIES, TicketRequest};
use crate::validate;

pub async fn list_services(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Response, ApiError> {
    let now = state.clock.now();
    let always_open = state.always_open;
    let office = viewer.office;
    let services = state
        .store
        .read(move |sql| {
            let open_hours = queue::within_hours(sql, &office, now)?;
            let mut out = Vec::new();
            for (s, st) in queue::states(sql, &office, now.date_naive())? {
                let closed = queue::closed_reason(open_hours, always_open, st.issued_today, s.daily_cap);
                out.push(json!({
                    "id": s.id, "name_vi": s.name_vi, "name_en": s.name_en, "prefix": s.prefix,
                    "priority_allowed": s.priority_allowed,
                    "open": closed.is_none(), "closed_reason": closed,
                    "waiting": st.waiting, "now_serving": st.now_serving,
                    "estimated_wait_min": queue::estimate_minutes(st.waiting, st.seconds_per_person),
                    "issued_today": st.issued_today, "daily_cap": s.daily_cap,
                }));
            }
            Ok(out)
        })
        .await?;
    let body = json!({ "generated_at": format_time(now), "services": services });
    Ok(super::json(StatusCode::OK, &body))
}

#[derive(Deserialize)]
pub struct TicketBody {
    request_id: String,
    service_id: String,
    #[serde(default, deserialize_with = "non_null")]
    priority: Option<String>,
    #[serde(default)]
    phone: Option<String>,
    #[serde(default)]
    offline: Option<OfflineBody>,
    #[serde(default)]
    procedure_code: Option<String>,
}

#[derive(Deserialize)]
pub struct OfflineBody {
    number: String,
    issued_at: String,
}

fn validate(body: TicketBody) -> Result<TicketRequest, ApiError> {
    let request_id = validate::request_id("request_id", &body.request_id)?;
    let service_id = validate::service_id("service_id", &body.service_id)?;
    let priority = body.priority.unwrap_or_else(|| "none".into());
    if !PRIORITIES.contains(&priority.as_str()) {
        return Err(ApiError::bad(
            "priority",
            format!("one of {}", PRIORITIES.join(", ")),
        ));
    }
    let phone = body
        .phone
        .map(|p| validate::phone("phone", &p))
        .transpose()?;
    let offline = match body.offline {
        None => None,
        Some(o) => {
            let number = validate::ticket_number("offline.number", &o.number)?;
            let at = parse_time(&o.issued_at)
                .ok_or_else(|| ApiError::bad("offline.issued_at", "an RFC 3339 time"))?;
            Some((number, at))
        }
    };
    let procedure_code = body
        .procedure_code
        .map(|c| validate::procedure_code("procedure_code", &c))
        .transpose()?;
    Ok(TicketRequest {
        request_id,
        service_id,
        priority,
        phone,
        offline,
        procedure_code,
    })
}

pub async fn issue_ticket(
    State(state): State<AppState>,
    kiosk: Kiosk,
    JsonBody(body): JsonBody<TicketBody>,
) -> Result<Response, ApiError> {
    let mut req = validate(body)?;
    let sms = state
        .sms
        .as_ref()
        .map(|s| std::sync::Arc::clone(&s.settings));
    if sms.is_none() {
        // An office that sends no SMS keeps no phone numbers.
        req.phone = None;
    }
    let now = state.clock.now();
    let always_open = state.always_open;
    let by = Issuer {
        office: kiosk.office,
        kiosk_id: kiosk.id,
    };
    let (answer, created) = state
        .store
        .write(move |sql| {
            let (answer, created) = queue::issue(sql, &req, &by, now, always_open)?;
            if let (Some(sms), true, Some(_)) = (&sms, created, &req.phone) {
                let ahead = answer["people_ahead"].as_i64().unwrap_or(0);
                let service = answer["service_id"].as_str().unwrap_or_default();
                let number = answer["number"].as_str().unwrap_or_default();
                triggers::ticket_issued(sql, sms, &by.office, service, number, ahead, now)?;
            }
            Ok((answer, created))
        })
        .await?;
    if created {
        state
            .metrics
            .tickets_issued
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    Ok(super::json(created_or_ok(created), &answer))
}
