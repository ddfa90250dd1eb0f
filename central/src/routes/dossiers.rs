//! `GET /dossiers/{code}`: status and history, applicant masked, timeliness computed now.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use super::AppState;
use crate::auth::Kiosk;
use crate::clock::format_time;
use crate::dossier::{mask_name, normalize_code, status_labels, timeliness};
use crate::dossiers;
use crate::extract::PathParams;
use crate::problem::ApiError;
use crate::rate_limit;

pub async fn lookup(
    State(state): State<AppState>,
    kiosk: Kiosk,
    PathParams(code): PathParams<String>,
) -> Result<Response, ApiError> {
    // Every attempt counts, valid or not: that is what stops enumeration.
    let (per_minute, now) = (state.lookups_per_minute, state.clock.now());
    let key = format!("dossier-lookup:{}", kiosk.id);
    state
        .store
        .write(move |sql| rate_limit::check(sql, &key, per_minute, now))
        .await?
        .map_err(ApiError::RateLimited)?;
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
