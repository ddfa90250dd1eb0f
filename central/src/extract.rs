//! Request-body extraction that answers in problem+json: 415 unless the body is sent as JSON,
//! 413 past the size limit, 400 naming the field that is missing or malformed (`body` when the
//! JSON itself is broken).

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::problem::ApiError;
use crate::strict::Strict;

/// Like `axum::Json`, with the contract's errors.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        check_content_type(req.headers().get(header::CONTENT_TYPE))?;
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

/// The path parameters (one as `String`, two as `(String, String)`); a path that is not valid
/// UTF-8 once decoded is a 400 problem (axum's own answer would be plain text).
pub struct PathParams<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for PathParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| PathParams(value))
            .map_err(|e| ApiError::bad("path", e.body_text()))
    }
}

/// For a field that may be absent but not null: `#[serde(default, deserialize_with = "non_null")]`
/// (a plain `Option` would read `null` as absent).
pub fn non_null<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

/// A JSON integer as JSON Schema reads it: `5` and `5.0` are both the integer 5.
pub fn integer<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let n = serde_json::Number::deserialize(d)?;
    number_to_i64(&n).ok_or_else(|| {
        serde::de::Error::invalid_value(
            serde::de::Unexpected::Other(&format!("the number {n}")),
            &"a whole number from -2^63 to 2^63-1",
        )
    })
}

/// [`integer`] for a field that may be null or absent (`#[serde(default, deserialize_with = …)]`).
pub fn optional_integer<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    match Option::<serde_json::Number>::deserialize(d)? {
        None => Ok(None),
        Some(n) => number_to_i64(&n).map(Some).ok_or_else(|| {
            serde::de::Error::invalid_value(
                serde::de::Unexpected::Other(&format!("the number {n}")),
                &"a whole number from -2^63 to 2^63-1",
            )
        }),
    }
}

/// A whole number written in a query string (`7`, `+7`, `7.0`, `7e0`). `Some(None)`: a whole
/// number too large for 64 bits; `None`: not a whole number.
pub fn integer_text(text: &str) -> Option<Option<i64>> {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return Some(text.parse::<i64>().ok());
    }
    let n =
        serde_json::from_str::<serde_json::Number>(text.strip_prefix('+').unwrap_or(text)).ok()?;
    let f = n.as_f64()?;
    (f.fract() == 0.0).then(|| number_to_i64(&n))
}

/// A JSON number that is a whole number (`7`, `7.0`, `7e0`) within 64 bits.
pub(crate) fn number_to_i64(n: &serde_json::Number) -> Option<i64> {
    if let Some(i) = n.as_i64() {
        return Some(i);
    }
    // 2^63 is exactly representable; anything at or past it does not fit.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    n.as_f64()
        .filter(|f| f.fract() == 0.0 && (-LIMIT..LIMIT).contains(f))
        .map(|f| f as i64)
}

/// `application/json` or any `application/*+json`, parameters (charset) allowed.
fn check_content_type(value: Option<&header::HeaderValue>) -> Result<(), ApiError> {
    let Some(value) = value else {
        return Err(ApiError::UnsupportedMediaType(
            "a body without Content-Type".into(),
        ));
    };
    let text = value.to_str().unwrap_or("");
    let essence = text
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let json = essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"));
    if json {
        Ok(())
    } else {
        let shown: String = text.chars().filter(|c| !c.is_control()).take(60).collect();
        Err(ApiError::UnsupportedMediaType(shown))
    }
}

/// Parses JSON, turning serde's message into "field: what is wrong".
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(Strict(&mut de)).map_err(|e| {
        let broken = !e.inner().is_data();
        let path = e.path().to_string();
        let root = path == "." || path.is_empty();
        let message = plain_words(&e.inner().to_string());
        // serde reports a missing field at its parent; name the field itself.
        if broken {
            ApiError::bad("body", message)
        } else if let Some(field) = message.strip_prefix("missing field ") {
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
        .map_err(|e| ApiError::bad("body", plain_words(&e.to_string())))?;
    Ok(value)
}

/// serde's message without its position and without the names of Rust types
/// (`expected struct TicketBody` → `expected a JSON object`).
fn plain_words(message: &str) -> String {
    let message = match message.rfind(" at line ") {
        Some(i) => &message[..i],
        None => message,
    };
    match message.find("expected struct ") {
        Some(i) => format!("{}expected a JSON object", &message[..i]),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct TicketBody {
        request_id: String,
    }

    fn detail(bytes: &[u8]) -> String {
        match parse::<TicketBody>(bytes) {
            Err(ApiError::BadRequest(d)) => d,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn broken_json_is_the_body_and_names_no_rust_type() {
        assert!(detail(b"{\"request_id\": ").starts_with("body: "));
        assert!(detail(b"{\"request_id\": \"a\"").starts_with("body: "));
        assert!(detail(b"not json").starts_with("body: "));
        let d = detail(b"[]");
        assert!(d.starts_with("body: ") && !d.contains("TicketBody"), "{d}");
        assert_eq!(detail(b"{}"), "request_id: required");
        assert!(detail(b"{\"request_id\": 5}").starts_with("request_id: "));
    }

    #[test]
    fn integers_as_json_schema_reads_them() {
        #[derive(serde::Deserialize)]
        struct N {
            #[serde(deserialize_with = "integer")]
            n: i64,
            #[serde(default, deserialize_with = "optional_integer")]
            o: Option<i64>,
        }
        let n = |s: &str| serde_json::from_str::<N>(s).map(|v| (v.n, v.o)).ok();
        assert_eq!(n(r#"{"n": 5}"#), Some((5, None)));
        assert_eq!(n(r#"{"n": 5.0, "o": null}"#), Some((5, None)));
        assert_eq!(n(r#"{"n": -0.0, "o": 7.0}"#), Some((0, Some(7))));
        assert_eq!(n(r#"{"n": 5.5}"#), None);
        assert_eq!(n(r#"{"n": 1e19}"#), None);
        assert_eq!(n(r#"{"n": "5"}"#), None);
        assert_eq!(integer_text("7"), Some(Some(7)));
        assert_eq!(integer_text("+7"), Some(Some(7)));
        assert_eq!(integer_text("7.0"), Some(Some(7)));
        assert_eq!(integer_text("-9223372036854775809"), Some(None));
        assert_eq!(integer_text("7.5"), None);
        assert_eq!(integer_text("abc"), None);
        assert_eq!(integer_text(""), None);
    }

    #[test]
    fn only_json_bodies() {
        let v = |s: &'static str| header::HeaderValue::from_static(s);
        assert!(check_content_type(Some(&v("application/json"))).is_ok());
        assert!(check_content_type(Some(&v("Application/JSON; charset=utf-8"))).is_ok());
        assert!(check_content_type(Some(&v("application/merge-patch+json"))).is_ok());
        assert!(check_content_type(Some(&v("text/plain"))).is_err());
        assert!(check_content_type(Some(&v("application/x-www-form-urlencoded"))).is_err());
        assert!(check_content_type(None).is_err());
    }
}
