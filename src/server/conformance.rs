//! `check-server`: exercises every call of the central API against a server and says, call by
//! call, whether it behaves as docs/central-api.md requires. It writes test data (a ticket, an
//! offline ticket, a rating, a heartbeat; the test ticket is voided again, so no counter calls
//! it): run it against a test instance of a back end.

use std::time::Duration;

use super::ids::{new_request_id, random_bytes};
use super::model::*;
use super::{CentralClient, ClientSettings, ServerError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub call: &'static str,
    pub what: &'static str,
    pub outcome: Result<String, String>,
}

impl Check {
    pub fn passed(&self) -> bool {
        self.outcome.is_ok()
    }
}

/// Runs every check in order; later checks use what earlier ones returned.
pub fn run(settings: &ClientSettings, kiosk_id: &str) -> Vec<Check> {
    let mut checks = Vec::new();
    let client = match CentralClient::new(settings) {
        Ok(c) => c,
        Err(e) => {
            checks.push(Check {
                call: "setup",
                what: "build the HTTP client",
                outcome: Err(e.to_string()),
            });
            return checks;
        }
    };
    let mut push = |call, what, outcome: Result<String, String>| {
        checks.push(Check {
            call,
            what,
            outcome,
        });
    };

    // Catalog: full, 304, delta.
    let full = client.catalog(None, None);
    let (etag, version) = match &full {
        Ok(CatalogFetch::Snapshot { etag, snapshot })
            if snapshot.full && !snapshot.procedures.is_empty() =>
        {
            push(
                "GET /catalog",
                "full catalog with procedures",
                Ok(format!(
                    "version {}, {} procedures",
                    snapshot.version,
                    snapshot.procedures.len()
                )),
            );
            (etag.clone(), Some(snapshot.version))
        }
        Ok(other) => {
            push(
                "GET /catalog",
                "full catalog with procedures",
                Err(format!("unexpected answer {}", short(other))),
            );
            (None, None)
        }
        Err(e) => {
            push(
                "GET /catalog",
                "full catalog with procedures",
                Err(e.to_string()),
            );
            (None, None)
        }
    };
    match &etag {
        None => push(
            "GET /catalog",
            "ETag header",
            Err("no ETag on the full catalog".into()),
        ),
        Some(tag) => push(
            "GET /catalog",
            "If-None-Match gives 304",
            match client.catalog(Some(tag), None) {
                Ok(CatalogFetch::NotModified) => Ok("304 Not Modified".into()),
                Ok(other) => Err(format!("expected 304, got {}", short(&other))),
                Err(e) => Err(e.to_string()),
            },
        ),
    }
    if let Some(v) = version {
        push(
            "GET /catalog?since",
            "delta since the current version",
            match client.catalog(None, Some(v)) {
                Ok(CatalogFetch::Snapshot { snapshot, .. }) if !snapshot.full => Ok(format!(
                    "{} changed, {} removed",
                    snapshot.procedures.len(),
                    snapshot.removed.len()
                )),
                Ok(CatalogFetch::NotModified) => Ok("304 (nothing changed)".into()),
                Ok(other) => Err(format!(
                    "expected a delta (full: false), got {}",
                    short(&other)
                )),
                Err(e) => Err(e.to_string()),
            },
        );
    }

    // Queue.
    let services = client.queue_services();
    let open_service = match &services {
        Ok(s) if !s.services.is_empty() => {
            push(
                "GET /queue/services",
                "services listed",
                Ok(format!(
                    "{} services, {} open",
                    s.services.len(),
                    s.services.iter().filter(|s| s.open).count()
                )),
            );
            s.services
                .iter()
                .find(|s| s.open)
                .or(s.services.first())
                .cloned()
        }
        Ok(_) => {
            push(
                "GET /queue/services",
                "services listed",
                Err("no services".into()),
            );
            None
        }
        Err(e) => {
            push("GET /queue/services", "services listed", Err(e.to_string()));
            None
        }
    };
    if let Some(service) = &open_service {
        let request = TicketRequest {
            request_id: new_request_id(),
            service_id: service.id.clone(),
            priority: Priority::None,
            phone: None,
            offline: None,
            procedure_code: None,
        };
        // The ticket whose request is sent again below: this one, or outside opening hours the
        // offline one (recorded at any hour).
        let mut recorded: Option<(TicketRequest, String)> = None;
        match client.issue_ticket(&request) {
            Ok(first) if first.number.starts_with(&service.prefix) => {
                push(
                    "POST /queue/tickets",
                    "issue a ticket",
                    Ok(first.number.clone()),
                );
                recorded = Some((request.clone(), first.number));
            }
            Ok(first) => push(
                "POST /queue/tickets",
                "issue a ticket",
                Err(format!(
                    "number {} lacks prefix {}",
                    first.number, service.prefix
                )),
            ),
            Err(ServerError::Rejected { code, .. }) if code == "service-closed" => push(
                "POST /queue/tickets",
                "issue a ticket",
                Ok("service closed now (409 service-closed), as the contract allows".into()),
            ),
            Err(e) => push("POST /queue/tickets", "issue a ticket", Err(e.to_string())),
        }
        let offline_number = format!(
            "{}-{}-{:03}",
            short_kiosk(kiosk_id),
            service.prefix,
            900 + random_below(99)
        );
        let offline = TicketRequest {
            request_id: new_request_id(),
            service_id: service.id.clone(),
            priority: Priority::None,
            phone: None,
            offline: Some(OfflineIssue {
                number: offline_number.clone(),
                issued_at: crate::clock::now().to_rfc3339(),
            }),
            procedure_code: None,
        };
        push(
            "POST /queue/tickets",
            "record an offline ticket with its printed number",
            match client.issue_ticket(&offline) {
                Ok(t) if t.number == offline_number && t.offline => {
                    recorded.get_or_insert((offline.clone(), t.number.clone()));
                    Ok(t.number)
                }
                Ok(t) => Err(format!(
                    "recorded as {} (offline: {}), printed {offline_number}",
                    t.number, t.offline
                )),
                Err(e) => Err(e.to_string()),
            },
        );
        let other_service = services
            .as_ref()
            .ok()
            .and_then(|s| s.services.iter().find(|o| o.id != service.id))
            .map(|o| o.id.clone());
        push(
            "POST /queue/tickets",
            "same request_id: same answer; another body: 409 request-id-reused",
            match &recorded {
                Some((request, number)) => {
                    check_idempotency(&client, request, number, other_service)
                }
                None => Err("no ticket was recorded to send again".into()),
            },
        );
        push(
            "POST /queue/tickets/{id}/void",
            "a number given back; its request then 409 ticket-voided",
            match &recorded {
                Some((request, number)) => check_void(&client, request, number),
                None => Err("no ticket was recorded to void".into()),
            },
        );
    }
    push(
        "POST /queue/tickets",
        "malformed body gives 400 problem",
        match raw_post(settings, "queue/tickets", "{\"service_id\": 42}") {
            Ok((400, body)) if body.contains("\"code\"") => {
                Ok("400 with a problem document".into())
            }
            Ok((status, body)) => Err(format!(
                "HTTP {status}: {}",
                body.chars().take(80).collect::<String>()
            )),
            Err(e) => Err(e),
        },
    );

    // Dossiers: a code nobody has.
    push(
        "GET /dossiers/{code}",
        "unknown code gives 404",
        match client.dossier("000.00.00.H00-000101-9999") {
            Err(ServerError::NotFound { .. }) => Ok("404 not-found".into()),
            Ok(_) => Err("a dossier was returned for a code that should not exist".into()),
            Err(e) => Err(e.to_string()),
        },
    );

    // SMS subscriptions are optional: a server whose office sends none answers 409 or 404.
    push(
        "POST /dossiers/{code}/subscriptions",
        "a bad number gives 400; an unknown code 404 or no SMS",
        check_subscriptions(&client),
    );

    // Feedback, idempotent.
    let feedback = FeedbackRequest {
        request_id: new_request_id(),
        rating: 2,
        service_id: open_service.as_ref().map(|s| s.id.clone()),
        ticket: None,
        reason: None,
        at: None,
    };
    push(
        "POST /feedback",
        "rating accepted, and again with the same request_id",
        match (client.feedback(&feedback), client.feedback(&feedback)) {
            (Ok(a), Ok(b)) if a.accepted && b.accepted => Ok("accepted twice, stored once".into()),
            (Ok(_), Ok(_)) => Err("not accepted".into()),
            (Err(e), _) | (_, Err(e)) => Err(e.to_string()),
        },
    );

    push(
        "POST /kiosks/heartbeat",
        "heartbeat accepted",
        client
            .heartbeat(&Heartbeat {
                kiosk_id: kiosk_id.to_string(),
                version: env!("CARGO_PKG_VERSION").into(),
                printer: "ok".into(),
                catalog_version: version,
                outbox: 0,
                uptime_s: 0,
            })
            .map(|_| "200".into())
            .map_err(|e| match e {
                ServerError::Unauthorized { status: 403 } => format!(
                    "{e}: the server says the token is not kiosk {kiosk_id}'s (give --kiosk-id)"
                ),
                e => e.to_string(),
            }),
    );

    // Live events are optional: without them the kiosk's queue strip is polled.
    push(
        "GET /queue/events",
        "live events start with the board",
        check_events(&client),
    );

    // A wrong token must be refused.
    let mut wrong = settings.clone();
    wrong.token = crate::config::Secret::new("wrong-token-for-conformance-check");
    push(
        "GET /queue/services",
        "a wrong token gives 401",
        match CentralClient::new(&wrong).and_then(|c| c.queue_services()) {
            Err(ServerError::Unauthorized { status }) => Ok(format!("{status}")),
            Ok(_) => Err("answered a kiosk with a wrong token".into()),
            Err(e) => Err(e.to_string()),
        },
    );
    checks
}

/// Asks for texts about a code nobody has: first with a number that is no mobile number (the
/// server must refuse it), then with a well-formed one (nothing to subscribe to).
fn check_subscriptions(client: &CentralClient) -> Result<String, String> {
    const NOBODY: &str = "000.00.00.H00-000101-9999";
    let ask = |phone: &str| {
        client.subscribe(
            NOBODY,
            &SubscriptionRequest {
                request_id: new_request_id(),
                phone: phone.into(),
            },
        )
    };
    match ask("12345") {
        Err(ServerError::NotFound { .. }) => return Ok("not offered (404)".into()),
        Err(ServerError::Rejected { status: 400, .. }) => {}
        Ok(_) => return Err("took 12345 as a mobile number".into()),
        Err(e) => return Err(format!("a bad number: {e}")),
    }
    match ask("0900000000") {
        Err(ServerError::NotFound { .. }) => Ok("400 for a bad number, 404 for no dossier".into()),
        Err(ServerError::Rejected { code, .. }) if code == "sms-unavailable" => {
            Ok("400 for a bad number; this office sends no SMS".into())
        }
        Ok(_) => Err("subscribed to a dossier that does not exist".into()),
        Err(e) => Err(e.to_string()),
    }
}

/// The stream's first event must be the office's board (`waiting`) the kiosk can read.
fn check_events(client: &CentralClient) -> Result<String, String> {
    let mut stream = match client.events(None) {
        Ok(stream) => stream,
        Err(ServerError::NotFound { .. }) => {
            return Ok(
                "not offered (optional): the kiosk asks for the waiting counts every 15 s".into(),
            );
        }
        Err(e) => return Err(e.to_string()),
    };
    match stream.next_event() {
        Ok(Some(event)) if event.kind == "waiting" => {
            serde_json::from_str::<WaitingEvent>(&event.data)
                .map(|w| format!("board of {} services", w.services.len()))
                .map_err(|e| format!("the board is unreadable: {e}"))
        }
        Ok(Some(event)) => Err(format!("the first event is {:?}, not waiting", event.kind)),
        Ok(None) => Err("the stream ended before the board".into()),
        Err(e) => Err(e.to_string()),
    }
}

/// A word for the technician when the failures point at one cause.
pub fn hint(checks: &[Check]) -> Option<&'static str> {
    let not_found = checks
        .iter()
        .filter(|c| matches!(&c.outcome, Err(e) if e.starts_with("not found")))
        .count();
    (not_found * 2 >= checks.len()).then_some(
        "most calls answered 404: give the server's base URL, the part before /api/v1 (e.g. https://motcua.example.gov.vn)",
    )
}

/// Sends `request` again (same answer expected), then the same id with another body: another
/// service if there is one, else another priority (409 `request-id-reused` expected).
fn check_idempotency(
    client: &CentralClient,
    request: &TicketRequest,
    number: &str,
    other_service: Option<String>,
) -> Result<String, String> {
    match client.issue_ticket(request) {
        Ok(again) if again.number == number => {}
        Ok(again) => {
            return Err(format!(
                "got {} the second time, {number} the first",
                again.number
            ));
        }
        Err(e) => return Err(format!("sent again: {e}")),
    }
    let mut reused = request.clone();
    match other_service {
        Some(id) => reused.service_id = id,
        None => reused.priority = Priority::Elderly,
    }
    match client.issue_ticket(&reused) {
        Err(ServerError::Rejected {
            status: 409, code, ..
        }) if code == "request-id-reused" => Ok(format!("{number} again, then 409")),
        Ok(t) => Err(format!(
            "the same request_id with another body was answered with {}",
            t.number
        )),
        Err(e) => Err(format!(
            "the same request_id with another body: {e} (expected 409 request-id-reused)"
        )),
    }
}

/// Voids the test ticket (as a kiosk does when its printer refused it), then sends its request
/// again: a voided request never issues a number.
fn check_void(
    client: &CentralClient,
    request: &TicketRequest,
    number: &str,
) -> Result<String, String> {
    let void = VoidRequest {
        request_id: new_request_id(),
        reason: VoidReason::NotPrinted,
    };
    let voided = client
        .void_ticket(&request.request_id, &void)
        .map_err(|e| e.to_string())?;
    if voided.number.as_deref() != Some(number) {
        return Err(format!(
            "voided {:?}, but the request had issued {number}",
            voided.number
        ));
    }
    match client.issue_ticket(request) {
        Err(ServerError::Rejected {
            status: 409, code, ..
        }) if code == "ticket-voided" => Ok(format!("{number} voided, then 409")),
        Ok(t) => Err(format!("the voided request issued {} again", t.number)),
        Err(e) => Err(format!(
            "the voided request, sent again: {e} (expected 409 ticket-voided)"
        )),
    }
}

fn short(fetch: &CatalogFetch) -> String {
    match fetch {
        CatalogFetch::NotModified => "304".into(),
        CatalogFetch::Snapshot { snapshot, .. } => {
            format!(
                "full: {}, {} procedures",
                snapshot.full,
                snapshot.procedures.len()
            )
        }
    }
}

/// A number below `n`, so repeated checks record different offline numbers.
fn random_below(n: u16) -> u16 {
    let mut b = [0u8; 2];
    random_bytes(&mut b);
    u16::from_le_bytes(b) % n
}

fn short_kiosk(id: &str) -> String {
    id.chars()
        .filter(char::is_ascii_alphanumeric)
        .take(6)
        .collect::<String>()
        .to_uppercase()
}

/// A POST with a hand-written body, for the malformed-input check.
fn raw_post(settings: &ClientSettings, path: &str, body: &str) -> Result<(u16, String), String> {
    let client = reqwest::blocking::Client::builder()
        .timeout(settings.request_timeout.max(Duration::from_secs(1)))
        .build()
        .map_err(|e| e.to_string())?;
    let mut url = settings.base_url.clone();
    if !url.path().ends_with('/') {
        url.set_path(&format!("{}/", url.path()));
    }
    let url = url
        .join("api/v1/")
        .and_then(|u| u.join(path))
        .map_err(|e| e.to_string())?;
    let response = client
        .post(url)
        .bearer_auth(settings.token.expose())
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    Ok((status, response.text().unwrap_or_default()))
}
