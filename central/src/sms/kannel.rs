//! Kannel's `cgi-bin/sendsms` HTTP interface, and [`kannel_dlr`], the handler its delivery
//! reports call back.
//!
//! Text goes as UTF-8 (`charset=UTF-8`) with `coding=2` for UCS-2 or `coding=0` for GSM-7;
//! Kannel converts and splits: its `sendsms-user` needs `concatenation = true` and
//! `max-messages` at least `[sms] max_segments`. The outbox id
//! rides in our `dlr-url`, so the report names the message: `Accepted::gateway_id` is that id.
//! Kannel has no idempotency key: after a timeout the send is `Uncertain` and not repeated (the
//! report of the send, if it went, still arrives under the same id).
//!
//! Kannel's answers: `202 0: Accepted for delivery` / `3: Queued for later delivery` (taken),
//! `403 Not routable. Do not try again.` (refused), `403 Authorization failed for sendsms`
//! (our configuration: kept for retry), `400` (a bad parameter: refused),
//! `503 Temporal failure, try again later.` (its queue is full: throttled).

use std::time::Duration;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};

use super::config::{GatewaySettings, KannelConfig, Secret, SmsSettings, is_url_safe};
use super::gateway::{
    Accepted, DeliveryReport, DlrSender, DlrState, GatewayError, OutgoingSms, SendError,
};
use super::text::Encoding;

/// The route we propose for [`kannel_dlr`] (GET).
pub const KANNEL_DLR_ROUTE: &str = "/api/v1/sms/kannel-dlr";

/// How long to wait after Kannel's "queue full".
const QUEUE_FULL_WAIT: Duration = Duration::from_secs(30);

#[derive(Debug)]
pub struct KannelGateway {
    config: KannelConfig,
    max_segments: usize,
    http: reqwest::Client,
}

/// A reqwest client with rustls on ring (aws-lc carries a licence GPL-3.0 cannot take).
pub(crate) fn http_client(timeout: Duration) -> Result<reqwest::Client, GatewayError> {
    // Installing twice is harmless; the first provider stays.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        // A fresh connection per message: a failure after connecting then means the gateway
        // may have the message, never a stale pooled connection it had already dropped.
        .pool_max_idle_per_host(0)
        .user_agent(concat!("motcua-central/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| GatewayError::Http(e.to_string()))
}

/// A request that failed: before connecting nothing left (try again); after, the gateway may
/// have the message.
pub(crate) fn sending_failed(who: &str, e: &reqwest::Error) -> SendError {
    if e.is_connect() {
        SendError::Transient(format!("{who}: {}", describe(e)))
    } else {
        SendError::Uncertain(format!("{who}: {}", describe(e)))
    }
}

/// An error of reqwest in words, without the URL (ours carries the password and number).
pub(crate) fn describe(e: &reqwest::Error) -> String {
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "cannot connect"
    } else {
        "request failed"
    };
    let mut source = std::error::Error::source(e);
    let mut detail = String::new();
    while let Some(s) = source {
        detail = s.to_string();
        source = s.source();
    }
    if detail.is_empty() {
        what.to_string()
    } else {
        format!("{what}: {detail}")
    }
}

impl KannelGateway {
    pub fn new(config: KannelConfig, max_segments: usize) -> Result<Self, GatewayError> {
        let http = http_client(config.timeout())?;
        Ok(Self {
            config,
            max_segments,
            http,
        })
    }

    /// The sendsms URL for one message.
    fn url(&self, sms: &OutgoingSms, to: &str, text: &str, encoding: Encoding) -> Option<url::Url> {
        let mut url = url::Url::parse(&self.config.sendsms_url).ok()?;
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("username", &self.config.username)
                .append_pair("password", self.config.password.expose())
                .append_pair("from", &self.config.from)
                .append_pair("to", to)
                .append_pair("text", text)
                .append_pair("charset", "UTF-8")
                .append_pair("coding", if encoding == Encoding::Ucs2 { "2" } else { "0" });
            if let Some(smsc) = &self.config.smsc {
                q.append_pair("smsc", smsc);
            }
            if let (Some(dlr), Some(secret)) = (&self.config.dlr_url, &self.config.dlr_secret) {
                // Kannel fills %d (type), %i (smsc id), %T (unix time), %A (SMSC's text). The
                // id and secret are URL-safe, so no '%' of ours can read as Kannel's.
                let dlr_url = format!(
                    "{dlr}?secret={}&id={}&type=%d&smsc=%i&ts=%T&reply=%A",
                    secret.expose(),
                    sms.id
                );
                q.append_pair("dlr-mask", &self.config.dlr_mask.to_string())
                    .append_pair("dlr-url", &dlr_url);
            }
        }
        Some(url)
    }

    pub async fn send(&self, sms: &OutgoingSms) -> Result<Accepted, SendError> {
        let (to, prepared) = sms.checked(self.max_segments)?;
        let url = self
            .url(sms, &to.international(), &prepared.text, prepared.encoding)
            .ok_or_else(|| SendError::Rejected("sms.kannel.sendsms_url is not a URL".into()))?;
        let response = self
            .http
            .get(url)
            .send()
            .await
            .map_err(|e| sending_failed("Kannel", &e))?;
        let status = response.status();
        let body = response
            .text()
            .await
            .map_err(|e| SendError::Uncertain(format!("Kannel: {}", describe(&e))))?;
        let body = body.trim();
        classify(status, body, &sms.id)
    }
}

/// Kannel's answer as a send result.
fn classify(status: reqwest::StatusCode, body: &str, id: &str) -> Result<Accepted, SendError> {
    let said = format!("Kannel answered {}: {body}", status.as_u16());
    match status.as_u16() {
        200..=299 if body.starts_with("0:") || body.starts_with("3:") => Ok(Accepted {
            gateway_id: Some(id.to_string()),
        }),
        200..=299 => Err(SendError::Transient(format!("{said} (not understood)"))),
        503 => Err(SendError::Throttled(QUEUE_FULL_WAIT)),
        401 | 403 if body.contains("Authorization") => Err(SendError::Transient(format!(
            "{said} (check sms.kannel.username and password)"
        ))),
        400..=499 => Err(SendError::Rejected(said)),
        _ => Err(SendError::Transient(said)),
    }
}

/// What [`kannel_dlr`] needs: the shared secret and where reports go.
#[derive(Clone)]
pub struct KannelDlr {
    secret: Secret,
    reports: DlrSender,
}

impl std::fmt::Debug for KannelDlr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KannelDlr").finish_non_exhaustive()
    }
}

impl KannelDlr {
    pub fn new(secret: Secret, reports: DlrSender) -> Self {
        Self { secret, reports }
    }

    /// The handler's state for a checked Kannel section that asks for reports.
    pub fn from_config(config: &KannelConfig, reports: DlrSender) -> Option<Self> {
        config.dlr_url.as_ref()?;
        Some(Self::new(config.dlr_secret.clone()?, reports))
    }

    /// The handler's state when the configured gateway is Kannel with reports; else `None`
    /// (then the route need not be mounted).
    pub fn from_settings(settings: &SmsSettings, reports: DlrSender) -> Option<Self> {
        match &settings.gateway {
            GatewaySettings::Kannel(k) => Self::from_config(k, reports),
            _ => None,
        }
    }
}

/// Compares without an early exit, so the secret cannot be guessed by timing.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Kannel's report types (dlr-mask bits).
fn state_of_type(kind: u8, reply: &str) -> DlrState {
    match kind {
        1 => DlrState::Delivered,
        // An SMPP SMSC says why in the receipt text Kannel passes on as %A.
        2 if reply.to_ascii_uppercase().contains("STAT:EXPIRED") => DlrState::Expired,
        2 => DlrState::Failed,
        4 => DlrState::Buffered,
        8 => DlrState::AtSmsc,
        16 => DlrState::Rejected,
        _ => DlrState::Unknown,
    }
}

/// Parses a report's query (`secret`, `id`, `type`, `smsc`, `ts`, `reply`).
fn parse_report(query: &str, secret: &Secret) -> Result<DeliveryReport, StatusCode> {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    let given = get("secret").unwrap_or_default();
    if !same(given.as_bytes(), secret.expose().as_bytes()) {
        return Err(StatusCode::FORBIDDEN);
    }
    let id = get("id")
        .filter(|id| !id.is_empty() && id.len() <= 64 && is_url_safe(id))
        .ok_or(StatusCode::BAD_REQUEST)?;
    let kind: u8 = get("type")
        .and_then(|t| t.parse().ok())
        .ok_or(StatusCode::BAD_REQUEST)?;
    let reply = get("reply").unwrap_or_default();
    let at = get("ts")
        .and_then(|t| t.parse::<i64>().ok())
        .and_then(|t| DateTime::<Utc>::from_timestamp(t, 0))
        .unwrap_or_else(Utc::now);
    let raw = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs.iter().filter(|(k, _)| k != "secret"))
        .finish();
    Ok(DeliveryReport {
        gateway_id: id.to_string(),
        state: state_of_type(kind, reply),
        at,
        raw,
    })
}

/// `GET /api/v1/sms/kannel-dlr?secret=…&id=…&type=%d&smsc=%i&ts=%T&reply=%A`: Kannel's delivery
/// report. `200 ok` when recorded, `403` for a wrong secret, `400` for a report it cannot
/// read, `503` when nothing listens for reports.
///
/// Mount with `.route(KANNEL_DLR_ROUTE, get(kannel_dlr))` and `impl FromRef<AppState> for
/// KannelDlr` (or `.with_state(KannelDlr::new(..))` on its own router).
pub async fn kannel_dlr(
    State(dlr): State<KannelDlr>,
    RawQuery(query): RawQuery,
) -> (StatusCode, &'static str) {
    match parse_report(query.as_deref().unwrap_or_default(), &dlr.secret) {
        Err(StatusCode::FORBIDDEN) => {
            tracing::warn!("Kannel delivery report with a wrong secret refused");
            (StatusCode::FORBIDDEN, "forbidden")
        }
        Err(status) => (status, "not a delivery report"),
        Ok(report) => {
            tracing::info!(gateway_id = %report.gateway_id, state = report.state.as_str(), "delivery report");
            match dlr.reports.send(report).await {
                Ok(()) => (StatusCode::OK, "ok"),
                Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "not recording reports"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers() {
        let ok =
            |s: u16, b: &str| classify(reqwest::StatusCode::from_u16(s).expect("status"), b, "m1");
        assert_eq!(
            ok(202, "0: Accepted for delivery"),
            Ok(Accepted {
                gateway_id: Some("m1".into())
            })
        );
        assert!(ok(202, "3: Queued for later delivery").is_ok());
        assert_eq!(
            ok(403, "Not routable. Do not try again."),
            Err(SendError::Rejected(
                "Kannel answered 403: Not routable. Do not try again.".into()
            ))
        );
        assert!(matches!(
            ok(403, "Authorization failed for sendsms"),
            Err(SendError::Transient(_))
        ));
        assert_eq!(
            ok(503, "Temporal failure, try again later."),
            Err(SendError::Throttled(QUEUE_FULL_WAIT))
        );
        assert!(matches!(ok(500, "x"), Err(SendError::Transient(_))));
    }

    #[test]
    fn the_handler_exists_only_when_kannel_reports() {
        let settings = |dlr: &str| {
            let t = format!(
                "gateway = \"kannel\"\n[kannel]\nsendsms_url = \"http://127.0.0.1:13013/cgi-bin/sendsms\"\nusername = \"u\"\npassword = \"p\"\nfrom = \"UBND\"\n{dlr}"
            );
            toml::from_str::<super::super::SmsConfig>(&t)
                .expect("parses")
                .check()
                .expect("checks")
        };
        let (tx, _rx) = tokio::sync::mpsc::channel(1);
        let with = settings(
            "dlr_url = \"http://127.0.0.1:8080/api/v1/sms/kannel-dlr\"\ndlr_secret = \"0123456789abcdef\"",
        );
        assert!(KannelDlr::from_settings(&with, tx.clone()).is_some());
        assert!(KannelDlr::from_settings(&settings(""), tx.clone()).is_none());
        let none = super::super::SmsConfig::default().check().expect("checks");
        assert!(KannelDlr::from_settings(&none, tx).is_none());
    }

    #[test]
    fn reports() {
        let secret = Secret::new("s3cret-s3cret-s3cret");
        let r = parse_report(
            "secret=s3cret-s3cret-s3cret&id=m-1&type=1&smsc=fake&ts=1740805200&reply=",
            &secret,
        )
        .expect("parses");
        assert_eq!(r.gateway_id, "m-1");
        assert_eq!(r.state, DlrState::Delivered);
        assert_eq!(r.at.to_rfc3339(), "2025-03-01T05:00:00+00:00");
        assert_eq!(r.raw, "id=m-1&type=1&smsc=fake&ts=1740805200&reply=");
        let r = parse_report(
            "secret=s3cret-s3cret-s3cret&id=m-1&type=2&reply=id%3A1+stat%3AEXPIRED",
            &secret,
        )
        .expect("parses");
        assert_eq!(r.state, DlrState::Expired);
        assert_eq!(
            parse_report("secret=wrong&id=m-1&type=1", &secret),
            Err(StatusCode::FORBIDDEN)
        );
        assert_eq!(
            parse_report("id=m-1&type=1", &secret),
            Err(StatusCode::FORBIDDEN)
        );
        assert_eq!(
            parse_report("secret=s3cret-s3cret-s3cret&id=m%251&type=1", &secret),
            Err(StatusCode::BAD_REQUEST)
        );
        assert_eq!(
            parse_report("secret=s3cret-s3cret-s3cret&id=m1&type=x", &secret),
            Err(StatusCode::BAD_REQUEST)
        );
    }
}
