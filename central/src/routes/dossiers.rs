//! `GET /dossiers/{code}`: status and history, applicant masked, timeliness computed now;
//! `POST /dossiers/{code}/subscriptions`: an SMS when it moves.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use super::AppState;
use crate::auth::Kiosk;
use crate::clock::format_time;
use crate::dossier::{mask_name, normalize_code, status_labels, timeliness};
use crate::dossiers;
use crate::extract::{JsonBody, PathParams};
use crate::idempotency;
use crate::notify::{subscriptions, triggers};
use crate::problem::ApiError;
use crate::rate_limit;
use crate::validate;

pub async fn lookup(
    State(state): State<AppState>,
    kiosk: Kiosk,
    PathParams(code): PathParams<String>,
) -> Result<Response, ApiError> {
    // Every attempt counts, valid or not: that is what stops enumeration.
    count_lookup(&state, &kiosk).await?;
    let code = normalize_code(&code).ok_or_else(|| {
        ApiError::bad("code", "not a dossier code (8 to 40 of A-Z, 0-9, '.', '-')")
    })?;
    let today = state.clock.today();
    let lookup = code.clone();
    let dossier = state
        .store
        .read(move |sql| dossiers::get(sql, &lookup))
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no dossier {code}")))?;
    let (label_vi, label_en) = status_labels(dossier.status).unwrap_or(("", ""));
    let steps = dossiers::steps_json(&dossier.steps);
    let body = json!({
        "code": dossier.code,
        "procedure_code": dossier.procedure_code,
        "procedure_name": dossier.procedure_name,
        "applicant": mask_name(&dossier.applicant_name),
        "status": { "code": dossier.status, "label_vi": label_vi, "label_en": label_en },
        "received_at": format_time(dossier.received_at),
        "due_at": format_time(dossier.due_at),
        "returned_at": dossier.returned_at.map(format_time),
        "timeliness": timeliness(dossier.status, dossier.due_at, dossier.finished_at(), today).as_str(),
        "steps": steps,
    });
    Ok(super::json(StatusCode::OK, &body))
}

#[derive(Deserialize)]
pub struct SubscriptionBody {
    request_id: String,
    phone: String,
}

/// `POST /dossiers/{code}/subscriptions`: a citizen at the kiosk asks for an SMS when the
/// dossier needs them (5, 6), has its result (9), is handed over (10) or runs late. The phone
/// is kept until 10 or `[sms] keep_days`, whichever comes first. Idempotent per kiosk by
/// `request_id` (the phone is not part of the comparison: it is not kept for it).
pub async fn subscribe(
    State(state): State<AppState>,
    kiosk: Kiosk,
    PathParams(code): PathParams<String>,
    JsonBody(body): JsonBody<SubscriptionBody>,
) -> Result<Response, ApiError> {
    // A subscription names a dossier: it counts as a lookup against enumeration.
    count_lookup(&state, &kiosk).await?;
    let now = state.clock.now();
    let code = normalize_code(&code).ok_or_else(|| {
        ApiError::bad("code", "not a dossier code (8 to 40 of A-Z, 0-9, '.', '-')")
    })?;
    let request_id = validate::request_id("request_id", &body.request_id)?;
    let phone = validate::phone("phone", &body.phone)?;
    let sms = state.sms.as_ref().ok_or(ApiError::SmsUnavailable)?;
    let keep_days = sms.settings.keep_days;
    let kiosk_id = kiosk.id;
    let (answer, created) = state
        .store
        .write(move |sql| {
            let fingerprint = format!("subscription|{code}");
            if let Some(answer) = idempotency::replay(sql, &kiosk_id, &request_id, &fingerprint)? {
                return Ok((answer, false));
            }
            let dossier = dossiers::get(sql, &code)?
                .ok_or_else(|| ApiError::NotFound(format!("no dossier {code}")))?;
            if dossier.status == 10 {
                return Err(ApiError::DossierFinished(code.clone()));
            }
            let late = triggers::is_running_late(dossier.status, dossier.due_at, now);
            let created = subscriptions::subscribe(sql, &code, &phone, &kiosk_id, late, now)?;
            let answer = json!({
                "code": code,
                "phone": crate::sms::phone::mask(&phone),
                "statuses": [5, 6, 9, 10],
                "when_late": true,
                "keep_until": format_time(subscriptions::kept_until(now, keep_days)),
            });
            idempotency::remember(sql, &kiosk_id, &request_id, &fingerprint, &answer, now)?;
            Ok((answer, created))
        })
        .await?;
    Ok(super::json(super::created_or_ok(created), &answer))
}

/// Counts one dossier lookup by this kiosk; too many in a minute is `429 rate-limited`.
async fn count_lookup(state: &AppState, kiosk: &Kiosk) -> Result<(), ApiError> {
    let (per_minute, now) = (state.lookups_per_minute, state.clock.now());
    let key = format!("dossier-lookup:{}", kiosk.id);
    state
        .store
        .write(move |sql| rate_limit::check(sql, &key, per_minute, now))
        .await?
        .map_err(ApiError::RateLimited)
}
