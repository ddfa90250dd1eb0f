//! The HTTP surface: one module per area of the contract, all under `/api/v1`; the pages
//! (`crate::web`) beside it.

mod admin;
mod catalog;
mod counter;
mod dossiers;
mod events;
mod feedback;
mod kiosks;
mod offices;
mod queue;
mod sms;
mod void;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use serde_json::Value;

use crate::auth::Tokens;
use crate::clock::Clock;
use crate::observe::{self, Metrics};
use crate::problem::ApiError;
use crate::store::Store;

/// Kiosk and counter bodies: the contract's 1 MiB.
pub const BODY_LIMIT: usize = 1024 * 1024;
/// Admin imports carry whole catalogs: a province's 10,000 real procedures are about 80 MB.
pub const ADMIN_BODY_LIMIT: usize = 256 * 1024 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub metrics: Arc<Metrics>,
    pub clock: Clock,
    pub tokens: Arc<Tokens>,
    /// Dossier lookups allowed per kiosk per minute (0: no limit).
    pub lookups_per_minute: u32,
    pub always_open: bool,
    /// Becomes true when the server stops: long-lived event streams end then.
    pub stopping: tokio::sync::watch::Receiver<bool>,
    /// SMS to citizens; `None` when the office sends none (no `[sms]`, or `gateway = "none"`).
    pub sms: Option<crate::notify::Sms>,
    /// How often the housekeeping runs (an hour; tests make it short).
    pub housekeeping_every: std::time::Duration,
    /// The pages' notices line and voice.
    pub web: Arc<crate::web::WebSettings>,
}

pub fn router(state: AppState) -> Router {
    let admin = Router::new()
        .route("/admin/catalog", post(admin::import_catalog))
        .route("/admin/catalog/synonyms", put(admin::put_synonyms))
        .route("/admin/dossiers", post(admin::upsert_dossiers))
        .route(
            "/admin/dossiers/{code}/status",
            post(admin::set_dossier_status),
        )
        .route("/admin/sms", get(sms::list))
        .route("/admin/sms/{id}/resend", post(sms::resend))
        .route("/admin/kiosks", get(kiosks::list))
        .route("/admin/offices", get(offices::list).post(offices::create))
        .route(
            "/admin/offices/{office}/services/{id}",
            put(offices::put_service),
        )
        .route("/admin/offices/{office}/hours", put(offices::put_hours))
        .route("/admin/offices/{office}/kiosks", post(offices::add_kiosk))
        .route(
            "/admin/offices/{office}/displays",
            post(offices::add_display),
        )
        .route(
            "/admin/offices/{office}/counters",
            post(offices::add_counter),
        )
        .route(
            "/admin/offices/{office}/procedures/{code}",
            put(offices::put_override).delete(offices::delete_override),
        )
        .layer(DefaultBodyLimit::max(ADMIN_BODY_LIMIT));
    let api = Router::new()
        .route("/catalog", get(catalog::get_catalog))
        .route("/queue/services", get(queue::list_services))
        .route("/queue/tickets", post(queue::issue_ticket))
        .route("/queue/tickets/{request_id}/void", post(void::void_ticket))
        .route(
            "/queue/services/{id}/call-next",
            post(counter::call_next_of_service),
        )
        .route("/queue/call-next", post(counter::call_next))
        .route("/queue/tickets/{id}/recall", post(counter::recall))
        .route("/queue/tickets/{id}/no-show", post(counter::no_show))
        .route("/queue/tickets/{id}/done", post(counter::done))
        .route("/queue/tickets/{id}/transfer", post(counter::transfer))
        .route("/queue/counter", get(counter::mine))
        .route("/queue/calls", get(counter::calls))
        .route("/queue/stats", get(counter::stats))
        .route("/queue/events", get(events::stream))
        .route("/dossiers/{code}", get(dossiers::lookup))
        .route("/dossiers/{code}/subscriptions", post(dossiers::subscribe))
        .route("/feedback", post(feedback::rate))
        .route("/kiosks/heartbeat", post(kiosks::heartbeat))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .merge(admin);
    Router::new()
        .nest("/api/v1", api)
        .route("/healthz", get(observe::healthz))
        .route("/readyz", get(observe::readyz))
        .route("/metrics", get(observe::metrics))
        .merge(crate::web::router())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            observe::track,
        ))
        .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::NotFound("no such call; see docs/central-api.md".into())
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

/// A JSON answer: `201` for a new write, `200` otherwise (including idempotent replays).
pub fn json(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

pub fn created_or_ok(created: bool) -> StatusCode {
    if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    }
}
