//! The pages' static files (style sheets, scripts, fonts), inside the binary: no CDN, no build
//! step, nothing to install beside the server. Pages link them by a versioned address
//! (`/static/app.css?v=<hash>`), so browsers may keep them for a year and still see a new
//! release at once.

use std::sync::OnceLock;

use axum::body::Body;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// One embedded file.
pub struct Asset {
    pub name: &'static str,
    pub content_type: &'static str,
    pub bytes: &'static [u8],
}

macro_rules! web_file {
    ($name:literal, $type:expr) => {
        Asset {
            name: $name,
            content_type: $type,
            bytes: include_bytes!(concat!("../../web/", $name)),
        }
    };
}

const CSS: &str = "text/css; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";

/// Every static file, by the name pages use.
pub static ASSETS: &[Asset] = &[
    web_file!("app.css", CSS),
    web_file!("counter.css", CSS),
    web_file!("display.css", CSS),
    web_file!("common.js", JS),
    web_file!("counter.js", JS),
    web_file!("display.js", JS),
    web_file!("icon.svg", "image/svg+xml"),
    // The kiosk's own font (OFL), so every browser draws Vietnamese the same way.
    Asset {
        name: "NotoSans-Regular.ttf",
        content_type: "font/ttf",
        bytes: include_bytes!("../../../assets/fonts/NotoSans-Regular.ttf"),
    },
    Asset {
        name: "NotoSans-Bold.ttf",
        content_type: "font/ttf",
        bytes: include_bytes!("../../../assets/fonts/NotoSans-Bold.ttf"),
    },
];

fn find(name: &str) -> Option<(usize, &'static Asset)> {
    ASSETS.iter().enumerate().find(|(_, a)| a.name == name)
}

/// Content hashes, worked out once.
fn versions() -> &'static [String] {
    static VERSIONS: OnceLock<Vec<String>> = OnceLock::new();
    VERSIONS.get_or_init(|| {
        ASSETS
            .iter()
            .map(|a| {
                Sha256::digest(a.bytes)
                    .iter()
                    .take(6)
                    .map(|b| format!("{b:02x}"))
                    .collect()
            })
            .collect()
    })
}

/// The versioned address of a static file, `None` for a name that is not one.
pub fn url(name: &str) -> Option<String> {
    let (i, a) = find(name)?;
    Some(format!("/static/{}?v={}", a.name, versions()[i]))
}

/// `GET /static/{name}`.
pub async fn serve(Path(name): Path<String>, headers: HeaderMap) -> Response {
    let Some((i, asset)) = find(&name) else {
        return super::pages::not_found();
    };
    let etag = format!("\"{}\"", versions()[i]);
    let cached = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let mut response = if cached {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut r = Body::from(asset.bytes).into_response();
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(asset.content_type),
        );
        r
    };
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    // Addresses carry the version: a changed file has a new address.
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    response
}
