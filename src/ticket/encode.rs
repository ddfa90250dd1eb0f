//! Tickets, slips and the code page chart as ESC/POS jobs.

use unicode_normalization::UnicodeNormalization;

use super::commands::{Align, FONT_A, FONT_B, Job};
use super::raster::{self, Face, Fonts};
use super::words::fill;
use super::{CodeTable, TextMode};
use super::{Layout, ProcedureNote, Ticket, codepage};

/// How one paragraph looks, both as a picture (`px`) and as printer text (`scale`, `small`).
#[derive(Debug, Clone, Copy)]
struct Style {
    align: Align,
    bold: bool,
    /// Em size in dots when drawn as a picture.
    px: f32,
    /// GS ! width and height multipliers for printer text.
    scale: (u8, u8),
    /// Font B for printer text.
    small: bool,
    /// White on black.
    boxed: bool,
}

impl Style {
    const fn centred(px: f32) -> Self {
        Style {
            align: Align::Center,
            bold: false,
            px,
            scale: (1, 1),
            small: false,
            boxed: false,
        }
    }
    const fn bold(self) -> Self {
        Style { bold: true, ..self }
    }
}

// Picture sizes were chosen so that an 80 mm ticket without QR stays under 12 KB (about one
// second at 115200 baud) while tone marks keep every dot.
const HEADER: Style = Style::centred(22.0);
const OFFICE: Style = Style::centred(24.0).bold();
const HEADING: Style = Style::centred(24.0).bold();
const PRIORITY: Style = Style::centred(24.0).bold();
const SERVICE: Style = Style {
    scale: (1, 2),
    ..Style::centred(28.0).bold()
};
const DETAIL: Style = Style::centred(22.0);
const OFFLINE: Style = Style {
    boxed: true,
    ..Style::centred(22.0).bold()
};
const CAPTION: Style = Style {
    small: true,
    ..Style::centred(18.0)
};
const FOOTER: Style = Style::centred(20.0);
const PLAIN: Style = Style {
    align: Align::Left,
    ..Style::centred(22.0)
};
/// Printer text in every mode: dashes cost a few bytes.
const RULE: Style = Style::centred(22.0);
const PROCEDURE: Style = Style {
    align: Align::Left,
    ..Style::centred(22.0).bold()
};
const CHART_LABEL: Style = Style {
    align: Align::Left,
    ..Style::centred(22.0).bold()
};

/// Room a white-on-black picture line needs for its box.
const BOXED_MARGIN: f32 = 2.0 * raster::BOX_PAD.0 as f32 + 8.0;

/// Page numbers that hold a Vietnamese table on common printers (Epson, Xprinter and clones):
/// the chart's pages when the technician names none.
pub const CHART_PAGES: [u8; 8] = [27, 30, 31, 45, 47, 48, 52, 94];
/// Five tones and ô ă ư đ, short enough for 58 mm paper after its tag.
const CHART_SAMPLE: &str = "Hộ tịch Đà Nẵng, Thủ Đức";

/// Characters per line in the printer's font A: 32 on 384 dots, 48 on 576.
pub fn columns(layout: &Layout) -> usize {
    usize::from((layout.width_dots / FONT_A.0).max(1))
}

/// A queue ticket: header, office, the number in the largest printer text that fits, priority,
/// service, time and wait, the offline mark, the QR code, footer; then feed and cut.
pub fn encode_ticket(ticket: &Ticket, layout: &Layout) -> Vec<u8> {
    let mut w = Writer::new(layout);
    if let Some(logo) = &ticket.logo {
        w.job.align(Align::Center);
        w.job.raster(&logo.0);
        w.job.feed_dots(8);
    }
    for line in &ticket.header_lines {
        w.paragraph(line, HEADER);
    }
    w.paragraph(&ticket.office, OFFICE);
    w.rule();
    let words = ticket.language.words();
    w.paragraph(words.heading, HEADING);
    w.number(&ticket.number);
    if let Some(p) = &ticket.priority {
        w.paragraph(&fill(words.priority, p), PRIORITY);
    }
    w.paragraph(&ticket.service, SERVICE);
    if let Some(vi) = ticket
        .service_vi
        .as_ref()
        .filter(|vi| **vi != ticket.service)
    {
        w.paragraph(vi, DETAIL);
    }
    w.job.feed_dots(12);
    w.paragraph(&fill(words.issued_at, &ticket.issued_at), DETAIL);
    if let Some(n) = ticket.people_ahead {
        w.paragraph(&fill(words.people_ahead, n), DETAIL);
    }
    if let Some(m) = ticket.estimated_wait_min {
        w.paragraph(&fill(words.wait, m), DETAIL);
    }
    if let Some(phone) = &ticket.sms_to {
        w.paragraph(&fill(words.sms_to, phone), DETAIL);
    }
    if let Some(procedure) = &ticket.procedure {
        w.rule();
        w.paragraph(&fill(words.procedure, &procedure.code), PROCEDURE);
        w.paragraph(&procedure.name, PLAIN);
        if !procedure.documents.is_empty() {
            w.job.feed_dots(8);
            w.paragraph(words.documents, PROCEDURE);
        }
        let shown = procedure
            .documents
            .iter()
            .take(ProcedureNote::DOCUMENTS_ON_TICKET);
        for document in shown {
            w.paragraph(&format!("- {}", shortened(document)), PLAIN);
        }
        let more = procedure
            .documents
            .len()
            .saturating_sub(ProcedureNote::DOCUMENTS_ON_TICKET);
        if more > 0 {
            w.paragraph(&fill(words.more_documents, more), PLAIN);
        }
        w.job.feed_dots(8);
    }
    if ticket.offline {
        w.job.feed_dots(8);
        w.paragraph(words.offline, OFFLINE);
    }
    if let Some(url) = &ticket.qr {
        w.qr(url);
        w.paragraph(words.qr_caption, CAPTION);
    }
    if !ticket.footer_lines.is_empty() {
        w.rule();
        for line in &ticket.footer_lines {
            w.paragraph(line, FOOTER);
        }
    }
    w.finish()
}

/// A document's name cut to [`ProcedureNote::DOCUMENT_CHARS`] characters at a word.
pub(super) fn shortened(name: &str) -> String {
    let name = name.trim();
    if name.chars().count() <= ProcedureNote::DOCUMENT_CHARS {
        return name.to_string();
    }
    let cut: String = name.chars().take(ProcedureNote::DOCUMENT_CHARS).collect();
    let at_word = cut
        .rfind(' ')
        .filter(|i| *i > cut.len() / 2)
        .unwrap_or(cut.len());
    format!("{}…", cut[..at_word].trim_end_matches([' ', ',', ';', ':']))
}

/// Plain lines (a document checklist, a dossier slip, a test page), already wrapped by the caller
/// to [`columns`] characters: printed left-aligned, then feed and cut. A drawn line that comes
/// out wider than the paper wraps again.
pub fn encode_lines(lines: &[String], layout: &Layout) -> Vec<u8> {
    let mut w = Writer::new(layout);
    for line in lines {
        w.paragraph(line, PLAIN);
    }
    w.finish()
}

/// For technicians choosing `code_page`: for each of `pages` (once each, in the order given;
/// [`CHART_PAGES`] is the usual choice), "ESC t N:" and a Vietnamese sample in Windows-1258 and
/// in TCVN-3 with that page selected; the page that prints correct Vietnamese is read off the
/// paper. The layout's text mode does not matter.
pub fn code_page_chart(layout: &Layout, pages: &[u8]) -> Vec<u8> {
    let mut candidates: Vec<u8> = Vec::new();
    for &p in pages {
        if !candidates.contains(&p) {
            candidates.push(p);
        }
    }
    let mut w = Writer::new(&Layout {
        text_mode: TextMode::Ascii,
        ..*layout
    });
    w.paragraph("BANG MA TRANG IN (ESC t)", CHART_LABEL);
    w.paragraph("Chon trang in dung tieng Viet:", PLAIN);
    for page in candidates {
        w.job.feed_dots(12);
        w.job.code_page(page);
        w.paragraph(&format!("ESC t {page}:"), CHART_LABEL);
        for (tag, table) in [("1258", CodeTable::Wpc1258), ("TCVN", CodeTable::Tcvn3)] {
            let mut line = format!("{tag}: ").into_bytes();
            line.extend(codepage::encode(CHART_SAMPLE, table));
            w.set_style(PLAIN);
            w.job.line(&line);
        }
    }
    w.finish()
}

/// A job being laid out in one text mode. Printer state is tracked so that only changes are sent.
struct Writer {
    job: Job,
    mode: TextMode,
    width: u16,
    fonts: Option<&'static Fonts>,
    align: Align,
    bold: bool,
    scale: (u8, u8),
    small: bool,
    reverse: bool,
}

impl Writer {
    fn new(layout: &Layout) -> Self {
        let mut job = Job::new();
        if let TextMode::Codepage { page, .. } = layout.text_mode {
            job.code_page(page);
        }
        Writer {
            job,
            mode: layout.text_mode,
            width: layout.width_dots.max(FONT_A.0),
            fonts: raster::fonts(),
            align: Align::Left,
            bold: false,
            scale: (1, 1),
            small: false,
            reverse: false,
        }
    }

    fn finish(mut self) -> Vec<u8> {
        self.set_style(PLAIN);
        self.job.feed_lines(2);
        self.job.partial_cut();
        self.job.finish()
    }

    /// One paragraph, wrapped to the paper: drawn if it needs diacritics in raster mode, or
    /// if the code page cannot hold it exactly (TCVN-3 has no toned capitals: "SỐ THỨ TỰ"
    /// would print as "Số THứ Tự"); printer text otherwise.
    fn paragraph(&mut self, text: &str, style: Style) {
        let text: String = text
            .nfc()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        match (self.mode, self.fonts) {
            (TextMode::Raster, Some(fonts)) if !text.is_ascii() => self.drawn(fonts, &text, style),
            (TextMode::Codepage { table, .. }, Some(fonts))
                if !codepage::represents(&text, table) =>
            {
                self.drawn(fonts, &text, style)
            }
            _ => self.printed(&text, style),
        }
    }

    fn drawn(&mut self, fonts: &Fonts, text: &str, style: Style) {
        let face = Face {
            px: style.px,
            bold: style.bold,
        };
        let room = f32::from(self.width) - if style.boxed { BOXED_MARGIN } else { 0.0 };
        let measure = |s: &str| fonts.width(s, face);
        self.set_align(style.align);
        for line in wrap_aligned(text, style.align, room, measure) {
            let image = fonts.line_image(&line, face, style.align, style.boxed);
            self.job.raster(&image);
        }
    }

    fn printed(&mut self, text: &str, style: Style) {
        let text = match self.mode {
            TextMode::Codepage { .. } => text.to_string(),
            // Raster mode reaches here with ASCII text, or without fonts.
            TextMode::Raster | TextMode::Ascii => codepage::to_ascii(text),
        };
        let cell = if style.small { FONT_B.0 } else { FONT_A.0 };
        let cols = (self.width / (cell * u16::from(style.scale.0))).max(1);
        // A boxed line has a space of black on either side.
        let room = if style.boxed {
            cols.saturating_sub(2).max(1)
        } else {
            cols
        };
        self.set_style(style);
        for line in wrap_aligned(&text, style.align, f32::from(room), |s| {
            s.chars().count() as f32
        }) {
            let line = if style.boxed {
                format!(" {line} ")
            } else {
                line
            };
            let bytes = match self.mode {
                TextMode::Codepage { table, .. } => codepage::encode(&line, table),
                TextMode::Raster | TextMode::Ascii => line.into_bytes(),
            };
            self.job.line(&bytes);
        }
    }

    /// The queue number in the largest printer text that fits the paper width.
    fn number(&mut self, number: &str) {
        let number = codepage::to_ascii(number);
        let chars = u16::try_from(number.chars().count().max(1)).unwrap_or(u16::MAX);
        let fit = self.width / chars.saturating_mul(FONT_A.0);
        let m = u8::try_from(fit.clamp(1, 8)).unwrap_or(8);
        self.set_style(Style {
            scale: (m, m),
            ..HEADING
        });
        self.job.line(number.as_bytes());
        self.job.feed_dots(8);
    }

    /// A dashed line across the paper.
    fn rule(&mut self) {
        self.set_style(RULE);
        self.job
            .line("- ".repeat(self.cols() / 2).trim_end().as_bytes());
    }

    fn qr(&mut self, url: &str) {
        let Ok(code) = qrcode::QrCode::with_error_correction_level(url, qrcode::EcLevel::M) else {
            // Too long for a QR code: the ticket is still good without it.
            return;
        };
        let modules = u32::try_from(code.width()).unwrap_or(u32::MAX).max(1);
        // About 45% of the paper: large enough for any phone, small enough to save paper.
        let module = (u32::from(self.width) * 45 / 100 / modules).clamp(3, 8);
        self.set_align(Align::Center);
        self.job.feed_dots(16);
        self.job
            .qr(url.as_bytes(), u8::try_from(module).unwrap_or(3));
        self.job.feed_dots(8);
    }

    fn cols(&self) -> usize {
        usize::from(self.width / FONT_A.0)
    }

    fn set_align(&mut self, align: Align) {
        if self.align != align {
            self.job.align(align);
            self.align = align;
        }
    }

    fn set_style(&mut self, style: Style) {
        self.set_align(style.align);
        if self.bold != style.bold {
            self.job.bold(style.bold);
            self.bold = style.bold;
        }
        if self.scale != style.scale {
            self.job.size(style.scale.0, style.scale.1);
            self.scale = style.scale;
        }
        if self.small != style.small {
            self.job.font_b(style.small);
            self.small = style.small;
        }
        if self.reverse != style.boxed {
            self.job.reverse(style.boxed);
            self.reverse = style.boxed;
        }
    }
}

/// Greedy word wrap to lines of at most `max` by `measure`. Continuation lines keep the
/// paragraph's indent; a word too long for a line is broken between characters.
pub(super) fn wrap(text: &str, max: f32, measure: impl Fn(&str) -> f32) -> Vec<String> {
    let fits = |s: &str| measure(s) <= max;
    let body = text.trim_start_matches(' ');
    let indent = &text[..text.len() - body.len()];
    let mut lines = Vec::new();
    let mut line = indent.to_string();
    for word in body.split(' ').filter(|w| !w.is_empty()) {
        let candidate = if line.len() == indent.len() {
            format!("{line}{word}")
        } else {
            format!("{line} {word}")
        };
        if fits(&candidate) || line.len() == indent.len() {
            line = candidate;
        } else {
            lines.push(std::mem::replace(&mut line, format!("{indent}{word}")));
        }
        // Break a word that alone overflows, keeping at least one character per line.
        while !fits(&line) {
            let chars: Vec<(usize, char)> = line.char_indices().collect();
            let start = indent.chars().count() + 1;
            let cut = (start..chars.len())
                .rev()
                .find(|&n| fits(&line[..chars[n].0]))
                .unwrap_or(start);
            let Some(&(at, _)) = chars.get(cut) else {
                break;
            };
            let rest = format!("{indent}{}", &line[at..]);
            line.truncate(at);
            lines.push(std::mem::replace(&mut line, rest));
        }
    }
    if line.len() > indent.len() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Centred paragraphs wrap evenly, left-aligned ones greedily.
fn wrap_aligned(text: &str, align: Align, max: f32, measure: impl Fn(&str) -> f32) -> Vec<String> {
    match align {
        Align::Center => wrap_balanced(text, max, measure),
        Align::Left => wrap(text, max, measure),
    }
}

/// Word wrap into as many lines as [`wrap`] needs, but as even as possible: centred lines then
/// read as a block ("Thời gian chờ dự kiến: / khoảng 15 phút" rather than a lone "phút").
fn wrap_balanced(text: &str, max: f32, measure: impl Fn(&str) -> f32) -> Vec<String> {
    let greedy = wrap(text, max, &measure);
    if greedy.len() < 2 {
        return greedy;
    }
    // "Label: value" that needs two lines breaks after the colon when both halves fit.
    if greedy.len() == 2
        && let Some((label, value)) = text.split_once(": ")
        && measure(&format!("{label}:")) <= max
        && measure(value) <= max
    {
        return vec![format!("{label}:"), value.to_string()];
    }
    // Never narrower than the longest word, so that no word is broken that greedy kept whole.
    let longest = text.split(' ').map(&measure).fold(0.0, f32::max);
    let (mut lo, mut hi) = (longest.min(max), max);
    if wrap(text, lo, &measure).len() <= greedy.len() {
        return wrap(text, lo, &measure);
    }
    while hi - lo > 0.5 {
        let mid = (lo + hi) / 2.0;
        if wrap(text, mid, &measure).len() <= greedy.len() {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    wrap(text, hi, &measure)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> f32 {
        s.chars().count() as f32
    }

    #[test]
    fn wrap_by_words_keeps_indent_and_breaks_long_words() {
        assert_eq!(wrap("aaa bbb ccc ddd", 10.0, chars), ["aaa bbb", "ccc ddd"]);
        assert_eq!(wrap("  aaa bbb ccc", 10.0, chars), ["  aaa bbb", "  ccc"]);
        assert_eq!(
            wrap("abcdefghijklmnopqrstuvw", 10.0, chars),
            ["abcdefghij", "klmnopqrst", "uvw"]
        );
        assert_eq!(wrap("", 10.0, chars), [""]);
        assert_eq!(wrap("Hộ tịch Đà Nẵng", 10.0, chars), ["Hộ tịch Đà", "Nẵng"]);
    }

    #[test]
    fn balanced_wrap_evens_out_lines() {
        let text = "Thời gian chờ dự kiến: khoảng 15 phút";
        assert_eq!(
            wrap(text, 32.0, chars),
            ["Thời gian chờ dự kiến: khoảng 15", "phút"]
        );
        assert_eq!(
            wrap_balanced(text, 32.0, chars),
            ["Thời gian chờ dự kiến:", "khoảng 15 phút"]
        );
        assert_eq!(wrap_balanced("ab cd ef gh", 6.0, chars), ["ab cd", "ef gh"]);
        assert_eq!(
            wrap_balanced("abc defghijklmno", 10.0, chars),
            ["abc", "defghijklm", "no"]
        );
    }

    #[test]
    fn columns_follow_the_paper() {
        let layout = |w| Layout {
            width_dots: w,
            text_mode: TextMode::Raster,
        };
        assert_eq!(columns(&layout(384)), 32);
        assert_eq!(columns(&layout(576)), 48);
    }
}
