//! The document checklist a citizen takes away: "what to bring" for one procedure, laid out as
//! lines for a receipt printer. Pure text layout of the [`ProcedurePage`]; printing is someone
//! else's job.

use motcua_catalog::vocabulary as english;

use super::ProcedureDetail;
use super::page::{Entry, Fee, Heading, OTHER_DOCUMENTS, ProcedurePage};
use crate::language::Language;
use crate::ticket::push_wrapped;

/// The checklist's own words; the procedure's text stays as the office publishes it.
struct Words {
    title: &'static str,
    code: &'static str,
    time: &'static str,
    fees: &'static str,
    other: &'static str,
    /// Said once on an English checklist: the rest is the office's Vietnamese.
    source_language: Option<&'static str>,
    printed_at: &'static str,
}

const VIETNAMESE: Words = Words {
    title: "DANH MỤC HỒ SƠ CẦN CHUẨN BỊ",
    code: "Mã thủ tục",
    time: "Thời gian giải quyết",
    fees: "Phí, lệ phí",
    other: OTHER_DOCUMENTS,
    source_language: None,
    printed_at: "In lúc",
};

const ENGLISH: Words = Words {
    title: "DOCUMENTS TO PREPARE",
    code: "Procedure code",
    time: "Processing time",
    fees: "Fees",
    other: "Other documents",
    source_language: Some("Documents are named in Vietnamese, as the office publishes them."),
    printed_at: "Printed at",
};

/// Blank columns on each side: text at the very edge of the paper is hard to read and may
/// fall outside what the printer reaches.
fn margin(columns: usize) -> usize {
    if columns >= 40 { 2 } else { 1 }
}

/// The checklist as lines no wider than `columns`, its own words in `language`.
pub fn lines(
    detail: &ProcedureDetail,
    office: &str,
    printed_at: &str,
    columns: usize,
    language: Language,
) -> Vec<String> {
    let (words, vocabulary): (&Words, fn(&str) -> Option<String>) = match language {
        Language::Vi => (&VIETNAMESE, |_| None),
        Language::En => (&ENGLISH, english::phrase),
    };
    // A way, time or fee in the checklist's language when it is vocabulary.
    let say = |text: &str| vocabulary(text).unwrap_or_else(|| text.to_string());
    let page = ProcedurePage::new(detail);
    let margin = margin(columns);
    let width = columns.saturating_sub(2 * margin).max(8);
    let mut out = Vec::new();
    let rule = "-".repeat(width);
    push_wrapped(&mut out, office, width, "");
    out.push(rule.clone());
    push_wrapped(&mut out, words.title, width, "");
    push_wrapped(&mut out, &detail.name, width, "");
    push_wrapped(
        &mut out,
        &format!("{}: {}", words.code, detail.code),
        width,
        "",
    );
    if let Some(time) = &page.processing_time {
        let line = format!("{}: {}", words.time, say(time));
        push_wrapped(&mut out, &line, width, "");
    }
    match &page.fee {
        Fee::Unknown => {}
        Fee::Same(fee) => {
            let line = format!("{}: {}", words.fees, say(fee));
            push_wrapped(&mut out, &line, width, "");
        }
        Fee::ByMethod => {
            // Each fee with what says where it applies (at the ward, at a mission abroad).
            push_wrapped(&mut out, &format!("{}:", words.fees), width, "");
            for m in page.methods.iter().filter(|m| m.fee.is_some()) {
                let fee = say(m.fee.as_deref().unwrap_or_default());
                let method = say(&m.method);
                let text = match &m.note {
                    Some(note) => format!("- {method}: {fee}. {note}"),
                    None => format!("- {method}: {fee}"),
                };
                push_wrapped(&mut out, &text, width, "  ");
            }
        }
    }
    out.push(rule.clone());
    if let Some(note) = words.source_language {
        push_wrapped(&mut out, note, width, "");
    }
    for group in &page.groups {
        let heading = match &group.heading {
            Heading::None => None,
            Heading::Named(name) if language == Language::En => {
                Some(english::heading(name).unwrap_or(name))
            }
            Heading::Named(name) => Some(name.as_str()),
            Heading::Other => Some(words.other),
        };
        if let Some(heading) = heading {
            // A blank line sets each group off from the one before.
            if out.last() != Some(&rule) {
                out.push(String::new());
            }
            push_wrapped(&mut out, &heading.to_uppercase(), width, "");
        }
        for entry in &group.entries {
            match entry {
                Entry::Document {
                    number,
                    name,
                    copies,
                } => {
                    let text = match copies {
                        Some(c) => format!("{name} ({c})"),
                        None => name.clone(),
                    };
                    let marker = format!("[ ] {number}. ");
                    push_wrapped(
                        &mut out,
                        &format!("{marker}{text}"),
                        width,
                        &" ".repeat(marker.chars().count()),
                    );
                }
                // Not a box to tick: it explains the documents around it.
                Entry::Note(note) => push_wrapped(&mut out, &format!("* {note}"), width, "  "),
            }
        }
    }
    out.push(rule);
    let printed = format!("{} {printed_at}", words.printed_at);
    push_wrapped(&mut out, &printed, width, "");
    let pad = " ".repeat(margin);
    out.into_iter()
        .map(|line| {
            if line.is_empty() {
                line
            } else {
                format!("{pad}{line}")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    fn checklist(code: &str, columns: usize) -> Vec<String> {
        checklist_in(code, columns, Language::Vi)
    }

    fn checklist_in(code: &str, columns: usize, language: Language) -> Vec<String> {
        let catalog = Catalog::open_in_memory().expect("catalog with the seed");
        let detail = catalog.procedure(code).expect("read").expect("in the seed");
        let office = "UBND phường Hải Vân";
        lines(&detail, office, "09:30 04/12/2026", columns, language)
    }

    /// An English checklist: its own words and the vocabulary in English, the procedure's
    /// name and documents as the office publishes them, and it says so.
    #[test]
    fn an_english_checklist_translates_its_words_and_keeps_the_procedure_text() {
        let text = checklist_in("2.000806", 48, Language::En).join("\n");
        for words in [
            "UBND phường Hải Vân",
            "DOCUMENTS TO PREPARE",
            "Procedure code: 2.000806",
            "Processing time: 10 working days",
            "Fees: Free",
            "DOCUMENTS TO HAND IN",
            "DOCUMENTS TO SHOW",
            "OTHER DOCUMENTS",
            "Documents are named in Vietnamese",
            "Printed at 09:30 04/12/2026",
            "[ ] 1. ",
        ] {
            assert!(text.contains(words), "{words:?} in\n{text}");
        }
        for vietnamese in ["DANH MỤC", "Mã thủ tục", "Phí, lệ phí", "GIẤY TỜ", "In lúc"]
        {
            assert!(!text.contains(vietnamese), "{vietnamese:?} in\n{text}");
        }
        let fees = checklist_in("2.000815", 48, Language::En).join(" ");
        let flat = fees.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            flat.contains("- In person: VND 2,000 per page. Tại Ủy ban nhân dân"),
            "{fees}"
        );
    }

    #[test]
    fn every_group_is_headed_and_numbers_run_on() {
        // Marriage with a foreigner: the third group has no name in the source.
        let lines = checklist("2.000806", 48);
        let text = lines.join("\n");
        let headings: Vec<usize> = [
            "GIẤY TỜ PHẢI NỘP",
            "GIẤY TỜ PHẢI XUẤT TRÌNH",
            "GIẤY TỜ KHÁC",
        ]
        .iter()
        .map(|h| {
            lines
                .iter()
                .position(|l| l.trim() == *h)
                .unwrap_or_else(|| panic!("{h} in\n{text}"))
        })
        .collect();
        assert!(headings.is_sorted(), "{text}");
        let numbers: Vec<usize> = lines
            .iter()
            .filter_map(|l| l.trim().strip_prefix("[ ] "))
            .filter_map(|l| l.split_once('.')?.0.parse().ok())
            .collect();
        assert_eq!(numbers, (1..=11).collect::<Vec<_>>(), "{text}");
        // The third group's documents come after its heading, numbered on: 10 and 11.
        let ten = lines
            .iter()
            .position(|l| l.contains("[ ] 10."))
            .expect("10");
        assert!(ten > headings[2], "{text}");
        // The starred lead-in is a note, not a box to tick.
        assert!(
            lines
                .iter()
                .any(|l| l.trim().starts_with("* Ngoài giấy tờ nêu trên")),
            "{text}"
        );
        assert!(
            text.contains("Thời gian giải quyết: 10 ngày làm việc"),
            "{text}"
        );
        assert!(text.contains("Phí, lệ phí: Miễn phí"), "{text}");
    }

    #[test]
    fn text_keeps_off_the_edges_of_the_paper() {
        for columns in [32, 48, 64] {
            let lines = checklist("2.000806", columns);
            let m = margin(columns);
            for line in lines.iter().filter(|l| !l.is_empty()) {
                assert!(line.starts_with(&" ".repeat(m)), "{line:?}");
                assert!(line.chars().count() <= columns - m, "{columns}: {line:?}");
            }
        }
    }

    #[test]
    fn fees_that_differ_say_where_each_applies() {
        let text = checklist("2.000815", 48).join("\n");
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            flat.contains("- Trực tiếp: 10 USD/bản. Tại cơ quan đại diện: 10 USD/bản."),
            "{text}"
        );
        assert!(
            flat.contains("- Trực tiếp: 2.000 đ/trang. Tại Ủy ban nhân dân"),
            "{text}"
        );
    }
}
