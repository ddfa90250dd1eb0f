//! Kiosk heartbeats and the fleet listing with silent kiosks flagged.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use rusqlite::{Connection, params};
use serde_json::{Value, json};

use crate::clock::{format_time, parse_time};
use crate::problem::ApiError;

/// A kiosk is silent when nothing arrived from it for this long.
pub const SILENT_AFTER_S: i64 = 180;

pub const PRINTER_STATES: &[&str] = &[
    "ok",
    "paper-near-end",
    "paper-out",
    "cover-open",
    "offline",
    "preview",
];

#[derive(Debug, Clone)]
pub struct Heartbeat {
    pub kiosk_id: String,
    pub version: String,
    pub printer: String,
    pub catalog_version: Option<i64>,
    pub outbox: Option<i64>,
    pub uptime_s: Option<i64>,
}

pub fn record(
    conn: &Connection,
    hb: &Heartbeat,
    now: DateTime<FixedOffset>,
) -> Result<(), ApiError> {
    conn.execute(
        "INSERT OR REPLACE INTO kiosks (kiosk_id, last_seen, version, printer, catalog_version, outbox, uptime_s)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![hb.kiosk_id, format_time(now), hb.version, hb.printer, hb.catalog_version, hb.outbox, hb.uptime_s],
    )?;
    Ok(())
}

/// Every kiosk that has a token or has ever reported, in id order. Kiosks that never
/// reported show `null` fields and are silent.
pub fn list(
    conn: &Connection,
    configured: &[String],
    now: DateTime<FixedOffset>,
) -> Result<Vec<Value>, ApiError> {
    let mut rows: BTreeMap<String, Value> = configured
        .iter()
        .map(|id| {
            let row = json!({
                "kiosk_id": id, "last_seen": null, "version": null, "printer": null,
                "catalog_version": null, "outbox": null, "uptime_s": null, "silent": true,
            });
            (id.clone(), row)
        })
        .collect();
    let mut stmt = conn.prepare(
        "SELECT kiosk_id, last_seen, version, printer, catalog_version, outbox, uptime_s FROM kiosks",
    )?;
    let stored = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, Option<i64>>(4)?,
            r.get::<_, Option<i64>>(5)?,
            r.get::<_, Option<i64>>(6)?,
        ))
    })?;
    for row in stored {
        let (id, last_seen, version, printer, catalog_version, outbox, uptime_s) = row?;
        let silent =
            parse_time(&last_seen).is_none_or(|t| (now - t).num_seconds() >= SILENT_AFTER_S);
        let value = json!({
            "kiosk_id": id, "last_seen": last_seen, "version": version, "printer": printer,
            "catalog_version": catalog_version, "outbox": outbox, "uptime_s": uptime_s,
            "silent": silent,
        });
        rows.insert(id, value);
    }
    Ok(rows.into_values().collect())
}
