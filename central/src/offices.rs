//! Offices: each has its own queue services, opening hours, kiosks, counters and tickets. A
//! server started with flags only has one, [`DEFAULT_OFFICE`]; a province adds more through the
//! admin API.

use chrono::{DateTime, FixedOffset};
use serde_json::{Value, json};

use crate::clock::format_time;
use crate::problem::ApiError;
use crate::queue::Service;
use crate::store::{Sql, SqlError, params};

/// The office of a server configured by flags (and of every one-office database).
pub const DEFAULT_OFFICE: &str = "main";

/// An office as created: its services and opening hours come with it.
#[derive(Debug, Clone)]
pub struct NewOffice {
    pub id: String,
    pub name: String,
    pub address: Option<String>,
    pub services: Vec<Service>,
    /// `(ISO weekday 1 = Monday, "HH:MM" opens, "HH:MM" closes)`.
    pub hours: Vec<(u32, String, String)>,
}

/// Creates an office with its services and hours; `409`-style refusal when the id is taken.
pub fn create(
    sql: &mut dyn Sql,
    office: &NewOffice,
    now: DateTime<FixedOffset>,
) -> Result<(), ApiError> {
    let position = sql.query_one("SELECT COUNT(*) FROM offices", &[])?.int(0)?;
    match sql.execute(
        "INSERT INTO offices (id, name, address, position, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        &params![
            office.id.as_str(),
            office.name.as_str(),
            office.address.clone(),
            position,
            now
        ],
    ) {
        Err(SqlError::Unique(_)) => return Err(ApiError::OfficeExists(office.id.clone())),
        other => other?,
    };
    add_services_and_hours(sql, office)
}

/// The services and hours of an office that already has a row (the default office of a
/// migrated SQLite database).
pub fn add_services_and_hours(sql: &mut dyn Sql, office: &NewOffice) -> Result<(), ApiError> {
    for (position, s) in office.services.iter().enumerate() {
        sql.execute(
            "INSERT INTO queue_services (office_id, id, position, name_vi, name_en, prefix,
                priority_allowed, daily_cap)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            &params![
                office.id.as_str(),
                s.id.as_str(),
                position,
                s.name_vi.as_str(),
                s.name_en.as_str(),
                s.prefix.as_str(),
                s.priority_allowed,
                s.daily_cap
            ],
        )?;
    }
    for (weekday, opens, closes) in &office.hours {
        sql.execute(
            "INSERT INTO opening_hours (office_id, weekday, opens, closes) VALUES (?1, ?2, ?3, ?4)",
            &params![
                office.id.as_str(),
                *weekday,
                opens.as_str(),
                closes.as_str()
            ],
        )?;
    }
    Ok(())
}

/// Gives the default office the name the configuration says (`[office] name`,
/// `--office-name`): the configuration is where it is kept, and a database made before may
/// hold another.
pub fn name_default_office(sql: &mut dyn Sql, name: &str) -> Result<(), ApiError> {
    sql.execute(
        "UPDATE offices SET name = ?1 WHERE id = ?2 AND name <> ?1",
        &params![name, DEFAULT_OFFICE],
    )?;
    Ok(())
}

/// Whether an office exists.
pub fn exists(sql: &mut dyn Sql, id: &str) -> Result<bool, ApiError> {
    Ok(sql
        .query_opt("SELECT 1 FROM offices WHERE id = ?1", &params![id])?
        .is_some())
}

/// The office's display name.
pub fn name(sql: &mut dyn Sql, id: &str) -> Result<Option<String>, ApiError> {
    Ok(sql
        .query_opt("SELECT name FROM offices WHERE id = ?1", &params![id])?
        .map(|r| r.text(0))
        .transpose()?)
}

/// Every office with its services and hours, in creation order.
pub fn list(sql: &mut dyn Sql) -> Result<Vec<Value>, ApiError> {
    let ids: Vec<String> = sql
        .query("SELECT id FROM offices ORDER BY position, id", &[])?
        .iter()
        .map(|r| r.text(0))
        .collect::<Result<_, _>>()?;
    let mut out = Vec::new();
    for id in ids {
        out.extend(get(sql, &id)?);
    }
    Ok(out)
}

/// One office with its services and hours.
pub fn get(sql: &mut dyn Sql, id: &str) -> Result<Option<Value>, ApiError> {
    let Some(r) = sql.query_opt(
        "SELECT id, name, address, created_at FROM offices WHERE id = ?1",
        &params![id],
    )?
    else {
        return Ok(None);
    };
    {
        let id = r.text(0)?;
        let services: Vec<Value> = crate::queue::services(sql, &id)?
            .into_iter()
            .map(|s| {
                json!({
                    "id": s.id, "name_vi": s.name_vi, "name_en": s.name_en, "prefix": s.prefix,
                    "priority_allowed": s.priority_allowed, "daily_cap": s.daily_cap,
                })
            })
            .collect();
        let mut hours = Vec::new();
        for h in sql.query(
            "SELECT weekday, opens, closes FROM opening_hours WHERE office_id = ?1
             ORDER BY weekday, opens",
            &params![id.as_str()],
        )? {
            hours.push(json!({ "weekday": h.int(0)?, "opens": h.text(1)?, "closes": h.text(2)? }));
        }
        Ok(Some(json!({
            "id": id, "name": r.text(1)?, "address": r.opt_text(2)?,
            "created_at": format_time(r.time(3)?), "services": services, "hours": hours,
        })))
    }
}
