//! Typed API errors and their RFC 9457 `application/problem+json` form.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// What a `503` asks the client to wait, in seconds.
pub const UNAVAILABLE_RETRY_S: u64 = 5;

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
    #[error("service \"{0}\" takes no priority tickets")]
    PriorityNotAllowed(String),
    #[error("offline.number: {0} is already recorded today for this service")]
    NumberTaken(String),
    #[error("request_id: already used by this kiosk for a different request")]
    RequestIdReused,
    #[error("nobody is waiting for this service")]
    QueueEmpty,
    #[error("an office with id \"{0}\" exists already")]
    OfficeExists(String),
    #[error("{0}")]
    KioskTaken(String),
    #[error("{0}")]
    DuplicateService(String),
    #[error("{0}")]
    TicketState(String),
    #[error("{0}")]
    MessageState(String),
    #[error("this office sends no SMS")]
    SmsUnavailable,
    #[error("dossier {0} has been handed over; there is nothing more to tell")]
    DossierFinished(String),
    #[error("dossier {0} already has {1} phone numbers to tell")]
    SubscriptionLimit(String, usize),
    #[error("ticket {0} has already been rated")]
    AlreadyRated(String),
    #[error("too many dossier lookups; try again in {0} s")]
    RateLimited(u64),
    #[error("the body is larger than this call accepts")]
    PayloadTooLarge,
    /// The Content-Type the request named (or "none").
    #[error("send the body as application/json, not {0}")]
    UnsupportedMediaType(String),
    #[error("{0}")]
    OfflineTimeOutOfRange(String),
    #[error("{0}")]
    DuplicateCode(String),
    #[error("{0}")]
    InvalidDates(String),
    #[error("method not allowed")]
    MethodNotAllowed,
    /// The storage cannot be reached; the client should retry after `Retry-After` seconds.
    #[error("the server cannot reach its storage; try again shortly")]
    Unavailable,
    /// Two transactions collided; the store runs the script again (never sent as such).
    #[error("the request collided with another; try again")]
    RetryTransaction,
    /// The message is logged, never sent: it may name tables or files.
    #[error("internal error")]
    Internal(String),
}

impl ApiError {
    /// The whole story, for logs and start-up errors (an internal error's cause included).
    pub fn detail(&self) -> String {
        match self {
            Self::Internal(why) => format!("internal error: {why}"),
            other => other.to_string(),
        }
    }

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
            Self::ServiceClosed
            | Self::DailyCap(_)
            | Self::AlreadyRated(_)
            | Self::PriorityNotAllowed(_)
            | Self::NumberTaken(_)
            | Self::RequestIdReused
            | Self::OfficeExists(_)
            | Self::KioskTaken(_)
            | Self::TicketState(_)
            | Self::MessageState(_)
            | Self::SmsUnavailable
            | Self::DossierFinished(_)
            | Self::SubscriptionLimit(..) => StatusCode::CONFLICT,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::OfflineTimeOutOfRange(_)
            | Self::DuplicateCode(_)
            | Self::InvalidDates(_)
            | Self::DuplicateService(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Unavailable | Self::RetryTransaction => StatusCode::SERVICE_UNAVAILABLE,
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
            Self::OfficeExists(_) => "office-exists",
            Self::KioskTaken(_) => "kiosk-taken",
            Self::DuplicateService(_) => "duplicate-service",
            Self::TicketState(_) => "ticket-state",
            Self::MessageState(_) => "message-state",
            Self::SmsUnavailable => "sms-unavailable",
            Self::DossierFinished(_) => "dossier-finished",
            Self::SubscriptionLimit(..) => "subscription-limit",
            Self::PriorityNotAllowed(_) => "priority-not-allowed",
            Self::NumberTaken(_) => "number-taken",
            Self::RequestIdReused => "request-id-reused",
            Self::UnsupportedMediaType(_) => "unsupported-media-type",
            Self::OfflineTimeOutOfRange(_) => "offline-time-out-of-range",
            Self::DuplicateCode(_) => "duplicate-code",
            Self::InvalidDates(_) => "invalid-dates",
            Self::Unavailable | Self::RetryTransaction => "unavailable",
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
            Self::OfficeExists(_) => "Office exists",
            Self::KioskTaken(_) => "Kiosk id taken",
            Self::DuplicateService(_) => "Duplicate service",
            Self::TicketState(_) => "Ticket state",
            Self::MessageState(_) => "Message state",
            Self::SmsUnavailable => "SMS unavailable",
            Self::DossierFinished(_) => "Dossier finished",
            Self::SubscriptionLimit(..) => "Subscription limit",
            Self::PriorityNotAllowed(_) => "Priority not allowed",
            Self::NumberTaken(_) => "Number taken",
            Self::RequestIdReused => "Request id reused",
            Self::UnsupportedMediaType(_) => "Unsupported media type",
            Self::OfflineTimeOutOfRange(_) => "Offline time out of range",
            Self::DuplicateCode(_) => "Duplicate code",
            Self::InvalidDates(_) => "Invalid dates",
            Self::Unavailable | Self::RetryTransaction => "Service unavailable",
            Self::AlreadyRated(_) => "Already rated",
            Self::RateLimited(_) => "Too many requests",
            Self::PayloadTooLarge => "Payload too large",
            Self::MethodNotAllowed => "Method not allowed",
            Self::Internal(_) => "Internal server error",
        }
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
        match &self {
            Self::Internal(why) => tracing::error!(error = %why, "request failed"),
            Self::Unavailable => tracing::warn!("request refused: storage unavailable"),
            _ => {}
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
            Self::Unavailable | Self::RetryTransaction => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(UNAVAILABLE_RETRY_S));
            }
            _ => {}
        }
        response
    }
}
