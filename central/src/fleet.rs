//! Kiosk heartbeats and the fleet listing with silent kiosks flagged.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use serde_json::{Value, json};

use crate::clock::format_time;
use crate::problem::ApiError;
use crate::store::{Sql, commit_without_flush, params};

/// A kiosk is silent when nothing arrived from it for this long.
pub const SILENT_AFTER_S: i64 = 180;

pub const PRINTER_STATES: &[&str] = &[
    "ok",
    "paper-near-end",
    "paper-out",
    "cover-open",
    "offline",
    "preview",
    "no-status",
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
    sql: &mut dyn Sql,
    office: &str,
    hb: &Heartbeat,
    now: DateTime<FixedOffset>,
) -> Result<(), ApiError> {
    // A heartbeat lost in a crash is replaced by the next one a minute later.
    commit_without_flush(sql)?;
    sql.execute(
        "INSERT INTO kiosks (kiosk_id, office_id, last_seen, version, printer, catalog_version,
            outbox, uptime_s)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (kiosk_id) DO UPDATE SET office_id = ?2, last_seen = ?3, version = ?4,
            printer = ?5, catalog_version = ?6, outbox = ?7, uptime_s = ?8",
        &params![
            hb.kiosk_id.as_str(),
            office,
            now,
            hb.version.as_str(),
            hb.printer.as_str(),
            hb.catalog_version,
            hb.outbox,
            hb.uptime_s
        ],
    )?;
    Ok(())
}

/// A kiosk the server knows before it reports: `(kiosk_id, office_id)`.
pub type KnownKiosk = (String, String);

/// Every kiosk that has a token (from the command line or the admin API) or has ever reported,
/// in id order. Kiosks that never reported show `null` fields and are silent.
pub fn list(
    sql: &mut dyn Sql,
    configured: &[KnownKiosk],
    now: DateTime<FixedOffset>,
) -> Result<Vec<Value>, ApiError> {
    let blank = |id: &str, office: &str| {
        json!({
            "kiosk_id": id, "office_id": office, "last_seen": null, "version": null,
            "printer": null, "catalog_version": null, "outbox": null, "uptime_s": null,
            "silent": true,
        })
    };
    let mut rows: BTreeMap<String, Value> = configured
        .iter()
        .map(|(id, office)| (id.clone(), blank(id, office)))
        .collect();
    for r in sql.query(
        "SELECT subject, office_id FROM credentials WHERE role = 'kiosk'",
        &[],
    )? {
        let (id, office) = (r.text(0)?, r.text(1)?);
        rows.entry(id.clone())
            .or_insert_with(|| blank(&id, &office));
    }
    for r in sql.query(
        "SELECT kiosk_id, office_id, last_seen, version, printer, catalog_version, outbox,
                uptime_s FROM kiosks",
        &[],
    )? {
        let last_seen = r.time(2)?;
        let silent = (now - last_seen).num_seconds() >= SILENT_AFTER_S;
        let id = r.text(0)?;
        let value = json!({
            "kiosk_id": id, "office_id": r.text(1)?, "last_seen": format_time(last_seen),
            "version": r.text(3)?, "printer": r.text(4)?,
            "catalog_version": r.opt_int(5)?, "outbox": r.opt_int(6)?,
            "uptime_s": r.opt_int(7)?, "silent": silent,
        });
        rows.insert(id, value);
    }
    Ok(rows.into_values().collect())
}

/// Kiosks that reported within [`SILENT_AFTER_S`].
pub fn connected(sql: &mut dyn Sql, now: DateTime<FixedOffset>) -> Result<u64, ApiError> {
    let n = sql
        .query_one(
            "SELECT COUNT(*) FROM kiosks WHERE last_seen > ?1",
            &params![now - chrono::Duration::seconds(SILENT_AFTER_S)],
        )?
        .int(0)?;
    Ok(u64::try_from(n).unwrap_or(0))
}
