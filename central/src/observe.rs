//! What operators watch: a request id on every answer and log line, Prometheus metrics
//! (`/metrics`), liveness (`/healthz`) and readiness (`/readyz`, which asks the database).
//!
//! Routes are labelled by their pattern (`/api/v1/dossiers/{code}`), never by the path a
//! citizen's request carried, so no dossier code reaches a log line or a metric.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tracing::Instrument;

use crate::problem::ApiError;
use crate::routes::AppState;

/// Histogram buckets of request latency, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

pub static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

#[derive(Default)]
struct Latency {
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// This instance's counters (each instance of a province is scraped on its own).
#[derive(Default)]
pub struct Metrics {
    /// (route, method, status) → requests.
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    /// route → latency histogram.
    latency: Mutex<BTreeMap<String, Latency>>,
    pub tickets_issued: AtomicU64,
}

impl Metrics {
    fn observe(&self, route: &str, method: &str, status: u16, seconds: f64) {
        *self
            .requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry((route.to_string(), method.to_string(), status))
            .or_default() += 1;
        let mut latency = self.latency.lock().unwrap_or_else(PoisonError::into_inner);
        let h = latency.entry(route.to_string()).or_default();
        for (i, le) in BUCKETS.iter().enumerate() {
            if seconds <= *le {
                h.buckets[i] += 1;
            }
        }
        h.count += 1;
        h.sum += seconds;
    }

    /// The Prometheus text format; `gauges` are values read at scrape time.
    pub fn render(&self, gauges: &[(&str, &str, f64)]) -> String {
        let mut out = String::new();
        out.push_str("# HELP motcua_http_requests_total Requests answered, by route pattern, method and status.\n");
        out.push_str("# TYPE motcua_http_requests_total counter\n");
        for ((route, method, status), n) in self
            .requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
        {
            let _ = writeln!(
                out,
                "motcua_http_requests_total{{route=\"{route}\",method=\"{method}\",status=\"{status}\"}} {n}"
            );
        }
        out.push_str(
            "# HELP motcua_http_request_duration_seconds Time to answer, by route pattern.\n",
        );
        out.push_str("# TYPE motcua_http_request_duration_seconds histogram\n");
        for (route, h) in self
            .latency
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
        {
            for (le, n) in BUCKETS.iter().zip(h.buckets) {
                let _ = writeln!(
                    out,
                    "motcua_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{le}\"}} {n}"
                );
            }
            let _ = writeln!(
                out,
                "motcua_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "motcua_http_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "motcua_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                h.count
            );
        }
        out.push_str(
            "# HELP motcua_tickets_issued_total Tickets this instance issued or recorded.\n",
        );
        out.push_str("# TYPE motcua_tickets_issued_total counter\n");
        let _ = writeln!(
            out,
            "motcua_tickets_issued_total {}",
            self.tickets_issued.load(Ordering::Relaxed)
        );
        for (name, help, value) in gauges {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}"
            );
        }
        out
    }
}

/// A client's own `X-Request-Id` when it is short and plain, else a new one.
fn request_id(req: &Request) -> String {
    req.headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            (1..=64).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        .map(str::to_string)
        .unwrap_or_else(|| {
            let mut b = [0u8; 8];
            let _ = getrandom::fill(&mut b);
            b.iter().map(|x| format!("{x:02x}")).collect()
        })
}

/// Middleware: request id, one structured log line per request, metrics.
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = request_id(&req);
    let method = req.method().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let span = tracing::info_span!("request", request_id = %id, %method, %route);
    let mut response = next.run(req).instrument(span.clone()).await;
    let status = response.status().as_u16();
    let seconds = started.elapsed().as_secs_f64();
    state.metrics.observe(&route, &method, status, seconds);
    span.in_scope(|| tracing::info!(status, ms = (seconds * 1000.0).round(), "answered"));
    if let Ok(v) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID.clone(), v);
    }
    response
}

/// `GET /healthz`: the process answers.
pub async fn healthz() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        "{\"status\":\"ok\"}",
    )
        .into_response()
}

/// `GET /readyz`: the database answers too (a load balancer sends no traffic otherwise).
pub async fn readyz(State(state): State<AppState>) -> Result<Response, ApiError> {
    state.store.ping().await?;
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        "{\"status\":\"ready\"}",
    )
        .into_response())
}

/// `GET /metrics`: Prometheus text format.
pub async fn metrics(State(state): State<AppState>) -> Response {
    let now = state.clock.now();
    let connected = state
        .store
        .read(move |sql| crate::fleet::connected(sql, now))
        .await;
    let mut gauges = Vec::new();
    match connected {
        Ok(n) => gauges.push((
            "motcua_connected_kiosks",
            "Kiosks that reported in the last 3 minutes (all instances).",
            n as f64,
        )),
        Err(e) => tracing::warn!(error = %e.detail(), "metrics: kiosks not counted"),
    }
    let mut text = state.metrics.render(&gauges);
    if state.sms.is_some() {
        match state.store.read(crate::notify::outbox::counts).await {
            Ok(counts) => text.push_str(&sms_gauge(&counts)),
            Err(e) => tracing::warn!(error = %e.detail(), "metrics: SMS not counted"),
        }
    }
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
        .into_response()
}

/// Messages in the outbox by status, every status present (0 when none).
fn sms_gauge(counts: &[(String, i64)]) -> String {
    let mut out = String::from(
        "# HELP motcua_sms_messages SMS in the outbox by status (all instances).\n\
         # TYPE motcua_sms_messages gauge\n",
    );
    for status in crate::notify::outbox::Status::ALL {
        let n = counts
            .iter()
            .find(|(s, _)| s == status.as_str())
            .map_or(0, |(_, n)| *n);
        let _ = writeln!(
            out,
            "motcua_sms_messages{{status=\"{}\"}} {n}",
            status.as_str()
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_prometheus_text() {
        let m = Metrics::default();
        m.observe("/api/v1/queue/tickets", "POST", 201, 0.004);
        m.observe("/api/v1/queue/tickets", "POST", 201, 0.2);
        m.tickets_issued.fetch_add(2, Ordering::Relaxed);
        let text = m.render(&[("motcua_connected_kiosks", "Kiosks.", 3.0)]);
        assert!(text.contains(
            "motcua_http_requests_total{route=\"/api/v1/queue/tickets\",method=\"POST\",status=\"201\"} 2"
        ));
        assert!(text.contains(
            "motcua_http_request_duration_seconds_bucket{route=\"/api/v1/queue/tickets\",le=\"0.005\"} 1"
        ));
        assert!(text.contains(
            "motcua_http_request_duration_seconds_bucket{route=\"/api/v1/queue/tickets\",le=\"+Inf\"} 2"
        ));
        assert!(text.contains("motcua_tickets_issued_total 2"));
        assert!(text.contains("motcua_connected_kiosks 3"));
    }
}
