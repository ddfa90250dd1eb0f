//! The office's public site for citizens' phones, without a token: the office and its queue
//! (`/`), following one's ticket (`/t/{id}`), the procedures (`/procedures`), a dossier's status
//! (`/dossiers`). Mobile first, Vietnamese with an English switch, system fonts, no external
//! file, no tracking; every page works without script, the script only keeps it live.

mod dossiers;
mod home;
mod procedures;
mod ticket;

use axum::Router;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::html::{self, Markup, Vars};
use super::i18n::{self, Lang, Langs};
use crate::routes::AppState;

const LAYOUT: &str = include_str!("../../../web/public.html");

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home::page))
        .route("/board/events", get(home::events))
        .route("/t/{id}", get(ticket::page))
        .route("/t/{id}/events", get(ticket::events))
        .route("/procedures", get(procedures::list))
        .route("/procedures.json", get(procedures::json))
        .route("/procedures/{code}", get(procedures::detail))
        .route("/dossiers", get(dossiers::page))
}

/// The office the public site shows.
pub(crate) fn office() -> &'static str {
    crate::offices::DEFAULT_OFFICE
}

/// What one request asked for: its query and its language.
pub(crate) struct Asked {
    pub pairs: Vec<(String, String)>,
    pub lang: Lang,
    /// `?lang=` given: remembered in a cookie.
    pub explicit: bool,
    pub client: super::client::Client,
}

impl Asked {
    pub fn of(parts: &Parts, trust_proxy: bool) -> Self {
        let pairs = axum::extract::Query::<Vec<(String, String)>>::try_from_uri(&parts.uri)
            .map(|q| q.0)
            .unwrap_or_default();
        let asked = pairs
            .iter()
            .find(|(k, _)| k == "lang")
            .and_then(|(_, v)| Lang::parse(v));
        Self {
            lang: Lang::chosen(asked.map(Lang::code), &parts.headers),
            explicit: asked.is_some(),
            pairs,
            client: super::client::Client::of(parts, trust_proxy),
        }
    }

    pub fn param(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub fn langs(&self) -> Langs {
        Langs::one(self.lang)
    }

    pub fn t(&self, key: &str) -> &'static str {
        i18n::text(key, self.lang).unwrap_or_default()
    }
}

fn other(lang: Lang) -> Lang {
    match lang {
        Lang::Vi => Lang::En,
        Lang::En => Lang::Vi,
    }
}

/// The same address in the other language.
fn switch_href(path: &str, asked: &Asked) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in asked.pairs.iter().filter(|(k, _)| k != "lang") {
        q.append_pair(k, v);
    }
    q.append_pair("lang", other(asked.lang).code());
    format!("{path}?{}", q.finish())
}

/// One public page: the layout around `body`.
pub(crate) struct Page<'a> {
    pub name: &'static str,
    pub path: &'a str,
    pub title: String,
    pub office: String,
    pub body: Markup,
    pub status: StatusCode,
}

pub(crate) fn render(page: Page<'_>, asked: &Asked) -> Response {
    let langs = asked.langs();
    let vars = Vars::default()
        .text("lang", asked.lang.code())
        .text("other_lang", other(asked.lang).code())
        .text("page", page.name)
        .text("title", page.title)
        .text("office", page.office)
        .text("switch", switch_href(page.path, asked))
        .json("texts", i18n::for_script("public.js.", &langs))
        .html("body", page.body);
    let mut response = match html::render(LAYOUT, &langs, &vars) {
        Ok(body) => (
            page.status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            body,
        )
            .into_response(),
        Err(e) => return internal(&e),
    };
    let h = response.headers_mut();
    // Live numbers: a cache may keep the page a moment but must ask again.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(header::VARY, HeaderValue::from_static("Cookie"));
    if asked.explicit {
        let secure = if asked.client.https { "; Secure" } else { "" };
        if let Ok(cookie) = HeaderValue::from_str(&format!("{}{secure}", asked.lang.cookie())) {
            h.insert(header::SET_COOKIE, cookie);
        }
    }
    response
}

pub(crate) fn internal(e: &dyn std::fmt::Display) -> Response {
    tracing::error!(error = %e, "a public page could not be made");
    (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
}

/// The office's name, or the default when the store cannot say.
pub(crate) async fn office_name(state: &AppState) -> String {
    state
        .store
        .read(|sql| crate::offices::name(sql, office()))
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| crate::config::DEFAULT_OFFICE_NAME.to_string())
}

/// A page that says only that something is not there (or not now).
pub(crate) async fn missing(
    state: &AppState,
    asked: &Asked,
    path: &str,
    status: StatusCode,
    title_key: &str,
    detail_key: &str,
) -> Response {
    let body = Markup::new()
        .tag("<h1>")
        .text(asked.t(title_key))
        .tag("</h1><p>")
        .text(asked.t(detail_key))
        .tag("</p><p><a href=\"/\">")
        .text(asked.t("public.back-home"))
        .tag("</a></p>");
    let page = Page {
        name: "message",
        path,
        title: asked.t(title_key).to_string(),
        office: office_name(state).await,
        body,
        status,
    };
    render(page, asked)
}
