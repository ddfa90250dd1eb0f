//! What every gateway takes and answers, and [`Gateway`], which dispatches to the configured
//! one. The outbox calls [`Gateway::send`] once per attempt and records the answer.

use std::time::Duration;

use chrono::{DateTime, Utc};
use thiserror::Error;
use tokio::sync::mpsc;

use super::config::{GatewaySettings, SmsSettings, is_url_safe};
use super::http::HttpGateway;
use super::kannel::KannelGateway;
use super::none::NoneGateway;
use super::phone::Mobile;
use super::smpp::SmppGateway;
use super::text::{self, Encoding, Prepared};

/// One message as the outbox hands it over.
#[derive(Clone, PartialEq, Eq)]
pub struct OutgoingSms {
    /// The outbox id: unique, 1 to 64 letters, digits, `-`, `_`, `.` or `~`. Gateways that can
    /// carry it (Kannel's dlr-url, an HTTP provider's request id) send it, so a retry can be
    /// recognised and a delivery report matched.
    pub id: String,
    /// `0xxxxxxxxx` (also accepted: `84…`, `+84…`); gateways get the `84…` form.
    pub to: String,
    pub text: String,
    pub encoding: Encoding,
}

impl OutgoingSms {
    /// A message from a prepared text.
    pub fn new(id: impl Into<String>, to: impl Into<String>, prepared: &Prepared) -> Self {
        Self {
            id: id.into(),
            to: to.into(),
            text: prepared.text.clone(),
            encoding: prepared.encoding,
        }
    }

    /// The checks every gateway makes before anything leaves: id, number, encoding, size.
    pub(crate) fn checked(&self, max_segments: usize) -> Result<(Mobile, Prepared), SendError> {
        if self.id.is_empty() || self.id.len() > 64 || !is_url_safe(&self.id) {
            return Err(SendError::Rejected(
                "the outbox id is not 1 to 64 letters, digits, '-', '_', '.' or '~'".into(),
            ));
        }
        let to = Mobile::parse(&self.to).ok_or_else(|| {
            SendError::Rejected(format!(
                "{} is not a Vietnamese mobile number",
                super::phone::mask(&self.to)
            ))
        })?;
        let prepared = text::prepare_as(&self.text, self.encoding, max_segments)
            .map_err(|e| SendError::Rejected(e.to_string()))?;
        Ok((to, prepared))
    }
}

/// The number masked, the text left out: this is what may reach a log.
impl std::fmt::Debug for OutgoingSms {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutgoingSms")
            .field("id", &self.id)
            .field("to", &super::phone::mask(&self.to))
            .field("encoding", &self.encoding)
            .field("chars", &self.text.chars().count())
            .finish()
    }
}

/// The gateway took the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// What delivery reports will carry as [`DeliveryReport::gateway_id`]: the SMSC's
    /// message id (SMPP; the last part's for a concatenated message), the outbox id (Kannel,
    /// which reports through our dlr-url), the provider's id (HTTP, when configured).
    pub gateway_id: Option<String>,
}

/// Why a message was not taken. The outbox retries `Transient` and `Throttled`, marks the
/// message failed on `Rejected` and `Disabled`, and unconfirmed on `Uncertain`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SendError {
    /// Not taken; try again later (gateway unreachable, an error answer, SMSC not bound).
    #[error("temporary failure: {0}")]
    Transient(String),
    /// The request left but no usable answer came (a timeout, a connection cut, an unreadable
    /// answer): the gateway may have taken the message. None of the gateways can recognise a
    /// repeat, so the outbox does not send it again.
    #[error("no answer after sending: {0}")]
    Uncertain(String),
    /// Never retry: bad number, refused content, account problem.
    #[error("refused: {0}")]
    Rejected(String),
    /// The gateway asks to slow down; retry after at least this long.
    #[error("throttled; retry in {} s", .0.as_secs())]
    Throttled(Duration),
    /// `gateway = "none"`: sending is switched off.
    #[error("sending SMS is disabled ([sms] gateway = \"none\")")]
    Disabled,
}

/// A delivery state as gateways report it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DlrState {
    /// On the phone.
    Delivered,
    /// Will not reach the phone (undeliverable, deleted, rejected by the network).
    Failed,
    /// Validity ran out before the phone was reachable.
    Expired,
    /// The SMSC refused it after taking it (Kannel 16, SMPP REJECTD).
    Rejected,
    /// Waiting at the SMSC (intermediate).
    Buffered,
    /// Handed to the SMSC (Kannel 8; intermediate).
    AtSmsc,
    /// A state the gateway did not name clearly.
    Unknown,
}

impl DlrState {
    /// Whether no later report is expected.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            DlrState::Delivered | DlrState::Failed | DlrState::Expired | DlrState::Rejected
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DlrState::Delivered => "delivered",
            DlrState::Failed => "failed",
            DlrState::Expired => "expired",
            DlrState::Rejected => "rejected",
            DlrState::Buffered => "buffered",
            DlrState::AtSmsc => "at_smsc",
            DlrState::Unknown => "unknown",
        }
    }
}

/// A delivery report, matched to a message by `gateway_id` (see [`Accepted::gateway_id`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryReport {
    pub gateway_id: String,
    pub state: DlrState,
    /// When the gateway says it happened, else when the report arrived.
    pub at: DateTime<Utc>,
    /// The report as received (SMPP receipt text, Kannel's parameters without the secret);
    /// gateways never put the phone number here.
    pub raw: String,
}

/// Where gateways send delivery reports; the outbox owns the receiver.
pub type DlrSender = mpsc::Sender<DeliveryReport>;

/// The configured gateway (static dispatch).
#[derive(Debug)]
pub enum Gateway {
    None(NoneGateway),
    Smpp(SmppGateway),
    Kannel(KannelGateway),
    Http(HttpGateway),
}

/// A gateway that cannot be set up.
#[derive(Debug, Error)]
pub enum GatewayError {
    #[error("cannot set up the HTTP client: {0}")]
    Http(String),
}

impl Gateway {
    /// Starts the configured gateway; SMPP connects and binds in the background (call
    /// inside a tokio runtime). Delivery reports go to `reports`.
    pub fn start(settings: &SmsSettings, reports: DlrSender) -> Result<Self, GatewayError> {
        let max = settings.max_segments;
        Ok(match &settings.gateway {
            GatewaySettings::None => Gateway::None(NoneGateway),
            GatewaySettings::Smpp(c) => Gateway::Smpp(SmppGateway::start(c.clone(), max, reports)),
            GatewaySettings::Kannel(c) => Gateway::Kannel(KannelGateway::new(c.clone(), max)?),
            GatewaySettings::Http(c) => Gateway::Http(HttpGateway::new(c.clone(), max)?),
        })
    }

    /// `none`, `smpp`, `kannel` or `http`.
    pub fn kind(&self) -> &'static str {
        match self {
            Gateway::None(_) => "none",
            Gateway::Smpp(_) => "smpp",
            Gateway::Kannel(_) => "kannel",
            Gateway::Http(_) => "http",
        }
    }

    /// Hands one message to the gateway. Never sends a message over the segment cap.
    pub async fn send(&self, sms: &OutgoingSms) -> Result<Accepted, SendError> {
        let result = match self {
            Gateway::None(g) => g.send(sms).await,
            Gateway::Smpp(g) => g.send(sms).await,
            Gateway::Kannel(g) => g.send(sms).await,
            Gateway::Http(g) => g.send(sms).await,
        };
        match &result {
            Ok(a) => tracing::info!(
                id = %sms.id, to = %super::phone::mask(&sms.to), gateway = self.kind(),
                gateway_id = a.gateway_id.as_deref().unwrap_or("-"), "SMS accepted"
            ),
            Err(e) => tracing::warn!(
                id = %sms.id, to = %super::phone::mask(&sms.to), gateway = self.kind(),
                error = %e, "SMS not accepted"
            ),
        }
        result
    }

    /// Unbinds (SMPP) and stops background work.
    pub async fn close(&self) {
        if let Gateway::Smpp(g) = self {
            g.close().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sms(id: &str, to: &str, text: &str) -> OutgoingSms {
        let p = text::prepare(text, 3).expect("fits");
        OutgoingSms::new(id, to, &p)
    }

    #[test]
    fn checks_before_sending() {
        let (to, p) = sms("42", "0912345678", "Chào quý vị")
            .checked(3)
            .expect("good");
        assert_eq!(to.international(), "84912345678");
        assert_eq!(p.encoding, Encoding::Ucs2);
        let bad_id = sms("4 2", "0912345678", "x")
            .checked(3)
            .expect_err("an error");
        assert!(matches!(bad_id, SendError::Rejected(_)));
        let bad_to = sms("42", "0212345678", "x")
            .checked(3)
            .expect_err("an error");
        assert_eq!(
            bad_to,
            SendError::Rejected("02xxxxx678 is not a Vietnamese mobile number".into())
        );
        // A GSM-7 claim over UCS-2 text, and a fourth segment, are refused.
        let mut lie = sms("42", "0912345678", "x");
        lie.text = "Chào quý vị".into();
        assert!(matches!(lie.checked(3), Err(SendError::Rejected(_))));
        let mut long = sms("42", "0912345678", "x");
        long.text = "a".repeat(460);
        assert_eq!(
            long.checked(3).expect_err("an error"),
            SendError::Rejected(
                "the message needs 4 GSM-7 segments (460 septets), more than the cap of 3".into()
            )
        );
        assert_eq!(
            format!("{:?}", sms("42", "0912345678", "bí mật")),
            "OutgoingSms { id: \"42\", to: \"09xxxxx678\", encoding: Ucs2, chars: 6 }"
        );
    }
}
