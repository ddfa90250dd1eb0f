//! Admin imports: the catalog (replaced in one transaction) and dossiers (added or replaced).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::Admin;
use crate::catalog;
use crate::clock::parse_time;
use crate::dossier::normalize_code;
use crate::dossiers::{self, Dossier, Step};
use crate::extract::{JsonBody, integer};
use crate::offices::DEFAULT_OFFICE;
use crate::problem::ApiError;
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
    let (added, replaced) = state
        .store
        .write(move |sql| dossiers::upsert(sql, DEFAULT_OFFICE, &items, now))
        .await?;
    Ok(super::json(
        StatusCode::OK,
        &json!({ "added": added, "replaced": replaced }),
    ))
}
