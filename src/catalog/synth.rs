//! Generated catalogs and queries for the benchmark: real-size records (each a real procedure of
//! the seed under a new code), named the way Vietnamese procedure names are formed (action +
//! subject + qualifier) or by their real names; deterministic for a seed.

use serde_json::{Map, Value, json};

use crate::server::model::Procedure;

const ACTIONS: &[&str] = &[
    "Đăng ký",
    "Đăng ký lại",
    "Cấp",
    "Cấp lại",
    "Cấp đổi",
    "Cấp bản sao",
    "Điều chỉnh",
    "Gia hạn",
    "Thay đổi",
    "Xác nhận",
    "Chứng thực",
    "Công nhận",
    "Đính chính",
    "Thu hồi",
    "Giải quyết",
    "Trích lục",
    "Chấm dứt",
    "Hỗ trợ",
    "Thẩm định",
    "Phê duyệt",
];

const SUBJECTS: &[&str] = &[
    "khai sinh",
    "kết hôn",
    "khai tử",
    "giám hộ",
    "nhận cha, mẹ, con",
    "thay đổi, cải chính hộ tịch",
    "xác nhận tình trạng hôn nhân",
    "giấy phép xây dựng",
    "giấy phép di dời công trình",
    "Giấy chứng nhận quyền sử dụng đất",
    "quyền sở hữu nhà ở và tài sản khác gắn liền với đất",
    "hộ kinh doanh",
    "hợp tác xã",
    "tổ hợp tác",
    "chữ ký người dịch",
    "bản sao từ bản chính",
    "hợp đồng, giao dịch",
    "di chúc",
    "văn bản thỏa thuận phân chia di sản",
    "khai thác nước dưới đất",
    "chuyển mục đích sử dụng đất",
    "tranh chấp đất đai",
    "Ban quản trị nhà chung cư",
    "trợ cấp xã hội hằng tháng",
    "thẻ bảo hiểm y tế",
    "hộ nghèo, hộ cận nghèo",
    "người có công với cách mạng",
    "mai táng phí",
    "học bổng chính sách",
    "tuyển sinh trung học cơ sở",
    "chuyển trường cho học sinh",
    "cơ sở bán lẻ thuốc",
    "an toàn thực phẩm",
    "biển số xe",
    "cư trú, tạm trú",
    "lễ hội truyền thống",
    "sản phẩm OCOP",
    "chăn nuôi nông hộ",
    "trồng rừng sản xuất",
    "khu dân cư văn hóa",
];

const QUALIFIERS: &[&str] = &[
    "",
    "",
    "có yếu tố nước ngoài",
    "cho người đã có hồ sơ, giấy tờ cá nhân",
    "đối với công trình cấp III, cấp IV",
    "trong trường hợp bị mất, hư hỏng",
    "cho cá nhân, hộ gia đình",
    "thuộc thẩm quyền của Ủy ban nhân dân cấp xã",
    "tại Bộ phận Một cửa",
    "trên môi trường điện tử",
    "đối với người đang cư trú ở nước ngoài",
    "lần đầu",
];

const FIELDS: &[&str] = &[
    "Hộ tịch",
    "Chứng thực",
    "Hoạt động xây dựng",
    "Đất đai",
    "Thành lập và hoạt động doanh nghiệp (hộ kinh doanh)",
    "Tài nguyên nước",
    "Giáo dục và Đào tạo",
    "Bảo trợ xã hội",
    "Người có công",
    "Y tế dự phòng",
    "Văn hóa cơ sở",
    "Nông nghiệp",
    "Nhà ở và công sở",
    "Đường bộ",
];

/// splitmix64: small, fast, and the same everywhere (no dependency for a benchmark helper).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n.max(1) as u64).unwrap_or(0)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The real procedures, as templates: each synthetic one is a real record (its documents,
/// fees, times, legal basis, agency and every other key, untruncated) under a new code and
/// name, so a synthetic catalog has the real catalog's record sizes.
fn templates() -> Vec<Map<String, Value>> {
    let seed: Vec<Value> = serde_json::from_str(super::SEED_JSON).unwrap_or_default();
    let mut out: Vec<Map<String, Value>> = seed
        .into_iter()
        .filter_map(|v| match v {
            Value::Object(o) => Some(o),
            _ => None,
        })
        .collect();
    if out.is_empty() {
        let mut fallback = Map::new();
        fallback.insert(
            "documents".into(),
            json!([{"name": "Tờ khai theo mẫu", "copies": "1 bản chính"}]),
        );
        out.push(fallback);
    }
    out
}

/// `n` procedures with distinct codes `9.NNNNNN`, each the size of a real one. Half are named
/// like real procedures are formed (action + subject + qualifier, what the queries look for),
/// half keep their template's real name with a qualifier, as long as real names run.
pub fn procedures(n: usize, seed: u64) -> Vec<Procedure> {
    let templates = templates();
    let mut rng = Rng(seed);
    (0..n)
        .map(|i| {
            let mut details = rng.pick(&templates).clone();
            let real_name = details
                .remove("name")
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            details.remove("code");
            let qualifier = rng.pick(QUALIFIERS);
            let mut name = if rng.below(2) == 0 || real_name.is_empty() {
                format!("{} {}", rng.pick(ACTIONS), rng.pick(SUBJECTS))
            } else {
                real_name
            };
            if !qualifier.is_empty() {
                name.push(' ');
                name.push_str(qualifier);
            }
            if rng.below(3) == 0 {
                details.insert("field".into(), json!(rng.pick(FIELDS)));
            }
            Procedure {
                code: format!("9.{i:06}"),
                name,
                details,
            }
        })
        .collect()
}

/// `n` queries as citizens type them: with or without diacritics, upper case, an abbreviation,
/// the subject alone, or with one letter wrong.
/// Long multi-word queries: `n` real procedure names of at least eight words, typed whole as
/// a citizen copies them from a paper (lower case, without marks, or with one letter swapped).
pub fn long_queries(n: usize, seed: u64) -> Vec<String> {
    let names: Vec<String> = templates()
        .iter()
        .filter_map(|t| t.get("name").and_then(Value::as_str).map(str::to_lowercase))
        .filter(|name| name.split_whitespace().count() >= 8)
        .collect();
    if names.is_empty() {
        return Vec::new();
    }
    let mut rng = Rng(seed ^ 0x1096);
    (0..n)
        .map(|_| {
            let name = rng.pick(&names).clone();
            match rng.below(3) {
                0 => name,
                1 => super::fold(&name),
                _ => {
                    let mut chars: Vec<char> = super::fold(&name).chars().collect();
                    let at = 1 + rng.below(chars.len().saturating_sub(3).max(1));
                    if at + 1 < chars.len() && chars[at] != ' ' && chars[at + 1] != ' ' {
                        chars.swap(at, at + 1);
                    }
                    chars.into_iter().collect()
                }
            }
        })
        .collect()
}

pub fn queries(n: usize, seed: u64) -> Vec<String> {
    let mut rng = Rng(seed ^ 0x5eed);
    (0..n)
        .map(|_| {
            let action = *rng.pick(ACTIONS);
            let subject = *rng.pick(SUBJECTS);
            let phrase = format!("{action} {subject}").to_lowercase();
            match rng.below(6) {
                0 => phrase,
                1 => super::fold(&phrase),
                2 => super::fold(subject),
                3 => super::fold(&phrase).to_uppercase(),
                4 => {
                    let initials: String = super::fold(action)
                        .split(' ')
                        .filter_map(|w| w.chars().next())
                        .collect();
                    format!("{initials} {}", super::fold(subject))
                }
                _ => {
                    // One letter swapped with its neighbour, as a hurried finger does.
                    let mut chars: Vec<char> = super::fold(&phrase).chars().collect();
                    let at = 1 + rng.below(chars.len().saturating_sub(3).max(1));
                    if at + 1 < chars.len() && chars[at] != ' ' && chars[at + 1] != ' ' {
                        chars.swap(at, at + 1);
                    }
                    chars.into_iter().collect()
                }
            }
        })
        .collect()
}
