//! Request-body extraction that answers in problem+json: 413 past the size limit, 400
//! naming the field that is missing or malformed.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use crate::problem::ApiError;

/// Like `axum::Json`, with the contract's errors; the Content-Type is not enforced.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge
            } else {
                ApiError::bad("body", e.body_text())
            }
        })?;
        parse(&bytes).map(JsonBody)
    }
}

/// Parses JSON, turning serde's message into "field: what is wrong".
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let root = path == "." || path.is_empty();
        let message = strip_position(&e.inner().to_string());
        // serde reports a missing field at its parent; name the field itself.
        if let Some(field) = message.strip_prefix("missing field ") {
            let field = field.trim_matches('`');
            let full = if root {
                field.to_string()
            } else {
                format!("{path}.{field}")
            };
            ApiError::bad(&full, "required")
        } else if root {
            ApiError::bad("body", message)
        } else {
            ApiError::bad(&path, message)
        }
    })?;
    de.end()
        .map_err(|e| ApiError::bad("body", strip_position(&e.to_string())))?;
    Ok(value)
}

fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}
