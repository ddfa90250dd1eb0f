//! Sends offline tickets to the central system, each with its own request id and the number
//! already printed, until it has recorded them; then the numbers to give back (voids), then
//! ratings. Safe to repeat: the server answers a repeated request id with its first answer.

use super::store::QueueStore;
use crate::server::model::{OfflineIssue, TicketRequest, VoidRequest};
use crate::server::{CentralClient, ErrorKind};

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FlushReport {
    pub sent: usize,
    /// Refused for good (e.g. a service the system no longer has): logged, not retried.
    pub refused: usize,
    /// Still waiting (the system stopped answering part-way).
    pub remaining: usize,
}

/// Sends what waits in the outbox, oldest first; stops at the first sign the system is away.
pub fn flush(store: &QueueStore, client: &CentralClient) -> Result<FlushReport, super::StoreError> {
    let items = store.outbox()?;
    let mut report = FlushReport {
        remaining: items.len(),
        ..FlushReport::default()
    };
    for item in items {
        let request = TicketRequest {
            request_id: item.request_id.clone(),
            service_id: item.service_id.clone(),
            priority: item.priority,
            phone: item.phone.clone(),
            offline: Some(OfflineIssue {
                number: item.number.clone(),
                issued_at: item.issued_at.clone(),
            }),
            procedure_code: item.procedure_code.clone(),
        };
        match client.issue_ticket(&request) {
            Ok(recorded) => {
                if recorded.number != item.number {
                    tracing::warn!(
                        "offline ticket {} was recorded as {}",
                        item.number,
                        recorded.number
                    );
                }
                store.mark_sent(&item.request_id)?;
                report.sent += 1;
                report.remaining -= 1;
            }
            Err(e) if matches!(e.kind(), ErrorKind::Rejected | ErrorKind::NotFound) => {
                tracing::error!(
                    "offline ticket {} refused by the central system: {e}",
                    item.number
                );
                store.mark_refused(&item.request_id)?;
                report.refused += 1;
                report.remaining -= 1;
            }
            Err(e) => {
                tracing::info!(
                    "outbox: central system away ({e}); {} waiting",
                    report.remaining
                );
                break;
            }
        }
    }
    if report.remaining == 0 {
        flush_voids(store, client, &mut report)?;
    }
    if report.remaining == 0 {
        flush_ratings(store, client, &mut report)?;
    }
    if report.sent > 0 {
        tracing::info!(sent = report.sent, "outbox sent to the central system");
    }
    Ok(report)
}

/// Voids go after the offline tickets they may name.
fn flush_voids(
    store: &QueueStore,
    client: &CentralClient,
    report: &mut FlushReport,
) -> Result<(), super::StoreError> {
    let voids = store.voids_waiting()?;
    report.remaining += voids.len();
    for void in voids {
        let request = VoidRequest {
            request_id: void.request_id.clone(),
            reason: void.reason,
        };
        match client.void_ticket(&void.ticket_request_id, &request) {
            Ok(voided) => {
                match &voided.number {
                    Some(n) => tracing::info!("number {n} given back to the central system"),
                    None => tracing::info!(
                        "request {} given back: it had issued no number",
                        void.ticket_request_id
                    ),
                }
                store.mark_void(&void.request_id, true)?;
                report.sent += 1;
                report.remaining -= 1;
            }
            // Called already, or not a ticket: nothing left to give back.
            Err(e) if matches!(e.kind(), ErrorKind::Rejected | ErrorKind::NotFound) => {
                tracing::warn!(
                    "void of request {} refused by the central system: {e}",
                    void.ticket_request_id
                );
                store.mark_void(&void.request_id, false)?;
                report.refused += 1;
                report.remaining -= 1;
            }
            Err(e) => {
                tracing::info!("outbox: central system away ({e})");
                break;
            }
        }
    }
    Ok(())
}

/// Ratings go after the tickets they may refer to.
fn flush_ratings(
    store: &QueueStore,
    client: &CentralClient,
    report: &mut FlushReport,
) -> Result<(), super::StoreError> {
    let ratings = store.ratings_waiting()?;
    report.remaining += ratings.len();
    for rating in ratings {
        match client.feedback(&rating) {
            Ok(_) => {
                store.mark_rating(&rating.request_id, true)?;
                report.sent += 1;
                report.remaining -= 1;
            }
            // Already rated, an unknown service, a bad time: resending cannot help.
            Err(e) if matches!(e.kind(), ErrorKind::Rejected | ErrorKind::NotFound) => {
                tracing::warn!("rating refused by the central system: {e}");
                store.mark_rating(&rating.request_id, false)?;
                report.refused += 1;
                report.remaining -= 1;
            }
            Err(e) => {
                tracing::info!("outbox: central system away ({e})");
                break;
            }
        }
    }
    Ok(())
}
