//! The page handlers: counter, display, and the display's sound.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

use super::html::{self, Vars};
use super::i18n::{self, Lang, Langs};
use super::voice;
use crate::routes::AppState;

const COUNTER: &str = include_str!("../../web/counter.html");
const DISPLAY: &str = include_str!("../../web/display.html");
const MESSAGE: &str = include_str!("../../web/message.html");

fn query(uri: &Uri) -> Vec<(String, String)> {
    axum::extract::Query::<Vec<(String, String)>>::try_from_uri(uri)
        .map(|q| q.0)
        .unwrap_or_default()
}

fn param<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

fn html_page(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

/// A page that only says something: a wrong address, a refused token.
fn message(status: StatusCode, langs: &Langs, title: &str, text: &str) -> Response {
    let vars = Vars::default()
        .text("lang", langs.first().code())
        .text("title", title)
        .text("message", text);
    match html::render(MESSAGE, langs, &vars) {
        Ok(page) => html_page(status, page),
        Err(e) => internal(&e),
    }
}

fn internal(e: &html::Unfilled) -> Response {
    tracing::error!(error = %e, "a page could not be rendered");
    (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
}

pub fn not_found() -> Response {
    let langs = Langs::one(Lang::Vi);
    let t = |k| i18n::text(k, Lang::Vi).unwrap_or_default();
    message(
        StatusCode::NOT_FOUND,
        &langs,
        t("page.not-found"),
        t("page.not-found-detail"),
    )
}

/// `GET /counter[?lang=vi|en]`: the counter page. It signs in with a token in its script, so
/// the page itself is the same for everyone.
pub async fn counter(uri: Uri, headers: HeaderMap) -> Response {
    let pairs = query(&uri);
    let asked = param(&pairs, "lang").and_then(Lang::parse);
    let lang = Lang::chosen(asked.map(Lang::code), &headers);
    let langs = Langs::one(lang);
    let other = match lang {
        Lang::Vi => Lang::En,
        Lang::En => Lang::Vi,
    };
    let vars = Vars::default()
        .text("lang", lang.code())
        .text("other_lang", other.code())
        .json("texts", i18n::for_script("counter.js.", &langs));
    let mut response = match html::render(COUNTER, &langs, &vars) {
        Ok(page) => html_page(StatusCode::OK, page),
        Err(e) => return internal(&e),
    };
    if let Some(lang) = asked
        && let Ok(cookie) = HeaderValue::from_str(&lang.cookie())
    {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}

/// `GET /display?token=DISPLAY_TOKEN[&lang=vi|vi,en]`: the lobby display of the token's
/// office, with its name and the notices line rendered in.
pub async fn display(State(state): State<AppState>, uri: Uri) -> Response {
    let pairs = query(&uri);
    let langs = param(&pairs, "lang")
        .map_or(Some(Langs::one(Lang::Vi)), Langs::parse)
        .unwrap_or_else(|| Langs::one(Lang::Vi));
    let t = |k| i18n::text(k, langs.first()).unwrap_or_default();
    let token = param(&pairs, "token").unwrap_or("");
    let viewer = match crate::auth::viewer_of(&state, token).await {
        Ok(v) => v,
        Err(crate::problem::ApiError::Unauthorized) => {
            return message(
                StatusCode::UNAUTHORIZED,
                &langs,
                t("display.refused"),
                t("display.refused-detail"),
            );
        }
        Err(e) => {
            tracing::warn!(error = %e.detail(), "the display page could not check its token");
            return message(
                StatusCode::SERVICE_UNAVAILABLE,
                &langs,
                t("display.unavailable"),
                t("display.unavailable-detail"),
            );
        }
    };
    let office = viewer.office.clone();
    let name = state
        .store
        .read(move |sql| crate::offices::name(sql, &office))
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| viewer.office.clone());
    let vars = Vars::default()
        .text("lang", langs.first().code())
        .text("langs", langs.codes())
        .text("office", name)
        .text("notice", state.web.notice.clone().unwrap_or_default())
        .json("texts", i18n::for_script("display.js.", &langs));
    match html::render(DISPLAY, &langs, &vars) {
        Ok(page) => html_page(StatusCode::OK, page),
        Err(e) => internal(&e),
    }
}

fn wav(bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "audio/wav"),
            // Clips change only with a restart (an office's own recordings).
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        bytes,
    )
        .into_response()
}

fn bad_request(why: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        why.to_string(),
    )
        .into_response()
}

/// `GET /audio/call.wav?number=HT-042&counter=3[&lang=vi|en|vi,en]`: the announcement of a
/// call as one WAV file (chime, then the call in each language). Anyone may ask: it says
/// only what the address says.
pub async fn call_audio(State(state): State<AppState>, uri: Uri) -> Response {
    let pairs = query(&uri);
    let number = param(&pairs, "number").unwrap_or("");
    if crate::validate::ticket_number("number", number).is_err() {
        return bad_request("number: a ticket number, e.g. HT-042");
    }
    let counter = param(&pairs, "counter").unwrap_or("");
    if crate::validate::short_text("counter", counter, 32).is_err() {
        return bad_request("counter: 1 to 32 characters, e.g. 3");
    }
    let Some(langs) = Langs::parse(param(&pairs, "lang").unwrap_or("vi")) else {
        return bad_request("lang: vi, en or vi,en");
    };
    let parts = voice::announcement(number, counter, &langs);
    wav(state.web.voice.render(&parts))
}

/// `GET /audio/{clip}.wav`: one clip (the display's sound check plays the chime).
pub async fn clip_audio(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let clip = file
        .strip_suffix(".wav")
        .and_then(|name| voice::CLIP_NAMES.iter().find(|n| **n == name));
    match clip {
        Some(name) => wav(state.web.voice.render(&[voice::Part::Clip(name)])),
        None => not_found(),
    }
}

/// For the tests of every page: the templates render with no placeholder left unfilled.
#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_template_renders_in_every_language() {
        for langs in ["vi", "en", "vi,en"] {
            let langs = Langs::parse(langs).expect("langs");
            let vars = Vars::default()
                .text("lang", "vi")
                .text("other_lang", "en")
                .text("langs", langs.codes())
                .text("office", "x")
                .text("notice", "y")
                .text("title", "t")
                .text("message", "m")
                .json("texts", json!({}));
            for (name, t) in [
                ("counter", COUNTER),
                ("display", DISPLAY),
                ("message", MESSAGE),
            ] {
                let page = html::render(t, &langs, &vars).unwrap_or_else(|e| panic!("{name}: {e}"));
                assert!(!page.contains("{{"), "{name}");
                // No inline script or style: the CSP would refuse them.
                assert!(
                    !page.contains(" style=") && !page.contains("<style"),
                    "{name}"
                );
                for script in page.split("<script").skip(1) {
                    assert!(
                        script.trim_start().starts_with("src=")
                            || script.contains("type=\"application/json\""),
                        "{name}: inline script"
                    );
                }
            }
        }
    }
}
