//! Vietnamese folding: the one normal form used for indexing and for queries, so `Đăng ký`,
//! `dang ky`, `ĐĂNG KÝ` and decomposed input (base letter + combining tone mark) all meet.

use unicode_normalization::char::{decompose_canonical, is_combining_mark};

/// NFD, combining marks dropped, `đ`/`Đ` → `d`, lower case, and everything that is not a
/// letter or digit turned into one space between words.
///
/// `đ` needs its own rule: it is a letter of its own, not `d` with a mark, so NFD keeps it.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // A space is only written before the next word, so there is never a leading, trailing or
    // double space.
    let mut pending_space = false;
    let mut push = |c: char| {
        if is_combining_mark(c) {
            return;
        }
        let c = match c {
            // U+00D0 (Icelandic eth) stands in for Đ in some old Vietnamese fonts and files.
            'đ' | 'Đ' | 'Ð' | 'ð' => 'd',
            c => c,
        };
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.extend(c.to_lowercase());
        } else {
            pending_space = true;
        }
    };
    for c in text.chars() {
        if c.is_ascii() {
            push(c);
        } else {
            // NFD one character at a time: the marks are dropped, so their canonical order
            // (what a full NFD pass would add) does not matter.
            decompose_canonical(c, &mut push);
        }
    }
    out
}

/// The initials of every run of 2 to 4 words of a folded name (`dang ky khai sinh` → `dk`,
/// `kk`, `ks`, `dkk`, …), so the abbreviations people write (`DK`, `GCN`, `QSDD`) find it.
pub fn initials(folded: &str) -> Vec<String> {
    let firsts: Vec<char> = folded.split(' ').filter_map(|w| w.chars().next()).collect();
    let mut out: Vec<String> = Vec::new();
    for len in 2..=4 {
        for window in firsts.windows(len) {
            let s: String = window.iter().collect();
            if !out.contains(&s) {
                out.push(s);
            }
        }
    }
    out
}

/// The key the central server gives a record without a national code: `local-` and 16 hex
/// digits of the FNV-1a hash of the trimmed name (as `motcua-central`'s `catalog::local_code`),
/// so the seed and the server name such a record alike.
pub fn local_code(name: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.trim().as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("local-{h:016x}")
}
