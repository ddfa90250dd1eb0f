//! `GET /dossiers?code=…`: a dossier's status as the kiosk shows it: the applicant masked, no
//! other personal data, the status in citizens' words, the appointment and the steps. Every
//! lookup counts against the client's address (`lookups_per_minute`), valid or not, so codes
//! cannot be tried in bulk; the log says only the outcome, never the code.

use axum::extract::State;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;

use super::{Asked, Page, render};
use crate::dossier::{mask_name, normalize_code, status_labels, timeliness};
use crate::routes::AppState;
use crate::web::html::{Markup, Vars};
use crate::web::i18n::Lang;

const BODY: &str = include_str!("../../../web/dossiers.html");

/// What became of one lookup: the only thing logged.
enum Outcome {
    Form,
    Found(Markup),
    NotFound,
    Invalid,
    RateLimited(u64),
    Unavailable,
}

impl Outcome {
    fn name(&self) -> &'static str {
        match self {
            Outcome::Form => "form",
            Outcome::Found(_) => "found",
            Outcome::NotFound => "not-found",
            Outcome::Invalid => "invalid",
            Outcome::RateLimited(_) => "rate-limited",
            Outcome::Unavailable => "unavailable",
        }
    }
}

fn when(t: chrono::DateTime<chrono::FixedOffset>) -> String {
    t.with_timezone(&crate::clock::office_offset())
        .format("%H:%M %d/%m/%Y")
        .to_string()
}

fn dossier_markup(d: &crate::dossiers::Dossier, asked: &Asked, today: chrono::NaiveDate) -> Markup {
    let (vi, en) = status_labels(d.status).unwrap_or(("", ""));
    let status = if asked.lang == Lang::En { en } else { vi };
    let on_time = timeliness(d.status, d.due_at, d.finished_at(), today).as_str();
    let mut facts = Markup::new();
    for (label, value) in [
        ("public.dossier-code", d.code.clone()),
        ("public.procedure", d.procedure_name.clone()),
        ("public.applicant", mask_name(&d.applicant_name)),
        ("public.received", when(d.received_at)),
        ("public.due", when(d.due_at)),
    ] {
        facts = facts
            .tag("<dt>")
            .text(asked.t(label))
            .tag("</dt><dd>")
            .text(&value)
            .tag("</dd>");
    }
    let mut steps = Markup::new();
    for s in d.steps.iter().rev() {
        steps = steps
            .tag("<li><span class=\"meta\">")
            .text(&when(s.at))
            .tag(" · ")
            .text(&s.unit)
            .tag("</span> ")
            .text(&s.action)
            .tag("</li>");
    }
    let mut out = Markup::new()
        .tag("<section class=\"card result\" aria-labelledby=\"status\"><h2 id=\"status\" class=\"status\">")
        .text(status)
        .tag("</h2><p class=\"timeliness ")
        .text(on_time)
        .tag("\">")
        .text(asked.t(&format!("public.timeliness-{on_time}")))
        .tag("</p><dl class=\"facts\">")
        .push(facts)
        .tag("</dl>");
    if !steps.is_empty() {
        out = out
            .tag("<h3>")
            .text(asked.t("public.steps"))
            .tag("</h3><ol class=\"steps\">")
            .push(steps)
            .tag("</ol>");
    }
    out.tag("</section>")
}

async fn lookup(state: &AppState, asked: &Asked, code: &str) -> Outcome {
    let (per_minute, now) = (state.lookups_per_minute, state.clock.now());
    let key = format!("web-dossier-lookup:{}", asked.client.key());
    let limited = state
        .store
        .write(move |sql| crate::rate_limit::check(sql, &key, per_minute, now))
        .await;
    match limited {
        Ok(Ok(())) => {}
        Ok(Err(wait)) => return Outcome::RateLimited(wait),
        Err(_) => return Outcome::Unavailable,
    }
    let Some(code) = normalize_code(code) else {
        return Outcome::Invalid;
    };
    match state
        .store
        .read(move |sql| crate::dossiers::get(sql, &code))
        .await
    {
        Ok(Some(d)) => Outcome::Found(dossier_markup(&d, asked, state.clock.today())),
        Ok(None) => Outcome::NotFound,
        Err(_) => Outcome::Unavailable,
    }
}

pub async fn page(State(state): State<AppState>, parts: Parts) -> Response {
    let asked = Asked::of(&parts, state.web.trust_proxy);
    let code = asked.param("code").unwrap_or_default().trim().to_string();
    let outcome = if code.is_empty() {
        Outcome::Form
    } else {
        lookup(&state, &asked, &code).await
    };
    if !matches!(outcome, Outcome::Form) {
        tracing::info!(outcome = outcome.name(), "public dossier lookup");
    }
    let message = |key: &str| {
        Markup::new()
            .tag("<p class=\"card notice\" role=\"alert\">")
            .text(asked.t(key))
            .tag("</p>")
    };
    let (status, result, wait) = match outcome {
        Outcome::Form => (StatusCode::OK, Markup::new(), None),
        Outcome::Found(m) => (StatusCode::OK, m, None),
        Outcome::NotFound => (
            StatusCode::NOT_FOUND,
            message("public.dossier-not-found"),
            None,
        ),
        Outcome::Invalid => (
            StatusCode::BAD_REQUEST,
            message("public.dossier-invalid"),
            None,
        ),
        Outcome::RateLimited(s) => (
            StatusCode::TOO_MANY_REQUESTS,
            message("public.dossier-limited"),
            Some(s),
        ),
        Outcome::Unavailable => (
            StatusCode::SERVICE_UNAVAILABLE,
            message("public.unavailable-detail"),
            None,
        ),
    };
    let vars = Vars::default().text("code", code).html("result", result);
    let body = match Markup::rendered(BODY, &asked.langs(), &vars) {
        Ok(b) => b,
        Err(e) => return super::internal(&e),
    };
    let page = Page {
        name: "dossiers",
        path: "/dossiers",
        title: asked.t("public.dossiers-title").to_string(),
        office: super::office_name(&state).await,
        body,
        status,
    };
    let mut response = render(page, &asked);
    let h = response.headers_mut();
    // A citizen's dossier: no cache keeps it.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(s) = wait.and_then(|s| HeaderValue::from_str(&s.to_string()).ok()) {
        h.insert(header::RETRY_AFTER, s);
    }
    response
}
