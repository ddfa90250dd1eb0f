//! Live events: every queue change is a row of the `events` table written in the change's own
//! transaction, and reaches the subscribers of its office once the transaction commits (through
//! an in-process bus; across server instances through PostgreSQL's NOTIFY).

use std::sync::Arc;

use chrono::{DateTime, FixedOffset};
use serde_json::Value;
use tokio::sync::broadcast;

use crate::problem::ApiError;
use crate::store::{Sql, params};

/// How many events a slow subscriber may fall behind before it is told to reload.
const BUS_CAPACITY: usize = 4096;
/// How many missed events a reconnecting subscriber is sent (`Last-Event-ID`).
pub const REPLAY_LIMIT: i64 = 500;
/// How long events are kept for replay.
pub const KEEP_HOURS: i64 = 24;

/// One event of one office.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub id: i64,
    pub office: String,
    /// `called`, `issued`, `waiting`, `no-show`, `done`, `transferred`.
    pub kind: String,
    pub data: Value,
    pub at: DateTime<FixedOffset>,
}

impl Event {
    /// The JSON carried by PostgreSQL's NOTIFY.
    pub fn to_notify(&self) -> String {
        serde_json::json!({
            "id": self.id, "office": self.office, "kind": self.kind, "data": self.data,
            "at": crate::clock::format_time(self.at),
        })
        .to_string()
    }

    pub fn from_notify(payload: &str) -> Option<Self> {
        let v: Value = serde_json::from_str(payload).ok()?;
        Some(Self {
            id: v["id"].as_i64()?,
            office: v["office"].as_str()?.to_string(),
            kind: v["kind"].as_str()?.to_string(),
            data: v["data"].clone(),
            at: crate::clock::parse_time(v["at"].as_str()?)?,
        })
    }
}

/// The in-process fan-out of committed events.
#[derive(Clone)]
pub struct Bus(broadcast::Sender<Arc<Event>>);

impl Default for Bus {
    fn default() -> Self {
        Self(broadcast::channel(BUS_CAPACITY).0)
    }
}

impl Bus {
    pub fn publish(&self, event: Event) {
        // No subscriber is not an error.
        let _ = self.0.send(Arc::new(event));
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Event>> {
        self.0.subscribe()
    }

    /// Open subscriptions (event streams), for the metrics.
    pub fn subscribers(&self) -> usize {
        self.0.receiver_count()
    }
}

/// Records an event in the current transaction; it is published when the transaction commits.
pub fn emit(
    sql: &mut dyn Sql,
    office: &str,
    kind: &str,
    data: Value,
    now: DateTime<FixedOffset>,
) -> Result<(), ApiError> {
    emit_all(sql, office, vec![(kind, data)], now)
}

/// Records several events of one office in one statement, in this order (their ids ascend in
/// it): one round trip instead of one per event.
pub fn emit_all(
    sql: &mut dyn Sql,
    office: &str,
    events: Vec<(&str, Value)>,
    now: DateTime<FixedOffset>,
) -> Result<(), ApiError> {
    if events.is_empty() {
        return Ok(());
    }
    let mut values = Vec::with_capacity(events.len());
    let mut bound = params![office, now].to_vec();
    for (kind, data) in &events {
        let n = bound.len();
        values.push(format!("(?1, ?{}, ?{}, ?2)", n + 1, n + 2));
        bound.extend(params![*kind, data.to_string()]);
    }
    let rows = sql.query(
        &format!(
            "INSERT INTO events (office_id, kind, data, at) VALUES {} RETURNING id",
            values.join(", ")
        ),
        &bound,
    )?;
    // Rows are numbered in the order of the VALUES; RETURNING promises no order of its own.
    let mut ids = rows
        .iter()
        .map(|r| r.int(0))
        .collect::<Result<Vec<_>, _>>()?;
    ids.sort_unstable();
    if ids.len() != events.len() {
        return Err(ApiError::Internal(format!(
            "{} events recorded, {} ids returned",
            events.len(),
            ids.len()
        )));
    }
    for (id, (kind, data)) in ids.into_iter().zip(events) {
        sql.announce(Event {
            id,
            office: office.to_string(),
            kind: kind.to_string(),
            data,
            at: now,
        });
    }
    Ok(())
}

/// The office's events after `after`, oldest first, at most [`REPLAY_LIMIT`].
pub fn since(sql: &mut dyn Sql, office: &str, after: i64) -> Result<Vec<Event>, ApiError> {
    let rows = sql.query(
        "SELECT id, kind, data, at FROM events WHERE office_id = ?1 AND id > ?2
         ORDER BY id LIMIT ?3",
        &params![office, after, REPLAY_LIMIT],
    )?;
    rows.iter()
        .map(|r| {
            Ok(Event {
                id: r.int(0)?,
                office: office.to_string(),
                kind: r.text(1)?,
                data: serde_json::from_str(&r.text(2)?)?,
                at: r.time(3)?,
            })
        })
        .collect()
}

/// Drops events older than [`KEEP_HOURS`].
pub fn forget_old(sql: &mut dyn Sql, now: DateTime<FixedOffset>) -> Result<u64, ApiError> {
    Ok(sql.execute(
        "DELETE FROM events WHERE at < ?1",
        &params![now - chrono::Duration::hours(KEEP_HOURS)],
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notify_payloads_round_trip() {
        let e = Event {
            id: 7,
            office: "main".into(),
            kind: "called".into(),
            data: serde_json::json!({ "number": "HT-042", "counter": "3" }),
            at: crate::clock::parse_time("2026-11-25T09:00:00+07:00").unwrap_or_default(),
        };
        assert_eq!(Event::from_notify(&e.to_notify()), Some(e));
        assert_eq!(Event::from_notify("not json"), None);
    }
}
