//! Admin calls for a province: offices, their queue services and hours, kiosk and counter
//! tokens, and per-office changes to shared procedures.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveTime;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::AppState;
use crate::auth::{self, Admin};
use crate::catalog;
use crate::extract::{JsonBody, PathParams, integer};
use crate::offices::{self, NewOffice};
use crate::problem::ApiError;
use crate::queue::Service;
use crate::store::{Sql, params};
use crate::validate;

#[derive(Deserialize)]
pub struct ServiceBody {
    #[serde(default)]
    id: Option<String>,
    name_vi: String,
    name_en: String,
    prefix: String,
    #[serde(default)]
    priority_allowed: bool,
    #[serde(deserialize_with = "integer")]
    daily_cap: i64,
}

#[derive(Deserialize)]
pub struct HoursBody {
    #[serde(deserialize_with = "integer")]
    weekday: i64,
    opens: String,
    closes: String,
}

#[derive(Deserialize)]
pub struct OfficeBody {
    id: String,
    name: String,
    #[serde(default)]
    address: Option<String>,
    services: Vec<ServiceBody>,
    hours: Vec<HoursBody>,
}

fn service(field: &str, id: &str, b: ServiceBody) -> Result<Service, ApiError> {
    let at = |name: &str| format!("{field}{name}");
    let prefix_ok =
        (1..=3).contains(&b.prefix.len()) && b.prefix.bytes().all(|c| c.is_ascii_uppercase());
    if !prefix_ok {
        return Err(ApiError::bad(&at("prefix"), "1 to 3 capital letters A-Z"));
    }
    let daily_cap = u32::try_from(b.daily_cap)
        .ok()
        .filter(|c| (1..=9999).contains(c))
        .ok_or_else(|| ApiError::bad(&at("daily_cap"), "1 to 9999"))?;
    Ok(Service {
        id: validate::service_id(&at("id"), id)?,
        name_vi: validate::short_text(&at("name_vi"), &b.name_vi, 80)?,
        name_en: validate::short_text(&at("name_en"), &b.name_en, 80)?,
        prefix: b.prefix,
        priority_allowed: b.priority_allowed,
        daily_cap,
    })
}

/// The schema's `maxItems` for an office's services and its opening periods.
const MAX_SERVICES: usize = 50;
const MAX_PERIODS: usize = 100;

fn hours(field: &str, list: Vec<HoursBody>) -> Result<Vec<(u32, String, String)>, ApiError> {
    if list.len() > MAX_PERIODS {
        let at = if field.is_empty() { "body" } else { field };
        return Err(ApiError::bad(at, format!("at most {MAX_PERIODS} periods")));
    }
    list.into_iter()
        .enumerate()
        .map(|(i, h)| {
            let at = |name: &str| format!("{field}[{i}].{name}");
            let weekday = u32::try_from(h.weekday)
                .ok()
                .filter(|d| (1..=7).contains(d))
                .ok_or_else(|| ApiError::bad(&at("weekday"), "1 (Monday) to 7 (Sunday)"))?;
            let time = |name: &str, s: &str| {
                // "HH:MM" exactly, as stored and compared.
                let ok = s.len() == 5 && NaiveTime::parse_from_str(s, "%H:%M").is_ok();
                ok.then(|| s.to_string())
                    .ok_or_else(|| ApiError::bad(&at(name), "a time HH:MM"))
            };
            let (opens, closes) = (time("opens", &h.opens)?, time("closes", &h.closes)?);
            if opens >= closes {
                return Err(ApiError::InvalidDates(format!(
                    "{}: not after opens",
                    at("closes")
                )));
            }
            Ok((weekday, opens, closes))
        })
        .collect()
}

pub async fn list(State(state): State<AppState>, _admin: Admin) -> Result<Response, ApiError> {
    let all = state.store.read(offices::list).await?;
    Ok(super::json(StatusCode::OK, &Value::Array(all)))
}

pub async fn create(
    State(state): State<AppState>,
    _admin: Admin,
    JsonBody(body): JsonBody<OfficeBody>,
) -> Result<Response, ApiError> {
    let id = validate::service_id("id", &body.id)?;
    if body.services.len() > MAX_SERVICES {
        return Err(ApiError::bad(
            "services",
            format!("at most {MAX_SERVICES} services"),
        ));
    }
    let mut services = Vec::new();
    for (i, s) in body.services.into_iter().enumerate() {
        let field = format!("services[{i}].");
        let sid = s.id.clone().unwrap_or_default();
        services.push(service(&field, &sid, s)?);
    }
    let office = NewOffice {
        id,
        name: validate::short_text("name", &body.name, 120)?,
        address: body
            .address
            .map(|a| validate::short_text("address", &a, 200))
            .transpose()?,
        services,
        hours: hours("hours", body.hours)?,
    };
    check_unique_services(&office.services)?;
    let id = office.id.clone();
    let now = state.clock.now();
    state
        .store
        .write(move |sql| offices::create(sql, &office, now))
        .await?;
    let created = state
        .store
        .read(move |sql| offices::get(sql, &id))
        .await?
        .ok_or_else(|| ApiError::Internal("the office just created is gone".into()))?;
    Ok(super::json(StatusCode::CREATED, &created))
}

/// Two services of one office with one id or one prefix would share numbers on the tickets.
fn check_unique_services(services: &[Service]) -> Result<(), ApiError> {
    for (i, s) in services.iter().enumerate() {
        if let Some(j) = services[..i].iter().position(|o| o.id == s.id) {
            return Err(ApiError::DuplicateService(format!(
                "services[{i}].id: \"{}\" is also services[{j}]",
                s.id
            )));
        }
        if let Some(j) = services[..i].iter().position(|o| o.prefix == s.prefix) {
            return Err(ApiError::DuplicateService(format!(
                "services[{i}].prefix: \"{}\" is also the prefix of services[{j}]",
                s.prefix
            )));
        }
    }
    Ok(())
}

fn known_office(sql: &mut dyn Sql, office: &str) -> Result<(), ApiError> {
    if offices::exists(sql, office)? {
        Ok(())
    } else {
        Err(ApiError::NotFound(format!("no office {office}")))
    }
}

/// `PUT /admin/offices/{office}/services/{id}`: adds or changes one service.
pub async fn put_service(
    State(state): State<AppState>,
    _admin: Admin,
    PathParams((office, tail)): PathParams<(String, String)>,
    JsonBody(body): JsonBody<ServiceBody>,
) -> Result<Response, ApiError> {
    let office = validate::service_id("office", &office)?;
    let s = service("", &tail, body)?;
    let answer = json!({
        "id": s.id, "name_vi": s.name_vi, "name_en": s.name_en, "prefix": s.prefix,
        "priority_allowed": s.priority_allowed, "daily_cap": s.daily_cap,
    });
    state
        .store
        .write(move |sql| {
            known_office(sql, &office)?;
            if let Some(r) = sql.query_opt(
                "SELECT id FROM queue_services WHERE office_id = ?1 AND prefix = ?2 AND id <> ?3",
                &params![office.as_str(), s.prefix.as_str(), s.id.as_str()],
            )? {
                return Err(ApiError::DuplicateService(format!(
                    "prefix: \"{}\" is the prefix of service {}",
                    s.prefix,
                    r.text(0)?
                )));
            }
            let position = sql
                .query_one(
                    "SELECT COUNT(*) FROM queue_services WHERE office_id = ?1",
                    &params![office.as_str()],
                )?
                .int(0)?;
            sql.execute(
                "INSERT INTO queue_services (office_id, id, position, name_vi, name_en, prefix,
                    priority_allowed, daily_cap)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (office_id, id) DO UPDATE SET name_vi = ?4, name_en = ?5,
                    prefix = ?6, priority_allowed = ?7, daily_cap = ?8",
                &params![
                    office.as_str(),
                    s.id.as_str(),
                    position,
                    s.name_vi.as_str(),
                    s.name_en.as_str(),
                    s.prefix.as_str(),
                    s.priority_allowed,
                    s.daily_cap
                ],
            )?;
            Ok(())
        })
        .await?;
    Ok(super::json(StatusCode::OK, &answer))
}

/// `PUT /admin/offices/{office}/hours`: replaces the opening hours.
pub async fn put_hours(
    State(state): State<AppState>,
    _admin: Admin,
    PathParams(office): PathParams<String>,
    JsonBody(body): JsonBody<Vec<HoursBody>>,
) -> Result<Response, ApiError> {
    let office = validate::service_id("office", &office)?;
    let list = hours("", body)?;
    let answer: Vec<Value> = list
        .iter()
        .map(|(d, o, c)| json!({ "weekday": d, "opens": o, "closes": c }))
        .collect();
    state
        .store
        .write(move |sql| {
            known_office(sql, &office)?;
            sql.execute(
                "DELETE FROM opening_hours WHERE office_id = ?1",
                &params![office.as_str()],
            )?;
            for (d, o, c) in &list {
                sql.execute(
                    "INSERT INTO opening_hours (office_id, weekday, opens, closes)
                     VALUES (?1, ?2, ?3, ?4)",
                    &params![office.as_str(), *d, o.as_str(), c.as_str()],
                )?;
            }
            Ok(())
        })
        .await?;
    Ok(super::json(StatusCode::OK, &Value::Array(answer)))
}

#[derive(Deserialize)]
pub struct KioskBody {
    kiosk_id: String,
}

#[derive(Deserialize)]
pub struct CounterBody {
    counter: String,
}

/// `POST /admin/offices/{office}/kiosks`: a kiosk's token (a new one replaces the old).
pub async fn add_kiosk(
    State(state): State<AppState>,
    _admin: Admin,
    PathParams(office): PathParams<String>,
    JsonBody(body): JsonBody<KioskBody>,
) -> Result<Response, ApiError> {
    let office = validate::service_id("office", &office)?;
    let kiosk_id = validate::service_id("kiosk_id", &body.kiosk_id)?;
    if state.tokens.kiosks.iter().any(|k| k.kiosk_id == kiosk_id) {
        return Err(ApiError::KioskTaken(format!(
            "kiosk_id: \"{kiosk_id}\" has its token on the command line"
        )));
    }
    let now = state.clock.now();
    let (o, k) = (office.clone(), kiosk_id.clone());
    let token = state
        .store
        .write(move |sql| {
            known_office(sql, &o)?;
            // A kiosk id names one kiosk across the province.
            if let Some(r) = sql.query_opt(
                "SELECT office_id FROM credentials WHERE role = 'kiosk' AND subject = ?1",
                &params![k.as_str()],
            )? && r.text(0)? != o
            {
                return Err(ApiError::KioskTaken(format!(
                    "kiosk_id: \"{k}\" belongs to office {}",
                    r.text(0)?
                )));
            }
            auth::issue(sql, "kiosk", &o, &k, now)
        })
        .await?;
    Ok(super::json(
        StatusCode::CREATED,
        &json!({ "kiosk_id": kiosk_id, "office_id": office, "token": token }),
    ))
}

/// `POST /admin/offices/{office}/counters`: a counter's token (a new one replaces the old).
pub async fn add_counter(
    State(state): State<AppState>,
    _admin: Admin,
    PathParams(office): PathParams<String>,
    JsonBody(body): JsonBody<CounterBody>,
) -> Result<Response, ApiError> {
    let office = validate::service_id("office", &office)?;
    let counter = validate::short_text("counter", &body.counter, 32)?;
    let now = state.clock.now();
    let (o, c) = (office.clone(), counter.clone());
    let token = state
        .store
        .write(move |sql| {
            known_office(sql, &o)?;
            auth::issue(sql, "counter", &o, &c, now)
        })
        .await?;
    Ok(super::json(
        StatusCode::CREATED,
        &json!({ "counter": counter, "office_id": office, "token": token }),
    ))
}

#[derive(Deserialize)]
pub struct DisplayBody {
    display: String,
}

/// `POST /admin/offices/{office}/displays`: a lobby display's token, which only watches the
/// office's queue (a new one replaces the display's old one).
pub async fn add_display(
    State(state): State<AppState>,
    _admin: Admin,
    PathParams(office): PathParams<String>,
    JsonBody(body): JsonBody<DisplayBody>,
) -> Result<Response, ApiError> {
    let office = validate::service_id("office", &office)?;
    // A name staff recognise in the list of tokens: something besides spaces.
    let display = validate::non_blank("display", &body.display)
        .and_then(|d| validate::short_text("display", &d, 64))?;
    let now = state.clock.now();
    let (o, d) = (office.clone(), display.clone());
    let token = state
        .store
        .write(move |sql| {
            known_office(sql, &o)?;
            auth::issue(sql, "display", &o, &d, now)
        })
        .await?;
    Ok(super::json(
        StatusCode::CREATED,
        &json!({ "display": display, "office_id": office, "token": token }),
    ))
}

/// `PUT /admin/offices/{office}/procedures/{code}`: the office's own values of a shared
/// procedure (fee, processing time, per-method details, agency).
pub async fn put_override(
    State(state): State<AppState>,
    _admin: Admin,
    PathParams((office, tail)): PathParams<(String, String)>,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> Result<Response, ApiError> {
    let office = validate::service_id("office", &office)?;
    let code = validate::procedure_code("code", &tail)?;
    if let Some(key) = body
        .keys()
        .find(|k| !catalog::OVERRIDABLE.contains(&k.as_str()))
    {
        return Err(ApiError::bad(
            key,
            format!(
                "not a field an office may change; one of {}",
                catalog::OVERRIDABLE.join(", ")
            ),
        ));
    }
    if body.is_empty() {
        return Err(ApiError::bad("body", "at least one field to change"));
    }
    // The same shape checks as an import: a kiosk never receives a malformed field.
    let mut probe = body.clone();
    probe.insert("name".into(), Value::String("x".into()));
    catalog::parse_procedures(&Value::Array(vec![Value::Object(probe)])).map_err(|e| match e {
        ApiError::BadRequest(d) => ApiError::BadRequest(d.trim_start_matches("[0].").to_string()),
        other => other,
    })?;
    let now = state.clock.now();
    let version = state
        .store
        .write(move |sql| {
            known_office(sql, &office)?;
            catalog::set_override(sql, &office, &code, Some(&body), now)
        })
        .await?;
    Ok(super::json(StatusCode::OK, &json!({ "version": version })))
}

/// `DELETE /admin/offices/{office}/procedures/{code}`: back to the shared values.
pub async fn delete_override(
    State(state): State<AppState>,
    _admin: Admin,
    PathParams((office, tail)): PathParams<(String, String)>,
) -> Result<Response, ApiError> {
    let office = validate::service_id("office", &office)?;
    let code = validate::procedure_code("code", &tail)?;
    let now = state.clock.now();
    let version = state
        .store
        .write(move |sql| {
            known_office(sql, &office)?;
            catalog::set_override(sql, &office, &code, None, now)
        })
        .await?;
    Ok(super::json(StatusCode::OK, &json!({ "version": version })))
}
