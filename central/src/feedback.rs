//! Satisfaction ratings: one per ticket, idempotent by `request_id`.

use chrono::{DateTime, FixedOffset};
use serde_json::{Value, json};

use crate::clock::format_time;
use crate::idempotency;
use crate::problem::ApiError;
use crate::queue::{self, Issuer};
use crate::store::{Sql, SqlError, params};

/// A validated rating.
#[derive(Debug, Clone)]
pub struct Rating {
    pub request_id: String,
    pub rating: u8,
    pub service_id: Option<String>,
    pub ticket: Option<String>,
    pub reason: Option<String>,
    /// When the rating was given, as the kiosk said (`None`: at arrival).
    pub given_at: Option<DateTime<FixedOffset>>,
}

impl Rating {
    /// What makes two ratings with one `request_id` the same request.
    pub fn fingerprint(&self) -> String {
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        format!(
            "feedback|{}|{}|{}|{}|{}",
            self.rating,
            opt(&self.service_id),
            opt(&self.ticket),
            opt(&self.reason),
            self.given_at.map(format_time).unwrap_or_default()
        )
    }
}

/// Stores a rating; returns the answer and whether it is new (`201`) or a replay (`200`).
pub fn record(
    sql: &mut dyn Sql,
    r: &Rating,
    by: &Issuer,
    now: DateTime<FixedOffset>,
) -> Result<(Value, bool), ApiError> {
    let fingerprint = r.fingerprint();
    if let Some(answer) = idempotency::replay(sql, &by.kiosk_id, &r.request_id, &fingerprint)? {
        return Ok((answer, false));
    }
    if let Some(id) = &r.service_id {
        queue::service(sql, &by.office, id)?;
    }
    let at = r.given_at.unwrap_or(now);
    // Ticket numbers restart every day, so a ticket is its number on the day of the rating.
    let ticket_day = at.date_naive();
    if let Some(ticket) = &r.ticket {
        let rated = sql.query_opt(
            "SELECT 1 FROM feedback WHERE office_id = ?1 AND ticket = ?2 AND ticket_day = ?3",
            &params![by.office.as_str(), ticket.as_str(), ticket_day],
        )?;
        if rated.is_some() {
            return Err(ApiError::AlreadyRated(ticket.clone()));
        }
    }
    let answer = json!({ "request_id": r.request_id, "accepted": true });
    let inserted = sql.execute(
        "INSERT INTO feedback (office_id, rating, service_id, ticket, ticket_day, reason, at,
            received_at, kiosk_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        &params![
            by.office.as_str(),
            r.rating,
            r.service_id.clone(),
            r.ticket.clone(),
            r.ticket.as_ref().map(|_| ticket_day),
            r.reason.clone(),
            at,
            now,
            by.kiosk_id.as_str(),
        ],
    );
    match inserted {
        // Another instance stored a rating of the same ticket in the same instant.
        Err(SqlError::Unique(_)) => {
            return Err(ApiError::AlreadyRated(r.ticket.clone().unwrap_or_default()));
        }
        other => other?,
    };
    idempotency::remember(sql, &by.kiosk_id, &r.request_id, &fingerprint, &answer, now)?;
    Ok((answer, true))
}
