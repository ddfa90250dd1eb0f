//! A typed, blocking client of the central API. Call it from worker threads only: every call may
//! wait up to the configured timeouts.

use std::io::Read;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::blocking::{Client, RequestBuilder, Response};
use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE, ETAG, IF_NONE_MATCH, RETRY_AFTER};
use serde::de::DeserializeOwned;

use super::error::ServerError;
use super::events::EventStream;
use super::model::*;
use crate::config::Secret;

/// Answers larger than this are refused (a hostile or broken server cannot fill memory).
pub const DEFAULT_MAX_BODY: usize = 32 * 1024 * 1024;
/// The catalog's own limit, checked while its answer streams in: a province's 10,000 real
/// procedures are about 80 MB of JSON.
pub const DEFAULT_MAX_CATALOG_BODY: usize = 512 * 1024 * 1024;

/// How the kiosk reaches the server.
#[derive(Debug, Clone)]
pub struct ClientSettings {
    /// e.g. `https://motcua.example.gov.vn` (the API lives under `/api/v1`).
    pub base_url: url::Url,
    pub token: Secret,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    pub ca_file: Option<std::path::PathBuf>,
    pub max_body: usize,
    /// The limit for `GET /catalog`, larger than `max_body`.
    pub max_catalog_body: usize,
    /// Extra tries for idempotent calls after a connection failure or a 502/503/504.
    pub retries: u8,
}

impl ClientSettings {
    pub fn from_config(server: &crate::config::ServerConfig, base_url: url::Url) -> Self {
        Self {
            base_url,
            token: server.token.clone(),
            connect_timeout: server.connect_timeout,
            request_timeout: server.request_timeout,
            ca_file: server.ca_file.clone(),
            max_body: DEFAULT_MAX_BODY,
            max_catalog_body: DEFAULT_MAX_CATALOG_BODY,
            retries: 1,
        }
    }
}

/// The event stream is given up when nothing, not even a heartbeat (every 15 s), came for this
/// long: the connection is dead even if TCP has not noticed.
pub const EVENT_SILENCE: Duration = Duration::from_secs(45);

#[derive(Debug, Clone)]
pub struct CentralClient {
    http: Client,
    /// For the event stream: each read may wait [`EVENT_SILENCE`], the stream itself has no end.
    events_http: Client,
    api: url::Url,
    /// The server's own address (with a trailing slash): its pages hang below it.
    base: url::Url,
    token: Secret,
    max_body: usize,
    max_catalog_body: usize,
    retries: u8,
}

fn install_crypto_provider() {
    // rustls with ring (aws-lc carries a licence GPL-3.0 cannot take); installing twice is harmless.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A blocking HTTP client; its `timeout` bounds the wait for the answer and each read of the
/// body, not the whole body.
fn build_http(settings: &ClientSettings, timeout: Duration) -> Result<Client, ServerError> {
    let mut builder = Client::builder()
        .connect_timeout(settings.connect_timeout)
        .timeout(timeout)
        .user_agent(concat!("motcua-kiosk/", env!("CARGO_PKG_VERSION")))
        .pool_idle_timeout(Duration::from_secs(30));
    if let Some(path) = &settings.ca_file {
        let pem = std::fs::read(path).map_err(|e| {
            ServerError::Setup(format!("cannot read CA file {}: {e}", path.display()))
        })?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem)
            .ok()
            .filter(|certs| !certs.is_empty())
            .ok_or_else(|| {
                ServerError::Setup(format!(
                    "CA file {} holds no PEM certificate",
                    path.display()
                ))
            })?;
        for cert in certs {
            builder = builder.add_root_certificate(cert);
        }
    }
    builder
        .build()
        .map_err(|e| ServerError::Setup(e.to_string()))
}

impl CentralClient {
    pub fn new(settings: &ClientSettings) -> Result<Self, ServerError> {
        install_crypto_provider();
        let http = build_http(settings, settings.request_timeout)?;
        let events_http = build_http(settings, EVENT_SILENCE)?;
        let mut api = settings.base_url.clone();
        if !api.path().ends_with('/') {
            api.set_path(&format!("{}/", api.path()));
        }
        let base = api.clone();
        let api = api
            .join("api/v1/")
            .map_err(|e| ServerError::Setup(e.to_string()))?;
        Ok(Self {
            http,
            events_http,
            api,
            base,
            token: settings.token.clone(),
            max_body: settings.max_body,
            max_catalog_body: settings.max_catalog_body,
            retries: settings.retries,
        })
    }

    /// A page of the server (`/t/…`) as a citizen's phone reaches it: below the kiosk's
    /// `[server] url`, prefix included; `None` for anything but a plain path.
    pub fn page_url(&self, path: &str) -> Option<url::Url> {
        let relative = path.strip_prefix('/')?;
        let plain = !relative.starts_with('/')
            && relative
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"/-_.".contains(&b));
        if !plain || relative.split('/').any(|s| s == "..") {
            return None;
        }
        self.base.join(relative).ok()
    }

    fn url(&self, path: &str) -> Result<url::Url, ServerError> {
        self.api
            .join(path)
            .map_err(|e| ServerError::Setup(format!("bad path {path}: {e}")))
    }

    /// Sends an idempotent request, trying again on transient failures.
    fn send(
        &self,
        make: impl Fn() -> Result<RequestBuilder, ServerError>,
    ) -> Result<Response, ServerError> {
        let mut attempt = 0;
        loop {
            let request = make()?.bearer_auth(self.token.expose());
            let result = request
                .send()
                .map_err(map_transport_error)
                .and_then(check_status);
            match result {
                Err(e) if e.is_transient() && attempt < self.retries => {
                    attempt += 1;
                    tracing::debug!("retrying after {e}");
                    std::thread::sleep(Duration::from_millis(200 * u64::from(attempt)));
                }
                other => return other,
            }
        }
    }

    fn read_json<T: DeserializeOwned>(&self, response: Response) -> Result<T, ServerError> {
        let body = read_limited(response, self.max_body)?;
        decode(&body)
    }

    /// `GET /catalog`: `NotModified` when `etag` is still current; a delta when `since` is known.
    pub fn catalog(
        &self,
        etag: Option<&str>,
        since: Option<u64>,
    ) -> Result<CatalogFetch, ServerError> {
        match self.catalog_download(etag, since)? {
            CatalogDownload::NotModified => Ok(CatalogFetch::NotModified),
            CatalogDownload::Body { etag, body } => Ok(CatalogFetch::Snapshot {
                etag,
                snapshot: decode(&body)?,
            }),
        }
    }

    /// [`Self::catalog`] as it came: the body, read as it streams in up to the catalog's own
    /// limit (not the smaller one of other answers).
    pub fn catalog_download(
        &self,
        etag: Option<&str>,
        since: Option<u64>,
    ) -> Result<CatalogDownload, ServerError> {
        let response = self.send(|| {
            let mut url = self.url("catalog")?;
            if let Some(v) = since {
                url.query_pairs_mut().append_pair("since", &v.to_string());
            }
            let mut request = self.http.get(url);
            if let Some(tag) = etag {
                request = request.header(IF_NONE_MATCH, tag);
            }
            Ok(request)
        })?;
        if response.status() == StatusCode::NOT_MODIFIED {
            return Ok(CatalogDownload::NotModified);
        }
        let etag = response
            .headers()
            .get(ETAG)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = read_limited(response, self.max_catalog_body)?;
        Ok(CatalogDownload::Body { etag, body })
    }

    pub fn queue_services(&self) -> Result<QueueServices, ServerError> {
        let response = self.send(|| Ok(self.http.get(self.url("queue/services")?)))?;
        self.read_json(response)
    }

    /// Idempotent by `request_id`: a retry returns the same number.
    pub fn issue_ticket(&self, request: &TicketRequest) -> Result<Ticket, ServerError> {
        let response =
            self.send(|| Ok(self.http.post(self.url("queue/tickets")?).json(request)))?;
        self.read_json(response)
    }

    /// [`Self::issue_ticket`] giving up after `within`: a citizen at the kiosk should not wait
    /// for a slow server when the kiosk can number the ticket itself.
    pub fn issue_ticket_within(
        &self,
        request: &TicketRequest,
        within: Duration,
    ) -> Result<Ticket, ServerError> {
        let response = self.send(|| {
            Ok(self
                .http
                .post(self.url("queue/tickets")?)
                .timeout(within)
                .json(request))
        })?;
        self.read_json(response)
    }

    /// Gives back the number of the ticket this kiosk issued (or tried to) with
    /// `ticket_request_id`. Idempotent by the void's own request id.
    pub fn void_ticket(
        &self,
        ticket_request_id: &str,
        void: &VoidRequest,
    ) -> Result<VoidedTicket, ServerError> {
        self.void_ticket_timed(ticket_request_id, void, None)
    }

    /// [`Self::void_ticket`] giving up after `within`, for a citizen still at the kiosk.
    pub fn void_ticket_within(
        &self,
        ticket_request_id: &str,
        void: &VoidRequest,
        within: Duration,
    ) -> Result<VoidedTicket, ServerError> {
        self.void_ticket_timed(ticket_request_id, void, Some(within))
    }

    fn void_ticket_timed(
        &self,
        ticket_request_id: &str,
        void: &VoidRequest,
        within: Option<Duration>,
    ) -> Result<VoidedTicket, ServerError> {
        let response = self.send(|| {
            let mut url = self.url("queue/tickets/")?;
            url.path_segments_mut()
                .map_err(|_| ServerError::Setup("base URL cannot take a path".into()))?
                .pop_if_empty()
                .push(ticket_request_id)
                .push("void");
            let mut request = self.http.post(url).json(void);
            if let Some(within) = within {
                request = request.timeout(within);
            }
            Ok(request)
        })?;
        self.read_json(response)
    }

    /// `code` must already be normalised; it is sent as one path segment.
    pub fn dossier(&self, code: &str) -> Result<Dossier, ServerError> {
        let response = self.send(|| {
            let mut url = self.url("dossiers/")?;
            url.path_segments_mut()
                .map_err(|_| ServerError::Setup("base URL cannot take a path".into()))?
                .pop_if_empty()
                .push(code);
            Ok(self.http.get(url))
        })?;
        self.read_json(response)
    }

    /// `POST /dossiers/{code}/subscriptions`; `code` must already be normalised. Idempotent by
    /// `request_id`, so a retry never subscribes twice.
    pub fn subscribe(
        &self,
        code: &str,
        request: &SubscriptionRequest,
    ) -> Result<Subscription, ServerError> {
        let response = self.send(|| {
            let mut url = self.url("dossiers/")?;
            url.path_segments_mut()
                .map_err(|_| ServerError::Setup("base URL cannot take a path".into()))?
                .pop_if_empty()
                .push(code)
                .push("subscriptions");
            Ok(self.http.post(url).json(request))
        })?;
        self.read_json(response)
    }

    pub fn feedback(&self, request: &FeedbackRequest) -> Result<FeedbackAck, ServerError> {
        let response = self.send(|| Ok(self.http.post(self.url("feedback")?).json(request)))?;
        self.read_json(response)
    }

    /// `GET /queue/events`: the office's live events, from after `last_id` when given (the
    /// server replays what was missed). Not retried: the caller reconnects at its own pace.
    pub fn events(&self, last_id: Option<&str>) -> Result<EventStream, ServerError> {
        let mut request = self
            .events_http
            .get(self.url("queue/events")?)
            .header(reqwest::header::ACCEPT, "text/event-stream")
            .bearer_auth(self.token.expose());
        if let Some(id) = last_id {
            request = request.header("Last-Event-ID", id);
        }
        let response = request
            .send()
            .map_err(map_transport_error)
            .and_then(check_status)?;
        EventStream::from_response(response)
    }

    pub fn heartbeat(&self, heartbeat: &Heartbeat) -> Result<HeartbeatAck, ServerError> {
        let response = self.send(|| {
            Ok(self
                .http
                .post(self.url("kiosks/heartbeat")?)
                .json(heartbeat))
        })?;
        self.read_json(response)
    }
}

fn map_transport_error(e: reqwest::Error) -> ServerError {
    if e.is_timeout() {
        ServerError::Timeout
    } else if e.is_connect() {
        ServerError::Unreachable(root_cause(&e))
    } else if e.is_body() || e.is_decode() {
        ServerError::BadResponse(root_cause(&e))
    } else {
        // Connected, then the exchange broke: the request may have been acted on.
        ServerError::Interrupted(root_cause(&e))
    }
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

/// Turns HTTP error statuses into typed errors, reading the problem document when there is one.
fn check_status(response: Response) -> Result<Response, ServerError> {
    let status = response.status();
    if status.is_success() || status == StatusCode::NOT_MODIFIED {
        return Ok(response);
    }
    let retry_after = response
        .headers()
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let is_problem = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"));
    let problem = if is_problem {
        read_limited(response, 64 * 1024).ok()
    } else {
        None
    };
    Err(ServerError::from_status(
        status.as_u16(),
        retry_after.as_deref(),
        problem.as_deref(),
    ))
}

/// Reads the body, refusing more than `limit` bytes (a hostile or broken server cannot fill memory).
fn read_limited(response: Response, limit: usize) -> Result<Vec<u8>, ServerError> {
    if let Some(len) = response
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        && len > limit as u64
    {
        return Err(ServerError::TooLarge { limit });
    }
    let mut body = Vec::new();
    response
        .take(limit as u64 + 1)
        .read_to_end(&mut body)
        .map_err(|e| {
            // The read timeout surfaces as an io error wrapping reqwest's.
            if e.to_string().contains("timed out") {
                ServerError::Timeout
            } else {
                ServerError::BadResponse(format!("the answer broke off: {e}"))
            }
        })?;
    if body.len() > limit {
        return Err(ServerError::TooLarge { limit });
    }
    Ok(body)
}
