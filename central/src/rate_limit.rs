//! Calls allowed per key (a kiosk, a client address) per minute, counted in the database so
//! every server instance shares one count. Fixed one-minute windows on the server's clock.

use chrono::{DateTime, Duration, FixedOffset, Timelike};

use crate::problem::ApiError;
use crate::store::{Sql, commit_without_flush, params};

/// Counts one call by `key`; `Ok(Err(seconds))` says how long to wait when over the limit.
/// `per_minute == 0` disables the limit.
pub fn check(
    sql: &mut dyn Sql,
    key: &str,
    per_minute: u32,
    now: DateTime<FixedOffset>,
) -> Result<Result<(), u64>, ApiError> {
    if per_minute == 0 {
        return Ok(Ok(()));
    }
    // Counts lost in a crash only let a few more calls through in that one minute.
    commit_without_flush(sql)?;
    let window = window_start(now);
    let hits = sql
        .query_one(
            "INSERT INTO rate_windows (key, window_start, hits) VALUES (?1, ?2, 1)
             ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_windows.hits + 1
             RETURNING hits",
            &params![key, window],
        )?
        .int(0)?;
    if hits > i64::from(per_minute) {
        // Whole seconds to the next window, at least 1: "0" would invite a retry that fails.
        let left = (window + Duration::minutes(1) - now).num_seconds();
        Ok(Err(u64::try_from(left).unwrap_or(1).max(1)))
    } else {
        Ok(Ok(()))
    }
}

fn window_start(now: DateTime<FixedOffset>) -> DateTime<FixedOffset> {
    now.with_nanosecond(0)
        .and_then(|t| t.with_second(0))
        .unwrap_or(now)
}

/// Drops windows that can no longer count.
pub fn forget_old(sql: &mut dyn Sql, now: DateTime<FixedOffset>) -> Result<u64, ApiError> {
    Ok(sql.execute(
        "DELETE FROM rate_windows WHERE window_start < ?1",
        &params![window_start(now) - Duration::minutes(2)],
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_start_on_the_minute() {
        let t = crate::clock::parse_time("2026-11-25T09:07:42+07:00").unwrap_or_default();
        assert_eq!(
            crate::clock::format_time(window_start(t)),
            "2026-11-25T09:07:00+07:00"
        );
    }
}
