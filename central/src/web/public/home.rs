//! `GET /`: the office, its opening hours, the number being served per service (live from
//! `GET /board/events`), and the boxes to search procedures and look up a dossier.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::{Asked, Page, office, render};
use crate::problem::ApiError;
use crate::routes::AppState;
use crate::web::html::{Markup, Vars};
use crate::web::i18n::Lang;

const BODY: &str = include_str!("../../../web/home.html");

/// Every service: its name, the number being served and the wait, in `lang`.
async fn board(state: &AppState, lang: Lang) -> Result<Value, ApiError> {
    let now = state.clock.now();
    let rows = state
        .store
        .read(move |sql| crate::queue::states(sql, office(), now.date_naive()))
        .await?;
    let t = |k| crate::web::i18n::text(k, lang).unwrap_or_default();
    let services: Vec<Value> = rows
        .into_iter()
        .map(|(s, st)| {
            let wait = crate::queue::estimate_minutes(st.waiting, st.seconds_per_person);
            let waiting = if st.waiting == 0 {
                t("public.nobody-waiting").to_string()
            } else {
                t("public.waiting")
                    .replace("{n}", &st.waiting.to_string())
                    .replace("{min}", &wait.to_string())
            };
            json!({
                "id": s.id,
                "name": if lang == Lang::En { s.name_en } else { s.name_vi },
                "serving": st.now_serving.unwrap_or_else(|| "—".into()),
                "waiting": waiting,
            })
        })
        .collect();
    Ok(json!({ "services": services }))
}

fn board_markup(board: &Value) -> Markup {
    let mut out = Markup::new();
    for s in board["services"].as_array().into_iter().flatten() {
        let text = |k: &str| s[k].as_str().unwrap_or_default().to_string();
        out = out
            .tag("<li data-service=\"")
            .text(&text("id"))
            .tag("\"><span class=\"service\">")
            .text(&text("name"))
            .tag("</span><span class=\"serving\">")
            .text(&text("serving"))
            .tag("</span><span class=\"waiting\">")
            .text(&text("waiting"))
            .tag("</span></li>");
    }
    out
}

/// Weekday numbers (1 = Monday) with their opening times, one line per day.
fn hours_markup(hours: &Value, asked: &Asked) -> Markup {
    let names: Vec<&str> = asked.t("public.weekdays").split(',').collect();
    let mut out = Markup::new();
    for day in 1..=7_i64 {
        let spans: Vec<String> = hours
            .as_array()
            .into_iter()
            .flatten()
            .filter(|h| h["weekday"].as_i64() == Some(day))
            .map(|h| {
                format!(
                    "{}–{}",
                    h["opens"].as_str().unwrap_or_default(),
                    h["closes"].as_str().unwrap_or_default()
                )
            })
            .collect();
        let when = if spans.is_empty() {
            asked.t("public.closed").to_string()
        } else {
            spans.join(", ")
        };
        let name = names.get(usize::try_from(day - 1).unwrap_or(0)).copied();
        out = out
            .tag("<dt>")
            .text(name.unwrap_or_default())
            .tag("</dt><dd>")
            .text(&when)
            .tag("</dd>");
    }
    out
}

pub async fn page(State(state): State<AppState>, parts: Parts) -> Response {
    let asked = Asked::of(&parts, state.web.trust_proxy);
    let info = state
        .store
        .read(|sql| crate::offices::get(sql, office()))
        .await;
    let (info, board) = match (info, board(&state, asked.lang).await) {
        (Ok(Some(info)), Ok(board)) => (info, board),
        (Ok(None), _) => return super::internal(&"the public office does not exist"),
        (Err(e), _) | (_, Err(e)) => return unavailable(&state, &asked, &e).await,
    };
    let name = info["name"].as_str().unwrap_or_default().to_string();
    let address = match info["address"].as_str().filter(|a| !a.trim().is_empty()) {
        Some(a) => Markup::new()
            .tag("<p class=\"address\">")
            .text(a)
            .tag("</p>"),
        None => Markup::new(),
    };
    let vars = Vars::default()
        .text("office", name.as_str())
        .html("address", address)
        .html("board", board_markup(&board))
        .html("hours", hours_markup(&info["hours"], &asked));
    let body = match Markup::rendered(BODY, &asked.langs(), &vars) {
        Ok(b) => b,
        Err(e) => return super::internal(&e),
    };
    let page = Page {
        name: "home",
        path: "/",
        title: asked.t("public.home-title").to_string(),
        office: name,
        body,
        status: StatusCode::OK,
    };
    render(page, &asked)
}

pub(super) async fn unavailable(state: &AppState, asked: &Asked, e: &ApiError) -> Response {
    tracing::warn!(error = %e.detail(), "a public page could not read the store");
    super::missing(
        state,
        asked,
        "/",
        StatusCode::SERVICE_UNAVAILABLE,
        "public.unavailable",
        "public.unavailable-detail",
    )
    .await
}

/// `GET /board/events[?lang=en]`: the board as `update` events, again after each change.
pub async fn events(State(state): State<AppState>, parts: Parts) -> Response {
    let lang = Asked::of(&parts, false).lang;
    let st = state.clone();
    let read: crate::web::live::Read = Arc::new(move || {
        let st = st.clone();
        Box::pin(async move { board(&st, lang).await })
    });
    crate::web::live::watch(&state, office().to_string(), read).into_response()
}
