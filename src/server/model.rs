//! The JSON of the central API v1 (docs/central-api.md), as the kiosk reads and writes it.
//! Unknown fields are ignored so a newer server does not break an older kiosk.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::ServerError;

/// Reads an answer body as the model a call expects; anything else is a
/// [`ServerError::BadResponse`] quoting the start of the body.
pub fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, ServerError> {
    serde_json::from_slice(body).map_err(|e| {
        let start = String::from_utf8_lossy(&body[..body.len().min(40)]).to_string();
        ServerError::BadResponse(format!(
            "not the expected JSON ({e}); it starts with {start:?}"
        ))
    })
}

/// A procedure as the catalog serves it. Only `code` and `name` are required; the catalog module
/// keeps the rest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Procedure {
    pub code: String,
    pub name: String,
    #[serde(flatten)]
    pub details: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogSnapshot {
    pub version: u64,
    #[serde(default)]
    pub generated_at: Option<String>,
    pub full: bool,
    #[serde(default)]
    pub fields: Vec<String>,
    pub procedures: Vec<Procedure>,
    #[serde(default)]
    pub removed: Vec<String>,
    /// The server's synonym table; absent from an older server (the kiosk keeps what it holds,
    /// or for a full catalog uses its bundled table).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub synonyms: Option<Vec<SynonymEntry>>,
}

/// One synonym of the catalog: the citizen's words and what the catalog calls them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SynonymEntry {
    pub words: String,
    /// Empty: the words are dropped from a query.
    #[serde(default)]
    pub means: String,
}

impl From<SynonymEntry> for motcua_catalog::Synonym {
    fn from(s: SynonymEntry) -> Self {
        motcua_catalog::Synonym {
            words: s.words,
            means: s.means,
        }
    }
}

/// What `GET /catalog` gave, as it came: the kiosk's catalog reads the body procedure by
/// procedure rather than as one JSON tree.
#[derive(Debug, Clone, PartialEq)]
pub enum CatalogDownload {
    NotModified,
    Body { etag: Option<String>, body: Vec<u8> },
}

/// What `GET /catalog` gave.
#[derive(Debug, Clone, PartialEq)]
pub enum CatalogFetch {
    /// `304`: the copy the kiosk holds is current.
    NotModified,
    Snapshot {
        etag: Option<String>,
        snapshot: CatalogSnapshot,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueService {
    pub id: String,
    pub name_vi: String,
    pub name_en: String,
    pub prefix: String,
    #[serde(default)]
    pub priority_allowed: bool,
    pub open: bool,
    #[serde(default)]
    pub closed_reason: Option<String>,
    #[serde(default)]
    pub waiting: u32,
    #[serde(default)]
    pub now_serving: Option<String>,
    #[serde(default)]
    pub estimated_wait_min: u32,
}

/// One service's line on the office's board, as a live `waiting` event carries it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoardLine {
    pub id: String,
    pub waiting: u32,
    #[serde(default)]
    pub now_serving: Option<String>,
    #[serde(default)]
    pub estimated_wait_min: u32,
}

/// The data of a `waiting` event: the board after a change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WaitingEvent {
    pub services: Vec<BoardLine>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueServices {
    #[serde(default)]
    pub generated_at: Option<String>,
    pub services: Vec<QueueService>,
}

/// Who is called first. One spelling everywhere: the API, the ticket database, the command line
/// (`--priority elderly`) and the screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Priority {
    None,
    Elderly,
    Pregnant,
    Disabled,
    Child,
}

impl Priority {
    pub const ALL: [Priority; 5] = [
        Priority::None,
        Priority::Elderly,
        Priority::Pregnant,
        Priority::Disabled,
        Priority::Child,
    ];

    /// The word of the API (and of `serde`): `none`, `elderly`, `pregnant`, `disabled`, `child`.
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::None => "none",
            Priority::Elderly => "elderly",
            Priority::Pregnant => "pregnant",
            Priority::Disabled => "disabled",
            Priority::Child => "child",
        }
    }
}

impl std::fmt::Display for Priority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{0}\" is not a priority (none, elderly, pregnant, disabled or child)")]
pub struct UnknownPriority(pub String);

impl std::str::FromStr for Priority {
    type Err = UnknownPriority;

    fn from_str(word: &str) -> Result<Self, Self::Err> {
        Priority::ALL
            .into_iter()
            .find(|p| p.as_str() == word)
            .ok_or_else(|| UnknownPriority(word.to_string()))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OfflineIssue {
    pub number: String,
    pub issued_at: String,
}

#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketRequest {
    pub request_id: String,
    pub service_id: String,
    pub priority: Priority,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offline: Option<OfflineIssue>,
    /// The procedure the citizen took the number for (from its page on the kiosk).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub procedure_code: Option<String>,
}

// A citizen's phone number never reaches a log line.
impl std::fmt::Debug for TicketRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TicketRequest")
            .field("request_id", &self.request_id)
            .field("service_id", &self.service_id)
            .field("priority", &self.priority)
            .field("phone", &self.phone.as_ref().map(|_| "<redacted>"))
            .field("offline", &self.offline)
            .field("procedure_code", &self.procedure_code)
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ticket {
    pub request_id: String,
    pub number: String,
    pub service_id: String,
    pub priority: Priority,
    pub issued_at: String,
    #[serde(default)]
    pub people_ahead: u32,
    #[serde(default)]
    pub estimated_wait_min: u32,
    #[serde(default)]
    pub offline: bool,
    /// The ticket's follow page on the server (`/t/…`); servers before it give none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_path: Option<String>,
}

/// Why a kiosk gives a number back (`POST /queue/tickets/{request_id}/void`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum VoidReason {
    /// The printer refused the ticket after its number was taken.
    NotPrinted,
    /// The answer to the issuing request never came; the citizen got an offline number.
    AnswerLost,
}

impl VoidReason {
    pub fn as_str(self) -> &'static str {
        match self {
            VoidReason::NotPrinted => "not-printed",
            VoidReason::AnswerLost => "answer-lost",
        }
    }

    /// As stored; anything else reads as `not-printed`.
    pub fn from_word(word: &str) -> Self {
        if word == "answer-lost" {
            VoidReason::AnswerLost
        } else {
            VoidReason::NotPrinted
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VoidRequest {
    /// The void's own id.
    pub request_id: String,
    pub reason: VoidReason,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VoidedTicket {
    pub request_id: String,
    pub ticket_request_id: String,
    /// The number given back; `None` when the issuing request never reached the server.
    #[serde(default)]
    pub number: Option<String>,
    #[serde(default)]
    pub voided_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DossierStatus {
    pub code: u8,
    pub label_vi: String,
    pub label_en: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DossierStep {
    pub at: String,
    pub unit: String,
    pub action: String,
}

#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Dossier {
    pub code: String,
    #[serde(default)]
    pub procedure_code: Option<String>,
    pub procedure_name: String,
    pub applicant: String,
    pub status: DossierStatus,
    pub received_at: String,
    pub due_at: String,
    #[serde(default)]
    pub returned_at: Option<String>,
    pub timeliness: String,
    #[serde(default)]
    pub steps: Vec<DossierStep>,
}

// A dossier is a citizen's private matter: its Debug form shows only the status.
impl std::fmt::Debug for Dossier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dossier")
            .field("status", &self.status.code)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedbackRequest {
    pub request_id: String,
    pub rating: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
}

/// `POST /dossiers/{code}/subscriptions`: a phone to tell when the dossier moves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubscriptionRequest {
    pub request_id: String,
    pub phone: String,
}

/// The server's answer to a [`SubscriptionRequest`]: the number masked, when it is deleted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subscription {
    pub code: String,
    pub phone: String,
    #[serde(default)]
    pub statuses: Vec<u8>,
    #[serde(default)]
    pub when_late: bool,
    pub keep_until: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedbackAck {
    pub request_id: String,
    pub accepted: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Heartbeat {
    pub kiosk_id: String,
    pub version: String,
    pub printer: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub catalog_version: Option<u64>,
    pub outbox: u32,
    pub uptime_s: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeartbeatAck {
    #[serde(default)]
    pub server_time: Option<String>,
}

/// An `application/problem+json` body.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Problem {
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub detail: Option<String>,
}
