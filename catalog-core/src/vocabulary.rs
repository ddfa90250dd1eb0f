//! The catalog's fixed vocabulary in English, for a visitor who reads the kiosk in English:
//! field names, ways of submitting, document group headings, fees and processing times. The
//! procedures' own text (names, documents, notes) stays Vietnamese: it is what the office
//! publishes and what the counter reads. Anything not wholly in this vocabulary stays
//! Vietnamese rather than come out half translated.

use unicode_normalization::UnicodeNormalization;

/// The fields of the ward-level catalog. The source spells one "cai nghiên" for "cai nghiện".
const FIELDS: &[(&str, &str)] = &[
    ("Bảo hiểm", "Insurance"),
    ("Bảo trợ xã hội", "Social protection"),
    ("Biển và hải đảo", "Sea and islands"),
    ("Bồi thường nhà nước", "State compensation"),
    ("Cấp sổ BHXH, thẻ BHYT", "Social and health insurance cards"),
    ("Cấp, quản lý căn cước", "Identity cards"),
    ("Chăn nuôi", "Livestock"),
    ("Chi trả các chế độ BHXH", "Social insurance payments"),
    ("Chính sách", "Policies"),
    ("Chứng thực", "Certified copies and signatures"),
    (
        "Đăng ký biện pháp bảo đảm",
        "Registration of security interests",
    ),
    ("Đăng ký, quản lý cư trú", "Residence registration"),
    (
        "Đăng ký, quản lý phương tiện giao thông cơ giới, xe máy chuyên dùng",
        "Vehicle registration",
    ),
    ("Đất đai", "Land"),
    ("Địa chất và khoáng sản", "Geology and minerals"),
    ("Định danh và xác thực điện tử", "Electronic identification"),
    ("Đường bộ", "Roads"),
    ("Giảm nghèo", "Poverty reduction"),
    ("Hạ tầng kỹ thuật", "Technical infrastructure"),
    (
        "Hàng hải và đường thủy nội địa",
        "Maritime and inland waterways",
    ),
    ("Hòa giải ở cơ sở", "Community mediation"),
    ("Hoạt động xây dựng", "Construction"),
    ("Hộ tịch", "Civil status"),
    (
        "Hỗ trợ tổ hợp tác, hợp tác xã, liên hiệp hợp tác xã",
        "Support for cooperatives",
    ),
    ("Khiếu nại, tố cáo", "Complaints and denunciations"),
    ("Kiểm lâm", "Forest protection"),
    (
        "Kinh tế hợp tác và Phát triển nông thôn",
        "Cooperative economy and rural development",
    ),
    ("Lâm nghiệp", "Forestry"),
    ("Môi trường", "Environment"),
    ("Người có công", "People with meritorious services"),
    ("Nhà ở và công sở", "Housing and public offices"),
    ("Nông nghiệp", "Agriculture"),
    ("Nuôi con nuôi", "Adoption"),
    ("Phòng cháy, chữa cháy", "Fire prevention and fighting"),
    (
        "Quản lý chất lượng công trình xây dựng",
        "Construction quality",
    ),
    (
        "Quản lý chất lượng nông lâm sản và thủy sản",
        "Quality of farm, forest and fishery products",
    ),
    (
        "Quản lý chương trình mục tiêu quốc gia",
        "National target programmes",
    ),
    ("Quản lý công sản", "Public property"),
    (
        "Quản lý Đê điều và Phòng, chống thiên tai",
        "Dykes and natural disasters",
    ),
    (
        "Quản lý vũ khí, vật liệu nổ, công cụ hỗ trợ và pháo",
        "Weapons, explosives and fireworks",
    ),
    ("Quản lý xuất nhập cảnh", "Exit and entry"),
    ("Quy hoạch đô thị và nông thôn", "Urban and rural planning"),
    (
        "Sát hạch, cấp giấy phép lái xe",
        "Driving tests and licences",
    ),
    ("Tài chính đất đai", "Land finance"),
    ("Tài nguyên nước", "Water resources"),
    (
        "Thành lập và hoạt động của tổ hợp tác, hợp tác xã, liên hiệp hợp tác xã",
        "Cooperatives",
    ),
    (
        "Thành lập và hoạt động của tổ hợp tác",
        "Cooperative groups",
    ),
    (
        "Thành lập và hoạt động doanh nghiệp (hộ kinh doanh)",
        "Household businesses",
    ),
    (
        "Thu BHXH, BHYT, BHTN, BH tai nạn lao động, BNN",
        "Insurance contributions",
    ),
    ("Thú y", "Veterinary services"),
    ("Thủy lợi", "Irrigation"),
    ("Thủy sản", "Fisheries"),
    ("Thực hiện chính sách BHXH", "Social insurance"),
    ("Thực hiện chính sách BHYT", "Health insurance"),
    (
        "Tổ chức cai nghiên ma túy và quản lý sau cai nghiện",
        "Drug rehabilitation",
    ),
    (
        "Tổ chức cai nghiện ma túy và quản lý sau cai nghiện",
        "Drug rehabilitation",
    ),
    ("Tổ chức, cán bộ", "Organisation and staff"),
    ("Trồng trọt", "Crop production"),
    ("Văn hóa", "Culture"),
];

/// Document group headings that are vocabulary, not procedure text.
const HEADINGS: &[(&str, &str)] = &[
    ("Giấy tờ phải nộp", "Documents to hand in"),
    ("Giấy tờ phải xuất trình", "Documents to show"),
    ("Giấy tờ khác", "Other documents"),
    ("Thành phần hồ sơ", "Documents"),
];

/// Phrases of ways, times and fees, longest first so a phrase is never split by a shorter one.
const PHRASES: &[(&str, &str)] = &[
    ("Dịch vụ bưu chính", "By post"),
    ("Tùy trường hợp", "Depending on the case"),
    ("ngày làm việc", "working days"),
    ("trường hợp", "case"),
    ("Trực tuyến", "Online"),
    ("Trực tiếp", "In person"),
    ("Miễn phí", "Free"),
    ("đ/trang", "VND per page"),
    ("đ/bản", "VND per copy"),
    ("tháng", "months"),
    ("ngày", "days"),
    ("giờ", "hours"),
    ("đ", "VND"),
];

/// A field's English name, when it is one of the catalog's fields.
pub fn field(vietnamese: &str) -> Option<&'static str> {
    lookup(FIELDS, vietnamese)
}

/// A document group heading in English, when it is a plain heading ("Giấy tờ phải nộp").
pub fn heading(vietnamese: &str) -> Option<&'static str> {
    lookup(HEADINGS, vietnamese)
}

/// A way of submitting, a processing time or a fee as the procedure page shows it
/// ("Trực tuyến", "3 ngày làm việc", "Miễn phí", "2.000 đ/bản"), in English; `None` when any
/// word of it is not vocabulary.
pub fn phrase(vietnamese: &str) -> Option<String> {
    let mut text: String = vietnamese.trim().nfc().collect();
    for (vi, en) in PHRASES {
        text = text.replace(vi, en);
    }
    if !text.is_ascii() {
        return None;
    }
    for unit in ["working days", "days", "hours", "months"] {
        text = text.replace(&format!(" 1 {unit}"), &format!(" 1 {}", singular(unit)));
        if let Some(rest) = text.strip_prefix(&format!("1 {unit}")) {
            text = format!("1 {}{rest}", singular(unit));
        }
    }
    Some(amounts_in_english(&text))
}

fn singular(unit: &str) -> &str {
    unit.strip_suffix('s').unwrap_or(unit)
}

/// Compared in composed form: sources mix "ấ" as one character and as "â" with a tone mark.
fn lookup(table: &[(&str, &'static str)], vietnamese: &str) -> Option<&'static str> {
    let vietnamese: String = vietnamese.trim().nfc().collect();
    table
        .iter()
        .find(|(vi, _)| *vi == vietnamese)
        .map(|(_, en)| *en)
}

/// "2.000 VND" → "VND 2,000": the English way of writing an amount.
fn amounts_in_english(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let words: Vec<&str> = text.split(' ').collect();
    let mut i = 0;
    while i < words.len() {
        let word = words[i];
        let is_amount = !word.is_empty() && word.chars().all(|c| c.is_ascii_digit() || c == '.');
        if is_amount && words.get(i + 1).is_some_and(|w| *w == "VND") {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str("VND ");
            out.push_str(&word.replace('.', ","));
            i += 2;
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ways_times_and_fees_in_english() {
        for (vi, en) in [
            ("Trực tuyến", "Online"),
            ("Dịch vụ bưu chính", "By post"),
            ("3 ngày làm việc", "3 working days"),
            ("1 ngày làm việc", "1 working day"),
            ("15 ngày", "15 days"),
            ("8 giờ", "8 hours"),
            ("Miễn phí", "Free"),
            ("2.000 đ", "VND 2,000"),
            ("2.000 đ/trang", "VND 2,000 per page"),
            (
                "Trực tuyến: 3 ngày; Trực tiếp: 1 ngày làm việc",
                "Online: 3 days; In person: 1 working day",
            ),
            (
                "Tùy trường hợp: 1 ngày làm việc (trường hợp 1.004859.01)",
                "Depending on the case: 1 working day (case 1.004859.01)",
            ),
        ] {
            assert_eq!(phrase(vi).as_deref(), Some(en), "{vi}");
        }
    }

    #[test]
    fn anything_not_wholly_vocabulary_stays_vietnamese() {
        for vi in [
            "10 USD/bản. Tại cơ quan đại diện",
            "Giấy khai sinh",
            "3 ngày kể từ ngày nhận đủ hồ sơ",
        ] {
            assert_eq!(phrase(vi), None, "{vi}");
        }
        assert_eq!(field("Hộ tịch"), Some("Civil status"));
        assert_eq!(field("Lĩnh vực của một tỉnh"), None);
        assert_eq!(
            heading("Giấy tờ phải xuất trình"),
            Some("Documents to show")
        );
        assert_eq!(heading("Hồ sơ của người nhận con nuôi"), None);
    }

    /// Every field of the shipped ward-level catalog has its English name.
    #[test]
    fn every_field_of_the_shipped_catalog_is_translated() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../assets/catalog/procedures.json"
        );
        let Ok(text) = std::fs::read_to_string(path) else {
            panic!("{path} missing");
        };
        let procedures: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
        let missing: std::collections::BTreeSet<&str> = procedures
            .iter()
            .filter_map(|p| p["field"].as_str())
            .filter(|f| field(f).is_none())
            .collect();
        assert!(missing.is_empty(), "fields without English: {missing:?}");
    }
}
