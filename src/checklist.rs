//! The document checklist a citizen takes away: "what to bring" for one procedure, laid out as
//! lines for a receipt printer. Pure text layout; printing is someone else's job.

use crate::catalog::ProcedureDetail;

/// Characters per line on 80 mm (576 dots) and 58 mm (384 dots) paper in the printer's font A.
pub fn columns_for(paper_width_dots: u16) -> usize {
    if paper_width_dots <= 384 { 32 } else { 48 }
}

/// The checklist as lines no wider than `columns`.
pub fn lines(
    detail: &ProcedureDetail,
    office: &str,
    printed_at: &str,
    columns: usize,
) -> Vec<String> {
    let mut out = Vec::new();
    let rule = "-".repeat(columns);
    push_wrapped(&mut out, office, columns, "");
    out.push(rule.clone());
    push_wrapped(&mut out, "DANH MỤC HỒ SƠ CẦN CHUẨN BỊ", columns, "");
    push_wrapped(&mut out, &detail.name, columns, "");
    push_wrapped(
        &mut out,
        &format!("Mã thủ tục: {}", detail.code),
        columns,
        "",
    );
    if let Some(time) = detail.processing_time.as_deref().filter(|t| !t.is_empty()) {
        push_wrapped(
            &mut out,
            &format!("Thời gian giải quyết: {time}"),
            columns,
            "",
        );
    }
    if let Some(fee) = detail.fee.as_deref().filter(|t| !t.is_empty()) {
        push_wrapped(&mut out, &format!("Phí, lệ phí: {fee}"), columns, "");
    }
    out.push(rule.clone());
    for group in &detail.documents {
        push_wrapped(&mut out, &group.group.to_uppercase(), columns, "");
        for (i, doc) in group.documents.iter().enumerate() {
            let copies = doc.copies.as_deref().filter(|c| !c.is_empty());
            let text = match copies {
                Some(c) => format!("{} ({c})", doc.name),
                None => doc.name.clone(),
            };
            let marker = format!("[ ] {}. ", i + 1);
            push_wrapped(
                &mut out,
                &format!("{marker}{text}"),
                columns,
                &" ".repeat(marker.chars().count()),
            );
        }
    }
    out.push(rule);
    push_wrapped(&mut out, &format!("In lúc {printed_at}"), columns, "");
    out
}

/// Word-wraps `text` into `out`; continuation lines start with `indent`. Words longer than a line
/// are cut.
pub(crate) fn push_wrapped(out: &mut Vec<String>, text: &str, columns: usize, indent: &str) {
    let mut line = String::new();
    for word in text.split_whitespace() {
        let mut word = word.to_string();
        loop {
            let len = line.chars().count();
            let needed = if len == 0 {
                word.chars().count()
            } else {
                len + 1 + word.chars().count()
            };
            if needed <= columns {
                if len > 0 {
                    line.push(' ');
                }
                line.push_str(&word);
                break;
            }
            if len > indent.chars().count() {
                out.push(std::mem::take(&mut line));
                line.push_str(indent);
                continue;
            }
            // A word longer than the line: cut it.
            let room = columns.saturating_sub(len + usize::from(len > 0)).max(1);
            let head: String = word.chars().take(room).collect();
            let tail: String = word.chars().skip(room).collect();
            if len > 0 {
                line.push(' ');
            }
            line.push_str(&head);
            out.push(std::mem::take(&mut line));
            line.push_str(indent);
            word = tail;
            if word.is_empty() {
                break;
            }
        }
    }
    if line.trim().chars().count() > 0 {
        out.push(line);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_to_the_paper_and_keeps_every_word() {
        let mut out = Vec::new();
        let text = "Giấy tờ có giá trị chứng minh thông tin về cư trú trong trường hợp cơ quan đăng ký hộ tịch";
        push_wrapped(&mut out, text, 32, "    ");
        assert!(out.iter().all(|l| l.chars().count() <= 32), "{out:?}");
        let joined: Vec<&str> = out.iter().flat_map(|l| l.split_whitespace()).collect();
        assert_eq!(joined.join(" "), text);
    }

    #[test]
    fn cuts_words_longer_than_a_line() {
        let mut out = Vec::new();
        push_wrapped(&mut out, &"x".repeat(70), 32, "");
        assert_eq!(out.len(), 3);
        assert!(out.iter().all(|l| l.chars().count() <= 32));
    }
}
