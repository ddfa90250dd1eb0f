//! `GET /t/{id}`: a ticket followed from its QR code: number, service, people ahead and the
//! wait, or "your turn: counter 3"; kept live by `GET /t/{id}/events`.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::{Asked, Page, render};
use crate::follow;
use crate::problem::ApiError;
use crate::routes::AppState;
use crate::web::html::{Markup, Vars};
use crate::web::i18n::{self, Lang};

const BODY: &str = include_str!("../../../web/follow.html");

/// The ticket's picture in `lang`: what the page shows and the script replaces.
async fn picture(
    state: &AppState,
    id: &str,
    lang: Lang,
) -> Result<Option<(String, Value)>, ApiError> {
    let (id, today) = (id.to_string(), state.clock.today());
    let Some(f) = state
        .store
        .read(move |sql| follow::read(sql, &id, today))
        .await?
    else {
        return Ok(None);
    };
    let t = |k| i18n::text(k, lang).unwrap_or_default();
    let v = &f.view;
    let status = v["status"].as_str().unwrap_or_default();
    let state_text = match status {
        "waiting" => match v["people_ahead"].as_u64().unwrap_or(0) {
            0 => t("public.next-in-line").to_string(),
            n => t("public.ahead").replace("{n}", &n.to_string()).replace(
                "{min}",
                &v["estimated_wait_min"].as_u64().unwrap_or(0).to_string(),
            ),
        },
        "called" => t("public.called").replace("{counter}", v["counter"].as_str().unwrap_or("?")),
        "no-show" => t("public.no-show").to_string(),
        "done" => t("public.done").to_string(),
        _ => t("public.past").to_string(),
    };
    let service = if lang == Lang::En {
        &v["service_en"]
    } else {
        &v["service_vi"]
    };
    Ok(Some((
        f.office,
        json!({
            "number": v["number"],
            "service": service,
            "status": status,
            "state": state_text,
        }),
    )))
}

fn not_found_id(id: &str) -> bool {
    !follow::is_id(id)
}

pub async fn page(State(state): State<AppState>, Path(id): Path<String>, parts: Parts) -> Response {
    let asked = Asked::of(&parts, state.web.trust_proxy);
    let path = format!("/t/{id}");
    let found = if not_found_id(&id) {
        Ok(None)
    } else {
        picture(&state, &id, asked.lang).await
    };
    let p = match found {
        Ok(Some((_, p))) => p,
        Ok(None) => {
            return super::missing(
                &state,
                &asked,
                "/",
                StatusCode::NOT_FOUND,
                "public.no-ticket",
                "public.no-ticket-detail",
            )
            .await;
        }
        Err(e) => return super::home::unavailable(&state, &asked, &e).await,
    };
    let text = |k: &str| p[k].as_str().unwrap_or_default().to_string();
    let address = asked
        .client
        .origin()
        .map_or_else(|| path.clone(), |o| format!("{o}{path}"));
    let vars = Vars::default()
        .text("number", text("number"))
        .text("service", text("service"))
        .text("status", text("status"))
        .text("state", text("state"))
        .text("address", address);
    let body = match Markup::rendered(BODY, &asked.langs(), &vars) {
        Ok(b) => b,
        Err(e) => return super::internal(&e),
    };
    let page = Page {
        name: "follow",
        path: &path,
        title: format!("{} {}", asked.t("public.follow-title"), text("number")),
        office: super::office_name(&state).await,
        body,
        status: StatusCode::OK,
    };
    render(page, &asked)
}

/// `GET /t/{id}/events[?lang=en]`: the ticket's picture as `update` events.
pub async fn events(
    State(state): State<AppState>,
    Path(id): Path<String>,
    parts: Parts,
) -> Response {
    let lang = Asked::of(&parts, false).lang;
    if not_found_id(&id) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let office = match picture(&state, &id, lang).await {
        Ok(Some((office, _))) => office,
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(e) => return e.into_response(),
    };
    let st = state.clone();
    let read: crate::web::live::Read = Arc::new(move || {
        let (st, id) = (st.clone(), id.clone());
        Box::pin(async move {
            Ok(picture(&st, &id, lang)
                .await?
                .map_or(Value::Null, |(_, p)| p))
        })
    });
    crate::web::live::watch(&state, office, read).into_response()
}
