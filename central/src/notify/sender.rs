//! The sender task: hands due messages to the gateway one at a time and records each answer;
//! records delivery reports; turns messages a dead server left mid-send into `unconfirmed`.
//! Every instance runs one; a message is claimed by one instance only. When the server stops,
//! the message in hand is finished first, so a restart never leaves one in doubt.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, FixedOffset};
use tokio::sync::{Notify, mpsc, watch};

use super::outbox::{self, Claimed, Status};
use crate::clock::Clock;
use crate::sms::{DeliveryReport, Gateway, OutgoingSms, SendError, SmsSettings};
use crate::store::{Dialect, Store};

/// How often the outbox is looked at when nothing wakes the sender.
const POLL_EVERY: StdDuration = StdDuration::from_secs(1);
/// Messages taken per look.
const BATCH: i64 = 20;
/// A message claimed longer ago than this was left by a server that stopped mid-send (every
/// gateway gives up on a request well within it).
pub const ABANDONED_AFTER: Duration = Duration::minutes(3);
/// Waits between tries after a temporary failure: 5 s doubling to at most 2 minutes.
const FIRST_RETRY_S: i64 = 5;
const LONGEST_RETRY_S: i64 = 120;
/// An outer bound on one hand-over, above every gateway's own timeout.
const SEND_LIMIT: StdDuration = StdDuration::from_secs(90);

/// When to try again after `attempts` tries.
pub fn retry_after(attempts: u32) -> Duration {
    let doublings = attempts.saturating_sub(1).min(10);
    Duration::seconds((FIRST_RETRY_S << doublings).min(LONGEST_RETRY_S))
}

/// What the sender works with.
pub struct Sender {
    pub store: Store,
    pub clock: Clock,
    pub settings: Arc<SmsSettings>,
    pub gateway: Arc<Gateway>,
    /// Poked when a message is queued, so it goes at once.
    pub wake: Arc<Notify>,
    pub reports: mpsc::Receiver<DeliveryReport>,
    pub stopping: watch::Receiver<bool>,
}

impl Sender {
    pub async fn run(mut self) {
        tracing::info!(gateway = self.gateway.kind(), "SMS sender started");
        // A SQLite file has one server: what it held mid-send when it stopped is abandoned now.
        // Instances sharing PostgreSQL wait ABANDONED_AFTER, since another may be sending.
        if self.store.dialect() == Dialect::Sqlite {
            self.settle_abandoned(self.clock.now() + ABANDONED_AFTER)
                .await;
        }
        // Nothing else sends while this one is paused by a throttling gateway.
        let mut paused_until: Option<tokio::time::Instant> = None;
        loop {
            if *self.stopping.borrow() {
                break;
            }
            let pause = paused_until.map_or(POLL_EVERY, |until| {
                until.saturating_duration_since(tokio::time::Instant::now())
            });
            tokio::select! {
                _ = self.stopping.changed() => continue,
                Some(report) = self.reports.recv() => {
                    self.record_report(report).await;
                    continue;
                }
                () = self.wake.notified() => {}
                () = tokio::time::sleep(pause.min(POLL_EVERY)) => {}
            }
            if paused_until.is_some_and(|until| tokio::time::Instant::now() < until) {
                continue;
            }
            paused_until = None;
            let now = self.clock.now();
            if let Some(until) = self.settings.quiet_hours.and_then(|q| q.hold_until(now)) {
                tracing::debug!(until = %until, "quiet hours: messages wait");
                continue;
            }
            self.settle_abandoned(now).await;
            let due = match self
                .store
                .read(move |sql| outbox::due(sql, now, BATCH))
                .await
            {
                Ok(ids) => ids,
                Err(e) => {
                    tracing::warn!(error = %e, "SMS outbox unreadable; trying again");
                    continue;
                }
            };
            for id in due {
                if *self.stopping.borrow() {
                    break;
                }
                if let Some(wait) = self.send_one(id).await {
                    paused_until = Some(tokio::time::Instant::now() + wait);
                    break;
                }
            }
        }
        self.gateway.close().await;
        tracing::info!("SMS sender stopped");
    }

    /// Claims, sends and records one message; returns how long to pause all sending when the
    /// gateway asks to slow down.
    async fn send_one(&self, id: String) -> Option<StdDuration> {
        let now = self.clock.now();
        let claim_id = id.clone();
        let claimed = self
            .store
            .write(move |sql| outbox::claim(sql, &claim_id, now))
            .await;
        let message = match claimed {
            Ok(Some(m)) => m,
            Ok(None) => return None,
            Err(e) => {
                tracing::warn!(sms = %id, error = %e, "cannot claim an SMS");
                return None;
            }
        };
        let sms = OutgoingSms {
            id: message.id.clone(),
            to: message.phone.clone(),
            text: message.text.clone(),
            encoding: message.encoding,
        };
        let result = match tokio::time::timeout(SEND_LIMIT, self.gateway.send(&sms)).await {
            Ok(r) => r,
            Err(_) => Err(SendError::Uncertain(format!(
                "no answer within {} s",
                SEND_LIMIT.as_secs()
            ))),
        };
        let pause = match &result {
            Err(SendError::Throttled(wait)) => Some(*wait),
            _ => None,
        };
        self.record(message, result).await;
        pause
    }

    async fn record(&self, message: Claimed, result: Result<crate::sms::Accepted, SendError>) {
        let now = self.clock.now();
        let id = message.id.clone();
        let outcome = self
            .store
            .write(move |sql| match &result {
                Ok(accepted) => {
                    outbox::record_sent(sql, &message.id, accepted.gateway_id.as_deref(), now)
                }
                Err(SendError::Transient(why)) => {
                    outbox::record_retry(sql, &message.id, why, now + retry_after(message.attempts))
                }
                Err(SendError::Throttled(wait)) => {
                    let wait = Duration::from_std(*wait).unwrap_or(Duration::seconds(30));
                    outbox::hold(sql, &message.id, now + wait)
                }
                Err(SendError::Uncertain(why)) => {
                    outbox::settle(sql, &message.id, Status::Unconfirmed, Some(why))
                }
                Err(e @ (SendError::Rejected(_) | SendError::Disabled)) => {
                    outbox::settle(sql, &message.id, Status::Failed, Some(&e.to_string()))
                }
            })
            .await;
        if let Err(e) = outcome {
            // The row stays `sending`: after ABANDONED_AFTER it becomes unconfirmed, never
            // sent twice.
            tracing::error!(sms = %id, error = %e, "cannot record what the gateway answered");
        }
    }

    async fn settle_abandoned(&self, now: DateTime<FixedOffset>) {
        let before = now - ABANDONED_AFTER;
        match self
            .store
            .write(move |sql| outbox::settle_abandoned(sql, before))
            .await
        {
            Ok(0) => {}
            Ok(n) => tracing::warn!(
                messages = n,
                "SMS left mid-send by a server that stopped: marked unconfirmed, not sent again"
            ),
            Err(e) => tracing::warn!(error = %e, "cannot look for abandoned SMS"),
        }
    }

    async fn record_report(&self, report: DeliveryReport) {
        let gateway_id = report.gateway_id.clone();
        match self
            .store
            .write(move |sql| outbox::record_report(sql, &report))
            .await
        {
            Ok(0) => tracing::info!(%gateway_id, "delivery report for no known message"),
            Ok(_) => {}
            Err(e) => tracing::warn!(%gateway_id, error = %e, "cannot record a delivery report"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_to_two_minutes() {
        let s: Vec<i64> = (1..=8).map(|a| retry_after(a).num_seconds()).collect();
        assert_eq!(s, [5, 10, 20, 40, 80, 120, 120, 120]);
        assert_eq!(retry_after(u32::MAX).num_seconds(), 120);
    }
}
