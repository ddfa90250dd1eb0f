//! Queue tickets and plain slips as ESC/POS bytes for thermal receipt printers, and those bytes
//! drawn back as a PNG picture for the on-screen printer and the docs. Pure: no I/O.
//!
//! How Vietnamese reaches the paper is the layout's [`TextMode`]:
//! - `Raster`: lines with diacritics are drawn with the bundled Noto Sans and sent as GS v 0
//!   pictures cropped to the ink; ASCII lines stay printer text. Right on every printer.
//! - `Codepage`: printer text in Windows-1258 or TCVN-3 after ESC t (see [`codepage`]).
//! - `Ascii`: printer text without diacritics.
//!
//! Every job starts with ESC @ and ends with a feed and a partial cut.

pub mod codepage;
mod commands;
mod encode;
mod lines;
mod logo;
pub mod preview;
mod raster;
mod words;

#[cfg(test)]
mod tests;

pub use commands::{ParseError, qr_payloads};
pub use encode::{CHART_PAGES, code_page_chart, columns, encode_lines, encode_ticket};
pub use lines::push_wrapped;
pub use logo::{Logo, LogoError};
pub use words::TicketLanguage;

/// What a queue ticket says.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Ticket {
    /// Office name, e.g. "Trung tâm Phục vụ hành chính công phường Liên Chiểu".
    pub office: String,
    /// Queue number, e.g. "HT-042" (capitals, digits, '-').
    pub number: String,
    /// Service name in the ticket's language, e.g. "Hộ tịch" or "Civil status".
    pub service: String,
    /// The service's Vietnamese name under a translated one, for the counter staff.
    pub service_vi: Option<String>,
    /// The language of the ticket's own words.
    pub language: TicketLanguage,
    /// Already formatted, e.g. "08:05 28/11/2026".
    pub issued_at: String,
    pub people_ahead: Option<u32>,
    pub estimated_wait_min: Option<u32>,
    /// Priority group, e.g. "Người cao tuổi": printed as "ƯU TIÊN: Người cao tuổi".
    pub priority: Option<String>,
    /// A URL to follow the queue, printed as a QR code the printer draws itself.
    pub qr: Option<String>,
    /// From the config: up to 6 lines of up to 48 characters.
    pub header_lines: Vec<String>,
    pub footer_lines: Vec<String>,
    /// The masked phone number the SMS notice goes to ("09xx xxx 678").
    pub sms_to: Option<String>,
    /// Issued while the central system was unreachable: the ticket says so.
    pub offline: bool,
    /// The office's logo, printed centred at the very top.
    pub logo: Option<Logo>,
    /// The procedure the number was taken for (from its page), with the documents to have ready.
    pub procedure: Option<ProcedureNote>,
}

/// A procedure on a ticket: its code and name, and the documents to bring, so the citizen can
/// check them while waiting. Its text is the catalog's, in Vietnamese.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProcedureNote {
    pub code: String,
    pub name: String,
    /// Short names of the documents to bring, in the procedure page's order.
    pub documents: Vec<String>,
}

impl ProcedureNote {
    /// How many documents a ticket lists; the rest are counted ("… and 3 more").
    pub const DOCUMENTS_ON_TICKET: usize = 5;
    /// Characters of one document's name on a ticket; longer names end in "…".
    pub const DOCUMENT_CHARS: usize = 90;
}

/// Paper and printer: 384 dots (58 mm) or 576 dots (80 mm) wide, and how text is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    pub width_dots: u16,
    pub text_mode: TextMode,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeTable {
    /// Windows-1258 with combining tone marks.
    Wpc1258,
    Tcvn3,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextMode {
    /// Text drawn with the bundled font and sent as a picture: right on every printer.
    Raster,
    Codepage {
        table: CodeTable,
        page: u8,
    },
    /// Diacritics stripped: the last resort.
    Ascii,
}
