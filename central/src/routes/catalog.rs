//! `GET /catalog`: full, `304` against the kiosk's ETag, or a delta since a version. The answer
//! streams: procedures go out as the JSON text they are stored as, a piece at a time, after the
//! rest of the answer.

use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::AppState;
use crate::auth::Kiosk;
use crate::catalog;
use crate::clock::format_time;
use crate::problem::ApiError;

fn etag(version: i64) -> String {
    format!("\"catalog-v{version}\"")
}

/// Whether an `If-None-Match` list (`"a", W/"b"` or `*`) names `tag`.
fn matches(header: &str, tag: &str) -> bool {
    header
        .split(',')
        .map(str::trim)
        .any(|t| t == "*" || t.strip_prefix("W/").unwrap_or(t) == tag)
}

/// `since`, URL-decoded; the first one counts when it is given twice. A whole number too large
/// for any version is a version nobody knows, as the contract says of unknown versions.
fn since_param(uri: &Uri) -> Result<Option<i64>, ApiError> {
    let Query(pairs) = Query::<Vec<(String, String)>>::try_from_uri(uri)
        .map_err(|e| ApiError::bad("query", e.body_text()))?;
    let Some((_, value)) = pairs.into_iter().find(|(key, _)| key == "since") else {
        return Ok(None);
    };
    match crate::extract::integer_text(&value) {
        Some(v) => Ok(Some(v.unwrap_or(-1))),
        None => Err(ApiError::bad("since", "a catalog version number")),
    }
}

pub async fn get_catalog(
    State(state): State<AppState>,
    kiosk: Kiosk,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, ApiError> {
    let if_none_match = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let now = format_time(state.clock.now());
    let office = kiosk.office;
    let (version, view) = state
        .store
        .read(move |sql| {
            let version = catalog::current_version(sql)?;
            // The contract: a matching tag is 304 whatever `since` says.
            if if_none_match
                .as_deref()
                .is_some_and(|h| matches(h, &etag(version)))
            {
                return Ok((version, None));
            }
            let since = since_param(&uri)?;
            // Read under the same lock so the version and the rows agree.
            Ok((version, Some(catalog::read_texts(sql, &office, since)?)))
        })
        .await?;
    let tag =
        HeaderValue::from_str(&etag(version)).map_err(|e| ApiError::Internal(e.to_string()))?;
    let Some(view) = view else {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, tag)]).into_response());
    };
    let mut head = json!({
        "version": view.version,
        "generated_at": now,
        "full": view.full,
        "fields": view.fields,
        "removed": view.removed,
        "synonyms": view.synonyms,
    })
    .to_string();
    // The object stays open for the procedures, which come last.
    head.pop();
    head.push_str(",\"procedures\":[");
    let pieces = Pieces {
        head: Some(head),
        procedures: view.procedures.into_iter(),
        started: false,
        done: false,
    };
    let stream = futures_util::stream::iter(pieces.map(Ok::<_, std::convert::Infallible>));
    Ok((
        StatusCode::OK,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (header::ETAG, tag),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

/// About this much of the answer goes out at a time.
const PIECE: usize = 256 * 1024;

/// The answer in pieces: the head, the procedures joined by commas, the end.
struct Pieces {
    head: Option<String>,
    procedures: std::vec::IntoIter<String>,
    started: bool,
    done: bool,
}

impl Iterator for Pieces {
    type Item = Bytes;

    fn next(&mut self) -> Option<Bytes> {
        if let Some(head) = self.head.take() {
            return Some(Bytes::from(head));
        }
        if self.done {
            return None;
        }
        let mut piece = String::with_capacity(PIECE + 16 * 1024);
        while piece.len() < PIECE {
            match self.procedures.next() {
                Some(p) => {
                    if std::mem::replace(&mut self.started, true) {
                        piece.push(',');
                    }
                    piece.push_str(&p);
                }
                None => {
                    piece.push_str("]}");
                    self.done = true;
                    break;
                }
            }
        }
        Some(Bytes::from(piece))
    }
}
