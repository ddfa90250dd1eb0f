//! Who asked to hear about a dossier: a phone number per dossier, kept until the result is
//! handed over (status 10) or `[sms] keep_days` pass, whichever comes first.

use chrono::{DateTime, Duration, FixedOffset};

use crate::problem::ApiError;
use crate::store::{Sql, params};

/// At most this many phones per dossier: a family, not a mailing list.
pub const MAX_PER_DOSSIER: usize = 5;

/// One subscribed phone.
#[derive(Debug, Clone)]
pub struct Subscription {
    pub id: i64,
    pub phone: String,
}

/// Subscribes `phone` to `code`; `false` when it already was (nothing changes).
pub fn subscribe(
    sql: &mut dyn Sql,
    code: &str,
    phone: &str,
    kiosk_id: &str,
    already_late: bool,
    now: DateTime<FixedOffset>,
) -> Result<bool, ApiError> {
    let existing = of_dossier(sql, code)?;
    if existing.iter().any(|s| s.phone == phone) {
        return Ok(false);
    }
    if existing.len() >= MAX_PER_DOSSIER {
        return Err(ApiError::SubscriptionLimit(
            code.to_string(),
            existing.len(),
        ));
    }
    sql.execute(
        "INSERT INTO sms_subscriptions (dossier_code, phone, kiosk_id, late_notified, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        &params![code, phone, kiosk_id, already_late, now],
    )?;
    Ok(true)
}

/// Every phone subscribed to `code`, oldest first.
pub fn of_dossier(sql: &mut dyn Sql, code: &str) -> Result<Vec<Subscription>, ApiError> {
    let rows = sql.query(
        "SELECT id, phone FROM sms_subscriptions WHERE dossier_code = ?1 ORDER BY id",
        &params![code],
    )?;
    rows.iter()
        .map(|r| {
            Ok(Subscription {
                id: r.int(0)?,
                phone: r.text(1)?,
            })
        })
        .collect()
}

/// Forgets every phone of a dossier (its result was handed over).
pub fn end(sql: &mut dyn Sql, code: &str) -> Result<u64, ApiError> {
    Ok(sql.execute(
        "DELETE FROM sms_subscriptions WHERE dossier_code = ?1",
        &params![code],
    )?)
}

/// The day a subscription made at `at` is forgotten at the latest.
pub fn kept_until(at: DateTime<FixedOffset>, keep_days: u32) -> DateTime<FixedOffset> {
    at + Duration::days(i64::from(keep_days))
}

/// Forgets subscriptions older than `keep_days`.
pub fn forget_old(
    sql: &mut dyn Sql,
    now: DateTime<FixedOffset>,
    keep_days: u32,
) -> Result<u64, ApiError> {
    Ok(sql.execute(
        "DELETE FROM sms_subscriptions WHERE created_at < ?1",
        &params![now - Duration::days(i64::from(keep_days))],
    )?)
}
