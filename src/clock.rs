//! The office's local time and how dates read in each language.
//!
//! Vietnam keeps UTC+07:00 all year (no daylight saving since 1975), so a fixed offset is exact.

use chrono::{DateTime, Datelike, FixedOffset, Timelike, Utc, Weekday};

use crate::language::Language;

pub const OFFICE_UTC_OFFSET_SECS: i32 = 7 * 3600;

pub fn office_offset() -> FixedOffset {
    FixedOffset::east_opt(OFFICE_UTC_OFFSET_SECS).unwrap_or_else(|| unreachable!("+07:00 is valid"))
}

pub fn now() -> DateTime<FixedOffset> {
    Utc::now().with_timezone(&office_offset())
}

/// `08:05`
pub fn time_text(t: &DateTime<FixedOffset>) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

/// `Thứ Sáu, 27/11/2026` or `Friday, 27 November 2026`.
pub fn date_text(t: &DateTime<FixedOffset>, lang: Language) -> String {
    match lang {
        Language::Vi => format!(
            "{}, {:02}/{:02}/{}",
            weekday_vi(t.weekday()),
            t.day(),
            t.month(),
            t.year()
        ),
        Language::En => format!(
            "{}, {} {} {}",
            weekday_en(t.weekday()),
            t.day(),
            MONTHS_EN[t.month0() as usize],
            t.year()
        ),
    }
}

/// `20/11/2026 09:12` or `20 Nov 2026, 09:12`: compact, for lists and slips.
pub fn short_date_time(t: &DateTime<FixedOffset>, lang: Language) -> String {
    match lang {
        Language::Vi => format!(
            "{:02}/{:02}/{} {}",
            t.day(),
            t.month(),
            t.year(),
            time_text(t)
        ),
        Language::En => format!(
            "{} {} {}, {}",
            t.day(),
            &MONTHS_EN[t.month0() as usize][..3],
            t.year(),
            time_text(t)
        ),
    }
}

/// An RFC 3339 time as office time, short: `2026-11-27T01:05:00Z` → `08:05 27/11` (the text
/// unchanged when it is not a time).
pub fn short_time(rfc3339: &str) -> String {
    DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| {
            t.with_timezone(&office_offset())
                .format("%H:%M %d/%m")
                .to_string()
        })
        .unwrap_or_else(|_| rfc3339.to_string())
}

const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn weekday_vi(d: Weekday) -> &'static str {
    match d {
        Weekday::Mon => "Thứ Hai",
        Weekday::Tue => "Thứ Ba",
        Weekday::Wed => "Thứ Tư",
        Weekday::Thu => "Thứ Năm",
        Weekday::Fri => "Thứ Sáu",
        Weekday::Sat => "Thứ Bảy",
        Weekday::Sun => "Chủ Nhật",
    }
}

fn weekday_en(d: Weekday) -> &'static str {
    match d {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

/// Marks the start of the program: called first thing in `main`. Monotonic (`Instant`), so a
/// clock set by NTP, a suspend or a virtual machine restored from a snapshot cannot make it
/// jump; it leaves out only the loader's few milliseconds before `main`, which benches measure
/// from outside (`benches/startup.rs`).
pub fn mark_start() {
    let _ = START.get_or_init(std::time::Instant::now);
}

static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

/// Time since [`mark_start`] (since the first call, where `main` did not mark it).
pub fn since_start() -> std::time::Duration {
    START.get_or_init(std::time::Instant::now).elapsed()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn formats_office_time_in_both_languages() {
        // 2026-11-27 17:05 UTC is 00:05 on Saturday 28 November in Vietnam.
        let t = Utc
            .with_ymd_and_hms(2026, 11, 27, 17, 5, 0)
            .unwrap()
            .with_timezone(&office_offset());
        assert_eq!(time_text(&t), "00:05");
        assert_eq!(date_text(&t, Language::Vi), "Thứ Bảy, 28/11/2026");
        assert_eq!(date_text(&t, Language::En), "Saturday, 28 November 2026");
        assert_eq!(short_time("2026-11-27T17:05:00Z"), "00:05 28/11");
        assert_eq!(short_time("soon"), "soon");
    }

    #[test]
    fn the_start_mark_only_moves_forward() {
        mark_start();
        let a = since_start();
        std::thread::sleep(std::time::Duration::from_millis(5));
        // A second mark does not move the start.
        mark_start();
        let b = since_start();
        assert!(
            b >= a + std::time::Duration::from_millis(5),
            "{a:?} then {b:?}"
        );
    }
}
