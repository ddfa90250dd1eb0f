//! A procedure as a citizen reads it, on screen and on paper: the stored detail turned into
//! edited content. Fees in the Vietnamese way ("2.000 đ", "Miễn phí"), each way of submitting
//! with the note that explains its fee, rows that are notes shown as notes, documents the source
//! split in pieces joined again, and documents numbered once across every group.
//!
//! Pure: nothing here reads the database or knows the screen. The wording stays the source's;
//! only its shape changes.

use super::{Document, DocumentGroup, ProcedureDetail};

/// What the procedure page and the printed checklist show.
#[derive(Debug, Clone, PartialEq)]
pub struct ProcedurePage {
    pub processing_time: Option<String>,
    pub fee: Fee,
    /// What the source says of the fee for every way alike (who is exempt, who sets it).
    pub fee_note: Option<String>,
    /// As the source gives it.
    pub agency: Option<String>,
    pub result: Option<String>,
    pub methods: Vec<MethodLine>,
    /// A note the source gives for every way alike, shown once.
    pub methods_note: Option<String>,
    pub groups: Vec<Group>,
    /// Notes on the documents that belong to no one group.
    pub notes: Vec<String>,
    /// One readable line per text: "code: title".
    pub legal_basis: Vec<String>,
}

/// The fee at a glance.
#[derive(Debug, Clone, PartialEq)]
pub enum Fee {
    /// The source gives no fee.
    Unknown,
    /// One fee whichever way the dossier is submitted.
    Same(String),
    /// Different ways cost differently: each way says its own.
    ByMethod,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MethodLine {
    pub method: String,
    /// Only when it differs from the procedure's processing time.
    pub time: Option<String>,
    /// Only when the fees differ between ways.
    pub fee: Option<String>,
    /// This way's own note or fee note, when the ways differ in it.
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub heading: Heading,
    /// Documents, and the notes the source lists among them, in the source's order.
    pub entries: Vec<Entry>,
    /// What the source notes of this group's documents ("[Giấy tờ phải xuất trình] …").
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Heading {
    /// The only group, and the source names it not: the section's title is its heading.
    None,
    Named(String),
    /// The documents the source lists without a heading next to named groups.
    Other,
}

impl Heading {
    /// The source's name for the group, if it gives one.
    pub fn name(&self) -> &str {
        match self {
            Heading::Named(name) => name,
            Heading::None | Heading::Other => "",
        }
    }
}

impl Fee {
    /// The one fee to show among the facts ("" when unknown or when it depends on the way).
    pub fn single(&self) -> &str {
        match self {
            Fee::Same(fee) => fee,
            Fee::Unknown | Fee::ByMethod => "",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    Document {
        /// Counted across every group, from 1.
        number: usize,
        name: String,
        copies: Option<String>,
    },
    /// Text among the documents that is not a document to bring.
    Note(String),
}

/// The heading printed for [`Heading::Other`] (the screen translates its own).
pub const OTHER_DOCUMENTS: &str = "Giấy tờ khác";

impl ProcedurePage {
    pub fn new(detail: &ProcedureDetail) -> Self {
        let own_time = text(detail.processing_time.as_deref());
        let (fee, fee_note, methods, methods_note) = methods(detail, own_time.as_deref());
        let processing_time = own_time.or_else(|| method_times(detail));
        let (groups, notes) = documents(&detail.documents, &detail.document_notes);
        ProcedurePage {
            processing_time,
            fee,
            fee_note,
            agency: text(detail.agency.as_deref()),
            result: text(detail.result.as_deref()),
            methods,
            methods_note,
            groups,
            notes,
            legal_basis: detail
                .legal_basis
                .iter()
                .filter_map(|l| {
                    let code = l.code.as_deref().map(str::trim).unwrap_or_default();
                    let title = l.title.trim();
                    match (code.is_empty(), title.is_empty()) {
                        (true, true) => None,
                        (false, true) => Some(code.to_string()),
                        (true, false) => Some(title.to_string()),
                        (false, false) => Some(format!("{code}: {title}")),
                    }
                })
                .collect(),
        }
    }

    /// Every document, in order, with its number (what the tests read the page by).
    #[cfg(test)]
    pub fn documents(&self) -> impl Iterator<Item = (usize, &str, Option<&str>)> {
        self.groups
            .iter()
            .flat_map(|g| &g.entries)
            .filter_map(|e| match e {
                Entry::Document {
                    number,
                    name,
                    copies,
                } => Some((*number, name.as_str(), copies.as_deref())),
                Entry::Note(_) => None,
            })
    }
}

/// Without the procedure's own time, the ways' times: "Trực tuyến: 3 ngày; Trực tiếp: 5 ngày",
/// or the one time they share.
fn method_times(detail: &ProcedureDetail) -> Option<String> {
    let timed: Vec<(&str, &str)> = detail
        .methods
        .iter()
        .filter_map(|m| {
            Some((
                m.method.trim(),
                m.time.as_deref().map(str::trim).filter(|t| !t.is_empty())?,
            ))
        })
        .collect();
    let (_, first) = timed.first()?;
    if timed.len() == detail.methods.len() && timed.iter().all(|(_, t)| t == first) {
        return Some(first.to_string());
    }
    let parts: Vec<String> = timed.iter().map(|(m, t)| format!("{m}: {t}")).collect();
    Some(parts.join("; "))
}

/// Trimmed, and `None` when nothing is left.
fn text(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
}

/// A note worth showing: some words, not a stray bracket or a footnote number.
fn note(value: Option<&str>) -> Option<String> {
    let mut t = value.map(str::trim).unwrap_or_default();
    // The source wraps some notes whole in brackets.
    if t.starts_with('(') && t.ends_with(')') && balanced(&t[1..t.len() - 1]) {
        t = t[1..t.len() - 1].trim();
    }
    let t = strip_marker(t);
    t.chars().any(char::is_alphabetic).then(|| t.to_string())
}

/// Brackets close in order: "(a) (b)" is balanced, "a) (b" is not.
fn balanced(t: &str) -> bool {
    let mut depth = 0i32;
    for c in t.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
        if depth < 0 {
            return false;
        }
    }
    depth == 0
}

/// Without the list marker the source leaves in front ("- ", "+ ", "* ", "*Lưu ý: ").
fn strip_marker(mut t: &str) -> &str {
    loop {
        let before = t;
        t = t.trim_start();
        for marker in ['-', '+', '*', '•'] {
            if let Some(rest) = t.strip_prefix(marker)
                && rest.starts_with(|c: char| c.is_whitespace() || c.is_alphabetic())
                && !rest.starts_with(marker)
            {
                t = rest.trim_start();
            }
        }
        for label in ["Lưu ý:", "Ghi chú:", "Chú ý:"] {
            if let Some(rest) = t.strip_prefix(label) {
                t = rest.trim_start();
            }
        }
        if t == before {
            return t;
        }
    }
}

/// A fee as the office writes it: "2.000 đ", "Miễn phí"; any other currency or wording as
/// given. `None` when the source gives no amount.
pub fn format_fee(fee: &str) -> Option<String> {
    let fee = fee.trim();
    if fee.is_empty() || fee.starts_with("Không ghi mức phí") {
        return None;
    }
    if fee.eq_ignore_ascii_case("miễn phí") || fee == "0" {
        return Some("Miễn phí".to_string());
    }
    let Some((amount, currency)) = fee.split_once(char::is_whitespace) else {
        return Some(fee.to_string());
    };
    let dong = ["VNĐ", "VND", "Việt Nam Đồng", "đồng", "Đồng", "đ"];
    match (dong_amount(amount), dong.contains(&currency.trim())) {
        (Some(n), true) => Some(format!("{} đ", group_thousands(n))),
        _ => Some(fee.to_string()),
    }
}

/// "70,000" or "70.000" or "70000" as a number; anything else is not an amount in đồng.
fn dong_amount(amount: &str) -> Option<u64> {
    let digits: String = amount.chars().filter(|c| *c != ',' && *c != '.').collect();
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    // Separators only as thousands separators: "2,000" yes, "2,5" no.
    let groups: Vec<&str> = amount.split([',', '.']).collect();
    if groups.len() > 1 && groups[1..].iter().any(|g| g.len() != 3) {
        return None;
    }
    digits.parse().ok()
}

fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// A fee note that only names the unit ("/trang") belongs after the amount.
fn unit(fee_note: Option<&str>) -> Option<&str> {
    fee_note
        .map(str::trim)
        .filter(|n| n.starts_with('/') && n.len() < 40 && !n.contains(' '))
}

type Methods = (Fee, Option<String>, Vec<MethodLine>, Option<String>);

/// `own_time`: the procedure's processing time; a way's time is shown only when it differs
/// (without it, the ways' times are the procedure's, shown once).
fn methods(detail: &ProcedureDetail, own_time: Option<&str>) -> Methods {
    struct Way {
        method: String,
        time: Option<String>,
        fee: Option<String>,
        fee_note: Option<String>,
        note: Option<String>,
    }
    let ways: Vec<Way> = detail
        .methods
        .iter()
        .map(|m| {
            let unit = unit(m.fee_note.as_deref());
            let fee = m
                .fee
                .as_deref()
                .and_then(format_fee)
                .map(|f| format!("{f}{}", unit.unwrap_or_default()));
            Way {
                method: m.method.trim().to_string(),
                time: text(m.time.as_deref()),
                fee,
                fee_note: if unit.is_some() {
                    None
                } else {
                    note(m.fee_note.as_deref())
                },
                note: note(m.note.as_deref()),
            }
        })
        .collect();
    let same = |f: fn(&Way) -> &Option<String>| -> Option<Option<String>> {
        let first = ways.first().map(f)?;
        ways.iter().all(|w| f(w) == first).then(|| first.clone())
    };
    let fees_alike = same(|w| &w.fee);
    let fee_notes_alike = same(|w| &w.fee_note);
    let notes_alike = same(|w| &w.note);
    let fee = match &fees_alike {
        Some(Some(f)) => Fee::Same(f.clone()),
        Some(None) => Fee::Unknown,
        None => Fee::ByMethod,
    };
    // Without ways, the procedure's own fee text ("Miễn phí (…)") is all there is.
    let (fee, fee_note) = if ways.is_empty() {
        procedure_fee(detail.fee.as_deref())
    } else {
        (fee, fee_notes_alike.clone().flatten())
    };
    let lines = ways
        .into_iter()
        .map(|w| {
            let own_note = [
                notes_alike.is_none().then_some(w.note).flatten(),
                fee_notes_alike.is_none().then_some(w.fee_note).flatten(),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>();
            MethodLine {
                time: w.time.filter(|t| own_time.is_some_and(|o| o != t)),
                fee: fees_alike.is_none().then_some(w.fee).flatten(),
                note: (!own_note.is_empty()).then(|| own_note.join("\n")),
                method: w.method,
            }
        })
        .collect();
    (fee, fee_note, lines, notes_alike.flatten())
}

/// "Miễn phí (Theo quy định …)" → the fee and its note.
fn procedure_fee(fee: Option<&str>) -> (Fee, Option<String>) {
    let Some(fee) = fee.map(str::trim).filter(|f| !f.is_empty()) else {
        return (Fee::Unknown, None);
    };
    if let Some(open) = fee.find(" (")
        && fee.ends_with(')')
        && let Some(amount) = format_fee(&fee[..open])
    {
        return (Fee::Same(amount), note(Some(&fee[open + 1..])));
    }
    match format_fee(fee) {
        Some(f) => (Fee::Same(f), None),
        None => (Fee::Unknown, None),
    }
}

/// Rows the source lists among the documents that are notes: a star, "Lưu ý", "Ngoài …".
fn is_note(name: &str) -> bool {
    let t = name.trim_start();
    t.starts_with('*')
        || ["Lưu ý", "Ghi chú", "Chú ý", "Ngoài "]
            .iter()
            .any(|p| t.starts_with(p))
}

fn documents(groups: &[DocumentGroup], notes: &[String]) -> (Vec<Group>, Vec<String>) {
    let named = groups.iter().any(|g| !g.group.trim().is_empty());
    let mut number = 0;
    let mut out: Vec<Group> = groups
        .iter()
        .map(|g| {
            let heading = match g.group.trim() {
                "" if named => Heading::Other,
                "" => Heading::None,
                name => Heading::Named(name.to_string()),
            };
            let entries = join_fragments(&g.documents)
                .into_iter()
                .filter_map(|d| {
                    if is_note(&d.name) {
                        return note(Some(&d.name)).map(Entry::Note);
                    }
                    let name = strip_marker(d.name.trim()).to_string();
                    if name.is_empty() {
                        return None;
                    }
                    number += 1;
                    Some(Entry::Document {
                        number,
                        name,
                        copies: text(d.copies.as_deref()),
                    })
                })
                .collect();
            Group {
                heading,
                entries,
                notes: Vec::new(),
            }
        })
        .collect();
    // "[Giấy tờ phải xuất trình] …" goes with that group; the rest below every group.
    let mut general = Vec::new();
    for raw in notes {
        let raw = raw.trim();
        let (label, body) = match raw.strip_prefix('[').and_then(|r| r.split_once(']')) {
            Some((label, body)) => (Some(label.trim()), body),
            None => (None, raw),
        };
        let Some(body) = note(Some(body)) else {
            continue;
        };
        let group = label.and_then(|l| {
            out.iter_mut()
                .find(|g| matches!(&g.heading, Heading::Named(n) if n == l))
        });
        match group {
            Some(g) => g.notes.push(body),
            None => general.push(body),
        }
    }
    (out, general)
}

/// The source cut some documents where their copies were written inside the name:
/// "Phiếu yêu cầu … (" [1 bản chính] ") (khoản 1 …)" was "Phiếu yêu cầu … (01 bản chính)
/// (khoản 1 …)". A row ending in "(" or "hoặc", followed by rows that start with ")" or a small
/// letter, is one document when its brackets then close: the copies go back in their place.
/// Anything of another shape stays as the source gives it.
fn join_fragments(documents: &[Document]) -> Vec<Document> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < documents.len() {
        match fragment_run(&documents[i..]) {
            Some((joined, used)) => {
                out.push(joined);
                i += used;
            }
            None => {
                out.push(documents[i].clone());
                i += 1;
            }
        }
    }
    out
}

/// The document joined from the run of fragments `documents` starts with, and how many rows it
/// took; `None` when the first row does not open such a run or the run never closes.
fn fragment_run(documents: &[Document]) -> Option<(Document, usize)> {
    let opens = |name: &str| {
        let t = name.trim_end();
        t.ends_with('(') || t == "hoặc" || t.ends_with(" hoặc")
    };
    let continues = |name: &str| {
        name.trim_start()
            .starts_with(|c: char| c == ')' || c.is_lowercase())
    };
    let first = documents.first()?;
    if !first.name.trim_end().ends_with('(') {
        return None;
    }
    let mut name = first.name.trim().to_string();
    let mut form = first.form.clone();
    for (k, next) in documents.iter().enumerate().skip(1) {
        let previous = &documents[k - 1];
        if !opens(&previous.name) || !continues(&next.name) {
            return None;
        }
        // The copies the source lifted out of the text go back where they were written.
        let copies = previous
            .copies
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())?;
        push_piece(&mut name, copies);
        push_piece(&mut name, next.name.trim());
        form = form.or_else(|| next.form.clone());
        if !opens(&next.name) {
            return balanced(&name).then(|| {
                (
                    Document {
                        name,
                        // Written in the name now, as the law writes them.
                        copies: None,
                        form,
                    },
                    k + 1,
                )
            });
        }
    }
    None
}

/// Appends with a space, except inside brackets: "(1 bản chính)", not "( 1 bản chính )".
fn push_piece(text: &mut String, piece: &str) {
    let tight = text.ends_with('(')
        || piece.starts_with(')')
        || piece.starts_with(',')
        || piece.starts_with(';');
    if !tight && !text.is_empty() {
        text.push(' ');
    }
    text.push_str(piece);
}

#[cfg(test)]
mod tests;
