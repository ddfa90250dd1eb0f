//! Typed API errors and their RFC 9457 `application/problem+json` form.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// Every way a call can fail. `code()` is the contract's machine-readable code.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("a valid bearer token is required")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("no queue service with id \"{0}\"")]
    UnknownService(String),
    #[error("the service is closed at this hour")]
    ServiceClosed,
    #[error("the service has issued all {0} numbers of today")]
    DailyCap(u32),
    #[error("nobody is waiting for this service")]
    QueueEmpty,
    #[error("ticket {0} has already been rated")]
    AlreadyRated(String),
    #[error("too many dossier lookups; try again in {0} s")]
    RateLimited(u64),
    #[error("the body is larger than this call accepts")]
    PayloadTooLarge,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    /// A 400 whose detail starts with the offending field, e.g. `bad("phone", "is not …")`.
    pub fn bad(field: &str, why: impl std::fmt::Display) -> Self {
        Self::BadRequest(format!("{field}: {why}"))
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) | Self::UnknownService(_) | Self::QueueEmpty => StatusCode::NOT_FOUND,
            Self::ServiceClosed | Self::DailyCap(_) | Self::AlreadyRated(_) => StatusCode::CONFLICT,
            Self::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::BadRequest(_) => "bad-request",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden(_) => "forbidden",
            Self::NotFound(_) => "not-found",
            Self::UnknownService(_) => "unknown-service",
            Self::ServiceClosed => "service-closed",
            Self::DailyCap(_) => "daily-cap",
            Self::QueueEmpty => "queue-empty",
            Self::AlreadyRated(_) => "already-rated",
            Self::RateLimited(_) => "rate-limited",
            Self::PayloadTooLarge => "payload-too-large",
            Self::MethodNotAllowed => "method-not-allowed",
            Self::Internal(_) => "internal",
        }
    }

    fn title(&self) -> &'static str {
        match self {
            Self::BadRequest(_) => "Bad request",
            Self::Unauthorized => "Unauthorized",
            Self::Forbidden(_) => "Forbidden",
            Self::NotFound(_) => "Not found",
            Self::UnknownService(_) => "Unknown service",
            Self::ServiceClosed => "Service closed",
            Self::DailyCap(_) => "Daily cap reached",
            Self::QueueEmpty => "Queue empty",
            Self::AlreadyRated(_) => "Already rated",
            Self::RateLimited(_) => "Too many requests",
            Self::PayloadTooLarge => "Payload too large",
            Self::MethodNotAllowed => "Method not allowed",
            Self::Internal(_) => "Internal server error",
        }
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Internal(format!("database: {e}"))
    }
}

impl From<serde_json::Error> for ApiError {
    fn from(e: serde_json::Error) -> Self {
        Self::Internal(format!("stored JSON: {e}"))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let code = self.code();
        let body = json!({
            "type": format!("https://motcua.example/problems/{code}"),
            "title": self.title(),
            "status": status.as_u16(),
            "code": code,
            "detail": self.to_string(),
        });
        let mut response = (status, body.to_string()).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        match self {
            Self::RateLimited(secs) => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
            }
            Self::Unauthorized => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            _ => {}
        }
        response
    }
}
