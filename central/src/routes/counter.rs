//! Counter calls: next, recall, absent, transfer, done; the counter's own ticket; recent calls
//! for displays; the day's statistics.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::Deserialize;
use serde_json::{Value, json};

use super::AppState;
use crate::auth::{Admin, Counter, Viewer};
use crate::counter;
use crate::extract::{JsonBody, PathParams, non_null};
use crate::notify::triggers::{self, Call};
use crate::offices::DEFAULT_OFFICE;
use crate::problem::ApiError;
use crate::sms::SmsSettings;
use crate::store::Sql;
use crate::validate;

/// The optional `counter` of a counter call's body: the shared token names its counter here.
#[derive(Deserialize, Default)]
pub struct CounterBody {
    #[serde(default, deserialize_with = "non_null")]
    counter: Option<String>,
}

#[derive(Deserialize)]
pub struct CallBody {
    #[serde(default, deserialize_with = "non_null")]
    counter: Option<String>,
    #[serde(default, deserialize_with = "non_null")]
    services: Option<Vec<String>>,
}

#[derive(Deserialize)]
pub struct TransferBody {
    #[serde(default, deserialize_with = "non_null")]
    counter: Option<String>,
    service_id: String,
}

/// The counter a call acts for, checked.
fn acting(caller: &Counter, named: Option<&str>) -> Result<String, ApiError> {
    let named = named
        .map(|c| validate::short_text("counter", c, 32))
        .transpose()?;
    caller.acting_as(named.as_deref())
}

/// A ticket's id in a path: 32 lower-case hex digits.
fn ticket_id(id: &str) -> Result<String, ApiError> {
    let ok = id.len() == 32
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    ok.then(|| id.to_string())
        .ok_or_else(|| ApiError::bad("id", "a ticket id: 32 hexadecimal digits (0-9, a-f)"))
}

/// `POST /queue/services/{id}/call-next`.
pub async fn call_next_of_service(
    State(state): State<AppState>,
    caller: Counter,
    PathParams(service_id): PathParams<String>,
    JsonBody(body): JsonBody<CounterBody>,
) -> Result<Response, ApiError> {
    let service_id = validate::service_id("id", &service_id)?;
    let name = acting(&caller, body.counter.as_deref())?;
    let now = state.clock.now();
    let sms = sms_settings(&state);
    let answer = state
        .store
        .write(move |sql| {
            let answer = counter::call_next(
                sql,
                &caller.office,
                std::slice::from_ref(&service_id),
                &name,
                now,
            )?;
            after_call(
                sql,
                sms.as_deref(),
                &caller.office,
                &answer,
                Call::First,
                now,
            )?;
            Ok(answer)
        })
        .await?;
    poke(&state);
    Ok(super::json(StatusCode::OK, &answer))
}

/// The office's SMS settings, when it sends SMS.
fn sms_settings(state: &AppState) -> Option<Arc<SmsSettings>> {
    state.sms.as_ref().map(|s| Arc::clone(&s.settings))
}

/// Wakes the SMS sender after a change that may have queued messages.
fn poke(state: &AppState) {
    if let Some(sms) = &state.sms {
        sms.poke();
    }
}

/// The messages a call causes: the called ticket's, and "your turn is near" in its service.
fn after_call(
    sql: &mut dyn Sql,
    sms: Option<&SmsSettings>,
    office: &str,
    called: &Value,
    call: Call,
    now: DateTime<FixedOffset>,
) -> Result<(), ApiError> {
    let Some(sms) = sms else { return Ok(()) };
    let ticket = called["ticket_id"].as_str().unwrap_or_default();
    triggers::ticket_called(sql, sms, office, ticket, call, now)?;
    let service = called["service_id"].as_str().unwrap_or_default();
    triggers::queue_moved(sql, sms, office, service, now)
}

/// `POST /queue/call-next`: across the services this counter serves (all when none are named).
pub async fn call_next(
    State(state): State<AppState>,
    caller: Counter,
    JsonBody(body): JsonBody<CallBody>,
) -> Result<Response, ApiError> {
    let name = acting(&caller, body.counter.as_deref())?;
    let services = body.services.unwrap_or_default();
    if services.len() > 50 {
        return Err(ApiError::bad("services", "at most 50 services"));
    }
    for (i, s) in services.iter().enumerate() {
        validate::service_id(&format!("services[{i}]"), s)?;
    }
    let now = state.clock.now();
    let sms = sms_settings(&state);
    let answer = state
        .store
        .write(move |sql| {
            let answer = counter::call_next(sql, &caller.office, &services, &name, now)?;
            after_call(
                sql,
                sms.as_deref(),
                &caller.office,
                &answer,
                Call::First,
                now,
            )?;
            Ok(answer)
        })
        .await?;
    poke(&state);
    Ok(super::json(StatusCode::OK, &answer))
}

macro_rules! ticket_action {
    ($name:ident, $action:path) => {
        pub async fn $name(
            State(state): State<AppState>,
            caller: Counter,
            PathParams(id): PathParams<String>,
            JsonBody(body): JsonBody<CounterBody>,
        ) -> Result<Response, ApiError> {
            let id = ticket_id(&id)?;
            let name = acting(&caller, body.counter.as_deref())?;
            let now = state.clock.now();
            let answer = state
                .store
                .write(move |sql| $action(sql, &caller.office, &id, &name, now))
                .await?;
            Ok(super::json(StatusCode::OK, &answer))
        }
    };
}

ticket_action!(no_show, counter::no_show);
ticket_action!(done, counter::done);

/// `POST /queue/tickets/{id}/recall`: called again; a citizen called back after being marked
/// absent hears it by SMS too.
pub async fn recall(
    State(state): State<AppState>,
    caller: Counter,
    PathParams(id): PathParams<String>,
    JsonBody(body): JsonBody<CounterBody>,
) -> Result<Response, ApiError> {
    let id = ticket_id(&id)?;
    let name = acting(&caller, body.counter.as_deref())?;
    let now = state.clock.now();
    let sms = sms_settings(&state);
    let answer = state
        .store
        .write(move |sql| {
            let was_absent =
                counter::status_of(sql, &caller.office, &id)?.as_deref() == Some("no-show");
            let answer = counter::recall(sql, &caller.office, &id, &name, now)?;
            if was_absent && let Some(sms) = sms.as_deref() {
                triggers::ticket_called(sql, sms, &caller.office, &id, Call::AfterAbsence, now)?;
            }
            Ok(answer)
        })
        .await?;
    poke(&state);
    Ok(super::json(StatusCode::OK, &answer))
}

/// `POST /queue/tickets/{id}/transfer`.
pub async fn transfer(
    State(state): State<AppState>,
    caller: Counter,
    PathParams(id): PathParams<String>,
    JsonBody(body): JsonBody<TransferBody>,
) -> Result<Response, ApiError> {
    let id = ticket_id(&id)?;
    let to = validate::service_id("service_id", &body.service_id)?;
    let name = acting(&caller, body.counter.as_deref())?;
    let now = state.clock.now();
    let sms = sms_settings(&state);
    let answer = state
        .store
        .write(move |sql| {
            let answer = counter::transfer(sql, &caller.office, &id, &to, &name, now)?;
            if let Some(sms) = sms.as_deref() {
                for service in [&answer["from_service_id"], &answer["service_id"]] {
                    let service = service.as_str().unwrap_or_default();
                    triggers::queue_moved(sql, sms, &caller.office, service, now)?;
                }
            }
            Ok(answer)
        })
        .await?;
    poke(&state);
    Ok(super::json(StatusCode::OK, &answer))
}

/// The decoded query string as pairs.
fn query(uri: &Uri) -> Result<Vec<(String, String)>, ApiError> {
    axum::extract::Query::<Vec<(String, String)>>::try_from_uri(uri)
        .map(|q| q.0)
        .map_err(|e| ApiError::bad("query", e.body_text()))
}

fn param<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// `GET /queue/counter[?counter=NAME]`: the ticket this counter holds, the office (its name for
/// the counter page) and its board.
pub async fn mine(
    State(state): State<AppState>,
    caller: Counter,
    uri: Uri,
) -> Result<Response, ApiError> {
    let pairs = query(&uri)?;
    let name = acting(&caller, param(&pairs, "counter"))?;
    let now = state.clock.now();
    let (office, held_by) = (caller.office.clone(), name.clone());
    let (held, board, services, office_name) = state
        .store
        .read(move |sql| {
            let held = counter::held(sql, &office, &held_by, now)?;
            let board = crate::queue::board(sql, &office, now.date_naive())?;
            let services = crate::queue::services(sql, &office)?;
            let name = crate::offices::name(sql, &office)?;
            Ok((held, board, services, name))
        })
        .await?;
    let services: Vec<_> = services
        .iter()
        .zip(board)
        .map(|(s, mut b)| {
            b["name_vi"] = json!(s.name_vi);
            b["name_en"] = json!(s.name_en);
            b["prefix"] = json!(s.prefix);
            b
        })
        .collect();
    Ok(super::json(
        StatusCode::OK,
        &json!({
            "office_name": office_name.unwrap_or_else(|| caller.office.clone()),
            "counter": name, "office_id": caller.office,
            "ticket": held, "services": services,
        }),
    ))
}

/// `GET /queue/calls[?limit=N]`: the latest calls of today, newest first (1 to 50, default 6).
pub async fn calls(
    State(state): State<AppState>,
    viewer: Viewer,
    uri: Uri,
) -> Result<Response, ApiError> {
    let pairs = query(&uri)?;
    let limit = match param(&pairs, "limit") {
        None => 6,
        Some(v) => crate::extract::integer_text(v)
            .flatten()
            .filter(|n| (1..=50).contains(n))
            .ok_or_else(|| ApiError::bad("limit", "a whole number from 1 to 50"))?,
    };
    let now = state.clock.now();
    let office = viewer.office.clone();
    let calls = state
        .store
        .read(move |sql| counter::recent_calls(sql, &office, now, limit))
        .await?;
    Ok(super::json(
        StatusCode::OK,
        &json!({ "generated_at": crate::clock::format_time(now), "calls": calls }),
    ))
}

/// Who may read statistics: a counter (its office) or the administrator (any office).
pub enum Reader {
    Counter(Counter),
    Admin(Admin),
}

impl axum::extract::FromRequestParts<AppState> for Reader {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, ApiError> {
        if let Ok(a) = Admin::from_request_parts(parts, state).await {
            return Ok(Reader::Admin(a));
        }
        Counter::from_request_parts(parts, state)
            .await
            .map(Reader::Counter)
    }
}

/// `GET /queue/stats[?date=YYYY-MM-DD][&office=ID]`: the day's numbers per service.
pub async fn stats(
    State(state): State<AppState>,
    reader: Reader,
    uri: Uri,
) -> Result<Response, ApiError> {
    let pairs = query(&uri)?;
    let day = match param(&pairs, "date") {
        None => state.clock.today(),
        Some(d) => NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .ok()
            .filter(|_| d.len() == 10)
            .ok_or_else(|| ApiError::bad("date", "a date YYYY-MM-DD"))?,
    };
    let named = param(&pairs, "office")
        .map(|o| validate::service_id("office", o))
        .transpose()?;
    let office = match (&reader, named) {
        (Reader::Counter(c), Some(o)) if o != c.office => {
            return Err(ApiError::Forbidden(format!(
                "this token belongs to office \"{}\", not \"{o}\"",
                c.office
            )));
        }
        (Reader::Counter(c), _) => c.office.clone(),
        (Reader::Admin(_), Some(o)) => o,
        (Reader::Admin(_), None) => DEFAULT_OFFICE.to_string(),
    };
    let o = office.clone();
    let services = state
        .store
        .read(move |sql| {
            if !crate::offices::exists(sql, &o)? {
                return Err(ApiError::NotFound(format!("no office {o}")));
            }
            counter::stats(sql, &o, day)
        })
        .await?;
    Ok(super::json(
        StatusCode::OK,
        &json!({ "office_id": office, "date": day.format("%Y-%m-%d").to_string(), "services": services }),
    ))
}
