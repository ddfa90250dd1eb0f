//! Satisfaction ratings: four faces, from 1 (very satisfied) to 4 (not satisfied); the two lower
//! ones ask for an optional reason; a rating may name the service it is about. The queue desk
//! keeps them in the ticket database and sends them with the outbox, so none is lost while the
//! central system is away.

use crate::server::model::FeedbackRequest;

/// Why a citizen was not satisfied, as the rating's `reason` says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    WaitTime,
    Staff,
    Procedure,
    Facilities,
    Other,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::WaitTime => "wait-time",
            Reason::Staff => "staff",
            Reason::Procedure => "procedure",
            Reason::Facilities => "facilities",
            Reason::Other => "other",
        }
    }
}

/// The faces, best first.
pub const FACES: std::ops::RangeInclusive<u8> = 1..=4;

/// The two lower faces ask why.
pub fn asks_reason(face: u8) -> bool {
    face >= 3
}

/// The rating to keep and send, with a fresh request id and the time now; `None` for a face
/// that does not exist.
pub fn rating(
    face: u8,
    service_id: Option<String>,
    reason: Option<Reason>,
) -> Option<FeedbackRequest> {
    FACES.contains(&face).then(|| FeedbackRequest {
        request_id: crate::server::new_request_id(),
        rating: face,
        service_id,
        ticket: None,
        reason: reason.map(|r| r.as_str().to_string()),
        at: Some(crate::clock::now().to_rfc3339()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rating_is_one_of_four_faces_with_an_optional_reason() {
        assert!(rating(0, None, None).is_none());
        assert!(rating(5, None, None).is_none());
        let r = rating(4, Some("ho-tich".into()), Some(Reason::WaitTime)).unwrap();
        assert_eq!((r.rating, r.reason.as_deref()), (4, Some("wait-time")));
        assert_eq!(r.service_id.as_deref(), Some("ho-tich"));
        assert!(r.at.is_some() && !r.request_id.is_empty());
        assert!(!asks_reason(2) && asks_reason(3));
    }
}
