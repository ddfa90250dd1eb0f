//! Typo tolerance: a word the index has never seen is replaced by the indexed words one edit
//! away (a letter wrong, missing, extra, or two neighbours swapped). Run only when the plain
//! prefix search finds too little, so its cost never lands on an ordinary keystroke.

/// Words shorter than this are too ambiguous to correct ("ho" is one letter from dozens).
pub const MIN_CHARS: usize = 4;
/// At most this many corrections per word, the most frequent first.
const MAX_CANDIDATES: usize = 6;

/// The index vocabulary: every term with the number of procedures holding it, sorted by term.
#[derive(Debug, Default)]
pub struct Vocabulary {
    terms: Vec<(String, u32)>,
}

impl Vocabulary {
    pub fn new(mut terms: Vec<(String, u32)>) -> Self {
        terms.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        Self { terms }
    }

    /// Whether at most `rare` procedures hold a term starting with `prefix`. Such a word may
    /// still be a typo: the source data has its own (`khia thác` for `khai thác`).
    pub fn is_rare(&self, prefix: &str, rare: u32) -> bool {
        let start = self.terms.partition_point(|(t, _)| t.as_str() < prefix);
        let mut docs: u32 = 0;
        for (_, n) in self.terms[start..]
            .iter()
            .take_while(|(t, _)| t.starts_with(prefix))
        {
            docs = docs.saturating_add(*n);
            if docs > rare {
                return false;
            }
        }
        true
    }

    /// Indexed words within one edit of `word`. For the word still being typed (`as_prefix`),
    /// also the starts of longer terms within one edit (`khia` → `khai` from `khai`, `chugn`
    /// → `chung` from `chung`).
    pub fn corrections(&self, word: &str, as_prefix: bool) -> Vec<String> {
        let w: Vec<char> = word.chars().collect();
        if w.len() < MIN_CHARS {
            return Vec::new();
        }
        let mut found: Vec<(&str, u32)> = Vec::new();
        let mut term_chars = Vec::new();
        for (term, docs) in &self.terms {
            // Byte length bounds char length from above; cheap rejection first.
            if term.len() + 1 < w.len() {
                continue;
            }
            term_chars.clear();
            term_chars.extend(term.chars());
            // For the word being typed, a short term would only widen the prefix (`thuv` →
            // `thu` matches every "thủ tục"); a letter too many (`sinhh`) is still fixed.
            let shorter = as_prefix && term_chars.len() < w.len() && term_chars.len() < MIN_CHARS;
            let candidate = if !shorter && within_one(&w, &term_chars) {
                Some(term.as_str())
            } else if as_prefix && term_chars.len() > w.len() {
                // Same length as typed, or one more (a letter was left out).
                [w.len(), w.len() + 1]
                    .into_iter()
                    .filter(|&n| n < term_chars.len())
                    .find(|&n| within_one(&w, &term_chars[..n]))
                    .and_then(|n| term.char_indices().nth(n).map(|(at, _)| &term[..at]))
            } else {
                None
            };
            if let Some(c) = candidate
                && c != word
            {
                match found.iter_mut().find(|(f, _)| *f == c) {
                    Some(entry) => entry.1 = entry.1.max(*docs),
                    None => found.push((c, *docs)),
                }
            }
        }
        found.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        found
            .into_iter()
            .take(MAX_CANDIDATES)
            .map(|(c, _)| c.to_string())
            .collect()
    }
}

/// Optimal string alignment distance ≤ 1, in one pass.
pub(crate) fn within_one(a: &[char], b: &[char]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let Some(i) = short.iter().zip(long).position(|(x, y)| x != y) else {
        // One is a prefix of the other.
        return long.len() - short.len() <= 1;
    };
    match long.len() - short.len() {
        // Substitution, or two neighbours swapped.
        0 => {
            short[i + 1..] == long[i + 1..]
                || (i + 1 < short.len()
                    && short[i] == long[i + 1]
                    && short[i + 1] == long[i]
                    && short[i + 2..] == long[i + 2..])
        }
        // One letter extra in `long`.
        1 => short[i..] == long[i + 1..],
        _ => false,
    }
}
