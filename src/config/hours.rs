//! Opening hours such as `07:30-11:30,13:30-17:00`: sorted, non-overlapping intervals within a day.

use std::fmt;

/// Minutes since local midnight.
pub type Minute = u16;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpeningHours(Vec<(Minute, Minute)>);

impl OpeningHours {
    /// Parses `HH:MM-HH:MM[,HH:MM-HH:MM...]`. The message says what was wrong in plain words.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut spans = Vec::new();
        for part in text.split(',') {
            let part = part.trim();
            let (start, end) = part
                .split_once('-')
                .ok_or_else(|| format!("\"{part}\" is not a range like 07:30-11:30"))?;
            let (start, end) = (parse_time(start.trim())?, parse_time(end.trim())?);
            if end <= start {
                return Err(format!("\"{part}\" ends before it starts"));
            }
            spans.push((start, end));
        }
        spans.sort_unstable();
        for pair in spans.windows(2) {
            if pair[1].0 < pair[0].1 {
                return Err(format!("{} and {} overlap", Range(pair[0]), Range(pair[1])));
            }
        }
        Ok(Self(spans))
    }

    pub fn is_open_at(&self, minute: Minute) -> bool {
        self.0.iter().any(|&(s, e)| (s..e).contains(&minute))
    }

    pub fn ranges(&self) -> &[(Minute, Minute)] {
        &self.0
    }
}

fn parse_time(text: &str) -> Result<Minute, String> {
    let bad = || format!("\"{text}\" is not a time like 07:30 (00:00 to 24:00)");
    let (h, m) = text.split_once(':').ok_or_else(bad)?;
    if h.len() != 2 || m.len() != 2 {
        return Err(bad());
    }
    let (h, m): (u16, u16) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if m >= 60 || h > 24 || (h == 24 && m != 0) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

struct Range((Minute, Minute));

impl fmt::Display for Range {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (s, e) = self.0;
        write!(f, "{:02}:{:02}-{:02}:{:02}", s / 60, s % 60, e / 60, e % 60)
    }
}

impl fmt::Display for OpeningHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, &r) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            Range(r).fmt(f)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_morning_and_afternoon() {
        let h = OpeningHours::parse("07:30-11:30, 13:30-17:00").unwrap();
        assert!(h.is_open_at(7 * 60 + 30));
        assert!(!h.is_open_at(11 * 60 + 30));
        assert!(!h.is_open_at(12 * 60));
        assert!(h.is_open_at(16 * 60 + 59));
        assert_eq!(h.to_string(), "07:30-11:30, 13:30-17:00");
    }

    #[test]
    fn rejects_bad_ranges() {
        for bad in [
            "",
            "7:30-11:30",
            "07:30",
            "11:30-07:30",
            "07:30-11:30,11:00-12:00",
            "25:00-26:00",
            "07:60-08:00",
        ] {
            assert!(OpeningHours::parse(bad).is_err(), "{bad}");
        }
    }
}
