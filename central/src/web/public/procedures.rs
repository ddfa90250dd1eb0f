//! `GET /procedures?q=…`: the kiosk's search over the office's catalog, as a plain form (and
//! as you type with `GET /procedures.json?q=…`); `GET /procedures/{code}`: one procedure, its
//! documents with copies, fee, time, ways to submit and legal basis.

use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use motcua_catalog::SearchHit;
use serde_json::{Value, json};

use super::{Asked, Page, office, render};
use crate::problem::ApiError;
use crate::routes::AppState;
use crate::web::html::{Markup, Vars};
use crate::web::search::texts;

const LIST: &str = include_str!("../../../web/procedures.html");
const DETAIL: &str = include_str!("../../../web/procedure.html");

/// How many results a search shows.
pub const RESULTS: usize = 30;
/// Longer queries are cut: nobody types more, and the search's cost grows with the words.
const QUERY_MAX_CHARS: usize = 100;

fn query(asked: &Asked) -> String {
    asked
        .param("q")
        .unwrap_or_default()
        .trim()
        .chars()
        .take(QUERY_MAX_CHARS)
        .collect()
}

async fn find(state: &AppState, q: &str) -> Result<Vec<SearchHit>, ApiError> {
    if q.is_empty() {
        return Ok(Vec::new());
    }
    state.web.search.search(state, office(), q, RESULTS).await
}

fn href(code: &str) -> String {
    let mut out = String::from("/procedures/");
    out.extend(url::form_urlencoded::byte_serialize(code.as_bytes()));
    out
}

fn count_text(asked: &Asked, q: &str, n: usize) -> String {
    if q.is_empty() {
        String::new()
    } else if n == 0 {
        asked.t("public.no-results").to_string()
    } else {
        asked.t("public.results").replace("{n}", &n.to_string())
    }
}

fn results_markup(hits: &[SearchHit]) -> Markup {
    let mut out = Markup::new();
    for h in hits {
        out = out
            .tag("<li>")
            .link(&href(&h.code))
            .text(&h.name)
            .tag("</a><span class=\"meta\">")
            .text(&h.code);
        if !h.field.is_empty() {
            out = out.text(" · ").text(&h.field);
        }
        out = out.tag("</span></li>");
    }
    out
}

pub async fn list(State(state): State<AppState>, parts: Parts) -> Response {
    let asked = Asked::of(&parts, state.web.trust_proxy);
    let q = query(&asked);
    let hits = match find(&state, &q).await {
        Ok(h) => h,
        Err(e) => return super::home::unavailable(&state, &asked, &e).await,
    };
    let vars = Vars::default()
        .text("q", q.as_str())
        .text("count", count_text(&asked, &q, hits.len()))
        .html("results", results_markup(&hits));
    let body = match Markup::rendered(LIST, &asked.langs(), &vars) {
        Ok(b) => b,
        Err(e) => return super::internal(&e),
    };
    let page = Page {
        name: "procedures",
        path: "/procedures",
        title: asked.t("public.procedures-title").to_string(),
        office: super::office_name(&state).await,
        body,
        status: StatusCode::OK,
    };
    render(page, &asked)
}

/// `GET /procedures.json?q=…[&lang=en]`: the same results for the page's script.
pub async fn json(State(state): State<AppState>, parts: Parts) -> Response {
    let asked = Asked::of(&parts, false);
    let q = query(&asked);
    match find(&state, &q).await {
        Ok(hits) => {
            let results: Vec<Value> = hits
                .iter()
                .map(|h| json!({ "code": h.code, "name": h.name, "field": h.field, "href": href(&h.code) }))
                .collect();
            let body =
                json!({ "q": q, "count": count_text(&asked, &q, hits.len()), "results": results });
            let mut r = crate::routes::json(StatusCode::OK, &body);
            r.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            r
        }
        Err(e) => e.into_response(),
    }
}

/// `label: value` lines of a procedure's facts, those it has.
fn facts(p: &Value, asked: &Asked) -> Markup {
    let mut out = Markup::new();
    for (key, label) in [
        ("processing_time", "public.time"),
        ("fee", "public.fee"),
        ("level", "public.level"),
        ("agency", "public.agency"),
        ("result", "public.result"),
        ("target_groups", "public.who"),
    ] {
        if let Some(v) = p[key].as_str().filter(|v| !v.trim().is_empty()) {
            out = out
                .tag("<dt>")
                .text(asked.t(label))
                .tag("</dt><dd>")
                .text(v)
                .tag("</dd>");
        }
    }
    out
}

fn documents(p: &Value) -> Markup {
    let mut out = Markup::new();
    for d in p["documents"].as_array().into_iter().flatten() {
        out = out.tag("<li>").text(d["name"].as_str().unwrap_or_default());
        if let Some(c) = d["copies"].as_str().filter(|c| !c.is_empty()) {
            out = out.tag(" <span class=\"copies\">").text(c).tag("</span>");
        }
        out = out.tag("</li>");
    }
    out
}

fn items(list: impl IntoIterator<Item = String>) -> Markup {
    list.into_iter()
        .fold(Markup::new(), |m, t| m.tag("<li>").text(&t).tag("</li>"))
}

pub async fn detail(
    State(state): State<AppState>,
    Path(code): Path<String>,
    parts: Parts,
) -> Response {
    let asked = Asked::of(&parts, state.web.trust_proxy);
    let found = state.web.search.procedure(&state, office(), &code).await;
    let p = match found {
        Ok(Some(p)) => p,
        Ok(None) => {
            return super::missing(
                &state,
                &asked,
                "/procedures",
                StatusCode::NOT_FOUND,
                "public.no-procedure",
                "public.no-procedure-detail",
            )
            .await;
        }
        Err(e) => return super::home::unavailable(&state, &asked, &e).await,
    };
    let text = |k: &str| p[k].as_str().unwrap_or_default().to_string();
    let legal = p["legal_basis"].as_array().into_iter().flatten().map(|l| {
        [l["code"].as_str(), l["title"].as_str()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(": ")
    });
    let meta = [text("code"), text("field")]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" · ");
    let vars = Vars::default()
        .text("name", text("name"))
        .text("meta", meta)
        .html("facts", facts(&p, &asked))
        .html("documents", documents(&p))
        .html("ways", items(texts(&p, "submission_methods")))
        .html("legal", items(legal));
    let body = match Markup::rendered(DETAIL, &asked.langs(), &vars) {
        Ok(b) => b,
        Err(e) => return super::internal(&e),
    };
    let path = href(&code);
    let page = Page {
        name: "procedure",
        path: &path,
        title: text("name"),
        office: super::office_name(&state).await,
        body,
        status: StatusCode::OK,
    };
    render(page, &asked)
}
