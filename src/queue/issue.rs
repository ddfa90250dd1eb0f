//! Issuing one ticket: printer ready → a number from the central system, or from this kiosk's
//! own series when the system cannot answer → committed → printed → the outcome for the citizen.

use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, Datelike, FixedOffset, Timelike};

use super::offer::priority_label;
use super::store::{OfflineDraft, PendingVoid, PrintStatus, QueueStore, StoredTicket};
use crate::config::{Config, OpeningHours, QrUrl};
use crate::language::Language;
use crate::printer::{JobOutcome, PrintFailure};
use crate::server::model::{Priority, TicketRequest, VoidReason, VoidRequest};
use crate::server::{CentralClient, ErrorKind, ServerError, new_request_id};
use crate::ticket::{self, Layout, ProcedureNote, Ticket, TicketLanguage};

/// The printer as the issuer needs it; the printer thread implements it, tests may too.
pub trait TicketPrinter {
    /// Asks the printer now: `Err` means a ticket would not come out.
    fn check(&self) -> Result<(), PrintFailure>;
    /// Prints and confirms: [`JobOutcome::Refused`] when not a byte was sent.
    fn print(&self, name: &str, bytes: Vec<u8>) -> JobOutcome;
}

/// What the citizen asked for.
#[derive(Clone, PartialEq)]
pub struct TicketOrder {
    pub service_id: String,
    /// The service's Vietnamese name, printed on every ticket for the counter staff.
    pub service_name: String,
    /// Its English name, printed above the Vietnamese one on an English ticket.
    pub service_name_en: String,
    /// The citizen's language: the ticket's own words are printed in it.
    pub language: Language,
    /// The ticket prefix (`HT`), for numbering offline.
    pub prefix: String,
    pub priority: Priority,
    /// Normalised Vietnamese mobile number for the SMS notice, when the citizen gave one.
    pub phone: Option<String>,
    /// The procedure the number was taken for, from its page: sent to the counter, printed.
    pub procedure: Option<ProcedureNote>,
}

impl std::fmt::Debug for TicketOrder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TicketOrder")
            .field("service_id", &self.service_id)
            .field("priority", &self.priority)
            .field("language", &self.language)
            .field("procedure", &self.procedure.as_ref().map(|p| &p.code))
            .field("phone", &self.phone.as_ref().map(|_| "<redacted>"))
            .finish_non_exhaustive()
    }
}

/// Everything about this kiosk the issuer needs, from the config.
#[derive(Debug, Clone)]
pub struct IssueSettings {
    /// Marks this kiosk's offline numbers (`K01` in `K01-HT-007`).
    pub kiosk_tag: String,
    pub office: String,
    pub layout: Layout,
    pub header_lines: Vec<String>,
    pub footer_lines: Vec<String>,
    pub opening_hours: OpeningHours,
    pub open_days: Vec<chrono::Weekday>,
    pub daily_cap: u32,
    pub logo: Option<crate::ticket::Logo>,
    /// `[printer] qr_url`, placeholders still in it.
    pub qr_url: QrUrl,
}

impl IssueSettings {
    /// This kiosk's tickets as `config` describes them.
    pub fn from_config(config: &Config) -> Self {
        Self {
            kiosk_tag: config.queue.offline_tag.clone(),
            office: config.kiosk.office_name.clone(),
            layout: config.printer.layout(),
            header_lines: config.printer.header_lines.clone(),
            footer_lines: config.printer.footer_lines.clone(),
            opening_hours: config.queue.opening_hours.clone(),
            open_days: config.queue.open_days.clone(),
            daily_cap: config.queue.daily_cap,
            logo: config.printer.logo.as_ref().map(|logo| logo.image.clone()),
            qr_url: config.printer.qr_url.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum IssueOutcome {
    Printed {
        ticket: StoredTicket,
        preview: Option<PathBuf>,
    },
    /// The number is taken but the paper did not come out: the citizen must ask staff.
    NotPrinted {
        ticket: StoredTicket,
        problem: PrintFailure,
    },
    Refused(Refusal),
}

/// Why no ticket was given, in words for logs and the command line (the screen says it in the
/// citizen's language).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Refusal {
    /// Checked before any number is taken, or found when the ticket's turn came at the
    /// printer (its number is then given back).
    #[error("{0}; no number was taken")]
    PrinterNotReady(PrintFailure),
    #[error("the service is closed at this hour")]
    ClosedHours,
    #[error("the service has given all its tickets for today")]
    DailyCap,
    #[error("the central system does not know this service")]
    UnknownService,
    /// The central system refused the order itself (e.g. a phone number it does not accept).
    #[error("the central system refused the order: {0}")]
    Rejected(String),
    /// The ticket could not be recorded on this kiosk (disk full, database broken).
    #[error("the ticket could not be recorded on this kiosk: {0}")]
    Storage(String),
}

/// How long a citizen waits for the central system before the kiosk numbers the ticket itself.
pub const SERVER_PATIENCE: Duration = Duration::from_millis(1500);
/// How long the same request is given once more when no answer came: the server may have
/// issued a number, which asking again with the same request id returns.
pub const RETRY_PATIENCE: Duration = Duration::from_millis(1000);

/// Issues and prints one ticket. Blocking: runs on the queue thread or in the CLI.
pub fn issue(
    order: &TicketOrder,
    settings: &IssueSettings,
    client: Option<&CentralClient>,
    store: &mut QueueStore,
    printer: &dyn TicketPrinter,
    now: DateTime<FixedOffset>,
) -> IssueOutcome {
    // Never take a number that cannot be printed.
    if let Err(problem) = printer.check() {
        return IssueOutcome::Refused(Refusal::PrinterNotReady(problem));
    }
    let (stored, follow) = match from_server(order, client, store, now) {
        Some(Ok(t)) => t,
        Some(Err(refusal)) => return IssueOutcome::Refused(refusal),
        None => match offline(order, settings, store, now) {
            Ok(t) => (t, None),
            Err(refusal) => return IssueOutcome::Refused(refusal),
        },
    };
    let follow = follow.and_then(|path| {
        let url = client?.page_url(&path)?;
        Some(FollowPage { path, url })
    });
    let ticket = layout_ticket(&stored, order, settings, follow.as_ref());
    let bytes = ticket::encode_ticket(&ticket, &settings.layout);
    let printed = printer.print(&format!("ticket-{}", stored.number), bytes);
    let status = if printed.is_printed() {
        PrintStatus::Printed
    } else {
        PrintStatus::Failed
    };
    if let Err(e) = store.set_print(&stored.request_id, status) {
        tracing::error!(
            "ticket {}: cannot record the print result: {e}",
            stored.number
        );
    }
    let ticket = StoredTicket {
        print: status,
        ..stored
    };
    match printed {
        JobOutcome::Printed { preview_png } => {
            tracing::info!(number = %ticket.number, offline = ticket.offline, "ticket printed");
            IssueOutcome::Printed {
                ticket,
                preview: preview_png,
            }
        }
        JobOutcome::Refused(problem) => {
            // Nothing came out (the roll ended between the check and this ticket): the number
            // goes back, so no counter calls a ticket nobody holds.
            tracing::warn!(number = %ticket.number, "ticket refused by the printer: {problem}; giving its number back");
            give_back(store, client, &ticket, now);
            IssueOutcome::Refused(Refusal::PrinterNotReady(problem))
        }
        JobOutcome::Failed(problem) => {
            tracing::warn!(number = %ticket.number, "ticket not printed: {problem}");
            IssueOutcome::NotPrinted { ticket, problem }
        }
    }
}

/// Gives back the number of a ticket that did not come out: recorded in the outbox, and sent at
/// once when the central system numbered it (it answered a moment ago), so the counter does not
/// call it while the outbox waits for its next round.
fn give_back(
    store: &mut QueueStore,
    client: Option<&CentralClient>,
    ticket: &StoredTicket,
    now: DateTime<FixedOffset>,
) {
    let void = match store.void_ticket(&ticket.request_id, VoidReason::NotPrinted, now) {
        Ok(void) => void,
        Err(e) => {
            tracing::error!("ticket {}: cannot record its void: {e}", ticket.number);
            return;
        }
    };
    if let (Some(client), false) = (client, ticket.offline) {
        send_void(store, client, &void, &ticket.number);
    }
}

/// One try at a void while the citizen is still at the kiosk; the outbox sends it otherwise.
fn send_void(store: &QueueStore, client: &CentralClient, void: &PendingVoid, number: &str) {
    let request = VoidRequest {
        request_id: void.request_id.clone(),
        reason: void.reason,
    };
    let sent = match client.void_ticket_within(&void.ticket_request_id, &request, SERVER_PATIENCE) {
        Ok(_) => {
            tracing::info!("number {number} given back to the central system");
            true
        }
        Err(e) if matches!(e.kind(), ErrorKind::Rejected | ErrorKind::NotFound) => {
            tracing::warn!("number {number} could not be given back: {e}");
            false
        }
        Err(e) => {
            tracing::info!("number {number} waits in the outbox to be given back ({e})");
            return;
        }
    };
    if let Err(e) = store.mark_void(&void.request_id, sent) {
        tracing::error!("number {number}: cannot record its void: {e}");
    }
}

/// The ticket's page on the central system, to follow it from a phone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowPage {
    /// As the server gave it: `/t/…`.
    pub path: String,
    /// Resolved against the kiosk's `[server] url`.
    pub url: url::Url,
}

/// The ticket and its follow page's path, if the server gave one; `None` when the central
/// system cannot be asked or did not answer: issue offline.
fn from_server(
    order: &TicketOrder,
    client: Option<&CentralClient>,
    store: &QueueStore,
    now: DateTime<FixedOffset>,
) -> Option<Result<(StoredTicket, Option<String>), Refusal>> {
    let client = client?;
    let request = TicketRequest {
        request_id: new_request_id(),
        service_id: order.service_id.clone(),
        priority: order.priority,
        phone: order.phone.clone(),
        offline: None,
        procedure_code: order.procedure.as_ref().map(|p| p.code.clone()),
    };
    let mut answer = client.issue_ticket_within(&request, SERVER_PATIENCE);
    if let Err(e) = &answer
        && e.outcome_unknown()
    {
        // The server may have issued a number and its answer got lost: the same request id
        // asks for that number rather than a second one.
        tracing::info!("no answer to the ticket request ({e}); asking once more");
        answer = client.issue_ticket_within(&request, RETRY_PATIENCE);
    }
    match answer {
        Ok(ticket) => {
            let day = DateTime::parse_from_rfc3339(&ticket.issued_at)
                .map(|t| t.with_timezone(&crate::clock::office_offset()).date_naive())
                .unwrap_or_else(|_| now.date_naive());
            Some(
                store
                    .record_online(&ticket, day)
                    .map(|stored| (stored, ticket.follow_path.clone()))
                    .map_err(|e| Refusal::Storage(e.to_string())),
            )
        }
        Err(ServerError::Rejected { code, detail, .. }) => Some(Err(match code.as_str() {
            "service-closed" => Refusal::ClosedHours,
            "daily-cap" => Refusal::DailyCap,
            _ => Refusal::Rejected(if detail.is_empty() { code } else { detail }),
        })),
        Err(ServerError::NotFound { .. }) => Some(Err(Refusal::UnknownService)),
        Err(e) => {
            // The offline ticket gets its own request id so the server records it rather than
            // answering the lost one; a number the lost one may have taken is given back.
            tracing::warn!("central system did not issue a ticket ({e}); issuing offline");
            if e.outcome_unknown()
                && let Err(e) = store.void_request(&request.request_id, VoidReason::AnswerLost, now)
            {
                tracing::error!("cannot record the void of a lost ticket request: {e}");
            }
            None
        }
    }
}

fn offline(
    order: &TicketOrder,
    settings: &IssueSettings,
    store: &mut QueueStore,
    now: DateTime<FixedOffset>,
) -> Result<StoredTicket, Refusal> {
    let minute = (now.hour() * 60 + now.minute()) as u16;
    if !settings.open_days.contains(&now.weekday()) || !settings.opening_hours.is_open_at(minute) {
        return Err(Refusal::ClosedHours);
    }
    let issued = store
        .offline_count(&order.service_id, now.date_naive())
        .map_err(|e| Refusal::Storage(e.to_string()))?;
    if issued >= settings.daily_cap {
        return Err(Refusal::DailyCap);
    }
    let request_id = new_request_id();
    store
        .issue_offline(
            &OfflineDraft {
                request_id: &request_id,
                service_id: &order.service_id,
                prefix: &order.prefix,
                priority: order.priority,
                phone: order.phone.as_deref(),
                procedure_code: order.procedure.as_ref().map(|p| p.code.as_str()),
                issued_at: now,
            },
            &settings.kiosk_tag,
        )
        .map_err(|e| {
            tracing::error!("cannot record an offline ticket: {e}");
            Refusal::Storage(e.to_string())
        })
}

fn layout_ticket(
    stored: &StoredTicket,
    order: &TicketOrder,
    settings: &IssueSettings,
    follow: Option<&FollowPage>,
) -> Ticket {
    let issued_at = DateTime::parse_from_rfc3339(&stored.issued_at)
        .map(|t| t.with_timezone(&crate::clock::office_offset()))
        .map(|t| t.format("%H:%M %d/%m/%Y").to_string())
        .unwrap_or_else(|_| stored.issued_at.clone());
    let english = order.language == Language::En && !order.service_name_en.is_empty();
    Ticket {
        office: settings.office.clone(),
        number: stored.number.clone(),
        service: if english {
            order.service_name_en.clone()
        } else {
            order.service_name.clone()
        },
        service_vi: english.then(|| order.service_name.clone()),
        language: match order.language {
            Language::Vi => TicketLanguage::Vietnamese,
            Language::En => TicketLanguage::English,
        },
        issued_at,
        people_ahead: stored.people_ahead,
        // "About 0 minutes" helps nobody: with no one ahead the wait line is left off.
        estimated_wait_min: stored.estimated_wait_min.filter(|m| *m > 0),
        priority: priority_label(stored.priority, order.language).map(str::to_string),
        qr: queue_address(settings, &stored.number, &stored.service_id, follow),
        header_lines: settings.header_lines.clone(),
        footer_lines: settings.footer_lines.clone(),
        // An offline number never reaches the central system: no text will come.
        sms_to: (order.phone.as_deref())
            .filter(|_| !stored.offline)
            .map(crate::server::phone::masked),
        offline: stored.offline,
        logo: settings.logo.clone(),
        procedure: order.procedure.clone(),
    }
}

/// `[printer] qr_url` for one ticket: its follow page by default; a template needing the
/// follow page gives no QR code on a ticket without one (numbered offline).
pub fn queue_address(
    settings: &IssueSettings,
    number: &str,
    service_id: &str,
    follow: Option<&FollowPage>,
) -> Option<String> {
    match &settings.qr_url {
        QrUrl::Off => None,
        QrUrl::FollowPage => follow.map(|f| f.url.to_string()),
        QrUrl::Template(url) if url.contains("{follow}") => follow.map(|f| {
            url.replace("{follow}", &f.path)
                .replace("{number}", number)
                .replace("{service}", service_id)
        }),
        QrUrl::Template(url) => Some(
            url.replace("{number}", number)
                .replace("{service}", service_id),
        ),
    }
}

/// The test ticket of `print-test` and the admin screen, as a print job.
pub fn test_ticket(config: &Config) -> crate::printer::Job {
    let settings = IssueSettings::from_config(config);
    crate::printer::Job {
        name: "test-ticket".into(),
        bytes: ticket::encode_ticket(&sample_ticket(&settings), &settings.layout),
    }
}

/// A test ticket, for `print-test`, the admin screen and the benchmark.
pub fn sample_ticket(settings: &IssueSettings) -> Ticket {
    Ticket {
        office: settings.office.clone(),
        number: "HT-042".into(),
        service: "Hộ tịch".into(),
        service_vi: None,
        language: TicketLanguage::Vietnamese,
        sms_to: None,
        issued_at: crate::clock::now().format("%H:%M %d/%m/%Y").to_string(),
        people_ahead: Some(5),
        estimated_wait_min: Some(18),
        priority: None,
        qr: queue_address(settings, "HT-042", "ho-tich", None),
        header_lines: settings.header_lines.clone(),
        footer_lines: settings.footer_lines.clone(),
        offline: false,
        logo: settings.logo.clone(),
        procedure: None,
    }
}
