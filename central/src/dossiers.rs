//! Dossier storage: add-or-replace from the back office, lookup for kiosks.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::clock::{format_time, parse_time};
use crate::problem::ApiError;
use crate::store::{Sql, params};

/// A dossier as the back office knows it (full applicant name included).
#[derive(Debug, Clone, PartialEq)]
pub struct Dossier {
    pub code: String,
    pub procedure_code: String,
    pub procedure_name: String,
    pub applicant_name: String,
    pub status: u8,
    pub received_at: DateTime<FixedOffset>,
    pub due_at: DateTime<FixedOffset>,
    pub returned_at: Option<DateTime<FixedOffset>>,
    pub steps: Vec<Step>,
}

/// One entry of the processing history.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub at: DateTime<FixedOffset>,
    pub unit: String,
    pub action: String,
}

/// The stored and served JSON form of a step.
#[derive(Debug, Serialize, Deserialize)]
pub struct StepJson {
    pub at: String,
    pub unit: String,
    pub action: String,
}

impl Dossier {
    /// When processing finished: the return, or the last step while waiting for collection.
    pub fn finished_at(&self) -> Option<DateTime<FixedOffset>> {
        self.returned_at
            .or_else(|| self.steps.iter().map(|s| s.at).max())
    }
}

/// Steps as stored and as served: times as RFC 3339 in office time.
pub fn steps_json(steps: &[Step]) -> Vec<StepJson> {
    steps
        .iter()
        .map(|s| StepJson {
            at: format_time(s.at),
            unit: s.unit.clone(),
            action: s.action.clone(),
        })
        .collect()
}

/// Adds or replaces dossiers for an office; returns (added, replaced).
pub fn upsert(
    sql: &mut dyn Sql,
    office: &str,
    items: &[Dossier],
    now: DateTime<FixedOffset>,
) -> Result<(usize, usize), ApiError> {
    let (mut added, mut replaced) = (0, 0);
    for d in items {
        let steps = serde_json::to_string(&steps_json(&d.steps))?;
        let existed = sql
            .query_opt(
                "SELECT 1 FROM dossiers WHERE code = ?1",
                &params![d.code.as_str()],
            )?
            .is_some();
        sql.execute(
            "INSERT INTO dossiers (code, procedure_code, procedure_name, applicant_name, status,
                received_at, due_at, returned_at, steps, updated_at, office_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
             ON CONFLICT (code) DO UPDATE SET procedure_code = ?2, procedure_name = ?3,
                applicant_name = ?4, status = ?5, received_at = ?6, due_at = ?7,
                returned_at = ?8, steps = ?9, updated_at = ?10, office_id = ?11",
            &params![
                d.code.as_str(),
                d.procedure_code.as_str(),
                d.procedure_name.as_str(),
                d.applicant_name.as_str(),
                d.status,
                d.received_at,
                d.due_at,
                d.returned_at,
                steps,
                now,
                office,
            ],
        )?;
        if existed { replaced += 1 } else { added += 1 }
    }
    Ok((added, replaced))
}

/// The dossier with this (normalised) code, if any. Codes are unique across a province (they
/// carry the agency's code), so any office's kiosk can look any dossier up.
pub fn get(sql: &mut dyn Sql, code: &str) -> Result<Option<Dossier>, ApiError> {
    let Some(r) = sql.query_opt(
        "SELECT code, procedure_code, procedure_name, applicant_name, status, received_at,
                due_at, returned_at, steps
         FROM dossiers WHERE code = ?1",
        &params![code],
    )?
    else {
        return Ok(None);
    };
    let steps: Vec<StepJson> = serde_json::from_str(&r.text(8)?)?;
    let time =
        |s: &str| parse_time(s).ok_or_else(|| ApiError::Internal(format!("stored time {s:?}")));
    Ok(Some(Dossier {
        code: r.text(0)?,
        procedure_code: r.text(1)?,
        procedure_name: r.text(2)?,
        applicant_name: r.text(3)?,
        status: u8::try_from(r.int(4)?).unwrap_or(0),
        received_at: r.time(5)?,
        due_at: r.time(6)?,
        returned_at: r.opt_time(7)?,
        steps: steps
            .into_iter()
            .map(|s| {
                Ok(Step {
                    at: time(&s.at)?,
                    unit: s.unit,
                    action: s.action,
                })
            })
            .collect::<Result<_, ApiError>>()?,
    }))
}
