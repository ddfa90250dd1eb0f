//! Messages to citizens' phones, above the gateways of [`crate::sms`]: what causes one
//! ([`triggers`]), where it waits ([`outbox`]), who is told about a dossier
//! ([`subscriptions`]), and the task that hands messages to the gateway ([`sender`]).

pub mod outbox;
pub mod sender;
pub mod subscriptions;
pub mod triggers;

use std::sync::Arc;

use tokio::sync::Notify;

use crate::sms::SmsSettings;

/// SMS as the request handlers see it: the settings the triggers compose with, and the sender
/// to wake once a message is committed. Absent when the office sends no SMS.
#[derive(Clone)]
pub struct Sms {
    pub settings: Arc<SmsSettings>,
    pub wake: Arc<Notify>,
}

impl Sms {
    /// Tells the sender that messages wait (call after the transaction that queued them).
    pub fn poke(&self) {
        self.wake.notify_one();
    }
}
