//! Quiet hours: no message reaches a phone between, say, 21:00 and 07:00 office time; the
//! outbox holds what falls inside until the end.

use chrono::{DateTime, Duration, FixedOffset, NaiveTime, Timelike};

/// A daily window, `start` included, `end` excluded; it may cross midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl QuietHours {
    /// `"21:00-07:00"`.
    pub fn parse(s: &str) -> Result<Self, String> {
        let (a, b) = s
            .split_once('-')
            .ok_or_else(|| format!("\"{s}\" is not HH:MM-HH:MM"))?;
        let time = |t: &str| {
            NaiveTime::parse_from_str(t.trim(), "%H:%M")
                .map_err(|_| format!("\"{}\" is not a time HH:MM", t.trim()))
        };
        let (start, end) = (time(a)?, time(b)?);
        if start == end {
            return Err(format!("\"{s}\" starts and ends at the same time"));
        }
        Ok(Self { start, end })
    }

    /// Whether `t` (office time of day) is inside.
    pub fn contains(&self, t: NaiveTime) -> bool {
        if self.start < self.end {
            self.start <= t && t < self.end
        } else {
            t >= self.start || t < self.end
        }
    }

    /// When a message due at `now` may go: `None` now, else the end of the quiet hours (in
    /// `now`'s offset, which should be the office's).
    pub fn hold_until(&self, now: DateTime<FixedOffset>) -> Option<DateTime<FixedOffset>> {
        let t = now.time().with_nanosecond(0).unwrap_or(now.time());
        if !self.contains(t) {
            return None;
        }
        let mut end = now.date_naive().and_time(self.end);
        if self.end <= t {
            end += Duration::days(1);
        }
        end.and_local_timezone(*now.offset()).single()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).expect("time")
    }

    #[test]
    fn across_midnight() {
        let q = QuietHours::parse("21:00-07:00").expect("parses");
        assert_eq!(q.hold_until(at("2025-03-01T20:59:59+07:00")), None);
        assert_eq!(
            q.hold_until(at("2025-03-01T21:00:00+07:00")),
            Some(at("2025-03-02T07:00:00+07:00"))
        );
        assert_eq!(
            q.hold_until(at("2025-03-02T06:59:00+07:00")),
            Some(at("2025-03-02T07:00:00+07:00"))
        );
        assert_eq!(q.hold_until(at("2025-03-02T07:00:00+07:00")), None);
    }

    #[test]
    fn within_a_day() {
        let q = QuietHours::parse("11:30 - 13:30").expect("parses");
        assert_eq!(
            q.hold_until(at("2025-03-01T12:00:00+07:00")),
            Some(at("2025-03-01T13:30:00+07:00"))
        );
        assert_eq!(q.hold_until(at("2025-03-01T13:30:00+07:00")), None);
    }

    #[test]
    fn bad_windows() {
        for bad in ["", "21:00", "25:00-07:00", "21:00-21:00", "9pm-7am"] {
            assert!(QuietHours::parse(bad).is_err(), "{bad}");
        }
    }
}
