//! The time source. Everything that depends on "now" (daily numbering, opening hours,
//! timeliness, silent kiosks) asks a [`Clock`], so tests can move time.

use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, FixedOffset, NaiveDate, Offset, SecondsFormat, Utc};

/// The office's offset: Asia/Ho_Chi_Minh has been UTC+07:00 without daylight saving since 1975.
pub fn office_offset() -> FixedOffset {
    // 7 h is inside the ±24 h range `east_opt` accepts.
    FixedOffset::east_opt(7 * 3600).unwrap_or_else(|| Utc.fix())
}

/// An injectable "now", always answered in the office's offset.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> DateTime<FixedOffset> + Send + Sync>);

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Clock({})", self.now())
    }
}

impl Clock {
    /// The machine's clock.
    pub fn system() -> Self {
        Self::from_fn(|| Utc::now().fixed_offset())
    }

    /// A clock that never moves.
    pub fn fixed(at: DateTime<FixedOffset>) -> Self {
        Self::from_fn(move || at)
    }

    /// Any function of nothing that tells the time.
    pub fn from_fn(f: impl Fn() -> DateTime<FixedOffset> + Send + Sync + 'static) -> Self {
        Self(Arc::new(f))
    }

    /// A clock the caller moves by hand through the returned [`ManualTime`].
    pub fn manual(start: DateTime<FixedOffset>) -> (Self, ManualTime) {
        let time = ManualTime(Arc::new(Mutex::new(start)));
        let read = time.clone();
        (Self::from_fn(move || read.get()), time)
    }

    /// Now, in the office's offset.
    pub fn now(&self) -> DateTime<FixedOffset> {
        (self.0)().with_timezone(&office_offset())
    }

    /// Today's date in the office.
    pub fn today(&self) -> NaiveDate {
        self.now().date_naive()
    }
}

/// The handle that moves a [`Clock::manual`] clock.
#[derive(Clone, Debug)]
pub struct ManualTime(Arc<Mutex<DateTime<FixedOffset>>>);

impl ManualTime {
    pub fn get(&self) -> DateTime<FixedOffset> {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn set(&self, at: DateTime<FixedOffset>) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = at;
    }

    pub fn advance(&self, by: chrono::Duration) {
        let mut t = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        *t += by;
    }
}

/// RFC 3339 with whole seconds and the office offset, as every time in the API.
pub fn format_time(t: DateTime<FixedOffset>) -> String {
    t.with_timezone(&office_offset())
        .to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// Parses an RFC 3339 time (any offset) and moves it to the office offset.
pub fn parse_time(s: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(s.trim())
        .ok()
        .map(|t| t.with_timezone(&office_offset()))
}
