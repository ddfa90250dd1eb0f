//! Idempotent writes: a kiosk's `request_id` names one request. The same kiosk sending it again
//! with the same body gets the first answer; with another body, `409 request-id-reused`.
//! Another kiosk's id is another request. Ids are kept [`KEEP_DAYS`] days.

use chrono::{DateTime, Duration, FixedOffset};
use serde_json::Value;

use crate::problem::ApiError;
use crate::store::{Sql, SqlError, params};

/// How long a request id is remembered (the contract promises at least 30 days).
pub const KEEP_DAYS: i64 = 30;

/// Rows written before fingerprints existed: any body replays them.
const LEGACY: &str = "legacy";

/// A ticket request that was voided (or voided before it arrived): never issued again.
pub const VOIDED: &str = "voided";

/// The stored first answer of `request_id` from `kiosk_id`, if the same request was made before.
pub fn replay(
    sql: &mut dyn Sql,
    kiosk_id: &str,
    request_id: &str,
    fingerprint: &str,
) -> Result<Option<Value>, ApiError> {
    let stored = sql.query_opt(
        "SELECT fingerprint, response FROM requests WHERE kiosk_id = ?1 AND request_id = ?2",
        &params![kiosk_id, request_id],
    )?;
    let Some(row) = stored else { return Ok(None) };
    judge(Some((row.text(0)?, row.text(1)?)), fingerprint)
}

/// What a stored `(fingerprint, response)` means for a request with `fingerprint`, for scripts
/// that read the stored request together with something else: see [`replay`].
pub fn judge(
    stored: Option<(String, String)>,
    fingerprint: &str,
) -> Result<Option<Value>, ApiError> {
    let Some((f, response)) = stored else {
        return Ok(None);
    };
    if f == VOIDED {
        Err(ApiError::TicketVoided)
    } else if f == fingerprint || f == LEGACY {
        Ok(Some(serde_json::from_str(&response)?))
    } else {
        Err(ApiError::RequestIdReused)
    }
}

/// Records the first answer; call it in the transaction that made the write.
pub fn remember(
    sql: &mut dyn Sql,
    kiosk_id: &str,
    request_id: &str,
    fingerprint: &str,
    answer: &Value,
    now: DateTime<FixedOffset>,
) -> Result<(), ApiError> {
    match sql.execute(
        "INSERT INTO requests (kiosk_id, request_id, fingerprint, response, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        &params![kiosk_id, request_id, fingerprint, answer.to_string(), now],
    ) {
        // Another server instance recorded the same request meanwhile: running the script
        // again replays its answer.
        Err(SqlError::Unique(_)) => Err(ApiError::RetryTransaction),
        other => other.map(drop).map_err(ApiError::from),
    }
}

/// Forgets request ids older than [`KEEP_DAYS`]; returns how many.
pub fn forget_old(sql: &mut dyn Sql, now: DateTime<FixedOffset>) -> Result<u64, ApiError> {
    Ok(sql.execute(
        "DELETE FROM requests WHERE created_at < ?1",
        &params![now - Duration::days(KEEP_DAYS)],
    )?)
}
