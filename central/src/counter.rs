//! What counters do with today's tickets: call the next one (priority first, then issue order,
//! across the services a counter serves), call one again, mark it absent, send it to another
//! service, finish it. Every change is an event. Also the office's recent calls (for displays)
//! and the day's statistics.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde_json::{Value, json};

use crate::clock::format_time;
use crate::events;
use crate::problem::ApiError;
use crate::queue::{self, Service};
use crate::store::{Dialect, Row, Sql, params};

/// A ticket as counters and displays see it.
#[derive(Debug, Clone)]
struct Ticket {
    row_id: i64,
    public_id: String,
    number: String,
    service_id: String,
    priority: String,
    status: String,
    office_day: NaiveDate,
    counter: Option<String>,
    /// The procedure the citizen came for: its code, and its name when the catalog knows it.
    procedure: Option<(String, Option<String>)>,
}

/// `SELECT` of the columns [`ticket_from_row`] reads, `FROM tickets t` with the procedure the
/// citizen came for (a kiosk's catalog may know codes the office's does not: no name then).
fn select_tickets(dialect: Dialect) -> String {
    let name = match dialect {
        Dialect::Sqlite => "json_extract(p.json, '$.name')",
        Dialect::Postgres => "(p.json::json ->> 'name')",
    };
    format!(
        "SELECT t.id, t.public_id, t.number, t.service_id, t.priority, t.status, t.office_day,
                t.counter, t.procedure_code, {name}, t.last_called_at
         FROM tickets t LEFT JOIN procedures p ON p.code = t.procedure_code"
    )
}

/// Where [`select_tickets`] puts `last_called_at`.
const LAST_CALLED_AT: usize = 10;

fn ticket_from_row(r: &Row) -> Result<Ticket, ApiError> {
    let procedure = match r.opt_text(8)? {
        Some(code) => Some((code, r.opt_text(9)?)),
        None => None,
    };
    Ok(Ticket {
        row_id: r.int(0)?,
        public_id: r.opt_text(1)?.unwrap_or_default(),
        number: r.text(2)?,
        service_id: r.text(3)?,
        priority: r.text(4)?,
        status: r.text(5)?,
        office_day: r.date(6)?,
        counter: r.opt_text(7)?,
        procedure,
    })
}

impl Ticket {
    fn answer(&self, counter: &str, service: &Service, called_at: DateTime<FixedOffset>) -> Value {
        let procedure = self
            .procedure
            .as_ref()
            .map(|(code, name)| json!({ "code": code, "name": name }));
        json!({
            "ticket_id": self.public_id,
            "number": self.number,
            "service_id": self.service_id,
            "service_name_vi": service.name_vi,
            "service_name_en": service.name_en,
            "priority": self.priority,
            "counter": counter,
            "called_at": format_time(called_at),
            "procedure": procedure,
        })
    }
}

/// The ticket with this public id in this office.
fn ticket(sql: &mut dyn Sql, office: &str, public_id: &str) -> Result<Ticket, ApiError> {
    let row = sql
        .query_opt(
            &format!(
                "{} WHERE t.office_id = ?1 AND t.public_id = ?2",
                select_tickets(sql.dialect())
            ),
            &params![office, public_id],
        )?
        .ok_or_else(|| ApiError::NotFound("no such ticket in this office".into()))?;
    ticket_from_row(&row)
}

/// The state of the ticket with this public id (`waiting`, `called`, `no-show`, `done`), if it
/// is in this office.
pub fn status_of(
    sql: &mut dyn Sql,
    office: &str,
    public_id: &str,
) -> Result<Option<String>, ApiError> {
    Ok(sql
        .query_opt(
            "SELECT status FROM tickets WHERE office_id = ?1 AND public_id = ?2",
            &params![office, public_id],
        )?
        .map(|r| r.text(0))
        .transpose()?)
}

/// Refuses a change that does not fit the ticket's state (or a ticket of another day).
fn expect_state(
    t: &Ticket,
    allowed: &[&str],
    action: &str,
    now: DateTime<FixedOffset>,
) -> Result<(), ApiError> {
    if t.office_day != now.date_naive() {
        return Err(ApiError::TicketState(format!(
            "{} is a ticket of {}; only today's tickets can be {action}",
            t.number, t.office_day
        )));
    }
    if allowed.contains(&t.status.as_str()) {
        Ok(())
    } else {
        Err(ApiError::TicketState(format!(
            "{} is {}; only a ticket that is {} can be {action}",
            t.number,
            t.status,
            allowed.join(" or ")
        )))
    }
}

/// Finishes the ticket a counter still holds (calling the next one means the last is served).
fn finish_current(
    sql: &mut dyn Sql,
    office: &str,
    counter: &str,
    now: DateTime<FixedOffset>,
) -> Result<(), ApiError> {
    let held = sql.query(
        &format!(
            "{} WHERE t.office_id = ?1 AND t.office_day = ?2 AND t.counter = ?3
                 AND t.status = 'called'",
            select_tickets(sql.dialect())
        ),
        &params![office, now.date_naive(), counter],
    )?;
    for row in held {
        let t = ticket_from_row(&row)?;
        mark_done(sql, office, &t, counter, now)?;
    }
    Ok(())
}

fn mark_done(
    sql: &mut dyn Sql,
    office: &str,
    t: &Ticket,
    counter: &str,
    now: DateTime<FixedOffset>,
) -> Result<(), ApiError> {
    sql.execute(
        "UPDATE tickets SET status = 'done', done_at = ?2 WHERE id = ?1",
        &params![t.row_id, now],
    )?;
    events::emit(
        sql,
        office,
        "done",
        json!({ "ticket_id": t.public_id, "number": t.number, "service_id": t.service_id, "counter": counter }),
        now,
    )
}

/// Calls the next waiting ticket of today among `service_ids` (all of the office's when empty)
/// to `counter`: priority tickets first, then by issue time. The counter's previous ticket, if it
/// still holds one, is finished.
pub fn call_next(
    sql: &mut dyn Sql,
    office: &str,
    service_ids: &[String],
    counter: &str,
    now: DateTime<FixedOffset>,
) -> Result<Value, ApiError> {
    let all = queue::services(sql, office)?;
    let chosen: Vec<&Service> = if service_ids.is_empty() {
        all.iter().collect()
    } else {
        service_ids
            .iter()
            .map(|id| {
                all.iter()
                    .find(|s| &s.id == id)
                    .ok_or_else(|| ApiError::UnknownService(id.clone()))
            })
            .collect::<Result<_, _>>()?
    };
    finish_current(sql, office, counter, now)?;
    // Two counters calling at once on PostgreSQL: each takes a different waiting ticket (the
    // ticket's row only: the procedure joined to it is not locked).
    let lock = match sql.dialect() {
        Dialect::Postgres => " FOR UPDATE OF t SKIP LOCKED",
        Dialect::Sqlite => "",
    };
    let placeholders: Vec<String> = (0..chosen.len()).map(|i| format!("?{}", i + 3)).collect();
    let mut args = params![office, now.date_naive()].to_vec();
    args.extend(
        chosen
            .iter()
            .map(|s| crate::store::Param::from(s.id.as_str())),
    );
    let next = sql.query_opt(
        &format!(
            "{} WHERE t.office_id = ?1 AND t.office_day = ?2 AND t.status = 'waiting'
               AND t.service_id IN ({})
             ORDER BY t.priority = 'none', t.id LIMIT 1{lock}",
            select_tickets(sql.dialect()),
            placeholders.join(", ")
        ),
        &args,
    )?;
    let t = ticket_from_row(&next.ok_or(ApiError::QueueEmpty)?)?;
    sql.execute(
        "UPDATE tickets SET status = 'called', called_at = COALESCE(called_at, ?2),
            last_called_at = ?2, counter = ?3
         WHERE id = ?1",
        &params![t.row_id, now, counter],
    )?;
    let service = all
        .iter()
        .find(|s| s.id == t.service_id)
        .ok_or_else(|| ApiError::UnknownService(t.service_id.clone()))?;
    let answer = t.answer(counter, service, now);
    let mut event = answer.clone();
    event["recall"] = json!(false);
    events::emit(sql, office, "called", event, now)?;
    queue::emit_waiting(sql, office, now)?;
    Ok(answer)
}

/// Calls a called (or absent) ticket of today again, to `counter`: announced again.
pub fn recall(
    sql: &mut dyn Sql,
    office: &str,
    public_id: &str,
    counter: &str,
    now: DateTime<FixedOffset>,
) -> Result<Value, ApiError> {
    let t = ticket(sql, office, public_id)?;
    expect_state(&t, &["called", "no-show"], "called again", now)?;
    sql.execute(
        "UPDATE tickets SET status = 'called', last_called_at = ?2, counter = ?3,
            recalls = recalls + 1
         WHERE id = ?1",
        &params![t.row_id, now, counter],
    )?;
    let service = queue::service(sql, office, &t.service_id)?;
    let answer = t.answer(counter, &service, now);
    let mut event = answer.clone();
    event["recall"] = json!(true);
    events::emit(sql, office, "called", event, now)?;
    Ok(answer)
}

/// The citizen did not come: the ticket is closed (and can be called again later today).
pub fn no_show(
    sql: &mut dyn Sql,
    office: &str,
    public_id: &str,
    counter: &str,
    now: DateTime<FixedOffset>,
) -> Result<Value, ApiError> {
    let t = ticket(sql, office, public_id)?;
    expect_state(&t, &["called"], "marked absent", now)?;
    sql.execute(
        "UPDATE tickets SET status = 'no-show' WHERE id = ?1",
        &params![t.row_id],
    )?;
    let data = json!({ "ticket_id": t.public_id, "number": t.number, "service_id": t.service_id, "counter": counter });
    events::emit(sql, office, "no-show", data.clone(), now)?;
    Ok(with_status(data, "no-show"))
}

/// Served: the service time is recorded.
pub fn done(
    sql: &mut dyn Sql,
    office: &str,
    public_id: &str,
    counter: &str,
    now: DateTime<FixedOffset>,
) -> Result<Value, ApiError> {
    let t = ticket(sql, office, public_id)?;
    expect_state(&t, &["called"], "finished", now)?;
    mark_done(sql, office, &t, counter, now)?;
    Ok(with_status(
        json!({ "ticket_id": t.public_id, "number": t.number, "service_id": t.service_id, "counter": counter }),
        "done",
    ))
}

/// Sends the citizen to another service's queue, keeping their place by issue time.
pub fn transfer(
    sql: &mut dyn Sql,
    office: &str,
    public_id: &str,
    to_service: &str,
    counter: &str,
    now: DateTime<FixedOffset>,
) -> Result<Value, ApiError> {
    let t = ticket(sql, office, public_id)?;
    expect_state(
        &t,
        &["waiting", "called", "no-show"],
        "sent to another service",
        now,
    )?;
    let target = queue::service(sql, office, to_service)?;
    if target.id == t.service_id {
        return Err(ApiError::TicketState(format!(
            "{} is already in {}",
            t.number, target.id
        )));
    }
    sql.execute(
        "UPDATE tickets SET service_id = ?2, status = 'waiting', transferred_from = ?3,
            counter = NULL
         WHERE id = ?1",
        &params![t.row_id, target.id.as_str(), t.service_id.as_str()],
    )?;
    let data = json!({
        "ticket_id": t.public_id, "number": t.number, "from_service_id": t.service_id,
        "service_id": target.id, "counter": counter,
    });
    events::emit(sql, office, "transferred", data.clone(), now)?;
    queue::emit_waiting(sql, office, now)?;
    Ok(with_status(data, "waiting"))
}

fn with_status(mut v: Value, status: &str) -> Value {
    v["status"] = json!(status);
    v
}

/// The ticket a counter holds now (called by it, not finished), if any.
pub fn held(
    sql: &mut dyn Sql,
    office: &str,
    counter: &str,
    now: DateTime<FixedOffset>,
) -> Result<Option<Value>, ApiError> {
    let row = sql.query_opt(
        &format!(
            "{} WHERE t.office_id = ?1 AND t.office_day = ?2 AND t.counter = ?3
                 AND t.status = 'called'
             ORDER BY t.last_called_at DESC LIMIT 1",
            select_tickets(sql.dialect())
        ),
        &params![office, now.date_naive(), counter],
    )?;
    let Some(row) = row else { return Ok(None) };
    let t = ticket_from_row(&row)?;
    let service = queue::service(sql, office, &t.service_id)?;
    let mut v = t.answer(counter, &service, row.time(LAST_CALLED_AT)?);
    v["status"] = json!("called");
    Ok(Some(v))
}

/// The office's latest calls of today, newest first (what a lobby display lists). A ticket sent
/// to another service waits at no counter until it is called again: it is not listed.
pub fn recent_calls(
    sql: &mut dyn Sql,
    office: &str,
    now: DateTime<FixedOffset>,
    limit: i64,
) -> Result<Vec<Value>, ApiError> {
    let rows = sql.query(
        &format!(
            "{} WHERE t.office_id = ?1 AND t.office_day = ?2 AND t.last_called_at IS NOT NULL
                 AND t.counter IS NOT NULL
             ORDER BY t.last_called_at DESC, t.id DESC LIMIT ?3",
            select_tickets(sql.dialect())
        ),
        &params![office, now.date_naive(), limit],
    )?;
    let services = queue::services(sql, office)?;
    let mut out = Vec::new();
    for row in rows {
        let t = ticket_from_row(&row)?;
        let counter = t.counter.clone().unwrap_or_default();
        match services.iter().find(|s| s.id == t.service_id) {
            Some(service) => {
                let mut v = t.answer(&counter, service, row.time(LAST_CALLED_AT)?);
                v["status"] = json!(t.status);
                out.push(v);
            }
            None => tracing::warn!(service = %t.service_id, "a called ticket of a removed service"),
        }
    }
    Ok(out)
}

/// The numbers an office reports for a day, per service: tickets, called, served, absent,
/// average and 90th-percentile wait (issue to first call), average service time (last call to
/// finished), in seconds.
pub fn stats(sql: &mut dyn Sql, office: &str, day: NaiveDate) -> Result<Vec<Value>, ApiError> {
    let mut out = Vec::new();
    for s in queue::services(sql, office)? {
        let rows = sql.query(
            "SELECT status, issued_at, called_at, last_called_at, done_at, priority FROM tickets
             WHERE office_id = ?1 AND service_id = ?2 AND office_day = ?3",
            &params![office, s.id.as_str(), day],
        )?;
        let (mut called, mut served, mut absent, mut priority) = (0, 0, 0, 0);
        let mut waits: Vec<i64> = Vec::new();
        let mut services_s: Vec<i64> = Vec::new();
        for r in &rows {
            let status = r.text(0)?;
            if r.text(5)? != "none" {
                priority += 1;
            }
            if let Some(first) = r.opt_time(2)? {
                called += 1;
                waits.push((first - r.time(1)?).num_seconds().max(0));
            }
            match status.as_str() {
                "done" => {
                    served += 1;
                    if let (Some(last), Some(done)) = (r.opt_time(3)?, r.opt_time(4)?) {
                        services_s.push((done - last).num_seconds().max(0));
                    }
                }
                "no-show" => absent += 1,
                _ => {}
            }
        }
        out.push(json!({
            "service_id": s.id,
            "issued": rows.len(),
            "priority": priority,
            "called": called,
            "served": served,
            "no_shows": absent,
            "wait_avg_s": mean(&waits),
            "wait_p90_s": percentile(&mut waits, 0.9),
            "service_avg_s": mean(&services_s),
        }));
    }
    Ok(out)
}

fn mean(v: &[i64]) -> Option<i64> {
    (!v.is_empty()).then(|| (v.iter().sum::<i64>() as f64 / v.len() as f64).round() as i64)
}

/// Nearest-rank percentile.
fn percentile(v: &mut [i64], p: f64) -> Option<i64> {
    if v.is_empty() {
        return None;
    }
    v.sort_unstable();
    let rank = ((p * v.len() as f64).ceil() as usize).clamp(1, v.len());
    Some(v[rank - 1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_by_nearest_rank() {
        let mut v = vec![60, 10, 30, 20, 50, 40, 90, 80, 70, 100];
        assert_eq!(percentile(&mut v, 0.9), Some(90));
        assert_eq!(percentile(&mut [5], 0.9), Some(5));
        assert_eq!(percentile(&mut [], 0.9), None);
        assert_eq!(mean(&[1, 2]), Some(2));
        assert_eq!(mean(&[]), None);
    }
}
