//! Dossier storage: add-or-replace from the back office, lookup for kiosks.

use chrono::{DateTime, FixedOffset};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::clock::{format_time, parse_time};
use crate::problem::ApiError;

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

/// Adds or replaces dossiers; returns (added, replaced). Run it inside a transaction.
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

pub fn upsert(tx: &Connection, items: &[Dossier], now: &str) -> Result<(usize, usize), ApiError> {
    let (mut added, mut replaced) = (0, 0);
    for d in items {
        let steps = steps_json(&d.steps);
        let existed = tx
            .query_row(
                "SELECT 1 FROM dossiers WHERE code = ?1",
                params![d.code],
                |_| Ok(()),
            )
            .optional()?
            .is_some();
        tx.execute(
            "INSERT OR REPLACE INTO dossiers (code, procedure_code, procedure_name, applicant_name,
                status, received_at, due_at, returned_at, steps, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                d.code,
                d.procedure_code,
                d.procedure_name,
                d.applicant_name,
                d.status,
                format_time(d.received_at),
                format_time(d.due_at),
                d.returned_at.map(format_time),
                serde_json::to_string(&steps)?,
                now,
            ],
        )?;
        if existed { replaced += 1 } else { added += 1 }
    }
    Ok((added, replaced))
}

/// The dossier with this (normalised) code, if any.
pub fn get(conn: &Connection, code: &str) -> Result<Option<Dossier>, ApiError> {
    let row = conn
        .query_row(
            "SELECT code, procedure_code, procedure_name, applicant_name, status, received_at,
                    due_at, returned_at, steps
             FROM dossiers WHERE code = ?1",
            params![code],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, u8>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, Option<String>>(7)?,
                    r.get::<_, String>(8)?,
                ))
            },
        )
        .optional()?;
    let Some((
        code,
        procedure_code,
        procedure_name,
        applicant_name,
        status,
        received,
        due,
        returned,
        steps,
    )) = row
    else {
        return Ok(None);
    };
    let time =
        |s: &str| parse_time(s).ok_or_else(|| ApiError::Internal(format!("stored time {s:?}")));
    let steps: Vec<StepJson> = serde_json::from_str(&steps)?;
    Ok(Some(Dossier {
        code,
        procedure_code,
        procedure_name,
        applicant_name,
        status,
        received_at: time(&received)?,
        due_at: time(&due)?,
        returned_at: returned.as_deref().map(time).transpose()?,
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
