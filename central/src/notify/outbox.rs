//! The SMS outbox: one row per message, written in the transaction of its cause, so a message is
//! never lost with a crash and never made twice for one cause (`dedupe_key`). The sender claims a
//! row before handing it to the gateway and records the answer after; a row left claimed by a
//! server that died mid-send becomes `unconfirmed` and is not sent again, because no gateway can
//! recognise a repeat (a delivery report that names it settles it as sent).

use chrono::{DateTime, Duration, FixedOffset};
use serde_json::{Value, json};

use crate::clock::format_time;
use crate::problem::ApiError;
use crate::sms::{DeliveryReport, Encoding, Prepared, TextError, phone};
use crate::store::{Sql, params};

/// Where a message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Waiting for its time (`next_attempt_at`).
    Queued,
    /// Being handed to the gateway.
    Sending,
    /// The gateway took it (`delivery` says what the phone's network reported since).
    Sent,
    /// Will not be sent: refused by the gateway, too long, or no gateway.
    Failed,
    /// Too late to be of use (a ticket message after its office day).
    Expired,
    /// The server stopped while handing it over: it may have gone. Not sent again.
    Unconfirmed,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::Queued,
        Status::Sending,
        Status::Sent,
        Status::Failed,
        Status::Expired,
        Status::Unconfirmed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Queued => "queued",
            Status::Sending => "sending",
            Status::Sent => "sent",
            Status::Failed => "failed",
            Status::Expired => "expired",
            Status::Unconfirmed => "unconfirmed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

fn encoding_name(e: Encoding) -> &'static str {
    match e {
        Encoding::Gsm7 => "gsm7",
        Encoding::Ucs2 => "ucs2",
    }
}

fn encoding_from(name: &str) -> Encoding {
    if name == "gsm7" {
        Encoding::Gsm7
    } else {
        Encoding::Ucs2
    }
}

/// A message to keep, made by a trigger.
pub struct NewMessage<'a> {
    pub office: &'a str,
    /// One message per cause and recipient, e.g. `ticket:<id>:called`.
    pub dedupe_key: String,
    /// `turn-near`, `called`, `status-5`, `status-6`, `status-9`, `status-10`, `late`.
    pub trigger: &'a str,
    pub phone: &'a str,
    /// The composed text, or why it could not be made (kept as a failed message, so staff see
    /// that a template is too long).
    pub text: Result<Prepared, TextError>,
    /// After this the message is of no use and is not sent.
    pub expires_at: DateTime<FixedOffset>,
}

/// Keeps a message to send; `false` when one was already made for this cause.
pub fn enqueue(
    sql: &mut dyn Sql,
    msg: NewMessage<'_>,
    now: DateTime<FixedOffset>,
) -> Result<bool, ApiError> {
    let id = new_id()?;
    let masked = phone::mask(msg.phone);
    let (status, phone, text, encoding, segments, error) = match &msg.text {
        Ok(p) => (
            Status::Queued,
            Some(msg.phone),
            p.text.as_str(),
            encoding_name(p.encoding),
            p.segments,
            None,
        ),
        Err(e) => (Status::Failed, None, "", "ucs2", 0, Some(e.to_string())),
    };
    let inserted = sql.execute(
        "INSERT INTO sms_outbox (id, office_id, dedupe_key, trigger, phone, phone_masked, text,
            encoding, segments, status, next_attempt_at, expires_at, last_error, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?11)
         ON CONFLICT (dedupe_key) DO NOTHING",
        &params![
            id.as_str(),
            msg.office,
            msg.dedupe_key.as_str(),
            msg.trigger,
            phone,
            masked.as_str(),
            text,
            encoding,
            segments,
            status.as_str(),
            now,
            msg.expires_at,
            error.clone(),
        ],
    )? == 1;
    if inserted {
        // What a log may say of a message: never the number or the text.
        match &error {
            None => tracing::info!(
                sms = %id, trigger = msg.trigger, encoding, segments,
                chars = text.chars().count(), "SMS queued"
            ),
            Some(e) => tracing::warn!(sms = %id, trigger = msg.trigger, error = %e, "SMS not made"),
        }
    }
    Ok(inserted)
}

/// An outbox id: 16 random bytes in hex, safe in any gateway's reference field.
fn new_id() -> Result<String, ApiError> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).map_err(|e| ApiError::Internal(format!("random: {e}")))?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

/// Ids of messages whose time has come, oldest first.
pub fn due(
    sql: &mut dyn Sql,
    now: DateTime<FixedOffset>,
    limit: i64,
) -> Result<Vec<String>, ApiError> {
    let rows = sql.query(
        "SELECT id FROM sms_outbox WHERE status = 'queued' AND next_attempt_at <= ?1
         ORDER BY next_attempt_at, created_at LIMIT ?2",
        &params![now, limit],
    )?;
    rows.iter().map(|r| Ok(r.text(0)?)).collect()
}

/// A message claimed for sending.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: String,
    pub phone: String,
    pub text: String,
    pub encoding: Encoding,
    /// Including this one.
    pub attempts: u32,
    pub created_at: DateTime<FixedOffset>,
}

/// Takes a queued message for sending (one instance wins when several try). A message past its
/// use is marked expired instead.
pub fn claim(
    sql: &mut dyn Sql,
    id: &str,
    now: DateTime<FixedOffset>,
) -> Result<Option<Claimed>, ApiError> {
    let taken = sql.execute(
        "UPDATE sms_outbox SET status = 'sending', attempts = attempts + 1, claimed_at = ?2
         WHERE id = ?1 AND status = 'queued'",
        &params![id, now],
    )?;
    if taken != 1 {
        return Ok(None);
    }
    let row = sql.query_one(
        "SELECT phone, text, encoding, attempts, expires_at, created_at FROM sms_outbox
         WHERE id = ?1",
        &params![id],
    )?;
    let phone = row.opt_text(0)?;
    match phone {
        Some(phone) if row.time(4)? > now => Ok(Some(Claimed {
            id: id.to_string(),
            phone,
            text: row.text(1)?,
            encoding: encoding_from(&row.text(2)?),
            attempts: u32::try_from(row.int(3)?).unwrap_or(u32::MAX),
            created_at: row.time(5)?,
        })),
        _ => {
            settle(sql, id, Status::Expired, Some("too late to be of use"))?;
            Ok(None)
        }
    }
}

/// The gateway took it: the number is forgotten.
pub fn record_sent(
    sql: &mut dyn Sql,
    id: &str,
    gateway_id: Option<&str>,
    now: DateTime<FixedOffset>,
) -> Result<(), ApiError> {
    sql.execute(
        "UPDATE sms_outbox SET status = 'sent', phone = NULL, gateway_id = ?2, sent_at = ?3,
            last_error = NULL
         WHERE id = ?1",
        &params![id, gateway_id, now],
    )?;
    Ok(())
}

/// Not taken this time: tried again at `next`.
pub fn record_retry(
    sql: &mut dyn Sql,
    id: &str,
    error: &str,
    next: DateTime<FixedOffset>,
) -> Result<(), ApiError> {
    sql.execute(
        "UPDATE sms_outbox SET status = 'queued', last_error = ?2, next_attempt_at = ?3,
            claimed_at = NULL
         WHERE id = ?1",
        &params![id, error, next],
    )?;
    Ok(())
}

/// Held back without trying (quiet hours, a throttling gateway): the attempt does not count.
pub fn hold(sql: &mut dyn Sql, id: &str, until: DateTime<FixedOffset>) -> Result<(), ApiError> {
    sql.execute(
        "UPDATE sms_outbox SET status = 'queued', next_attempt_at = ?2, claimed_at = NULL,
            attempts = attempts - 1
         WHERE id = ?1 AND status = 'sending'",
        &params![id, until],
    )?;
    Ok(())
}

/// A final state without sending (failed or expired): the number is forgotten.
pub fn settle(
    sql: &mut dyn Sql,
    id: &str,
    status: Status,
    error: Option<&str>,
) -> Result<(), ApiError> {
    sql.execute(
        "UPDATE sms_outbox SET status = ?2, phone = NULL, last_error = ?3, claimed_at = NULL
         WHERE id = ?1",
        &params![id, status.as_str(), error],
    )?;
    Ok(())
}

/// Messages some server claimed before `claimed_before` and never finished: it stopped
/// mid-send. They become `unconfirmed` (kept, number included, for a report or staff to
/// settle). Returns how many.
pub fn settle_abandoned(
    sql: &mut dyn Sql,
    claimed_before: DateTime<FixedOffset>,
) -> Result<u64, ApiError> {
    Ok(sql.execute(
        "UPDATE sms_outbox SET status = 'unconfirmed',
            last_error = 'the server stopped while handing it to the gateway; not sent again, so it cannot arrive twice'
         WHERE status = 'sending' AND claimed_at <= ?1",
        &params![claimed_before],
    )?)
}

/// Records a delivery report against the message it names (by the gateway's id, or by the
/// outbox id for gateways that carry ours); an unconfirmed message it names was sent after all.
/// A final report is not overwritten by a later intermediate one.
pub fn record_report(sql: &mut dyn Sql, report: &DeliveryReport) -> Result<u64, ApiError> {
    let at = report
        .at
        .with_timezone(&crate::clock::office_offset())
        .fixed_offset();
    let final_states = "('delivered', 'failed', 'expired', 'rejected')";
    Ok(sql.execute(
        &format!(
            "UPDATE sms_outbox SET delivery = ?2, delivered_at = ?3,
                status = CASE WHEN status = 'unconfirmed' THEN 'sent' ELSE status END,
                phone = CASE WHEN status = 'unconfirmed' THEN NULL ELSE phone END,
                gateway_id = COALESCE(gateway_id, ?1)
             WHERE (gateway_id = ?1 OR (gateway_id IS NULL AND id = ?1))
               AND (delivery IS NULL OR delivery NOT IN {final_states} OR ?4)"
        ),
        &params![
            report.gateway_id.as_str(),
            report.state.as_str(),
            at,
            report.state.is_final(),
        ],
    )?)
}

/// Sends an unconfirmed message again, after staff checked it did not arrive.
pub fn resend(sql: &mut dyn Sql, id: &str, now: DateTime<FixedOffset>) -> Result<(), ApiError> {
    let row = sql
        .query_opt(
            "SELECT status, phone FROM sms_outbox WHERE id = ?1",
            &params![id],
        )?
        .ok_or_else(|| ApiError::NotFound(format!("no message {id}")))?;
    let status = row.text(0)?;
    if status != Status::Unconfirmed.as_str() || row.opt_text(1)?.is_none() {
        return Err(ApiError::MessageState(format!(
            "message {id} is {status}; only an unconfirmed message can be sent again"
        )));
    }
    sql.execute(
        "UPDATE sms_outbox SET status = 'queued', next_attempt_at = ?2, expires_at = ?3,
            last_error = NULL
         WHERE id = ?1",
        &params![id, now, now + Duration::days(1)],
    )?;
    Ok(())
}

/// An office's messages, newest first, as `GET /admin/sms` lists them (masked numbers).
pub fn list(
    sql: &mut dyn Sql,
    office: &str,
    status: Option<Status>,
    limit: i64,
) -> Result<Vec<Value>, ApiError> {
    // Spelt out per case: PostgreSQL cannot type a parameter that is only compared to NULL.
    let filter = if status.is_some() {
        "AND status = ?3"
    } else {
        ""
    };
    let rows = sql.query(
        &format!(
            "SELECT id, trigger, phone_masked, text, encoding, segments, status, attempts,
                    last_error, gateway_id, delivery, delivered_at, created_at, sent_at,
                    next_attempt_at
             FROM sms_outbox
             WHERE office_id = ?1 {filter}
             ORDER BY created_at DESC, id DESC LIMIT ?2"
        ),
        &match status {
            Some(s) => params![office, limit, s.as_str()].to_vec(),
            None => params![office, limit].to_vec(),
        },
    )?;
    rows.iter()
        .map(|r| {
            let status = r.text(6)?;
            Ok(json!({
                "id": r.text(0)?,
                "trigger": r.text(1)?,
                "phone": r.text(2)?,
                "text": r.text(3)?,
                "encoding": r.text(4)?,
                "segments": r.int(5)?,
                "status": status,
                "attempts": r.int(7)?,
                "error": r.opt_text(8)?,
                "gateway_id": r.opt_text(9)?,
                "delivery": r.opt_text(10)?,
                "delivered_at": r.opt_time(11)?.map(format_time),
                "created_at": format_time(r.time(12)?),
                "sent_at": r.opt_time(13)?.map(format_time),
                "next_attempt_at": (status == "queued").then(|| r.time(14).map(format_time)).transpose()?,
            }))
        })
        .collect()
}

/// How many messages are in each state (for `/metrics`).
pub fn counts(sql: &mut dyn Sql) -> Result<Vec<(String, i64)>, ApiError> {
    let rows = sql.query(
        "SELECT status, COUNT(*) FROM sms_outbox GROUP BY status ORDER BY status",
        &[],
    )?;
    rows.iter().map(|r| Ok((r.text(0)?, r.int(1)?))).collect()
}

/// Deletes messages older than `keep_days` (their numbers went long before, except unconfirmed
/// ones kept for staff).
pub fn forget_old(
    sql: &mut dyn Sql,
    now: DateTime<FixedOffset>,
    keep_days: u32,
) -> Result<u64, ApiError> {
    Ok(sql.execute(
        "DELETE FROM sms_outbox WHERE created_at < ?1",
        &params![now - Duration::days(i64::from(keep_days))],
    )?)
}
