//! Dossier rules that never touch storage: code syntax, status labels, the masked
//! applicant name and the computed timeliness.

use chrono::{DateTime, FixedOffset, NaiveDate};

use crate::clock::office_offset;

/// `A-Z a-z 0-9 . -`, 8 to 40 characters. Returns the stored (upper-case) form.
pub fn normalize_code(code: &str) -> Option<String> {
    let ok_len = (8..=40).contains(&code.len());
    let ok_chars = code
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
    (ok_len && ok_chars).then(|| code.to_ascii_uppercase())
}

/// Vietnamese and English labels of status codes 1–10 (NOTES.vi.md §3.2).
pub fn status_labels(code: u8) -> Option<(&'static str, &'static str)> {
    Some(match code {
        1 => ("Mới đăng ký", "Newly registered"),
        2 => ("Được tiếp nhận", "Received"),
        3 => ("Không được tiếp nhận", "Not accepted"),
        4 => ("Đang xử lý", "Being processed"),
        5 => ("Yêu cầu bổ sung giấy tờ", "Additional documents required"),
        6 => (
            "Yêu cầu thực hiện nghĩa vụ tài chính",
            "Fees or taxes to be paid",
        ),
        7 => ("Công dân yêu cầu rút hồ sơ", "Withdrawn by the applicant"),
        8 => ("Dừng xử lý", "Processing stopped"),
        9 => ("Đã xử lý xong (chờ trả)", "Done, awaiting collection"),
        10 => ("Đã trả kết quả", "Result returned"),
        _ => return None,
    })
}

/// "Nguyễn Văn An" → "Nguyễn V*** A**": the first word whole, every other word its first
/// letter and `***`, or `**` when the word has at most two letters.
pub fn mask_name(full: &str) -> String {
    let mut words = full.split_whitespace();
    let Some(first) = words.next() else {
        return String::new();
    };
    let mut out = first.to_string();
    for word in words {
        let mut chars = word.chars();
        let mut initial = String::new();
        if let Some(c) = chars.next() {
            initial.push(c);
        }
        // Keep combining marks of a decomposed first letter with it.
        let rest: Vec<char> = chars.collect();
        let marks = rest.iter().take_while(|c| is_combining(**c)).count();
        initial.extend(&rest[..marks]);
        let letters = 1 + rest[marks..].iter().filter(|c| !is_combining(**c)).count();
        out.push(' ');
        out.push_str(&initial);
        out.push_str(if letters <= 2 { "**" } else { "***" });
    }
    out
}

fn is_combining(c: char) -> bool {
    ('\u{0300}'..='\u{036F}').contains(&c)
}

/// The computed timeliness of a dossier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timeliness {
    Early,
    OnTime,
    DueToday,
    Late,
}

impl Timeliness {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Early => "early",
            Self::OnTime => "on-time",
            Self::DueToday => "due-today",
            Self::Late => "late",
        }
    }
}

/// Finished dossiers (9, 10) are judged by when they finished (`finished_at`: the return
/// time, or the last step while waiting to be collected) against `due_at`: before the due
/// date `early`, after the due time `late`, else `on-time`. Others are judged by today's
/// office date against the due date.
pub fn timeliness(
    status: u8,
    due_at: DateTime<FixedOffset>,
    finished_at: Option<DateTime<FixedOffset>>,
    today: NaiveDate,
) -> Timeliness {
    let due_day = due_at.with_timezone(&office_offset()).date_naive();
    if matches!(status, 9 | 10)
        && let Some(done) = finished_at
    {
        let done_day = done.with_timezone(&office_offset()).date_naive();
        return if done_day < due_day {
            Timeliness::Early
        } else if done > due_at {
            Timeliness::Late
        } else {
            Timeliness::OnTime
        };
    }
    if today < due_day {
        Timeliness::OnTime
    } else if today == due_day {
        Timeliness::DueToday
    } else {
        Timeliness::Late
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_like_the_contract() {
        assert_eq!(mask_name("Nguyễn Văn An"), "Nguyễn V*** A**");
        assert_eq!(mask_name("  Trần Thị Bích Ngọc "), "Trần T*** B*** N***");
        assert_eq!(mask_name("Lý A"), "Lý A**");
        assert_eq!(mask_name("Mai"), "Mai");
        assert_eq!(mask_name(""), "");
        // Decomposed "Ở" (O + U+031B + U+0309) stays one letter.
        assert_eq!(mask_name("Lê O\u{31B}\u{309}"), "Lê O\u{31B}\u{309}**");
    }

    #[test]
    fn codes() {
        assert_eq!(
            normalize_code("000.00.20.h15-250101-0001").as_deref(),
            Some("000.00.20.H15-250101-0001")
        );
        assert_eq!(normalize_code("short"), None);
        assert_eq!(normalize_code("000.00.20.H15 250101"), None);
        assert_eq!(normalize_code(&"A".repeat(41)), None);
    }

    #[test]
    fn timeliness_cases() {
        let t = |s: &str| crate::clock::parse_time(s).unwrap_or_else(|| panic!("{s}"));
        let today = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap_or_default();
        let due = t("2026-11-27T17:00:00+07:00");
        assert_eq!(timeliness(4, due, None, today), Timeliness::DueToday);
        assert_eq!(
            timeliness(4, t("2026-11-28T17:00:00+07:00"), None, today),
            Timeliness::OnTime
        );
        assert_eq!(
            timeliness(4, t("2026-11-26T17:00:00+07:00"), None, today),
            Timeliness::Late
        );
        let done = |s| Some(t(s));
        assert_eq!(
            timeliness(10, due, done("2026-11-26T10:00:00+07:00"), today),
            Timeliness::Early
        );
        assert_eq!(
            timeliness(10, due, done("2026-11-27T10:00:00+07:00"), today),
            Timeliness::OnTime
        );
        assert_eq!(
            timeliness(9, due, done("2026-11-27T17:30:00+07:00"), today),
            Timeliness::Late
        );
    }
}
