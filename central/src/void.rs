//! Voiding a ticket: a kiosk gives back a number nobody holds, so no counter calls it.
//!
//! Two ways a number ends up in nobody's hand: the printer refused the ticket after the number
//! was taken (paper out mid-batch), or the kiosk's request reached the server but the answer was
//! lost, and the citizen left with an offline number instead. The kiosk names the ticket by the
//! `request_id` it issued it with; the void itself carries its own `request_id` and is
//! idempotent per kiosk like every write.
//!
//! A void of a request the server never saw leaves a mark in its place: that request, arriving
//! late, is refused (`409 ticket-voided`) instead of issuing a number nobody will hold. A voided
//! ticket keeps its number (never handed out again); its status is `voided`, so it is not
//! waiting, never called, and the office's board is sent again without it.

use chrono::{DateTime, FixedOffset};
use serde_json::{Value, json};

use crate::clock::{format_time, parse_time};
use crate::idempotency::{self, VOIDED};
use crate::problem::ApiError;
use crate::queue::Issuer;
use crate::store::{Sql, params};

/// Why a kiosk gives a number back.
pub const REASONS: &[&str] = &["not-printed", "answer-lost"];

/// A validated void request.
#[derive(Debug, Clone)]
pub struct VoidRequest {
    /// This request's own id.
    pub request_id: String,
    /// The id the ticket was (or may have been) issued with.
    pub ticket_request_id: String,
    pub reason: String,
}

impl VoidRequest {
    fn fingerprint(&self) -> String {
        format!("void|{}|{}", self.ticket_request_id, self.reason)
    }
}

/// Voids the ticket this kiosk issued with `ticket_request_id`. Returns the answer; a repeat of
/// the same void request gets the first answer again.
pub fn void(
    sql: &mut dyn Sql,
    req: &VoidRequest,
    by: &Issuer,
    now: DateTime<FixedOffset>,
) -> Result<Value, ApiError> {
    let fingerprint = req.fingerprint();
    if let Some(answer) = idempotency::replay(sql, &by.kiosk_id, &req.request_id, &fingerprint)? {
        return Ok(answer);
    }
    let issued = sql.query_opt(
        "SELECT fingerprint, response FROM requests WHERE kiosk_id = ?1 AND request_id = ?2",
        &params![by.kiosk_id.as_str(), req.ticket_request_id.as_str()],
    )?;
    let voided = match issued {
        // Never seen: the mark that refuses it if it comes late.
        None => {
            let voided = answer(req, None, None, now, &req.reason);
            idempotency::remember(
                sql,
                &by.kiosk_id,
                &req.ticket_request_id,
                VOIDED,
                &voided,
                now,
            )?;
            voided
        }
        Some(row) => {
            let (issued_fingerprint, response) = (row.text(0)?, row.text(1)?);
            let stored: Value = serde_json::from_str(&response)?;
            if issued_fingerprint == VOIDED {
                // Voided before, by another void request: the same ticket, the same time.
                stored
            } else if issued_fingerprint.starts_with("ticket|") {
                void_ticket(sql, req, by, &stored, now)?
            } else {
                return Err(ApiError::UnknownTicket(req.ticket_request_id.clone()));
            }
        }
    };
    let mut answer = voided;
    answer["request_id"] = json!(req.request_id);
    idempotency::remember(
        sql,
        &by.kiosk_id,
        &req.request_id,
        &fingerprint,
        &answer,
        now,
    )?;
    Ok(answer)
}

/// The ticket named by its issuing answer, voided unless a counter called it already; the
/// issuing request is then marked voided, so repeating it cannot bring the number back.
fn void_ticket(
    sql: &mut dyn Sql,
    req: &VoidRequest,
    by: &Issuer,
    issued: &Value,
    now: DateTime<FixedOffset>,
) -> Result<Value, ApiError> {
    let text = |key: &str| issued.get(key).and_then(Value::as_str).unwrap_or_default();
    let (number, service_id) = (text("number"), text("service_id"));
    let day = parse_time(text("issued_at"))
        .ok_or_else(|| ApiError::Internal(format!("stored answer of {}", req.ticket_request_id)))?
        .date_naive();
    // A transfer moves the ticket to another service and keeps its number: look in every
    // service of that day, its own first.
    let row = sql
        .query_opt(
            "SELECT id, status, called_at FROM tickets
             WHERE office_id = ?1 AND office_day = ?3 AND upper(number) = upper(?4)
               AND kiosk_id = ?5
             ORDER BY CASE WHEN service_id = ?2 THEN 0 ELSE 1 END LIMIT 1",
            &params![
                by.office.as_str(),
                service_id,
                day,
                number,
                by.kiosk_id.as_str()
            ],
        )?
        .ok_or_else(|| ApiError::UnknownTicket(req.ticket_request_id.clone()))?;
    // Called once (absent, done, or transferred back to waiting): a counter has dealt with it,
    // so somebody held it.
    if row.text(1)? != "waiting" || row.opt_time(2)?.is_some() {
        return Err(ApiError::AlreadyCalled(number.to_string()));
    }
    sql.execute(
        "UPDATE tickets SET status = 'voided', voided_at = ?2, void_reason = ?3 WHERE id = ?1",
        &params![row.int(0)?, now, req.reason.as_str()],
    )?;
    // One fewer waiting: counters, lobby displays and kiosks see the board change.
    crate::queue::emit_waiting(sql, &by.office, now)?;
    let voided = answer(req, Some(number), Some(service_id), now, &req.reason);
    sql.execute(
        "UPDATE requests SET fingerprint = ?3, response = ?4 WHERE kiosk_id = ?1 AND request_id = ?2",
        &params![
            by.kiosk_id.as_str(),
            req.ticket_request_id.as_str(),
            VOIDED,
            voided.to_string()
        ],
    )?;
    Ok(voided)
}

fn answer(
    req: &VoidRequest,
    number: Option<&str>,
    service_id: Option<&str>,
    now: DateTime<FixedOffset>,
    reason: &str,
) -> Value {
    json!({
        "request_id": req.request_id,
        "ticket_request_id": req.ticket_request_id,
        "voided": true,
        "number": number,
        "service_id": service_id,
        "reason": reason,
        "voided_at": format_time(now),
    })
}
