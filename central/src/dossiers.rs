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

/// A dossier's status as an import or a status call changed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    pub code: String,
    pub office: String,
    /// `None` for a dossier new to the server.
    pub old: Option<u8>,
    pub new: u8,
}

/// What an import did: how many dossiers were added and replaced, and their status changes.
#[derive(Debug, Default)]
pub struct Upserted {
    pub added: usize,
    pub replaced: usize,
    pub changes: Vec<StatusChange>,
}

/// Adds or replaces dossiers for an office.
pub fn upsert(
    sql: &mut dyn Sql,
    office: &str,
    items: &[Dossier],
    now: DateTime<FixedOffset>,
) -> Result<Upserted, ApiError> {
    let mut done = Upserted::default();
    for d in items {
        let steps = serde_json::to_string(&steps_json(&d.steps))?;
        let old = stored_status(sql, &d.code)?;
        if old != Some(d.status) {
            done.changes.push(StatusChange {
                code: d.code.clone(),
                office: office.to_string(),
                old,
                new: d.status,
            });
        }
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
        if old.is_some() {
            done.replaced += 1;
        } else {
            done.added += 1;
        }
    }
    Ok(done)
}

fn stored_status(sql: &mut dyn Sql, code: &str) -> Result<Option<u8>, ApiError> {
    Ok(sql
        .query_opt(
            "SELECT status FROM dossiers WHERE code = ?1",
            &params![code],
        )?
        .map(|r| r.int(0))
        .transpose()?
        .map(|s| u8::try_from(s).unwrap_or(0)))
}

/// Sets a dossier's status (and, when given, adds a step to its history); `None` when there is
/// no such dossier.
pub fn set_status(
    sql: &mut dyn Sql,
    code: &str,
    status: u8,
    step: Option<Step>,
    returned_at: Option<DateTime<FixedOffset>>,
    now: DateTime<FixedOffset>,
) -> Result<Option<StatusChange>, ApiError> {
    let Some(mut dossier) = get(sql, code)? else {
        return Ok(None);
    };
    let office = sql
        .query_one(
            "SELECT office_id FROM dossiers WHERE code = ?1",
            &params![code],
        )?
        .text(0)?;
    let old = dossier.status;
    dossier.steps.extend(step);
    let steps = serde_json::to_string(&steps_json(&dossier.steps))?;
    sql.execute(
        "UPDATE dossiers SET status = ?2, steps = ?3, updated_at = ?4,
            returned_at = COALESCE(?5, returned_at)
         WHERE code = ?1",
        &params![code, status, steps, now, returned_at],
    )?;
    Ok(Some(StatusChange {
        code: code.to_string(),
        office,
        old: Some(old),
        new: status,
    }))
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
