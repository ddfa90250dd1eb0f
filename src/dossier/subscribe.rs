//! A citizen asks for an SMS when their dossier moves. The phone number goes to the central
//! system and nowhere else: it is never stored or queued on the kiosk, and never logged. A
//! subscription the server did not take is refused on screen, never kept to send later.

use std::time::Duration;

use super::code::DossierCode;
use crate::server::model::SubscriptionRequest;
use crate::server::{CentralClient, ErrorKind, ServerError};

/// What the citizen is told after asking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubscriptionOutcome {
    /// Taken: the number as the server masked it, and the day it is deleted at the latest
    /// (`dd/mm/yyyy`, empty when the server's date is unreadable).
    Subscribed {
        phone: String,
        keep_until: String,
    },
    /// The office sends no SMS.
    Unavailable,
    /// The dossier was handed over: nothing more will be sent.
    Finished,
    /// The dossier already has as many numbers as the office allows.
    Full,
    /// The server refused the number itself.
    BadNumber,
    Offline,
    Busy,
    RateLimited {
        retry_after: Option<Duration>,
    },
    NotAuthorized,
}

impl SubscriptionOutcome {
    /// For logs: the outcome only, never the number or the code.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Subscribed { .. } => "sms subscription ok",
            Self::Unavailable => "sms subscription refused: the office sends no SMS",
            Self::Finished => "sms subscription refused: dossier handed over",
            Self::Full => "sms subscription refused: numbers per dossier reached",
            Self::BadNumber => "sms subscription refused: number",
            Self::Offline => "sms subscription failed: server unreachable",
            Self::Busy => "sms subscription failed: server error",
            Self::RateLimited { .. } => "sms subscription refused: rate limited",
            Self::NotAuthorized => "sms subscription failed: kiosk not authorised",
        }
    }
}

/// The kiosk's SMS offer on dossier results: for which dossiers it is made, the request on its
/// way (its id is kept for "try again", so the server takes it once), and whether the office
/// said it sends no SMS (then the offer is not made again).
#[derive(Debug, Default)]
pub struct SmsOffer {
    request_id: Option<String>,
    office_refused: bool,
}

impl SmsOffer {
    /// Made while the dossier can still move toward a message: received, being processed, or
    /// waiting for documents or a fee (not refused, withdrawn, stopped or done).
    pub fn offered(&self, status: u8) -> bool {
        !self.office_refused && matches!(status, 1 | 2 | 4 | 5 | 6)
    }

    /// The typed number normalised and the request id to send it with; `None`: not a
    /// Vietnamese mobile number.
    pub fn ask(&mut self, typed: &str) -> Option<(String, String)> {
        let phone = crate::server::phone::normalize(typed)?;
        let id = self
            .request_id
            .get_or_insert_with(crate::server::new_request_id);
        Some((phone, id.clone()))
    }

    /// Takes the server's answer; false when the offer should no longer be shown for this
    /// dossier. A failure keeps the request id for a retry.
    pub fn answered(&mut self, outcome: &SubscriptionOutcome) -> bool {
        use SubscriptionOutcome as O;
        match outcome {
            O::Subscribed { .. } => self.forget(),
            O::Unavailable => {
                self.office_refused = true;
                self.forget();
                return false;
            }
            O::Finished | O::Full => {
                self.forget();
                return false;
            }
            O::BadNumber | O::Offline | O::Busy | O::RateLimited { .. } | O::NotAuthorized => {}
        }
        true
    }

    /// Drops the request on its way (the citizen went back or left).
    pub fn forget(&mut self) {
        self.request_id = None;
    }
}

/// Asks the central system to tell `phone` (already normalised) about `code`.
pub fn subscribe(
    client: &CentralClient,
    code: &DossierCode,
    phone: &str,
    request_id: &str,
) -> SubscriptionOutcome {
    let request = SubscriptionRequest {
        request_id: request_id.to_string(),
        phone: phone.to_string(),
    };
    match client.subscribe(code.as_str(), &request) {
        Ok(s) => SubscriptionOutcome::Subscribed {
            phone: s.phone,
            keep_until: day_of(&s.keep_until),
        },
        Err(e) => from_error(&e),
    }
}

fn from_error(e: &ServerError) -> SubscriptionOutcome {
    match e.kind() {
        ErrorKind::Rejected => match e {
            ServerError::Rejected { code, .. } => match code.as_str() {
                "sms-unavailable" => SubscriptionOutcome::Unavailable,
                "dossier-finished" => SubscriptionOutcome::Finished,
                "subscription-limit" => SubscriptionOutcome::Full,
                "bad-request" => SubscriptionOutcome::BadNumber,
                _ => SubscriptionOutcome::Busy,
            },
            _ => SubscriptionOutcome::Busy,
        },
        // The dossier was there a moment ago: a server that no longer finds it is not working.
        ErrorKind::NotFound => SubscriptionOutcome::Busy,
        ErrorKind::Offline => SubscriptionOutcome::Offline,
        ErrorKind::Busy => SubscriptionOutcome::Busy,
        ErrorKind::NotAuthorized => SubscriptionOutcome::NotAuthorized,
        ErrorKind::RateLimited => SubscriptionOutcome::RateLimited {
            retry_after: match e {
                ServerError::RateLimited { retry_after } => *retry_after,
                _ => None,
            },
        },
    }
}

/// `2026-12-27T10:15:00+07:00` → `27/12/2026`, the date in the office's own offset.
fn day_of(time: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(time)
        .map(|t| t.format("%d/%m/%Y").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_offer_keeps_one_request_id_until_an_answer_settles_it() {
        let mut offer = SmsOffer::default();
        assert!(offer.offered(4) && offer.offered(6));
        assert!(!offer.offered(9) && !offer.offered(10) && !offer.offered(3));
        assert_eq!(offer.ask("0912 34"), None);
        let (phone, first) = offer.ask("0912 345 678").expect("a mobile number");
        assert_eq!(phone, "0912345678");
        assert!(offer.answered(&SubscriptionOutcome::Offline));
        assert_eq!(offer.ask("0912345678").expect("again").1, first);
        assert!(!offer.answered(&SubscriptionOutcome::Full));
        assert_ne!(offer.ask("0912345678").expect("new").1, first);
        assert!(!offer.answered(&SubscriptionOutcome::Unavailable));
        assert!(!offer.offered(4), "the office said it sends none");
    }

    #[test]
    fn the_deletion_day_reads_as_a_date_and_nonsense_as_nothing() {
        assert_eq!(day_of("2026-12-27T10:15:00+07:00"), "27/12/2026");
        assert_eq!(day_of("soon"), "");
    }

    #[test]
    fn problems_become_what_the_citizen_is_told() {
        let rejected = |code: &str| ServerError::Rejected {
            status: 409,
            code: code.into(),
            detail: String::new(),
        };
        assert_eq!(
            from_error(&rejected("sms-unavailable")),
            SubscriptionOutcome::Unavailable
        );
        assert_eq!(
            from_error(&rejected("dossier-finished")),
            SubscriptionOutcome::Finished
        );
        assert_eq!(
            from_error(&rejected("subscription-limit")),
            SubscriptionOutcome::Full
        );
        assert_eq!(
            from_error(&rejected("something-new")),
            SubscriptionOutcome::Busy
        );
        assert_eq!(
            from_error(&ServerError::Timeout),
            SubscriptionOutcome::Offline
        );
    }
}
