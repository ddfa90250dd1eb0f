//! A dossier as a citizen reads it, in one language: for the screen, the printed slip and the CLI.

use chrono::{DateTime, FixedOffset};

use super::status::{Timeliness, Tone, parse_time, status_info, timeliness};
use crate::clock;
use crate::language::Language;
use crate::server::model::Dossier;
use crate::ticket::push_wrapped;

#[derive(Debug, Clone, PartialEq)]
pub struct StepView {
    pub when: String,
    pub unit: String,
    pub action: String,
}

/// What a citizen whose dossier is past its appointment, unfinished, is told (no status says more).
pub const LATE_VI: &str = "Cơ quan sẽ gửi quý vị văn bản xin lỗi và hẹn lại ngày trả kết quả; quý vị có thể hỏi cán bộ tại quầy tiếp nhận.";
pub const LATE_EN: &str = "The office owes you a letter of apology with a new appointment date; please ask at the reception desk.";

#[derive(Debug, Clone, PartialEq)]
pub struct DossierView {
    pub code: String,
    pub procedure: String,
    pub applicant: String,
    pub received: String,
    /// The appointment (ngày hẹn trả): the day in words, and the hour.
    pub due_date: String,
    pub due_time: String,
    pub status: String,
    /// The status code (1–10 are the ones the kiosk has words and voice for).
    pub status_code: u8,
    pub tone: Tone,
    pub timeliness: Option<Timeliness>,
    pub timeliness_text: String,
    pub next_step: Option<String>,
    /// Newest first: the latest step is what a citizen wants to see.
    pub steps: Vec<StepView>,
}

impl DossierView {
    pub fn new(dossier: &Dossier, lang: Language, now: DateTime<FixedOffset>) -> Self {
        let en = lang == Language::En;
        let info = status_info(dossier.status.code);
        let status = match info {
            Some(s) if en => s.en.to_string(),
            Some(s) => s.vi.to_string(),
            // A status this kiosk does not know: the server's own words.
            None if en && !dossier.status.label_en.is_empty() => dossier.status.label_en.clone(),
            None => dossier.status.label_vi.clone(),
        };
        let finished = matches!(dossier.status.code, 9 | 10);
        let timeliness = timeliness(dossier, now);
        let timeliness_text = match (timeliness, finished, en) {
            (None, _, _) => "",
            (Some(Timeliness::Early), _, false) => "Hoàn thành trước ngày hẹn",
            (Some(Timeliness::Early), _, true) => "Finished before the appointment",
            (Some(Timeliness::OnTime), true, false) => "Hoàn thành đúng hẹn",
            (Some(Timeliness::OnTime), true, true) => "Finished on time",
            (Some(Timeliness::OnTime), false, false) => "Đang trong hạn giải quyết",
            (Some(Timeliness::OnTime), false, true) => "On schedule",
            (Some(Timeliness::DueToday), _, false) => "Hẹn trả kết quả hôm nay",
            (Some(Timeliness::DueToday), _, true) => "Due today",
            (Some(Timeliness::Late), true, false) => "Hoàn thành sau ngày hẹn",
            (Some(Timeliness::Late), true, true) => "Finished after the appointment",
            (Some(Timeliness::Late), false, false) => "Đã quá ngày hẹn trả kết quả",
            (Some(Timeliness::Late), false, true) => "Past the appointment date",
        }
        .to_string();
        let mut next_step = info
            .and_then(|s| if en { s.next_en } else { s.next_vi })
            .map(str::to_string);
        if next_step.is_none() && timeliness == Some(Timeliness::Late) && !finished {
            next_step = Some(if en { LATE_EN } else { LATE_VI }.to_string());
        }
        let due = parse_time(&dossier.due_at);
        Self {
            status_code: dossier.status.code,
            code: dossier.code.clone(),
            procedure: dossier.procedure_name.clone(),
            applicant: dossier.applicant.clone(),
            received: when(&dossier.received_at, lang),
            due_date: due.map_or_else(|| "—".to_string(), |t| clock::date_text(&t, lang)),
            due_time: due.map(|t| clock::time_text(&t)).unwrap_or_default(),
            status,
            tone: info.map_or(Tone::Progress, |s| s.tone),
            timeliness,
            timeliness_text,
            next_step,
            steps: dossier
                .steps
                .iter()
                .rev()
                .map(|s| StepView {
                    when: when(&s.at, lang),
                    unit: s.unit.clone(),
                    action: s.action.clone(),
                })
                .collect(),
        }
    }
}

/// A server time for lists; shown as sent when it cannot be read, never dropped.
fn when(text: &str, lang: Language) -> String {
    parse_time(text).map_or_else(|| text.to_string(), |t| clock::short_date_time(&t, lang))
}

struct Labels {
    title: &'static str,
    code: &'static str,
    procedure: &'static str,
    applicant: &'static str,
    received: &'static str,
    due: &'static str,
    status: &'static str,
    steps: &'static str,
    looked_up: &'static str,
}

const VI: Labels = Labels {
    title: "KẾT QUẢ TRA CỨU HỒ SƠ",
    code: "Mã hồ sơ",
    procedure: "Thủ tục",
    applicant: "Người nộp",
    received: "Ngày tiếp nhận",
    due: "Ngày hẹn trả",
    status: "Trạng thái",
    steps: "Quá trình xử lý",
    looked_up: "Tra cứu lúc",
};

const EN: Labels = Labels {
    title: "DOSSIER STATUS",
    code: "Dossier code",
    procedure: "Procedure",
    applicant: "Applicant",
    received: "Received",
    due: "Appointment",
    status: "Status",
    steps: "Progress",
    looked_up: "Looked up at",
};

/// Steps on a slip: enough to see where the dossier is, short enough to tear off.
const SLIP_STEPS: usize = 3;

/// The printed slip ("In kết quả tra cứu"): the same facts as the screen, for `columns` characters.
pub fn slip_lines(
    view: &DossierView,
    office: &str,
    lang: Language,
    printed_at: DateTime<FixedOffset>,
    columns: usize,
) -> Vec<String> {
    let l = labels(lang);
    let mut out = Vec::new();
    push_wrapped(&mut out, office, columns, "");
    out.push("-".repeat(columns));
    push_wrapped(&mut out, l.title, columns, "");
    facts(&mut out, view, l, columns);
    if !view.steps.is_empty() {
        push_wrapped(&mut out, &format!("{}:", l.steps), columns, "");
        for step in view.steps.iter().take(SLIP_STEPS) {
            push_step(&mut out, step, columns);
        }
    }
    out.push("-".repeat(columns));
    push_wrapped(
        &mut out,
        &format!(
            "{}: {}",
            l.looked_up,
            clock::short_date_time(&printed_at, lang)
        ),
        columns,
        "",
    );
    out
}

/// The slip as a print job on `layout`'s paper.
pub fn slip_job(
    view: &DossierView,
    office: &str,
    lang: Language,
    printed_at: DateTime<FixedOffset>,
    layout: &crate::ticket::Layout,
) -> crate::printer::Job {
    let lines = slip_lines(
        view,
        office,
        lang,
        printed_at,
        crate::ticket::columns(layout),
    );
    crate::printer::Job {
        name: "dossier-slip".into(),
        bytes: crate::ticket::encode_lines(&lines, layout),
    }
}

/// Everything on the result screen as plain text, for technicians checking the link.
pub fn text_report(view: &DossierView, lang: Language, columns: usize) -> String {
    let l = labels(lang);
    let mut out = Vec::new();
    facts(&mut out, view, l, columns);
    if !view.steps.is_empty() {
        push_wrapped(&mut out, &format!("{}:", l.steps), columns, "");
        for step in &view.steps {
            push_step(&mut out, step, columns);
        }
    }
    out.join("\n")
}

fn labels(lang: Language) -> &'static Labels {
    match lang {
        Language::Vi => &VI,
        Language::En => &EN,
    }
}

fn facts(out: &mut Vec<String>, view: &DossierView, l: &Labels, columns: usize) {
    let due = format!("{} {}", view.due_date, view.due_time);
    let rows = [
        (l.code, view.code.as_str()),
        (l.procedure, view.procedure.as_str()),
        (l.applicant, view.applicant.as_str()),
        (l.received, view.received.as_str()),
        (l.due, due.trim()),
        (l.status, view.status.as_str()),
    ];
    for (label, value) in rows {
        push_wrapped(out, &format!("{label}: {value}"), columns, "  ");
    }
    if !view.timeliness_text.is_empty() {
        push_wrapped(out, &view.timeliness_text, columns, "");
    }
    if let Some(next) = &view.next_step {
        push_wrapped(out, next, columns, "");
    }
}

fn push_step(out: &mut Vec<String>, step: &StepView, columns: usize) {
    push_wrapped(
        out,
        &format!("- {} {}: {}", step.when, step.unit, step.action),
        columns,
        "  ",
    );
}
