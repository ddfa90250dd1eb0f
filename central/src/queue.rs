//! The queue: daily numbering, idempotent issuing, offline recording, calling, estimates.
//! Scripts run in one transaction each ([`crate::store::Store::write`]); every query is scoped
//! to one office.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveTime};
use serde_json::{Value, json};

use crate::clock::format_time;
use crate::events;
use crate::idempotency;
use crate::problem::ApiError;
use crate::store::{Row, Sql, SqlError, params};

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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub id: String,
    pub name_vi: String,
    pub name_en: String,
    pub prefix: String,
    pub priority_allowed: bool,
    pub daily_cap: u32,
}

fn service_from_row(r: &Row) -> Result<Service, SqlError> {
    service_at(r, 0)
}

/// A service from the [`SERVICE_COLUMNS`] starting at column `start`.
fn service_at(r: &Row, start: usize) -> Result<Service, SqlError> {
    Ok(Service {
        id: r.text(start)?,
        name_vi: r.text(start + 1)?,
        name_en: r.text(start + 2)?,
        prefix: r.text(start + 3)?,
        priority_allowed: r.bool(start + 4)?,
        daily_cap: u32::try_from(r.int(start + 5)?).unwrap_or(u32::MAX),
    })
}

const SERVICE_COLUMNS: &str = "id, name_vi, name_en, prefix, priority_allowed, daily_cap";

pub fn services(sql: &mut dyn Sql, office: &str) -> Result<Vec<Service>, ApiError> {
    let rows = sql.query(
        &format!(
            "SELECT {SERVICE_COLUMNS} FROM queue_services WHERE office_id = ?1 ORDER BY position"
        ),
        &params![office],
    )?;
    Ok(rows
        .iter()
        .map(service_from_row)
        .collect::<Result<_, _>>()?)
}

pub fn service(sql: &mut dyn Sql, office: &str, id: &str) -> Result<Service, ApiError> {
    let row = sql.query_opt(
        &format!("SELECT {SERVICE_COLUMNS} FROM queue_services WHERE office_id = ?1 AND id = ?2"),
        &params![office, id],
    )?;
    match row {
        Some(r) => Ok(service_from_row(&r)?),
        None => Err(ApiError::UnknownService(id.to_string())),
    }
}

/// Whether `now` falls inside the office's opening hours.
pub fn within_hours(
    sql: &mut dyn Sql,
    office: &str,
    now: DateTime<FixedOffset>,
) -> Result<bool, ApiError> {
    let weekday = i64::from(now.weekday().number_from_monday());
    let time = now.time();
    let rows = sql.query(
        "SELECT opens, closes FROM opening_hours WHERE office_id = ?1 AND weekday = ?2",
        &params![office, weekday],
    )?;
    for row in rows {
        let parse = |s: String| NaiveTime::parse_from_str(&s, "%H:%M").ok();
        if let (Some(o), Some(c)) = (parse(row.text(0)?), parse(row.text(1)?))
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

fn count(v: i64) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

pub fn state(
    sql: &mut dyn Sql,
    office: &str,
    service_id: &str,
    day: NaiveDate,
) -> Result<ServiceState, ApiError> {
    let totals = sql.query_one(
        "SELECT COUNT(*), COUNT(*) FILTER (WHERE status = 'waiting') FROM tickets
         WHERE office_id = ?1 AND service_id = ?2 AND office_day = ?3",
        &params![office, service_id, day],
    )?;
    // First calls give the pace (a recall is not another citizen served).
    let calls = sql.query(
        "SELECT called_at FROM tickets
         WHERE office_id = ?1 AND service_id = ?2 AND office_day = ?3 AND called_at IS NOT NULL
         ORDER BY called_at DESC, id DESC LIMIT ?4",
        &params![office, service_id, day, RECENT_CALLS],
    )?;
    let times: Vec<DateTime<FixedOffset>> = calls.iter().filter_map(|r| r.time(0).ok()).collect();
    let serving = sql.query_opt(
        "SELECT number FROM tickets
         WHERE office_id = ?1 AND service_id = ?2 AND office_day = ?3
           AND last_called_at IS NOT NULL
         ORDER BY last_called_at DESC, id DESC LIMIT 1",
        &params![office, service_id, day],
    )?;
    Ok(ServiceState {
        waiting: count(totals.int(1)?),
        issued_today: count(totals.int(0)?),
        now_serving: serving.map(|r| r.text(0)).transpose()?,
        seconds_per_person: seconds_per_person(&times),
    })
}

/// Every service of the office, in board order, with its numbers for `day`: the same as
/// [`services`] and [`state`] of each, in one statement however many services there are (the
/// board is recomputed in every issuing transaction, so its cost is paid per ticket).
pub fn states(
    sql: &mut dyn Sql,
    office: &str,
    day: NaiveDate,
) -> Result<Vec<(Service, ServiceState)>, ApiError> {
    // One statement: the services with their figures (part 0), then the recent first calls
    // (part 1; a recall is not another citizen served), which give the pace. Each figure is a
    // subquery answered from an index of its own in both databases (a GROUP BY over the
    // office's tickets made SQLite read every day's).
    let rows = sql.query(
        "SELECT 0 AS part, s.id, s.name_vi, s.name_en, s.prefix, s.priority_allowed, s.daily_cap,
                (SELECT COUNT(*) FROM tickets t
                 WHERE t.office_id = s.office_id AND t.service_id = s.id AND t.office_day = ?2),
                (SELECT COUNT(*) FROM tickets t
                 WHERE t.office_id = s.office_id AND t.office_day = ?2 AND t.status = 'waiting'
                   AND t.service_id = s.id),
                (SELECT t.number FROM tickets t
                 WHERE t.office_id = s.office_id AND t.service_id = s.id AND t.office_day = ?2
                   AND t.last_called_at IS NOT NULL
                 ORDER BY t.last_called_at DESC, t.id DESC LIMIT 1),
                NULL AS called_at, s.position AS place
         FROM queue_services s
         WHERE s.office_id = ?1
         UNION ALL
         SELECT 1, service_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, called_at, recent
         FROM (
             SELECT service_id, called_at,
                    ROW_NUMBER() OVER (PARTITION BY service_id
                                       ORDER BY called_at DESC, id DESC) AS recent
             FROM tickets
             WHERE office_id = ?1 AND office_day = ?2 AND called_at IS NOT NULL
               AND service_id IN (SELECT id FROM queue_services WHERE office_id = ?1)) calls
         WHERE recent <= ?3
         ORDER BY part, place",
        &params![office, day, RECENT_CALLS],
    )?;
    let mut times: std::collections::HashMap<String, Vec<DateTime<FixedOffset>>> =
        std::collections::HashMap::new();
    for r in rows.iter().filter(|r| r.int(0).is_ok_and(|part| part == 1)) {
        // Newest first: ordered by `recent`.
        if let Ok(at) = r.time(10) {
            times.entry(r.text(1)?).or_default().push(at);
        }
    }
    rows.iter()
        .filter(|r| r.int(0).is_ok_and(|part| part == 0))
        .map(|r| {
            let service = service_at(r, 1)?;
            let pace = seconds_per_person(times.get(&service.id).map_or(&[][..], Vec::as_slice));
            let state = ServiceState {
                issued_today: count(r.int(7)?),
                waiting: count(r.int(8)?),
                now_serving: r.opt_text(9)?,
                seconds_per_person: pace,
            };
            Ok((service, state))
        })
        .collect()
}

/// The mean gap between recent calls (newest first), leaving out gaps that say nothing about
/// service speed; [`DEFAULT_MINUTES_PER_PERSON`] without two usable calls.
pub fn seconds_per_person(calls_newest_first: &[DateTime<FixedOffset>]) -> f64 {
    let gaps: Vec<i64> = calls_newest_first
        .windows(2)
        .map(|w| (w[0] - w[1]).num_seconds())
        .filter(|s| (MIN_INTERVAL_S..=MAX_INTERVAL_S).contains(s))
        .collect();
    if gaps.is_empty() {
        DEFAULT_MINUTES_PER_PERSON * 60.0
    } else {
        gaps.iter().sum::<i64>() as f64 / gaps.len() as f64
    }
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

/// A validated ticket request.
#[derive(Debug, Clone)]
pub struct TicketRequest {
    pub request_id: String,
    pub service_id: String,
    pub priority: String,
    pub phone: Option<String>,
    pub offline: Option<(String, DateTime<FixedOffset>)>,
    /// The procedure the citizen took the number for, from a procedure page of the kiosk.
    pub procedure_code: Option<String>,
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
        let mut fingerprint = format!(
            "ticket|{}|{}|offline:{offline}",
            self.service_id, self.priority
        );
        // Only when there is one: a request without a procedure keeps the fingerprint it had
        // before tickets carried one, so its repeats still replay.
        if let Some(code) = &self.procedure_code {
            fingerprint.push_str(&format!("|procedure:{code}"));
        }
        fingerprint
    }
}

/// Who issues: the kiosk and the office it belongs to.
#[derive(Debug, Clone)]
pub struct Issuer {
    pub office: String,
    pub kiosk_id: String,
}

/// Issues (or records) a ticket. Returns the answer and whether it is new (`201`) or the
/// replay of an earlier request with the same `request_id` (`200`).
pub fn issue(
    sql: &mut dyn Sql,
    req: &TicketRequest,
    by: &Issuer,
    now: DateTime<FixedOffset>,
    always_open: bool,
) -> Result<(Value, bool), ApiError> {
    let office = by.office.as_str();
    let fingerprint = req.fingerprint();
    // The request's earlier answer, if any, and the service, in one round trip.
    let found = sql.query_one(
        "SELECT r.fingerprint, r.response,
                s.id, s.name_vi, s.name_en, s.prefix, s.priority_allowed, s.daily_cap
         FROM (SELECT 1 AS one) one
         LEFT JOIN requests r ON r.kiosk_id = ?1 AND r.request_id = ?2
         LEFT JOIN queue_services s ON s.office_id = ?3 AND s.id = ?4",
        &params![
            by.kiosk_id.as_str(),
            req.request_id.as_str(),
            office,
            req.service_id.as_str()
        ],
    )?;
    let stored = match found.opt_text(0)? {
        Some(f) => Some((f, found.text(1)?)),
        None => None,
    };
    if let Some(mut answer) = idempotency::judge(stored, &fingerprint)? {
        // Answers stored before tickets carried a procedure had none.
        if let Some(fields) = answer.as_object_mut() {
            fields.entry("procedure_code").or_insert(Value::Null);
        }
        return Ok((answer, false));
    }
    if found.is_null(2)? {
        return Err(ApiError::UnknownService(req.service_id.clone()));
    }
    let service = service_at(&found, 2)?;
    if req.priority != "none" && !service.priority_allowed {
        return Err(ApiError::PriorityNotAllowed(service.id));
    }
    let (day, number, issued_at, offline, people_ahead) = match &req.offline {
        // Already printed and in a citizen's hand: recorded whatever the hour or the cap.
        Some((number, issued_at)) => {
            check_offline_time(*issued_at, now)?;
            let day = issued_at.date_naive();
            let counts = day_counts(sql, office, &service.id, day, number, &req.priority)?;
            if counts.taken {
                return Err(ApiError::NumberTaken(number.clone()));
            }
            (day, number.clone(), *issued_at, true, counts.ahead)
        }
        None => {
            // Before the series row: what needs no lock is done without holding it.
            if !always_open && !within_hours(sql, office, now)? {
                return Err(ApiError::ServiceClosed);
            }
            let today = now.date_naive();
            // Taking the series row queues concurrent issuers of this service (on every
            // server instance) behind one another until commit, so the cap and the number
            // agree; everything from here on holds them up, so it is kept short.
            let mut seq = take_sequence(sql, office, &service.id, today)?;
            loop {
                // `<prefix>-NNN`, moving on past any number already recorded that day (a
                // kiosk's offline number, or tickets recorded before the series existed).
                let number = format!("{}-{seq:03}", service.prefix);
                let counts = day_counts(sql, office, &service.id, today, &number, &req.priority)?;
                if counts.issued >= service.daily_cap {
                    return Err(ApiError::DailyCap(service.daily_cap));
                }
                if !counts.taken {
                    break (today, number, now, false, counts.ahead);
                }
                seq = take_sequence(sql, office, &service.id, today)?;
            }
        }
    };
    let public_id = new_ticket_id()?;
    let follow_id = new_ticket_id()?;
    let inserted = sql.execute(
        "INSERT INTO tickets (office_id, service_id, office_day, number, priority, phone,
            issued_at, recorded_at, offline, kiosk_id, public_id, follow_id, procedure_code)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        &params![
            office,
            service.id.as_str(),
            day,
            number.as_str(),
            req.priority.as_str(),
            req.phone.clone(),
            issued_at,
            now,
            offline,
            by.kiosk_id.as_str(),
            public_id.as_str(),
            follow_id.as_str(),
            req.procedure_code.clone(),
        ],
    );
    match inserted {
        Ok(_) => {}
        // Another instance recorded the same offline number in the same instant.
        Err(SqlError::Unique(_)) if offline => return Err(ApiError::NumberTaken(number)),
        Err(e) => return Err(e.into()),
    }
    // Today's board, for the `waiting` event, also gives this service's pace.
    let today = states(sql, office, now.date_naive())?;
    let per_person = match today.iter().find(|(s, _)| s.id == service.id) {
        Some((_, st)) if day == now.date_naive() => st.seconds_per_person,
        _ => state(sql, office, &service.id, day)?.seconds_per_person,
    };
    let answer = json!({
        "request_id": req.request_id,
        "number": number,
        "service_id": service.id,
        "priority": req.priority,
        "issued_at": format_time(issued_at),
        "people_ahead": people_ahead,
        "estimated_wait_min": estimate_minutes(people_ahead, per_person),
        "offline": offline,
        "follow_path": crate::follow::path(&follow_id),
        "procedure_code": req.procedure_code,
    });
    idempotency::remember(
        sql,
        &by.kiosk_id,
        &req.request_id,
        &fingerprint,
        &answer,
        now,
    )?;
    let issued = json!({
        "number": number, "service_id": service.id, "priority": req.priority,
        "issued_at": format_time(issued_at), "offline": offline,
    });
    let board = json!({ "services": board_of(&today) });
    events::emit_all(
        sql,
        office,
        vec![("issued", issued), ("waiting", board)],
        now,
    )?;
    Ok((answer, true))
}

/// A ticket's unguessable id (128 random bits): the counters' handle on it, or its follow
/// page's address.
pub fn new_ticket_id() -> Result<String, ApiError> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).map_err(|e| ApiError::Internal(format!("random: {e}")))?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

/// Every service's waiting count and number being served, as displays and kiosks show them.
pub fn board(sql: &mut dyn Sql, office: &str, day: NaiveDate) -> Result<Vec<Value>, ApiError> {
    Ok(board_of(&states(sql, office, day)?))
}

fn board_of(states: &[(Service, ServiceState)]) -> Vec<Value> {
    states
        .iter()
        .map(|(s, st)| {
            json!({
                "id": s.id, "waiting": st.waiting, "now_serving": st.now_serving,
                "estimated_wait_min": estimate_minutes(st.waiting, st.seconds_per_person),
            })
        })
        .collect()
}

/// Records a `waiting` event: the office's board after a change.
pub fn emit_waiting(
    sql: &mut dyn Sql,
    office: &str,
    now: DateTime<FixedOffset>,
) -> Result<(), ApiError> {
    let today = states(sql, office, now.date_naive())?;
    emit_board(sql, office, &today, now)
}

fn emit_board(
    sql: &mut dyn Sql,
    office: &str,
    today: &[(Service, ServiceState)],
    now: DateTime<FixedOffset>,
) -> Result<(), ApiError> {
    let services = board_of(today);
    events::emit(sql, office, "waiting", json!({ "services": services }), now)
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

/// A service's day as an issue needs it, in one statement.
struct DayCounts {
    /// Tickets of the day, offline ones included (the daily cap counts them all).
    issued: u32,
    /// Whether the number is already recorded (in any letter case).
    taken: bool,
    /// Waiting tickets a new one of this priority goes behind: every waiting ticket of its
    /// class (priority or not) issued before it, and every priority ticket if it has none.
    ahead: u32,
}

fn day_counts(
    sql: &mut dyn Sql,
    office: &str,
    service_id: &str,
    day: NaiveDate,
    number: &str,
    priority: &str,
) -> Result<DayCounts, ApiError> {
    let row = sql.query_one(
        "SELECT COUNT(*),
                COUNT(*) FILTER (WHERE upper(number) = upper(?4)),
                COUNT(*) FILTER (WHERE status = 'waiting'
                                   AND (priority <> 'none') >= (?5 <> 'none'))
         FROM tickets
         WHERE office_id = ?1 AND service_id = ?2 AND office_day = ?3",
        &params![office, service_id, day, number, priority],
    )?;
    Ok(DayCounts {
        issued: count(row.int(0)?),
        taken: row.int(1)? > 0,
        ahead: count(row.int(2)?),
    })
}

/// The next sequence number of the service's series for the day. The update holds the series
/// row until the transaction ends: a rolled-back issue gives its number back, so the series has
/// no gaps.
fn take_sequence(
    sql: &mut dyn Sql,
    office: &str,
    service_id: &str,
    day: NaiveDate,
) -> Result<i64, ApiError> {
    let row = sql.query_one(
        "INSERT INTO ticket_series (office_id, service_id, office_day, last_seq)
         VALUES (?1, ?2, ?3, 1)
         ON CONFLICT (office_id, service_id, office_day)
         DO UPDATE SET last_seq = ticket_series.last_seq + 1
         RETURNING last_seq",
        &params![office, service_id, day],
    )?;
    Ok(row.int(0)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_procedure_changes_the_fingerprint_and_none_keeps_the_old_one() {
        let mut req = TicketRequest {
            request_id: "r".into(),
            service_id: "ho-tich".into(),
            priority: "none".into(),
            phone: Some("0912345678".into()),
            offline: None,
            procedure_code: None,
        };
        // As stored before tickets carried a procedure: repeats of those requests still replay.
        assert_eq!(req.fingerprint(), "ticket|ho-tich|none|offline:");
        req.procedure_code = Some("2.000528".into());
        assert_eq!(
            req.fingerprint(),
            "ticket|ho-tich|none|offline:|procedure:2.000528"
        );
        assert!(!req.fingerprint().contains("0912345678"));
    }

    #[test]
    fn estimates_round_up() {
        assert_eq!(estimate_minutes(0, 240.0), 0);
        assert_eq!(estimate_minutes(5, 240.0), 20);
        assert_eq!(estimate_minutes(1, 61.0), 2);
    }

    #[test]
    fn only_service_like_gaps_count() {
        let t = |s: &str| crate::clock::parse_time(s).unwrap_or_else(|| panic!("{s}"));
        let calls = [
            t("2026-11-25T09:10:00+07:00"),
            t("2026-11-25T09:09:58+07:00"),
            t("2026-11-25T09:05:58+07:00"),
            t("2026-11-25T07:00:00+07:00"),
        ];
        // 2 s (no service) and 2 h (a gap) are left out; 4 minutes remains.
        assert_eq!(seconds_per_person(&calls), 240.0);
        assert_eq!(seconds_per_person(&calls[..2]), 240.0);
        assert_eq!(seconds_per_person(&[]), 240.0);
    }
}
