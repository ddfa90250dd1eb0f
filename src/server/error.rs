//! What can go wrong talking to the central server, and how the kiosk tells a citizen.

use std::time::Duration;

use super::model::Problem;

/// Every failure of a call, precise enough for logs and tests.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ServerError {
    #[error("no central server is configured")]
    NotConfigured,
    #[error("cannot reach the server: {0}")]
    Unreachable(String),
    #[error("the server did not answer in time")]
    Timeout,
    /// The connection broke after the request went out (reset, closed mid-answer).
    #[error("the connection to the server broke: {0}")]
    Interrupted(String),
    #[error("the server refused this kiosk's token (HTTP {status})")]
    Unauthorized { status: u16 },
    #[error("not found ({code})")]
    NotFound { code: String },
    #[error("too many requests{}", retry_text(.retry_after))]
    RateLimited { retry_after: Option<Duration> },
    #[error("the server rejected the request: HTTP {status} {code}: {detail}")]
    Rejected {
        status: u16,
        code: String,
        detail: String,
    },
    #[error("the server failed (HTTP {status})")]
    ServerFault { status: u16 },
    #[error("the server's answer is unusable: {0}")]
    BadResponse(String),
    #[error("the server's answer is larger than {limit} bytes")]
    TooLarge { limit: usize },
    #[error("cannot set up the connection: {0}")]
    Setup(String),
}

/// "; retry after 26 s" when the server said how long to wait.
fn retry_text(retry_after: &Option<Duration>) -> String {
    retry_after
        .map(|d| format!("; retry after {} s", d.as_secs()))
        .unwrap_or_default()
}

/// The few things a citizen needs to know; the UI phrases each in their language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// No network or no server: "Không kết nối được máy chủ".
    Offline,
    /// The server is there but failing: "Máy chủ đang bận, vui lòng thử lại".
    Busy,
    /// Too many tries: "Vui lòng chờ một chút rồi thử lại".
    RateLimited,
    /// The kiosk is not allowed: staff must fix the token.
    NotAuthorized,
    NotFound,
    /// The request itself was refused (closed service, daily cap, bad input).
    Rejected,
}

impl ServerError {
    /// The error for an HTTP status other than a success or `304`: `retry_after` is the
    /// `Retry-After` header, `problem` the body when the server sent JSON (a problem document).
    pub fn from_status(status: u16, retry_after: Option<&str>, problem: Option<&[u8]>) -> Self {
        let retry_after = retry_after
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let problem: Problem = problem
            .and_then(|body| serde_json::from_slice(body).ok())
            .unwrap_or_default();
        let code = problem.code.unwrap_or_default();
        match status {
            401 | 403 => ServerError::Unauthorized { status },
            404 => ServerError::NotFound {
                code: if code.is_empty() {
                    "not-found".into()
                } else {
                    code
                },
            },
            429 => ServerError::RateLimited { retry_after },
            500..=599 => ServerError::ServerFault { status },
            s => ServerError::Rejected {
                status: s,
                code,
                detail: problem.detail.or(problem.title).unwrap_or_default(),
            },
        }
    }

    pub fn kind(&self) -> ErrorKind {
        match self {
            ServerError::NotConfigured
            | ServerError::Unreachable(_)
            | ServerError::Timeout
            | ServerError::Interrupted(_) => ErrorKind::Offline,
            ServerError::Unauthorized { .. } | ServerError::Setup(_) => ErrorKind::NotAuthorized,
            ServerError::NotFound { .. } => ErrorKind::NotFound,
            ServerError::RateLimited { .. } => ErrorKind::RateLimited,
            ServerError::Rejected { .. } => ErrorKind::Rejected,
            ServerError::ServerFault { .. }
            | ServerError::BadResponse(_)
            | ServerError::TooLarge { .. } => ErrorKind::Busy,
        }
    }

    /// Worth trying the same idempotent call again at once.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            ServerError::Unreachable(_)
                | ServerError::Interrupted(_)
                | ServerError::ServerFault { status: 502..=504 }
        )
    }

    /// The request may have been carried out although no usable answer came: it timed out,
    /// the connection broke, the answer was cut or unreadable, or a proxy gave up on the
    /// server. (A refused connection never reached it; a problem answer was a refusal.)
    pub fn outcome_unknown(&self) -> bool {
        matches!(
            self,
            ServerError::Timeout
                | ServerError::Interrupted(_)
                | ServerError::BadResponse(_)
                | ServerError::TooLarge { .. }
                | ServerError::ServerFault { status: 502 | 504 }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rate_limit_reads_as_words() {
        let e = ServerError::from_status(429, Some("26"), None);
        assert_eq!(e.to_string(), "too many requests; retry after 26 s");
        let e = ServerError::from_status(429, None, None);
        assert_eq!(e.to_string(), "too many requests");
    }
}
