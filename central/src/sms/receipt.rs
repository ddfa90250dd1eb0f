//! SMPP delivery receipts: the de-facto text format of SMPP 3.4 appendix B
//! (`id:… sub:… dlvrd:… submit date:YYMMDDhhmm done date:YYMMDDhhmm stat:DELIVRD err:… text:…`)
//! and the `receipted_message_id` / `message_state` TLVs, which win when present.

use chrono::{DateTime, NaiveDateTime, Utc};

use super::gateway::{DeliveryReport, DlrState};

/// What a receipt says, before it is tied to a time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub message_id: String,
    pub state: DlrState,
    /// `done date` (SMSC local time, read as the office's: UTC+07:00).
    pub done: Option<DateTime<Utc>>,
}

/// The state words SMSCs use in `stat:`.
pub fn state_of_word(word: &str) -> DlrState {
    match word.to_ascii_uppercase().as_str() {
        "DELIVRD" | "DELIVERED" => DlrState::Delivered,
        "EXPIRED" => DlrState::Expired,
        "UNDELIV" | "UNDELIVERABLE" | "DELETED" | "FAILED" => DlrState::Failed,
        "REJECTD" | "REJECTED" => DlrState::Rejected,
        "ENROUTE" | "ACCEPTD" | "ACCEPTED" | "SCHEDULED" => DlrState::Buffered,
        _ => DlrState::Unknown,
    }
}

/// SMPP `message_state` values (5.2.28).
pub fn state_of_message_state(v: u8) -> DlrState {
    match v {
        2 => DlrState::Delivered,
        3 => DlrState::Expired,
        4 | 5 => DlrState::Failed,
        8 => DlrState::Rejected,
        0 | 1 | 6 => DlrState::Buffered,
        _ => DlrState::Unknown,
    }
}

/// The value after `key:` up to the next space (`text:` is last and may hold spaces).
fn field<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    let lower = text.to_ascii_lowercase();
    let at = lower.find(&format!("{key}:"))?;
    let rest = &text[at + key.len() + 1..];
    Some(rest.split(' ').next().unwrap_or(rest))
}

/// Parses a receipt's text; `tlv_id` and `tlv_state` come from the PDU's TLVs.
pub fn parse(text: &str, tlv_id: Option<&str>, tlv_state: Option<u8>) -> Option<Receipt> {
    let message_id = tlv_id
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .or_else(|| {
            field(text, "id")
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        })?;
    let state = match tlv_state {
        Some(v) => state_of_message_state(v),
        None => field(text, "stat").map_or(DlrState::Unknown, state_of_word),
    };
    let done = field(text, "done date").and_then(|d| {
        let naive = NaiveDateTime::parse_from_str(&format!("{d}00"), "%y%m%d%H%M%S")
            .or_else(|_| NaiveDateTime::parse_from_str(d, "%y%m%d%H%M%S"))
            .ok()?;
        naive
            .and_local_timezone(crate::clock::office_offset())
            .single()
            .map(|t| t.with_timezone(&Utc))
    });
    Some(Receipt {
        message_id,
        state,
        done,
    })
}

impl Receipt {
    pub fn into_report(self, raw: String, received: DateTime<Utc>) -> DeliveryReport {
        DeliveryReport {
            gateway_id: self.message_id,
            state: self.state,
            at: self.done.unwrap_or(received),
            raw,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_appendix_b_format() {
        let r = parse(
            "id:0123456789 sub:001 dlvrd:001 submit date:2503011200 done date:2503011201 stat:DELIVRD err:000 text:UBND: ho so",
            None,
            None,
        )
        .expect("parses");
        assert_eq!(r.message_id, "0123456789");
        assert_eq!(r.state, DlrState::Delivered);
        assert_eq!(
            r.done.map(|d| d.to_rfc3339()).as_deref(),
            Some("2025-03-01T05:01:00+00:00")
        );
        let r = parse("id:ab stat:EXPIRED err:000", None, None).expect("parses");
        assert_eq!(r.state, DlrState::Expired);
        assert_eq!(r.done, None);
    }

    #[test]
    fn tlvs_win() {
        let r = parse("id:text-id stat:DELIVRD", Some("tlv-id"), Some(5)).expect("parses");
        assert_eq!(
            (r.message_id.as_str(), r.state),
            ("tlv-id", DlrState::Failed)
        );
        assert!(parse("no id here", None, None).is_none());
        assert_eq!(state_of_word("rejectd"), DlrState::Rejected);
    }
}
