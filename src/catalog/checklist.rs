//! The document checklist a citizen takes away: "what to bring" for one procedure, laid out as
//! lines for a receipt printer. Pure text layout; printing is someone else's job.

use super::ProcedureDetail;
use crate::ticket::push_wrapped;

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
