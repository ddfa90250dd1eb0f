//! The queue: daily numbering, idempotent issuing, offline recording, calling, estimates.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveTime};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde_json::{Value, json};

use crate::clock::{format_time, office_offset};
use crate::idempotency;
use crate::problem::ApiError;

/// Assumed minutes per person until a service has been called a few times today.
pub const DEFAULT_MINUTES_PER_PERSON: f64 = 4.0;
/// How many recent calls feed the estimate.
const RECENT_CALLS: i64 = 6;
/// Gaps longer than this (lunch, an empty hall) say nothing about service speed.
const MAX_INTERVAL_S: i64 = 3600;
/// Gaps shorter than this are a counter clicking through absent citizens, not service.
const MIN_INTERVAL_S: i64 = 30;
/// How far back an offline ticket may be recorded, and how far ahead of the server's clock.
pub const OFFLINE_MAX_AGE_DAYS: i64 = 7;
pub const OFFLINE_MAX_AHEAD_MIN: i64 = 10;

pub const PRIORITIES: &[&str] = &["none", "elderly", "pregnant", "disabled", "child"];

#[derive(Debug, Clone)]
pub struct Service {
    pub id: String,
    pub name_vi: String,
    pub name_en: String,
    pub prefix: String,
    pub priority_allowed: bool,
    pub daily_cap: u32,
}

fn service_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Service> {
    Ok(Service {
        id: r.get(0)?,
        name_vi: r.get(1)?,
        name_en: r.get(2)?,
        prefix: r.get(3)?,
        priority_allowed: r.get(4)?,
        daily_cap: r.get(5)?,
    })
}

const SERVICE_COLUMNS: &str = "id, name_vi, name_en, prefix, priority_allowed, daily_cap";

pub fn services(conn: &Connection) -> Result<Vec<Service>, ApiError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {SERVICE_COLUMNS} FROM queue_services ORDER BY position"
    ))?;
    let rows = stmt.query_map([], service_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn service(conn: &Connection, id: &str) -> Result<Service, ApiError> {
    conn.query_row(
        &format!("SELECT {SERVICE_COLUMNS} FROM queue_services WHERE id = ?1"),
        params![id],
        service_from_row,
    )
    .optional()?
    .ok_or_else(|| ApiError::UnknownService(id.to_string()))
}

/// Whether `now` falls inside the office's opening hours.
pub fn within_hours(conn: &Connection, now: DateTime<FixedOffset>) -> Result<bool, ApiError> {
    let weekday = now.weekday().number_from_monday();
    let time = now.time();
    let mut stmt = conn.prepare("SELECT opens, closes FROM opening_hours WHERE weekday = ?1")?;
    let rows = stmt.query_map(params![weekday], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
    })?;
    for row in rows {
        let (opens, closes) = row?;
        let parse = |s: &str| NaiveTime::parse_from_str(s, "%H:%M").ok();
        if let (Some(o), Some(c)) = (parse(&opens), parse(&closes))
            && o <= time
            && time < c
        {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Today's numbers for one service.
#[derive(Debug, Clone)]
pub struct ServiceState {
    pub waiting: u32,
    pub issued_today: u32,
    pub now_serving: Option<String>,
    pub seconds_per_person: f64,
}

pub fn state(
    conn: &Connection,
    service_id: &str,
    day: NaiveDate,
) -> Result<ServiceState, ApiError> {
    let day = day_key(day);
    let (issued_today, waiting): (u32, u32) = conn.query_row(
        "SELECT COUNT(*), COALESCE(SUM(called_at IS NULL), 0) FROM tickets
         WHERE service_id = ?1 AND office_day = ?2",
        params![service_id, day],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let mut stmt = conn.prepare(
        "SELECT number, called_at FROM tickets
         WHERE service_id = ?1 AND office_day = ?2 AND called_at IS NOT NULL
         ORDER BY called_at DESC, id DESC LIMIT ?3",
    )?;
    let calls: Vec<(String, String)> = stmt
        .query_map(params![service_id, day, RECENT_CALLS], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<Result<_, _>>()?;
    let times: Vec<DateTime<FixedOffset>> = calls
        .iter()
        .filter_map(|(_, t)| DateTime::parse_from_rfc3339(t).ok())
        .collect();
    let gaps: Vec<i64> = times
        .windows(2)
        .map(|w| (w[0] - w[1]).num_seconds())
        .filter(|s| (MIN_INTERVAL_S..=MAX_INTERVAL_S).contains(s))
        .collect();
    let seconds_per_person = if gaps.is_empty() {
        DEFAULT_MINUTES_PER_PERSON * 60.0
    } else {
        gaps.iter().sum::<i64>() as f64 / gaps.len() as f64
    };
    Ok(ServiceState {
        waiting,
        issued_today,
        now_serving: calls.first().map(|(n, _)| n.clone()),
        seconds_per_person,
    })
}

pub fn estimate_minutes(people_ahead: u32, seconds_per_person: f64) -> u32 {
    let minutes = (f64::from(people_ahead) * seconds_per_person / 60.0).ceil();
    if minutes.is_finite() && minutes > 0.0 {
        minutes.min(f64::from(u32::MAX)) as u32
    } else {
        0
    }
}

/// Why a service takes no new tickets, if it does not.
pub fn closed_reason(
    within_hours: bool,
    always_open: bool,
    issued_today: u32,
    cap: u32,
) -> Option<&'static str> {
    if !within_hours && !always_open {
        Some("closed-hours")
    } else if issued_today >= cap {
        Some("daily-cap")
    } else {
        None
    }
}

fn day_key(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

/// A validated ticket request.
#[derive(Debug, Clone)]
pub struct TicketRequest {
    pub request_id: String,
    pub service_id: String,
    pub priority: String,
    pub phone: Option<String>,
    pub offline: Option<(String, DateTime<FixedOffset>)>,
}

impl TicketRequest {
    /// What makes two requests with one `request_id` the same request. The phone number is left
    /// out: it must not outlive the office day, and a fingerprint is kept for 30.
    pub fn fingerprint(&self) -> String {
        let offline = self
            .offline
            .as_ref()
            .map(|(n, at)| format!("{n}@{}", format_time(*at)))
            .unwrap_or_default();
        format!(
            "ticket|{}|{}|offline:{offline}",
            self.service_id, self.priority
        )
    }
}

/// Issues (or records) a ticket. Returns the answer and whether it is new (`201`) or the
/// replay of an earlier request with the same `request_id` (`200`).
pub fn issue(
    conn: &mut Connection,
    req: &TicketRequest,
    kiosk_id: &str,
    now: DateTime<FixedOffset>,
    always_open: bool,
) -> Result<(Value, bool), ApiError> {
    // IMMEDIATE: numbering reads then writes; two kiosks must not get the same number.
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let fingerprint = req.fingerprint();
    if let Some(answer) = idempotency::replay(&tx, kiosk_id, &req.request_id, &fingerprint)? {
        return Ok((answer, false));
    }
    let service = service(&tx, &req.service_id)?;
    if req.priority != "none" && !service.priority_allowed {
        return Err(ApiError::PriorityNotAllowed(service.id));
    }
    let (day, number, issued_at, offline) = match &req.offline {
        // Already printed and in a citizen's hand: recorded whatever the hour or the cap.
        Some((number, issued_at)) => {
            check_offline_time(*issued_at, now)?;
            let day = issued_at.date_naive();
            if number_taken(&tx, &service.id, day, number)? {
                return Err(ApiError::NumberTaken(number.clone()));
            }
            (day, number.clone(), *issued_at, true)
        }
        None => {
            let today = now.date_naive();
            let issued = state(&tx, &service.id, today)?.issued_today;
            match closed_reason(
                within_hours(&tx, now)?,
                always_open,
                issued,
                service.daily_cap,
            ) {
                Some("daily-cap") => return Err(ApiError::DailyCap(service.daily_cap)),
                Some(_) => return Err(ApiError::ServiceClosed),
                None => {}
            }
            (today, next_number(&tx, &service, today)?, now, false)
        }
    };
    tx.execute(
        "INSERT INTO tickets (service_id, office_day, number, priority, phone, issued_at,
            recorded_at, offline, kiosk_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            service.id,
            day_key(day),
            number,
            req.priority,
            req.phone,
            format_time(issued_at),
            format_time(now),
            offline,
            kiosk_id,
        ],
    )?;
    let id = tx.last_insert_rowid();
    let people_ahead: u32 = tx.query_row(
        "SELECT COUNT(*) FROM tickets
         WHERE service_id = ?1 AND office_day = ?2 AND called_at IS NULL AND id <> ?3
           AND ((priority <> 'none') > (?4 <> 'none') OR
                ((priority <> 'none') = (?4 <> 'none') AND id < ?3))",
        params![service.id, day_key(day), id, req.priority],
        |r| r.get(0),
    )?;
    let per_person = state(&tx, &service.id, day)?.seconds_per_person;
    let answer = json!({
        "request_id": req.request_id,
        "number": number,
        "service_id": service.id,
        "priority": req.priority,
        "issued_at": format_time(issued_at),
        "people_ahead": people_ahead,
        "estimated_wait_min": estimate_minutes(people_ahead, per_person),
        "offline": offline,
    });
    idempotency::remember(&tx, kiosk_id, &req.request_id, &fingerprint, &answer, now)?;
    tx.commit()?;
    Ok((answer, true))
}

/// An offline ticket is recorded only within [`OFFLINE_MAX_AGE_DAYS`] before the server's
/// clock and [`OFFLINE_MAX_AHEAD_MIN`] after it: older is history nobody will call, later is a
/// kiosk with a wrong clock.
fn check_offline_time(
    issued_at: DateTime<FixedOffset>,
    now: DateTime<FixedOffset>,
) -> Result<(), ApiError> {
    if issued_at < now - chrono::Duration::days(OFFLINE_MAX_AGE_DAYS) {
        Err(ApiError::OfflineTimeOutOfRange(format!(
            "offline.issued_at: more than {OFFLINE_MAX_AGE_DAYS} days before the server's time"
        )))
    } else if issued_at > now + chrono::Duration::minutes(OFFLINE_MAX_AHEAD_MIN) {
        Err(ApiError::OfflineTimeOutOfRange(format!(
            "offline.issued_at: more than {OFFLINE_MAX_AHEAD_MIN} minutes after the server's time"
        )))
    } else {
        Ok(())
    }
}

fn number_taken(
    conn: &Connection,
    service_id: &str,
    day: NaiveDate,
    number: &str,
) -> Result<bool, ApiError> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM tickets
             WHERE service_id = ?1 AND office_day = ?2 AND upper(number) = upper(?3)",
            params![service_id, day_key(day), number],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// The next `<prefix>-NNN` of the day: one past the highest the server issued, skipping any
/// number a kiosk already printed offline so no number is ever given twice.
fn next_number(conn: &Connection, service: &Service, day: NaiveDate) -> Result<String, ApiError> {
    let mut stmt = conn
        .prepare("SELECT number, offline FROM tickets WHERE service_id = ?1 AND office_day = ?2")?;
    let used: Vec<(String, bool)> = stmt
        .query_map(params![service.id, day_key(day)], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<Result<_, _>>()?;
    let head = format!("{}-", service.prefix);
    let mut seq = used
        .iter()
        .filter(|(_, offline)| !offline)
        .filter_map(|(n, _)| n.strip_prefix(&head)?.parse::<u32>().ok())
        .max()
        .unwrap_or(0);
    loop {
        seq += 1;
        let number = format!("{head}{seq:03}");
        if !used.iter().any(|(n, _)| n.eq_ignore_ascii_case(&number)) {
            return Ok(number);
        }
    }
}

/// Calls the next ticket of today to a counter: priority tickets first, then issue order.
pub fn call_next(
    conn: &mut Connection,
    service_id: &str,
    counter: &str,
    now: DateTime<FixedOffset>,
) -> Result<Value, ApiError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    service(&tx, service_id)?;
    let next: Option<(i64, String, String)> = tx
        .query_row(
            "SELECT id, number, priority FROM tickets
             WHERE service_id = ?1 AND office_day = ?2 AND called_at IS NULL
             ORDER BY priority = 'none', id LIMIT 1",
            params![
                service_id,
                day_key(now.with_timezone(&office_offset()).date_naive())
            ],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let (id, number, priority) = next.ok_or(ApiError::QueueEmpty)?;
    tx.execute(
        "UPDATE tickets SET called_at = ?2, counter = ?3 WHERE id = ?1",
        params![id, format_time(now), counter],
    )?;
    tx.commit()?;
    Ok(json!({ "number": number, "priority": priority, "counter": counter }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimates_round_up() {
        assert_eq!(estimate_minutes(0, 240.0), 0);
        assert_eq!(estimate_minutes(5, 240.0), 20);
        assert_eq!(estimate_minutes(1, 61.0), 2);
    }
}
