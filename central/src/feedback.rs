//! Satisfaction ratings: one per ticket, idempotent by `request_id`.

use chrono::{DateTime, FixedOffset};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde_json::{Value, json};

use crate::clock::format_time;
use crate::idempotency;
use crate::problem::ApiError;
use crate::queue;

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
    conn: &mut Connection,
    r: &Rating,
    kiosk_id: &str,
    now: DateTime<FixedOffset>,
) -> Result<(Value, bool), ApiError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let fingerprint = r.fingerprint();
    if let Some(answer) = idempotency::replay(&tx, kiosk_id, &r.request_id, &fingerprint)? {
        return Ok((answer, false));
    }
    if let Some(id) = &r.service_id {
        queue::service(&tx, id)?;
    }
    let at = r.given_at.unwrap_or(now);
    // Ticket numbers restart every day, so a ticket is its number on the day of the rating.
    let ticket_day = at.date_naive().format("%Y-%m-%d").to_string();
    if let Some(ticket) = &r.ticket {
        let rated = tx
            .query_row(
                "SELECT 1 FROM feedback WHERE ticket = ?1 AND ticket_day = ?2",
                params![ticket, ticket_day],
                |_| Ok(()),
            )
            .optional()?;
        if rated.is_some() {
            return Err(ApiError::AlreadyRated(ticket.clone()));
        }
    }
    let answer = json!({ "request_id": r.request_id, "accepted": true });
    tx.execute(
        "INSERT INTO feedback (rating, service_id, ticket, ticket_day, reason, at, received_at,
            kiosk_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            r.rating,
            r.service_id,
            r.ticket,
            r.ticket.as_ref().map(|_| ticket_day),
            r.reason,
            format_time(at),
            format_time(now),
            kiosk_id,
        ],
    )?;
    idempotency::remember(&tx, kiosk_id, &r.request_id, &fingerprint, &answer, now)?;
    tx.commit()?;
    Ok((answer, true))
}
