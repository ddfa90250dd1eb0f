//! Idempotent writes: a kiosk's `request_id` names one request. The same kiosk sending it again
//! with the same body gets the first answer; with another body, `409 request-id-reused`.
//! Another kiosk's id is another request. Ids are kept [`KEEP_DAYS`] days.

use chrono::{DateTime, Duration, FixedOffset};
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;

use crate::clock::format_time;
use crate::problem::ApiError;

/// How long a request id is remembered (the contract promises at least 30 days).
pub const KEEP_DAYS: i64 = 30;

/// Rows written before fingerprints existed: any body replays them.
const LEGACY: &str = "legacy";

/// The stored first answer of `request_id` from `kiosk_id`, if the same request was made before.
pub fn replay(
    conn: &Connection,
    kiosk_id: &str,
    request_id: &str,
    fingerprint: &str,
) -> Result<Option<Value>, ApiError> {
    let stored: Option<(String, String)> = conn
        .query_row(
            "SELECT fingerprint, response FROM requests WHERE kiosk_id = ?1 AND request_id = ?2",
            params![kiosk_id, request_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    match stored {
        None => Ok(None),
        Some((f, response)) if f == fingerprint || f == LEGACY => {
            Ok(Some(serde_json::from_str(&response)?))
        }
        Some(_) => Err(ApiError::RequestIdReused),
    }
}

/// Records the first answer; call it in the transaction that made the write.
pub fn remember(
    conn: &Connection,
    kiosk_id: &str,
    request_id: &str,
    fingerprint: &str,
    answer: &Value,
    now: DateTime<FixedOffset>,
) -> Result<(), ApiError> {
    conn.execute(
        "INSERT INTO requests (kiosk_id, request_id, fingerprint, response, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            kiosk_id,
            request_id,
            fingerprint,
            answer.to_string(),
            format_time(now)
        ],
    )?;
    Ok(())
}

/// Forgets request ids older than [`KEEP_DAYS`]; returns how many.
pub fn forget_old(conn: &Connection, now: DateTime<FixedOffset>) -> Result<usize, ApiError> {
    // Every stored time has the office offset, so text order is time order.
    let cutoff = format_time(now - Duration::days(KEEP_DAYS));
    Ok(conn.execute(
        "DELETE FROM requests WHERE created_at < ?1",
        params![cutoff],
    )?)
}
