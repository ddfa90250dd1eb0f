//! The words citizens use for what the catalog names otherwise: a synonym table that rewrites a
//! query before it is searched (`sổ đỏ` → `giấy chứng nhận quyền sử dụng đất`), and how common
//! each procedure is at a ward office, to break ties in the ranking. The office server supplies
//! both with its catalog; these defaults are used where it does not.

/// What citizens say → what the catalog says. A server's list replaces this one.
pub const BUNDLED_SYNONYMS: &[(&str, &str)] = &[
    ("sổ đỏ", "giấy chứng nhận quyền sử dụng đất"),
    ("sổ hồng", "giấy chứng nhận quyền sử dụng đất"),
    ("bìa đỏ", "giấy chứng nhận quyền sử dụng đất"),
    ("công chứng", "chứng thực"),
    ("photo", "bản sao"),
    ("phô tô", "bản sao"),
    ("sao y", "chứng thực bản sao"),
    ("giấy khai sinh", "khai sinh"),
    ("làm khai sinh", "đăng ký khai sinh"),
    ("làm giấy khai sinh", "đăng ký khai sinh"),
    ("giấy chứng tử", "khai tử"),
    ("báo tử", "khai tử"),
    ("giấy đăng ký kết hôn", "kết hôn"),
    ("giấy kết hôn", "kết hôn"),
    ("độc thân", "xác nhận tình trạng hôn nhân"),
    ("hộ khẩu", "thường trú"),
    ("nhập khẩu", "đăng ký thường trú"),
    ("cắt khẩu", "xóa đăng ký thường trú"),
    ("tạm vắng", "khai báo tạm vắng"),
    ("căn cước công dân", "căn cước"),
    ("cccd", "căn cước"),
    ("chứng minh nhân dân", "căn cước"),
    ("cmnd", "căn cước"),
    ("làm nhà", "giấy phép xây dựng"),
    ("xây nhà", "giấy phép xây dựng"),
    ("sửa nhà", "giấy phép xây dựng sửa chữa"),
    ("mở quán", "thành lập hộ kinh doanh"),
    ("giấy phép kinh doanh", "đăng ký hộ kinh doanh"),
    ("công chứng hợp đồng", "chứng thực giao dịch"),
    ("chứng thực hợp đồng", "chứng thực giao dịch"),
];

/// The procedures a ward office handles most (national codes, 2026), 1-100. A server's
/// `common_weight` on a procedure replaces its entry here.
pub const BUNDLED_COMMON: &[(&str, u8)] = &[
    ("2.000815", 100), // chứng thực bản sao từ bản chính
    ("1.001193", 90),  // đăng ký khai sinh
    ("2.000884", 80),  // chứng thực chữ ký
    ("1.004873", 80),  // xác nhận tình trạng hôn nhân
    ("1.004194", 70),  // đăng ký tạm trú
    ("1.004222", 70),  // đăng ký thường trú
    ("1.000894", 70),  // đăng ký kết hôn
    ("2.000635", 70),  // bản sao trích lục hộ tịch, bản sao giấy khai sinh
    ("2.001035", 60),  // chứng thực giao dịch (hợp đồng)
    ("1.000656", 60),  // đăng ký khai tử
    ("1.014061", 60),  // cấp thẻ căn cước
    ("1.014064", 50),  // cấp lại thẻ căn cước
    ("1.001612", 50),  // đăng ký thành lập hộ kinh doanh
    ("2.000908", 40),  // cấp bản sao từ sổ gốc
    ("1.013978", 40),  // cấp giấy chứng nhận quyền sử dụng đất lần đầu
    ("1.003197", 30),  // xóa đăng ký thường trú
    ("1.004884", 30),  // đăng ký lại khai sinh
    ("1.003677", 30),  // khai báo tạm vắng
];

/// The highest weight a procedure can have.
pub const MAX_WEIGHT: u8 = 100;
/// A table longer than this is cut (a server's mistake must not fill the kiosk's memory).
pub const MAX_SYNONYMS: usize = 1000;
/// Phrases and their meanings are cut to this many words, as queries are.
const MAX_PHRASE_WORDS: usize = 10;

/// The bundled weight of the procedure `code`: 0 for one not in [`BUNDLED_COMMON`].
pub fn bundled_weight(code: &str) -> u8 {
    BUNDLED_COMMON
        .iter()
        .find(|(c, _)| *c == code.trim())
        .map_or(0, |(_, w)| *w)
}

/// A synonym as a server sends it: the citizen's words and what the catalog calls them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Synonym {
    pub words: String,
    /// Empty: the words are dropped from a query (filler such as "thủ tục").
    pub means: String,
}

/// Synonyms ready to rewrite queries: folded, longest phrase first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Synonyms {
    rules: Vec<(Vec<String>, Vec<String>)>,
}

/// A synonym's folded words, cut as a query's are (see [`crate::words`]).
fn folded_words(text: &str) -> Vec<String> {
    let mut words = crate::words(text);
    words.truncate(MAX_PHRASE_WORDS);
    words
}

impl Synonyms {
    /// Rules from `(words, means)` pairs, the first [`MAX_SYNONYMS`]. A pair whose words fold
    /// to nothing is left out.
    pub fn new<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut rules: Vec<(Vec<String>, Vec<String>)> = pairs
            .into_iter()
            .take(MAX_SYNONYMS)
            .map(|(words, means)| (folded_words(words), folded_words(means)))
            .filter(|(words, means)| !words.is_empty() && *words != *means)
            .collect();
        // Longest first, so "giấy đăng ký kết hôn" wins over "đăng ký"; stable otherwise.
        rules.sort_by_key(|(words, _)| std::cmp::Reverse(words.len()));
        Self { rules }
    }

    /// The bundled list.
    pub fn bundled() -> Self {
        Self::new(BUNDLED_SYNONYMS.iter().copied())
    }

    /// From a server's list.
    pub fn from_list(list: &[Synonym]) -> Self {
        Self::new(list.iter().map(|s| (s.words.as_str(), s.means.as_str())))
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The query's words with every phrase the table knows replaced, left to right, longest
    /// phrase first; `None` when no phrase occurs (or the rewrite leaves no word). Phrases match
    /// whole words only: the word still being typed is matched when it is complete.
    pub fn rewrite(&self, words: &[String]) -> Option<Vec<String>> {
        let mut out: Vec<String> = Vec::with_capacity(words.len());
        let mut changed = false;
        let mut i = 0;
        while i < words.len() {
            let rule = self
                .rules
                .iter()
                .find(|(phrase, _)| words[i..].starts_with(phrase));
            match rule {
                Some((phrase, means)) => {
                    for w in means {
                        if !out.contains(w) {
                            out.push(w.clone());
                        }
                    }
                    i += phrase.len();
                    changed = true;
                }
                None => {
                    if !out.contains(&words[i]) {
                        out.push(words[i].clone());
                    }
                    i += 1;
                }
            }
        }
        (changed && !out.is_empty()).then_some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(q: &str) -> Vec<String> {
        folded_words(q)
    }

    #[test]
    fn phrases_are_rewritten_whole_and_longest_first() {
        let s = Synonyms::bundled();
        assert_eq!(
            s.rewrite(&words("so do")),
            Some(words("giay chung nhan quyen su dung dat"))
        );
        assert_eq!(
            s.rewrite(&words("cap lai SỔ ĐỎ")),
            Some(words("cap lai giay chung nhan quyen su dung dat"))
        );
        assert_eq!(
            s.rewrite(&words("giay dang ky ket hon")),
            Some(words("ket hon"))
        );
        assert_eq!(
            s.rewrite(&words("photo cong chung")),
            Some(words("ban sao chung thuc"))
        );
        // A word still being typed is not a phrase yet, nor is a word inside another.
        assert_eq!(s.rewrite(&words("so d")), None);
        assert_eq!(s.rewrite(&words("khai sinh")), None);
        assert_eq!(s.rewrite(&[]), None);
    }

    #[test]
    fn a_servers_list_replaces_the_bundled_one() {
        let s = Synonyms::from_list(&[
            Synonym {
                words: "thủ tục".into(),
                means: String::new(),
            },
            Synonym {
                words: "🙂".into(),
                means: "khai sinh".into(),
            },
        ]);
        assert_eq!(s.rewrite(&words("thu tuc ket hon")), Some(words("ket hon")));
        // Dropping every word leaves nothing to search: the query stays as typed.
        assert_eq!(s.rewrite(&words("thu tuc")), None);
        assert_eq!(s.rewrite(&words("so do")), None);
        assert!(Synonyms::from_list(&[]).is_empty());
    }

    #[test]
    fn bundled_weights() {
        assert_eq!(bundled_weight("2.000815"), 100);
        assert_eq!(bundled_weight(" 2.000815 "), 100);
        assert_eq!(bundled_weight("9.999999"), 0);
        assert!(
            BUNDLED_COMMON
                .iter()
                .all(|(_, w)| (1..=MAX_WEIGHT).contains(w))
        );
    }
}
