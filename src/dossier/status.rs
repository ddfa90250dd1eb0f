//! The ten statuses of Vietnamese one-stop systems in citizens' words, and whether a dossier is
//! on time, computed from its appointment date in the office time zone.

use chrono::{DateTime, FixedOffset};

use crate::clock;
use crate::server::model::Dossier;

/// How a status should feel on screen; the UI gives each a colour and an icon, and the words
/// always say the same thing so nothing depends on colour alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// Moving along, nothing to do.
    Progress,
    /// The citizen must act (bring documents, pay fees).
    Action,
    /// The result is ready or handed over.
    Done,
    /// Refused, stopped or withdrawn.
    Stopped,
}

#[derive(Debug)]
pub struct StatusInfo {
    pub code: u8,
    pub vi: &'static str,
    pub en: &'static str,
    pub tone: Tone,
    /// What the citizen must do next, when anything.
    pub next_vi: Option<&'static str>,
    pub next_en: Option<&'static str>,
}

const STATUSES: [StatusInfo; 10] = [
    StatusInfo {
        code: 1,
        vi: "Đã đăng ký, chờ tiếp nhận",
        en: "Registered, waiting to be received",
        tone: Tone::Progress,
        next_vi: None,
        next_en: None,
    },
    StatusInfo {
        code: 2,
        vi: "Đã tiếp nhận hồ sơ",
        en: "Dossier received",
        tone: Tone::Progress,
        next_vi: None,
        next_en: None,
    },
    StatusInfo {
        code: 3,
        vi: "Hồ sơ không được tiếp nhận",
        en: "Dossier not accepted",
        tone: Tone::Stopped,
        next_vi: Some("Quý vị vui lòng hỏi cán bộ tại quầy tiếp nhận về lý do và cách nộp lại."),
        next_en: Some("Please ask at the reception desk why, and how to apply again."),
    },
    StatusInfo {
        code: 4,
        vi: "Đang giải quyết",
        en: "Being processed",
        tone: Tone::Progress,
        next_vi: None,
        next_en: None,
    },
    StatusInfo {
        code: 5,
        vi: "Cần bổ sung giấy tờ",
        en: "More documents needed",
        tone: Tone::Action,
        next_vi: Some(
            "Quý vị cần mang giấy tờ bổ sung theo thông báo của cơ quan và giấy tiếp nhận hồ sơ đến quầy tiếp nhận. Thời hạn giải quyết tính lại từ khi nhận đủ giấy tờ.",
        ),
        next_en: Some(
            "Please bring the documents listed in the office's notice, with your receipt, to the reception desk. Processing time restarts once they are complete.",
        ),
    },
    StatusInfo {
        code: 6,
        vi: "Cần nộp phí, lệ phí",
        en: "Fees to be paid",
        tone: Tone::Action,
        next_vi: Some(
            "Quý vị cần nộp phí, lệ phí (nghĩa vụ tài chính) tại quầy thu hoặc trên Cổng Dịch vụ công, rồi giữ biên lai để nhận kết quả.",
        ),
        next_en: Some(
            "Please pay the fees at the cashier's desk or on the public service portal, and keep the receipt to collect the result.",
        ),
    },
    StatusInfo {
        code: 7,
        vi: "Đã rút hồ sơ theo yêu cầu",
        en: "Withdrawn at your request",
        tone: Tone::Stopped,
        next_vi: None,
        next_en: None,
    },
    StatusInfo {
        code: 8,
        vi: "Dừng giải quyết",
        en: "Processing stopped",
        tone: Tone::Stopped,
        next_vi: Some("Quý vị vui lòng hỏi cán bộ tại quầy tiếp nhận về lý do."),
        next_en: Some("Please ask at the reception desk why."),
    },
    StatusInfo {
        code: 9,
        vi: "Đã có kết quả, mời nhận",
        en: "Ready for collection",
        tone: Tone::Done,
        next_vi: Some(
            "Mời quý vị mang giấy tiếp nhận hồ sơ và giấy tờ tùy thân đến quầy trả kết quả.",
        ),
        next_en: Some("Please bring your receipt and an identity document to the results desk."),
    },
    StatusInfo {
        code: 10,
        vi: "Đã trả kết quả",
        en: "Result handed over",
        tone: Tone::Done,
        next_vi: None,
        next_en: None,
    },
];

/// The citizen-facing wording of a status code; `None` for codes outside 1–10.
pub fn status_info(code: u8) -> Option<&'static StatusInfo> {
    STATUSES.iter().find(|s| s.code == code)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timeliness {
    /// Finished before the appointment day.
    Early,
    /// Unfinished and before the appointment day, or finished by the appointment.
    OnTime,
    /// Unfinished and the appointment is today.
    DueToday,
    /// Past the appointment.
    Late,
}

/// Whether `dossier` is on time at `now`, by office dates. `None` when it does not apply (refused,
/// withdrawn, stopped) or the server's dates cannot be read.
pub fn timeliness(dossier: &Dossier, now: DateTime<FixedOffset>) -> Option<Timeliness> {
    let due = parse_time(&dossier.due_at)?;
    let today = now.with_timezone(&clock::office_offset()).date_naive();
    match dossier.status.code {
        3 | 7 | 8 => None,
        9 | 10 => {
            let finished = dossier
                .returned_at
                .as_deref()
                .and_then(parse_time)
                .or_else(|| dossier.steps.last().and_then(|s| parse_time(&s.at)))?;
            Some(if finished.date_naive() < due.date_naive() {
                Timeliness::Early
            } else if finished > due {
                Timeliness::Late
            } else {
                Timeliness::OnTime
            })
        }
        _ => Some(match today.cmp(&due.date_naive()) {
            std::cmp::Ordering::Less => Timeliness::OnTime,
            std::cmp::Ordering::Equal => Timeliness::DueToday,
            std::cmp::Ordering::Greater => Timeliness::Late,
        }),
    }
}

/// An RFC 3339 time from the server, in office time.
pub(super) fn parse_time(text: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(text.trim())
        .ok()
        .map(|t| t.with_timezone(&clock::office_offset()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_has_words_in_both_languages() {
        for code in 1..=10 {
            let s = status_info(code).expect("known status");
            assert!(!s.vi.is_empty() && !s.en.is_empty());
            assert_eq!(s.next_vi.is_some(), s.next_en.is_some(), "status {code}");
        }
        assert!(status_info(0).is_none() && status_info(11).is_none());
        assert_eq!(status_info(5).map(|s| s.tone), Some(Tone::Action));
        assert_eq!(status_info(10).map(|s| s.tone), Some(Tone::Done));
    }
}
