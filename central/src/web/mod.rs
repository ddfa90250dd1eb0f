//! The server's own pages, outside `/api/v1`: the counter page (`/counter`), the lobby display
//! (`/display`), their static files (`/static/…`) and the display's voice (`/audio/…`).
//!
//! Reusable by every page: [`assets`] (embedded files at versioned addresses), [`headers`]
//! (CSP without inline script, no framing, no referrer), [`html`] (escaping and templates),
//! [`i18n`] (Vietnamese and English texts, the visitor's language). Pages talk to the API from
//! their scripts with the token the visitor holds; the server renders only what the address
//! itself authorises.

pub mod assets;
pub mod headers;
pub mod html;
pub mod i18n;
mod pages;
pub mod voice;

use axum::Router;
use axum::routing::get;

use crate::routes::AppState;

/// What the pages need beyond the API's state.
#[derive(Debug, Clone)]
pub struct WebSettings {
    /// The lobby displays' notices line (`[display] notice`).
    pub notice: Option<String>,
    /// The clips announcements are made of.
    pub voice: voice::Voice,
}

impl Default for WebSettings {
    fn default() -> Self {
        Self {
            notice: None,
            voice: voice::Voice::builtin(),
        }
    }
}

/// The pages' routes, each answer with the security headers.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/counter", get(pages::counter))
        .route("/display", get(pages::display))
        .route("/static/{name}", get(assets::serve))
        .route("/audio/call.wav", get(pages::call_audio))
        .route("/audio/{clip}", get(pages::clip_audio))
        .layer(axum::middleware::from_fn(headers::secure))
}
