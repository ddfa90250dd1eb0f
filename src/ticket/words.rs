//! The fixed words of a queue ticket in the citizen's language. The office's name and the
//! service's Vietnamese name stay Vietnamese on every ticket: the counter staff read them.

/// The language a ticket is printed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TicketLanguage {
    #[default]
    Vietnamese,
    English,
}

/// Every fixed text of a ticket; `{}` stands for the value.
#[derive(Debug)]
pub(super) struct Words {
    pub heading: &'static str,
    pub priority: &'static str,
    pub issued_at: &'static str,
    pub people_ahead: &'static str,
    pub wait: &'static str,
    pub offline: &'static str,
    pub qr_caption: &'static str,
    pub sms_to: &'static str,
    pub procedure: &'static str,
    pub documents: &'static str,
    pub more_documents: &'static str,
}

const VIETNAMESE: Words = Words {
    heading: "SỐ THỨ TỰ",
    priority: "ƯU TIÊN: {}",
    issued_at: "Giờ lấy số: {}",
    people_ahead: "Số người đang chờ trước: {}",
    wait: "Thời gian chờ dự kiến: khoảng {} phút",
    offline: "Số cấp khi mất kết nối với hệ thống",
    qr_caption: "Quét mã để theo dõi lượt gọi",
    sms_to: "Sẽ nhắn tin tới {} khi sắp đến lượt",
    procedure: "Thủ tục {}:",
    documents: "Giấy tờ cần chuẩn bị:",
    more_documents: "… và {} giấy tờ khác (xem tại quầy)",
};

const ENGLISH: Words = Words {
    heading: "YOUR NUMBER",
    priority: "PRIORITY: {}",
    issued_at: "Issued: {}",
    people_ahead: "People waiting ahead of you: {}",
    wait: "Estimated wait: about {} min",
    offline: "Numbered while the central system was offline",
    qr_caption: "Scan to follow the calls",
    sms_to: "We will text {} when your turn is near",
    procedure: "Procedure {}:",
    documents: "Documents to have ready:",
    more_documents: "… and {} more (ask at the counter)",
};

impl TicketLanguage {
    pub(super) fn words(self) -> &'static Words {
        match self {
            TicketLanguage::Vietnamese => &VIETNAMESE,
            TicketLanguage::English => &ENGLISH,
        }
    }
}

/// `template` with its `{}` replaced by `value`.
pub(super) fn fill(template: &str, value: impl std::fmt::Display) -> String {
    template.replacen("{}", &value.to_string(), 1)
}
