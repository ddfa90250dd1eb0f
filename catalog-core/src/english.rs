//! Visitors who type in English: the catalog speaks Vietnamese, so rather than "nothing found"
//! they are told so and offered the Vietnamese words for what they typed.

/// English words → the Vietnamese words the catalog uses for them.
const GLOSSARY: &[(&str, &str)] = &[
    ("birth", "khai sinh"),
    ("born", "khai sinh"),
    ("marriage", "kết hôn"),
    ("marry", "kết hôn"),
    ("married", "kết hôn"),
    ("wedding", "kết hôn"),
    ("single", "xác nhận tình trạng hôn nhân"),
    ("divorce", "ly hôn"),
    ("death", "khai tử"),
    ("died", "khai tử"),
    ("copy", "bản sao"),
    ("copies", "bản sao"),
    ("photocopy", "bản sao"),
    ("certified", "chứng thực"),
    ("certify", "chứng thực"),
    ("notary", "chứng thực"),
    ("notarize", "chứng thực"),
    ("notarise", "chứng thực"),
    ("signature", "chứng thực chữ ký"),
    ("translation", "chữ ký người dịch"),
    ("translator", "chữ ký người dịch"),
    ("residence", "cư trú"),
    ("resident", "cư trú"),
    ("temporary", "tạm trú"),
    ("permanent", "thường trú"),
    ("guardian", "giám hộ"),
    ("guardianship", "giám hộ"),
    ("adoption", "nuôi con nuôi"),
    ("adopt", "nuôi con nuôi"),
    ("will", "di chúc"),
    ("testament", "di chúc"),
    ("inheritance", "di sản"),
    ("land", "đất đai"),
    ("house", "nhà ở"),
    ("housing", "nhà ở"),
    ("building", "giấy phép xây dựng"),
    ("construction", "giấy phép xây dựng"),
    ("business", "hộ kinh doanh"),
    ("shop", "hộ kinh doanh"),
    ("cooperative", "hợp tác xã"),
    ("identity", "căn cước"),
    ("id", "căn cước"),
    ("vehicle", "đăng ký xe"),
    ("motorbike", "đăng ký xe"),
    ("insurance", "bảo hiểm"),
    ("dispute", "tranh chấp"),
];

/// At most this many suggestions.
const MAX_SUGGESTIONS: usize = 3;
/// The word still being typed counts once it has this many letters.
const MIN_PREFIX: usize = 4;

/// The Vietnamese words for the English words of `query`, first seen first; empty when it holds
/// none (a Vietnamese query never looks English: none of these words is Vietnamese).
pub fn suggestions(query: &str) -> Vec<&'static str> {
    let words = crate::words(query);
    let last = words.len().saturating_sub(1);
    let mut out: Vec<&'static str> = Vec::new();
    for (i, w) in words.iter().enumerate() {
        let found = GLOSSARY.iter().find(|(english, _)| {
            *english == w
                || (i == last && w.chars().count() >= MIN_PREFIX && english.starts_with(w.as_str()))
        });
        if let Some((_, vietnamese)) = found
            && !out.contains(vietnamese)
        {
            out.push(vietnamese);
        }
    }
    out.truncate(MAX_SUGGESTIONS);
    out
}

/// Every glossary word is matched as a query word is written: folded.
#[cfg(test)]
fn glossary_is_folded() -> bool {
    GLOSSARY.iter().all(|(e, _)| crate::fold(e) == *e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_words_get_the_catalogs_words() {
        assert_eq!(suggestions("birth"), ["khai sinh"]);
        assert_eq!(suggestions("Birth certificate"), ["khai sinh"]);
        assert_eq!(suggestions("certified copy"), ["chứng thực", "bản sao"]);
        assert_eq!(suggestions("marriage registration"), ["kết hôn"]);
        // The word being typed, once long enough.
        assert_eq!(suggestions("marri"), ["kết hôn"]);
        assert!(suggestions("mar").is_empty());
        assert!(glossary_is_folded());
    }

    #[test]
    fn vietnamese_and_hostile_queries_get_none() {
        for q in [
            "khai sinh",
            "dang ky ket hon",
            "chung thuc ban sao",
            "",
            "🙂",
            "\"; DROP TABLE --",
            "<script>alert(1)</script>",
        ] {
            assert!(suggestions(q).is_empty(), "{q:?}: {:?}", suggestions(q));
        }
    }
}
