//! `gateway = "none"`: sending is switched off; every message is answered
//! [`SendError::Disabled`], so the outbox shows why nothing went.

use super::gateway::{Accepted, OutgoingSms, SendError};

#[derive(Debug, Clone, Copy, Default)]
pub struct NoneGateway;

impl NoneGateway {
    pub async fn send(&self, _sms: &OutgoingSms) -> Result<Accepted, SendError> {
        Err(SendError::Disabled)
    }
}
