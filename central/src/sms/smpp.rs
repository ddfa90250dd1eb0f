//! SMPP 3.4 client over rusmppc: one session kept bound in the background (enquire_link
//! keep-alive, reconnect with backoff), `submit_sm` per segment, delivery receipts from
//! `deliver_sm`.
//!
//! A multi-segment message goes as concatenated `submit_sm`s with an 8-bit UDH; the UDH
//! reference comes from the outbox id, so a retry reuses it. A receipt is asked for the last
//! segment only, whose message id is `Accepted::gateway_id`. SMPP has no idempotency key:
//! after a response timeout the SMSC may have taken the message, and a retry sends it again.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use futures_util::StreamExt;
use rusmpp::extra::concatenation::{Concatenation, Concatenator, SubmitSmMultipartExt};
use rusmpp::pdus::{BindTransceiver, BindTransmitter, DeliverSm, DeliverSmResp, SubmitSm};
use rusmpp::tlvs::TlvValue;
use rusmpp::types::{COctetString, OctetString};
use rusmpp::values::{
    DataCoding, EsmClass, InterfaceVersion, Npi, RegisteredDelivery, ServiceType, Ton,
};
use rusmpp::{Command, CommandId, CommandStatus, Pdu};
use rusmppc::error::Error as SmppError;
use rusmppc::{Client, ConnectionBuilder, Event};
use tokio::net::TcpStream;
use tokio::sync::watch;

use super::config::{BindMode, SmppConfig};
use super::gateway::{Accepted, DlrSender, OutgoingSms, SendError};
use super::phone::Mobile;
use super::receipt;
use super::text::{self, Encoding, Prepared};

/// Reconnect delays: doubling from the first to the last.
const BACKOFF_FIRST: Duration = Duration::from_secs(1);
const BACKOFF_MAX: Duration = Duration::from_secs(60);
/// What to wait after ESME_RTHROTTLED and ESME_RMSGQFUL.
const THROTTLED_WAIT: Duration = Duration::from_secs(5);
const QUEUE_FULL_WAIT: Duration = Duration::from_secs(30);

/// The session as senders see it.
#[derive(Debug, Clone)]
enum Link {
    Connecting,
    Up(Client),
    Down(String),
    Closed,
}

#[derive(Debug)]
pub struct SmppGateway {
    config: Arc<SmppConfig>,
    max_segments: usize,
    link: watch::Receiver<Link>,
    stop: watch::Sender<bool>,
}

impl Drop for SmppGateway {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

impl SmppGateway {
    /// Starts the session task (inside a tokio runtime); receipts go to `reports`.
    pub fn start(config: SmppConfig, max_segments: usize, reports: DlrSender) -> Self {
        let config = Arc::new(config);
        let (link_tx, link) = watch::channel(Link::Connecting);
        let (stop, stop_rx) = watch::channel(false);
        tokio::spawn(supervise(config.clone(), link_tx, stop_rx, reports));
        Self {
            config,
            max_segments,
            link,
            stop,
        }
    }

    /// Unbinds and ends the session task.
    pub async fn close(&self) {
        let _ = self.stop.send(true);
        let mut link = self.link.clone();
        let _ = tokio::time::timeout(
            Duration::from_secs(5),
            link.wait_for(|l| matches!(l, Link::Closed)),
        )
        .await;
    }

    /// A bound client: waits while the first connection is being made, answers at once
    /// when the link is down.
    async fn client(&self) -> Result<Client, SendError> {
        let mut link = self.link.clone();
        let wait = self.config.connect_timeout() + self.config.response_timeout();
        let state = tokio::time::timeout(wait, link.wait_for(|l| !matches!(l, Link::Connecting)))
            .await
            .map_err(|_| SendError::Transient("SMPP: still connecting to the SMSC".into()))?
            .map_err(|_| SendError::Transient("SMPP: the session task ended".into()))?
            .clone();
        match state {
            Link::Up(client) if client.is_active() => Ok(client),
            Link::Up(_) => Err(SendError::Transient("SMPP: the session just closed".into())),
            Link::Down(why) => Err(SendError::Transient(format!("SMPP: {why}"))),
            Link::Closed => Err(SendError::Transient("SMPP: the gateway is closed".into())),
            Link::Connecting => Err(SendError::Transient("SMPP: still connecting".into())),
        }
    }

    pub async fn send(&self, sms: &OutgoingSms) -> Result<Accepted, SendError> {
        let (to, prepared) = sms.checked(self.max_segments)?;
        let parts = submits(&self.config, &to, &prepared, udh_reference(&sms.id))?;
        let client = self.client().await?;
        let total = parts.len();
        let mut gateway_id = None;
        // Our own bound on every submit, whatever the SMPP client does with a session that
        // died under it: a send never waits longer than the response timeout (plus a margin).
        let bound = self.config.response_timeout() + Duration::from_secs(1);
        for (i, sm) in parts.into_iter().enumerate() {
            let answer = tokio::time::timeout(bound, client.submit_sm(sm))
                .await
                .map_err(|_| {
                    SendError::Transient(format!(
                        "SMPP: no answer to submit_sm in {} s",
                        bound.as_secs()
                    ))
                })?;
            let id = match answer {
                Ok(resp) => resp.message_id().as_str().to_string(),
                // A 3.4 SMSC may answer OK with no body at all (no message id).
                Err(SmppError::UnexpectedResponse { response })
                    if response.status() == CommandStatus::EsmeRok
                        && response.id() == CommandId::SubmitSmResp =>
                {
                    String::new()
                }
                Err(e) => {
                    let mut err = classify(&e);
                    if i > 0 {
                        // Earlier parts went: the phone may show half a message.
                        err = with_note(err, &format!("after {i} of {total} segments"));
                    }
                    return Err(err);
                }
            };
            gateway_id = Some(id).filter(|s| !s.is_empty());
        }
        Ok(Accepted { gateway_id })
    }
}

fn with_note(e: SendError, note: &str) -> SendError {
    match e {
        SendError::Transient(s) => SendError::Transient(format!("{s} ({note})")),
        SendError::Uncertain(s) => SendError::Uncertain(format!("{s} ({note})")),
        SendError::Rejected(s) => SendError::Rejected(format!("{s} ({note})")),
        other => other,
    }
}

/// The UDH reference of a message: a hash of its id, the same on every retry.
fn udh_reference(id: &str) -> u8 {
    // FNV-1a, folded to a byte.
    let h = id.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    h.to_le_bytes().iter().fold(0, |a, b| a ^ b)
}

/// Our segments as rusmpp's concatenator wants them: the split is [`text`]'s, so the count
/// sent is the count logged.
struct Segments {
    parts: Vec<Vec<u8>>,
    data_coding: DataCoding,
}

impl Concatenator for Segments {
    type Error = std::convert::Infallible;

    fn concatenate(
        &self,
        _message: &str,
        _max_message_size: usize,
        _part_header_size: usize,
    ) -> Result<(Concatenation, DataCoding), Self::Error> {
        let c = match self.parts.as_slice() {
            [one] => Concatenation::Single(one.clone()),
            many => Concatenation::Concatenated(many.to_vec()),
        };
        Ok((c, self.data_coding))
    }
}

fn c_string<const MIN: usize, const MAX: usize>(
    what: &str,
    s: &str,
) -> Result<COctetString<MIN, MAX>, SendError> {
    COctetString::from_str(s).map_err(|e| SendError::Rejected(format!("SMPP {what}: {e}")))
}

/// The `submit_sm`s of one message.
fn submits(
    config: &SmppConfig,
    to: &Mobile,
    prepared: &Prepared,
    reference: u8,
) -> Result<Vec<SubmitSm>, SendError> {
    let parts = text::encode_segments(&prepared.text, prepared.encoding)
        .map_err(|e| SendError::Rejected(e.to_string()))?;
    let (ton, npi) = config.source_ton_npi();
    let data_coding = match prepared.encoding {
        Encoding::Gsm7 => DataCoding::McSpecific,
        Encoding::Ucs2 => DataCoding::Ucs2,
    };
    // A transmitter session cannot take receipts; asking would pile them up at the SMSC.
    let wanted = config.delivery_reports && config.bind == BindMode::Transceiver;
    let receipt = RegisteredDelivery::from(u8::from(wanted));
    let base = SubmitSm::builder()
        .service_type(ServiceType::default())
        .source_addr_ton(Ton::from(ton))
        .source_addr_npi(Npi::from(npi))
        .source_addr(c_string("source_addr", &config.source_addr)?)
        .dest_addr_ton(Ton::International)
        .dest_addr_npi(Npi::Isdn)
        .destination_addr(c_string("destination_addr", &to.international())?)
        .esm_class(EsmClass::default())
        .registered_delivery(receipt)
        .data_coding(data_coding)
        .short_message(OctetString::empty())
        .build();
    let mut sms = base
        .multipart(&prepared.text)
        .reference_u8(reference)
        .encoder(Segments { parts, data_coding })
        .build()
        .map_err(|e| SendError::Rejected(format!("SMPP: cannot build the message: {e}")))?;
    // One receipt per message: on the last segment.
    let last = sms.len().saturating_sub(1);
    for sm in sms.iter_mut().take(last) {
        sm.registered_delivery = RegisteredDelivery::default();
    }
    Ok(sms)
}

/// The SMPP name of a command_status, for reasons in the outbox.
fn status_name(s: CommandStatus) -> String {
    let name = match s {
        CommandStatus::EsmeRinvmsglen => "ESME_RINVMSGLEN (invalid message length)",
        CommandStatus::EsmeRinvdstadr => "ESME_RINVDSTADR (invalid destination address)",
        CommandStatus::EsmeRinvsrcadr => "ESME_RINVSRCADR (invalid source address)",
        CommandStatus::EsmeRinvdstton => "ESME_RINVDSTTON (invalid destination TON)",
        CommandStatus::EsmeRinvdstnpi => "ESME_RINVDSTNPI (invalid destination NPI)",
        CommandStatus::EsmeRinvsrcton => "ESME_RINVSRCTON (invalid source TON)",
        CommandStatus::EsmeRinvsrcnpi => "ESME_RINVSRCNPI (invalid source NPI)",
        CommandStatus::EsmeRinvesmclass => "ESME_RINVESMCLASS (invalid esm_class)",
        CommandStatus::EsmeRsubmitfail => "ESME_RSUBMITFAIL (submit failed)",
        CommandStatus::EsmeRsyserr => "ESME_RSYSERR (SMSC system error)",
        CommandStatus::EsmeRthrottled => "ESME_RTHROTTLED (throttled)",
        CommandStatus::EsmeRmsgqful => "ESME_RMSGQFUL (message queue full)",
        CommandStatus::EsmeRinvbndsts => "ESME_RINVBNDSTS (not bound)",
        CommandStatus::EsmeRbindfail => "ESME_RBINDFAIL (bind failed)",
        CommandStatus::EsmeRinvpaswd => "ESME_RINVPASWD (invalid password)",
        CommandStatus::EsmeRinvsysid => "ESME_RINVSYSID (invalid system_id)",
        CommandStatus::EsmeRxTAppn => "ESME_RX_T_APPN (temporary application error)",
        CommandStatus::EsmeRxPAppn => "ESME_RX_P_APPN (permanent application error)",
        CommandStatus::EsmeRxRAppn => "ESME_RX_R_APPN (message rejected)",
        CommandStatus::EsmeRinvdcs => "ESME_RINVDCS (invalid data_coding)",
        CommandStatus::EsmeRprohibited => "ESME_RPROHIBITED (not allowed)",
        _ => "",
    };
    let code = u32::from(s);
    if name.is_empty() {
        format!("command_status 0x{code:08X}")
    } else {
        format!("{name}, 0x{code:08X}")
    }
}

/// The answer to a `submit_sm` as a send result. Throttling waits; the SMSC's own trouble and
/// an unbound session are retried; any other refusal is final (as Kannel's SMPP client does).
fn classify_status(s: CommandStatus) -> SendError {
    match s {
        CommandStatus::EsmeRthrottled => SendError::Throttled(THROTTLED_WAIT),
        CommandStatus::EsmeRmsgqful => SendError::Throttled(QUEUE_FULL_WAIT),
        CommandStatus::EsmeRsyserr
        | CommandStatus::EsmeRxTAppn
        | CommandStatus::EsmeRinvbndsts
        | CommandStatus::EsmeRunknownerr => {
            SendError::Transient(format!("SMSC answered {}", status_name(s)))
        }
        _ => SendError::Rejected(format!("SMSC refused the message: {}", status_name(s))),
    }
}

fn classify(e: &SmppError) -> SendError {
    match e {
        SmppError::UnexpectedResponse { response } => classify_status(response.status()),
        SmppError::ResponseTimeout { timeout, .. } => SendError::Uncertain(format!(
            "SMPP: no answer to submit_sm within {} s (the SMSC may have taken it)",
            timeout.as_secs()
        )),
        other => SendError::Transient(format!("SMPP: {other}")),
    }
}

/// Completes when the gateway is asked to stop (or dropped); holds no guard across awaits.
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

/// Connects, binds, serves the session until it ends, and starts again after a backoff.
async fn supervise(
    config: Arc<SmppConfig>,
    link: watch::Sender<Link>,
    mut stop: watch::Receiver<bool>,
    reports: DlrSender,
) {
    let mut backoff = BACKOFF_FIRST;
    loop {
        link.send_replace(Link::Connecting);
        let attempt = tokio::select! {
            r = connect_and_bind(&config) => r,
            _ = stopped(&mut stop) => break,
        };
        match attempt {
            Ok((client, events)) => {
                tracing::info!(address = %config.address, bind = ?config.bind, "SMPP session bound");
                backoff = BACKOFF_FIRST;
                link.send_replace(Link::Up(client.clone()));
                let why = serve(&client, events, &reports, &mut stop).await;
                if *stop.borrow() {
                    break;
                }
                tracing::warn!(address = %config.address, reason = %why, "SMPP session ended");
                link.send_replace(Link::Down(why));
            }
            Err(why) => {
                tracing::warn!(address = %config.address, reason = %why, retry_in_s = backoff.as_secs(), "SMPP connection failed");
                link.send_replace(Link::Down(why));
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(backoff) => {}
            _ = stopped(&mut stop) => break,
        }
        backoff = (backoff * 2).min(BACKOFF_MAX);
    }
    link.send_replace(Link::Closed);
}

type Events = Box<dyn futures_util::Stream<Item = Event> + Unpin + Send>;

async fn connect_and_bind(config: &SmppConfig) -> Result<(Client, Events), String> {
    let stream = tokio::time::timeout(
        config.connect_timeout(),
        TcpStream::connect(&config.address),
    )
    .await
    .map_err(|_| {
        format!(
            "no connection to {} within {} s",
            config.address, config.connect_timeout_secs
        )
    })?
    .map_err(|e| format!("cannot connect to {}: {e}", config.address))?;
    let (client, events) = ConnectionBuilder::new()
        .max_command_length(64 * 1024)
        .enquire_link_interval(config.enquire_link())
        .enquire_link_response_timeout(config.response_timeout())
        .response_timeout(config.response_timeout())
        // We speak 3.4, which rusmppc (built for 5.0) refuses to bind with unless told.
        .disable_interface_version_check()
        .connected(stream);
    let events: Events = Box::new(events);
    let bad = |what: &str, e: &dyn std::fmt::Display| format!("sms.smpp.{what}: {e}");
    let system_id = COctetString::from_str(&config.system_id).map_err(|e| bad("system_id", &e))?;
    let password =
        COctetString::from_str(config.password.expose()).map_err(|e| bad("password", &e))?;
    let system_type =
        COctetString::from_str(&config.system_type).map_err(|e| bad("system_type", &e))?;
    let bound = match config.bind {
        BindMode::Transceiver => client
            .bind_transceiver(
                BindTransceiver::builder()
                    .system_id(system_id)
                    .password(password)
                    .system_type(system_type)
                    .interface_version(InterfaceVersion::Smpp3_4)
                    .addr_ton(Ton::Unknown)
                    .addr_npi(Npi::Unknown)
                    .address_range(COctetString::empty())
                    .build(),
            )
            .await
            .map(|_| ()),
        BindMode::Transmitter => client
            .bind_transmitter(
                BindTransmitter::builder()
                    .system_id(system_id)
                    .password(password)
                    .system_type(system_type)
                    .interface_version(InterfaceVersion::Smpp3_4)
                    .addr_ton(Ton::Unknown)
                    .addr_npi(Npi::Unknown)
                    .address_range(COctetString::empty())
                    .build(),
            )
            .await
            .map(|_| ()),
    };
    match bound {
        Ok(()) => Ok((client, events)),
        // Some 3.4 SMSCs answer a good bind with an empty body.
        Err(SmppError::UnexpectedResponse { response })
            if response.status() == CommandStatus::EsmeRok =>
        {
            Ok((client, events))
        }
        Err(e) => {
            let _ = client.close().await;
            Err(match e {
                SmppError::UnexpectedResponse { response } => {
                    format!("bind refused: {}", status_name(response.status()))
                }
                other => format!("bind failed: {other}"),
            })
        }
    }
}

/// Serves a bound session: answers `deliver_sm` (forwarding receipts) and `unbind`; returns
/// why it ended. On stop it unbinds.
async fn serve(
    client: &Client,
    mut events: Events,
    reports: &DlrSender,
    stop: &mut watch::Receiver<bool>,
) -> String {
    loop {
        let event = tokio::select! {
            e = events.next() => e,
            _ = stopped(stop) => {
                let _ = tokio::time::timeout(Duration::from_secs(2), client.unbind()).await;
                let _ = client.close().await;
                return "stopped".into();
            }
        };
        match event {
            None => return "the connection closed".into(),
            Some(Event::Error(e)) => {
                tracing::warn!(error = %e, "SMPP session error");
            }
            Some(Event::Incoming(command)) => {
                if let Some(why) = incoming(client, command, reports).await {
                    return why;
                }
            }
        }
    }
}

/// Handles one command from the SMSC; `Some(reason)` ends the session.
async fn incoming(client: &Client, command: Command, reports: &DlrSender) -> Option<String> {
    let seq = command.sequence_number();
    match command.id() {
        CommandId::DeliverSm => {
            if let Some(Pdu::DeliverSm(dsm)) = command.pdu() {
                if let Some(report) = delivery_report(dsm) {
                    tracing::info!(gateway_id = %report.gateway_id, state = report.state.as_str(), "delivery report");
                    if reports.send(report).await.is_err() {
                        tracing::warn!("delivery report dropped: nothing records them");
                    }
                } else {
                    // Not a receipt (an MO message): we keep no inbox, but must answer.
                    tracing::debug!("deliver_sm that is not a receipt ignored");
                }
            }
            // Answer after handing the report on, so a crash before that makes the SMSC resend.
            let _ = client.deliver_sm_resp(seq, DeliverSmResp::default()).await;
            None
        }
        CommandId::Unbind => {
            let _ = client.unbind_resp(seq).await;
            let _ = client.close().await;
            Some("the SMSC unbound".into())
        }
        other => {
            tracing::debug!(command = ?other, "SMPP command ignored");
            None
        }
    }
}

/// A receipt in a `deliver_sm`, if it is one.
fn delivery_report(dsm: &DeliverSm) -> Option<super::gateway::DeliveryReport> {
    let mut tlv_id = None;
    let mut tlv_state = None;
    for tlv in dsm.tlvs() {
        match tlv.value() {
            Some(TlvValue::ReceiptedMessageId(id)) => tlv_id = Some(id.as_str().to_string()),
            Some(TlvValue::MessageState(s)) => tlv_state = Some(u8::from(*s)),
            _ => {}
        }
    }
    let bytes = dsm.short_message().as_ref();
    let text = String::from_utf8_lossy(bytes);
    let is_receipt = !matches!(
        dsm.esm_class.message_type,
        rusmpp::values::MessageType::Default
    ) || tlv_id.is_some()
        || text.contains("stat:");
    if !is_receipt {
        return None;
    }
    receipt::parse(&text, tlv_id.as_deref(), tlv_state)
        .map(|r| r.into_report(text.into_owned(), Utc::now()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sms::config::Secret;

    fn config() -> SmppConfig {
        SmppConfig {
            address: "127.0.0.1:2775".into(),
            system_id: "motcua".into(),
            password: Secret::new("pw"),
            system_type: String::new(),
            source_addr: "UBND-BN".into(),
            source_addr_ton: None,
            source_addr_npi: None,
            bind: BindMode::Transceiver,
            delivery_reports: true,
            enquire_link_secs: 30,
            response_timeout_secs: 10,
            connect_timeout_secs: 10,
        }
    }

    #[test]
    fn one_segment() {
        let to = Mobile::parse("0912345678").expect("number");
        let p = text::prepare("Hồ sơ đã có kết quả", 3).expect("fits");
        let sms = submits(&config(), &to, &p, 7).expect("builds");
        assert_eq!(sms.len(), 1);
        let sm = &sms[0];
        assert_eq!(sm.data_coding, DataCoding::Ucs2);
        assert_eq!(sm.source_addr_ton, Ton::Alphanumeric);
        assert_eq!(sm.source_addr.as_str(), "UBND-BN");
        assert_eq!(sm.destination_addr.as_str(), "84912345678");
        assert_eq!(u8::from(sm.registered_delivery), 1);
        let expect: Vec<u8> = "Hồ sơ đã có kết quả"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        assert_eq!(sm.short_message().as_ref(), expect.as_slice());
    }

    #[test]
    fn concatenated_segments_carry_a_udh() {
        let to = Mobile::parse("0912345678").expect("number");
        let text = "a".repeat(200);
        let p = text::prepare(&text, 3).expect("fits");
        let sms = submits(&config(), &to, &p, 0x2A).expect("builds");
        assert_eq!(sms.len(), 2);
        for (i, sm) in sms.iter().enumerate() {
            let bytes = sm.short_message().as_ref();
            assert_eq!(&bytes[..6], &[0x05, 0x00, 0x03, 0x2A, 2, i as u8 + 1]);
            assert_eq!(sm.data_coding, DataCoding::McSpecific);
            assert_eq!(u8::from(sm.esm_class) & 0x40, 0x40, "UDHI set");
        }
        assert_eq!(sms[0].short_message().as_ref().len(), 6 + 153);
        assert_eq!(u8::from(sms[0].registered_delivery), 0);
        assert_eq!(u8::from(sms[1].registered_delivery), 1);
        assert_eq!(udh_reference("m-1"), udh_reference("m-1"));
    }

    #[test]
    fn statuses() {
        assert_eq!(
            classify_status(CommandStatus::EsmeRthrottled),
            SendError::Throttled(THROTTLED_WAIT)
        );
        assert_eq!(
            classify_status(CommandStatus::EsmeRmsgqful),
            SendError::Throttled(QUEUE_FULL_WAIT)
        );
        assert_eq!(
            classify_status(CommandStatus::EsmeRinvdstadr),
            SendError::Rejected(
                "SMSC refused the message: ESME_RINVDSTADR (invalid destination address), 0x0000000B"
                    .into()
            )
        );
        assert!(matches!(
            classify_status(CommandStatus::EsmeRsyserr),
            SendError::Transient(_)
        ));
        assert_eq!(
            status_name(CommandStatus::Other(0x400)),
            "command_status 0x00000400"
        );
    }
}
