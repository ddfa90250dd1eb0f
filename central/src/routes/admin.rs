//! Admin imports: the catalog (replaced in one transaction) and dossiers (added or replaced),
//! and a dossier's new status; status changes queue the SMS their subscribers wait for.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, FixedOffset};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::Admin;
use crate::catalog;
use crate::clock::parse_time;
use crate::dossier::normalize_code;
use crate::dossiers::{self, Dossier, StatusChange, Step};
use crate::extract::{JsonBody, PathParams, integer};
use crate::notify::triggers;
use crate::offices::DEFAULT_OFFICE;
use crate::problem::ApiError;
use crate::sms::SmsSettings;
use crate::store::Sql;
use crate::validate;

use super::AppState;

pub async fn import_catalog(
    State(state): State<AppState>,
    _admin: Admin,
    JsonBody(body): JsonBody<Value>,
) -> Result<Response, ApiError> {
    if let Some(records) = body.as_array() {
        check_count(records.len())?;
    }
    let procedures = catalog::parse_procedures(&body)?;
    let now = state.clock.now();
    let summary = state
        .store
        .write(move |sql| catalog::import(sql, &procedures, now))
        .await?;
    tracing::info!(
        version = summary.version,
        changed = summary.changed,
        removed = summary.removed,
        "catalog imported"
    );
    let body = json!({
        "version": summary.version,
        "procedures": summary.procedures,
        "changed": summary.changed,
        "removed": summary.removed,
    });
    Ok(super::json(StatusCode::OK, &body))
}

/// `PUT /admin/catalog/synonyms`: the office's words for what the catalog calls otherwise,
/// replacing the table kiosks search with (a new catalog version).
pub async fn put_synonyms(
    State(state): State<AppState>,
    _admin: Admin,
    JsonBody(body): JsonBody<Value>,
) -> Result<Response, ApiError> {
    let list = catalog::parse_synonyms(&body)?;
    let now = state.clock.now();
    let count = list.len();
    let version = state
        .store
        .write(move |sql| catalog::set_synonyms(sql, &list, now))
        .await?;
    tracing::info!(version, synonyms = count, "catalog synonyms replaced");
    let body = json!({ "version": version, "synonyms": count });
    Ok(super::json(StatusCode::OK, &body))
}

/// The schema's `minItems`/`maxItems` for one import.
const MAX_IMPORT_ITEMS: usize = 100_000;

/// An import of nothing is a mistake (for the catalog it would empty every kiosk).
fn check_count(n: usize) -> Result<(), ApiError> {
    if n == 0 {
        Err(ApiError::bad("body", "at least 1 record"))
    } else if n > MAX_IMPORT_ITEMS {
        Err(ApiError::bad(
            "body",
            format!("at most {MAX_IMPORT_ITEMS} records in one import"),
        ))
    } else {
        Ok(())
    }
}

/// The schema's `maxItems` for a dossier's history.
const MAX_STEPS: usize = 1000;

#[derive(Deserialize)]
pub struct DossierBody {
    code: String,
    procedure_code: String,
    procedure_name: String,
    applicant_name: String,
    #[serde(deserialize_with = "integer")]
    status: i64,
    received_at: String,
    due_at: String,
    #[serde(default)]
    returned_at: Option<String>,
    steps: Vec<StepBody>,
}

#[derive(Deserialize)]
pub struct StepBody {
    at: String,
    unit: String,
    action: String,
}

fn validate(i: usize, d: DossierBody) -> Result<Dossier, ApiError> {
    let field = |name: &str| format!("[{i}].{name}");
    let time = |name: &str, s: &str| {
        parse_time(s).ok_or_else(|| ApiError::bad(&field(name), "an RFC 3339 time"))
    };
    let text = |name: &str, s: &str| validate::non_blank(&field(name), s);
    let status = u8::try_from(d.status)
        .ok()
        .filter(|s| (1..=10).contains(s))
        .ok_or_else(|| ApiError::bad(&field("status"), "a status code 1 to 10"))?;
    if d.steps.len() > MAX_STEPS {
        return Err(ApiError::bad(
            &field("steps"),
            format!("at most {MAX_STEPS} steps"),
        ));
    }
    let steps = d
        .steps
        .iter()
        .enumerate()
        .map(|(j, s)| {
            Ok(Step {
                at: time(&format!("steps[{j}].at"), &s.at)?,
                unit: text(&format!("steps[{j}].unit"), &s.unit)?,
                action: text(&format!("steps[{j}].action"), &s.action)?,
            })
        })
        .collect::<Result<_, ApiError>>()?;
    if d.procedure_code.chars().count() > 64 {
        return Err(ApiError::bad(
            &field("procedure_code"),
            "at most 64 characters",
        ));
    }
    let dossier = Dossier {
        code: normalize_code(&d.code)
            .ok_or_else(|| ApiError::bad(&field("code"), "8 to 40 of A-Z, 0-9, '.', '-'"))?,
        procedure_code: d.procedure_code,
        procedure_name: text("procedure_name", &d.procedure_name)?,
        applicant_name: text("applicant_name", &d.applicant_name)?,
        status,
        received_at: time("received_at", &d.received_at)?,
        due_at: time("due_at", &d.due_at)?,
        returned_at: d
            .returned_at
            .as_deref()
            .map(|s| time("returned_at", s))
            .transpose()?,
        steps,
    };
    // Dates the schema cannot order: a due date or a return before the dossier was received.
    if dossier.due_at < dossier.received_at {
        return Err(ApiError::InvalidDates(format!(
            "{}: before received_at",
            field("due_at")
        )));
    }
    if dossier.returned_at.is_some_and(|r| r < dossier.received_at) {
        return Err(ApiError::InvalidDates(format!(
            "{}: before received_at",
            field("returned_at")
        )));
    }
    Ok(dossier)
}

pub async fn upsert_dossiers(
    State(state): State<AppState>,
    _admin: Admin,
    JsonBody(body): JsonBody<Vec<DossierBody>>,
) -> Result<Response, ApiError> {
    check_count(body.len())?;
    let items = body
        .into_iter()
        .enumerate()
        .map(|(i, d)| validate(i, d))
        .collect::<Result<Vec<_>, _>>()?;
    let now = state.clock.now();
    let sms = state.sms.as_ref().map(|s| Arc::clone(&s.settings));
    let (done, messages) = state
        .store
        .write(move |sql| {
            let done = dossiers::upsert(sql, DEFAULT_OFFICE, &items, now)?;
            let messages = tell(sql, sms.as_deref(), &done.changes, now)?;
            Ok((done, messages))
        })
        .await?;
    if messages > 0 {
        poke(&state);
    }
    Ok(super::json(
        StatusCode::OK,
        &json!({ "added": done.added, "replaced": done.replaced, "messages": messages }),
    ))
}

/// The SMS that status changes cause; how many were queued.
fn tell(
    sql: &mut dyn Sql,
    sms: Option<&SmsSettings>,
    changes: &[StatusChange],
    now: DateTime<FixedOffset>,
) -> Result<usize, ApiError> {
    let Some(sms) = sms else { return Ok(0) };
    let mut made = 0;
    for c in changes {
        made += triggers::dossier_changed(sql, sms, &c.office, &c.code, c.old, c.new, now)?;
    }
    Ok(made)
}

fn poke(state: &AppState) {
    if let Some(sms) = &state.sms {
        sms.poke();
    }
}

#[derive(Deserialize)]
pub struct StatusBody {
    #[serde(deserialize_with = "integer")]
    status: i64,
    #[serde(default)]
    step: Option<StepBody>,
    #[serde(default)]
    returned_at: Option<String>,
}

/// `POST /admin/dossiers/{code}/status`: a dossier's new status (and a step of its history),
/// as the office's processing system reports it; subscribers hear about 5, 6, 9 and 10.
pub async fn set_dossier_status(
    State(state): State<AppState>,
    _admin: Admin,
    PathParams(code): PathParams<String>,
    JsonBody(body): JsonBody<StatusBody>,
) -> Result<Response, ApiError> {
    let code = normalize_code(&code)
        .ok_or_else(|| ApiError::bad("code", "8 to 40 of A-Z, 0-9, '.', '-'"))?;
    let status = u8::try_from(body.status)
        .ok()
        .filter(|s| (1..=10).contains(s))
        .ok_or_else(|| ApiError::bad("status", "a status code 1 to 10"))?;
    let step = body
        .step
        .map(|s| {
            Ok::<_, ApiError>(Step {
                at: parse_time(&s.at)
                    .ok_or_else(|| ApiError::bad("step.at", "an RFC 3339 time"))?,
                unit: validate::non_blank("step.unit", &s.unit)?,
                action: validate::non_blank("step.action", &s.action)?,
            })
        })
        .transpose()?;
    let returned_at = body
        .returned_at
        .map(|t| parse_time(&t).ok_or_else(|| ApiError::bad("returned_at", "an RFC 3339 time")))
        .transpose()?;
    let now = state.clock.now();
    let sms = state.sms.as_ref().map(|s| Arc::clone(&s.settings));
    let lookup = code.clone();
    let (change, messages) = state
        .store
        .write(move |sql| {
            if let Some(received) = dossiers::get(sql, &lookup)?.map(|d| d.received_at)
                && returned_at.is_some_and(|r| r < received)
            {
                return Err(ApiError::InvalidDates(
                    "returned_at: before received_at".into(),
                ));
            }
            let change =
                dossiers::set_status(sql, &lookup, status, step.clone(), returned_at, now)?
                    .ok_or_else(|| ApiError::NotFound(format!("no dossier {lookup}")))?;
            let messages = tell(sql, sms.as_deref(), std::slice::from_ref(&change), now)?;
            Ok((change, messages))
        })
        .await?;
    if messages > 0 {
        poke(&state);
    }
    Ok(super::json(
        StatusCode::OK,
        &json!({
            "code": change.code,
            "previous_status": change.old,
            "status": change.new,
            "messages": messages,
        }),
    ))
}
