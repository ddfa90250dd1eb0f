//! The lookups of the kiosk's own screen: each one checked (a well-formed code, within the
//! kiosk's rate limit) and tagged before it is asked; only the answer to the newest one is kept,
//! and the dossier found is held in memory, never on disk, for as long as the citizen looks at it.

use std::time::{Duration, Instant};

use super::limit::RateLimit;
use super::{Answer, CodeError, DossierCode, Outcome};
use crate::server::model::Dossier;

#[derive(Debug, Clone, PartialEq)]
pub enum Refused {
    /// Not a dossier code: nothing was asked.
    Malformed(CodeError),
    /// The kiosk's own limit: one more lookup is allowed after this long.
    TooSoon(Duration),
}

pub struct Enquiry {
    limit: RateLimit,
    /// The tag of the newest lookup; bumped whenever what is on screen is abandoned.
    tag: u64,
    shown: Option<Dossier>,
}

impl Enquiry {
    /// `lookups_per_minute == 0`: no limit on this kiosk.
    pub fn new(lookups_per_minute: u32) -> Self {
        Self {
            limit: RateLimit::per_minute(lookups_per_minute),
            tag: 0,
            shown: None,
        }
    }

    /// Checks what was typed: the normalised code and the tag its answer will carry, or why it
    /// is not asked (logged without the code).
    pub fn ask(&mut self, typed: &str, now: Instant) -> Result<(DossierCode, u64), Refused> {
        let code = super::normalize(typed).map_err(|e| {
            tracing::info!("dossier lookup refused: malformed code");
            Refused::Malformed(e)
        })?;
        self.limit.try_acquire(now).map_err(|wait| {
            tracing::info!("dossier lookup refused: kiosk rate limit");
            Refused::TooSoon(wait)
        })?;
        self.tag += 1;
        Ok((code, self.tag))
    }

    /// The outcome when `answer` is to the newest lookup (a dossier found is kept to redraw or
    /// print); `None` when the citizen has moved on since.
    pub fn answer(&mut self, answer: Answer) -> Option<Outcome> {
        if answer.tag != self.tag {
            return None;
        }
        if let Outcome::Found(dossier) = &answer.outcome {
            self.shown = Some((**dossier).clone());
        }
        Some(answer.outcome)
    }

    pub fn shown(&self) -> Option<&Dossier> {
        self.shown.as_ref()
    }

    /// The tag of the newest lookup; a slip printed for the dossier shown carries it too.
    pub fn tag(&self) -> u64 {
        self.tag
    }

    /// Drops the lookup on its way (its answer will be ignored) and the dossier shown.
    pub fn abandon(&mut self) {
        self.tag += 1;
        self.shown = None;
    }
}

/// Scanned text for the code entry: the code, or what was read (cut, without control
/// characters) so the citizen sees why it was refused.
pub fn as_scanned(text: &str) -> String {
    match super::normalize(text) {
        Ok(code) => code.as_str().to_string(),
        Err(_) => text.chars().filter(|c| !c.is_control()).take(60).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CODE: &str = "000.00.06.H56-231027-0361";

    fn answer(tag: u64, outcome: Outcome) -> Answer {
        Answer { tag, outcome }
    }

    #[test]
    fn only_the_newest_lookup_is_answered() {
        let mut e = Enquiry::new(0);
        let now = Instant::now();
        let (code, first) = e.ask(&CODE.to_lowercase(), now).unwrap();
        assert_eq!(code.as_str(), CODE);
        let (_, second) = e.ask(CODE, now).unwrap();
        assert!(e.answer(answer(first, Outcome::NotFound)).is_none());
        assert!(matches!(
            e.answer(answer(second, Outcome::Offline)),
            Some(Outcome::Offline)
        ));
        e.abandon();
        assert!(e.answer(answer(second, Outcome::NotFound)).is_none());
        assert!(e.shown().is_none());
    }

    #[test]
    fn malformed_codes_and_the_kiosks_limit_are_refused_before_asking() {
        let mut e = Enquiry::new(1);
        let now = Instant::now();
        assert!(matches!(
            e.ask("", now),
            Err(Refused::Malformed(CodeError::Empty))
        ));
        assert!(e.ask(CODE, now).is_ok());
        assert!(matches!(e.ask(CODE, now), Err(Refused::TooSoon(wait)) if wait > Duration::ZERO));
        assert!(e.ask(CODE, now + Duration::from_secs(60)).is_ok());
    }

    #[test]
    fn scanned_junk_is_shown_cut_and_clean() {
        assert_eq!(as_scanned(&CODE.to_lowercase()), CODE);
        assert_eq!(as_scanned(&format!("\u{1b}{}", "x".repeat(100))).len(), 60);
    }
}
