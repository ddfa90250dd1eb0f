//! Vietnamese text as single-byte printer code pages, and back.
//!
//! - Windows-1258 (`WPC1258`): base letters (â ê ô ă ơ ư đ and their capitals are single bytes)
//!   followed by one of five combining tone bytes, so every letter costs at most two bytes.
//! - TCVN-3 (TCVN 5712:1993 "ABC"): precomposed lower-case letters with tones. The standard puts
//!   toned capitals in a second font, which a printer's code page does not have: a toned capital
//!   becomes its lower-case form ("SỐ" → "Số"), so the ticket draws such lines instead
//!   ([`represents`]). The plain capitals Ă Â Ê Ô Ơ Ư Đ are in the table.
//! - ASCII: diacritics removed, đ → d.
//!
//! Characters a table cannot show become `?`, after typographic punctuation is folded to ASCII.

use unicode_normalization::UnicodeNormalization;

use super::CodeTable;

/// Printed for characters the table has no byte for.
const UNKNOWN: u8 = b'?';

/// Windows-1258 bytes 0x80..=0xFF; `None` where the code page leaves a byte undefined.
#[rustfmt::skip]
const WPC1258_HIGH: [Option<char>; 128] = {
    const U: Option<char> = None;
    const fn c(ch: char) -> Option<char> {
        Some(ch)
    }
    [
        // 0x80
        c('€'), U, c('‚'), c('ƒ'), c('„'), c('…'), c('†'), c('‡'),
        c('ˆ'), c('‰'), U, c('‹'), c('Œ'), U, U, U,
        // 0x90
        U, c('‘'), c('’'), c('“'), c('”'), c('•'), c('–'), c('—'),
        c('˜'), c('™'), U, c('›'), c('œ'), U, U, c('Ÿ'),
        // 0xA0
        c('\u{A0}'), c('¡'), c('¢'), c('£'), c('¤'), c('¥'), c('¦'), c('§'),
        c('¨'), c('©'), c('ª'), c('«'), c('¬'), c('\u{AD}'), c('®'), c('¯'),
        // 0xB0
        c('°'), c('±'), c('²'), c('³'), c('´'), c('µ'), c('¶'), c('·'),
        c('¸'), c('¹'), c('º'), c('»'), c('¼'), c('½'), c('¾'), c('¿'),
        // 0xC0
        c('À'), c('Á'), c('Â'), c('Ă'), c('Ä'), c('Å'), c('Æ'), c('Ç'),
        c('È'), c('É'), c('Ê'), c('Ë'), c('\u{300}'), c('Í'), c('Î'), c('Ï'),
        // 0xD0
        c('Đ'), c('Ñ'), c('\u{309}'), c('Ó'), c('Ô'), c('Ơ'), c('Ö'), c('×'),
        c('Ø'), c('Ù'), c('Ú'), c('Û'), c('Ü'), c('Ư'), c('\u{303}'), c('ß'),
        // 0xE0
        c('à'), c('á'), c('â'), c('ă'), c('ä'), c('å'), c('æ'), c('ç'),
        c('è'), c('é'), c('ê'), c('ë'), c('\u{301}'), c('í'), c('î'), c('ï'),
        // 0xF0
        c('đ'), c('ñ'), c('\u{323}'), c('ó'), c('ô'), c('ơ'), c('ö'), c('÷'),
        c('ø'), c('ù'), c('ú'), c('û'), c('ü'), c('ư'), c('₫'), c('ÿ'),
    ]
};

/// The five Vietnamese tone marks as combining characters; Windows-1258 has a byte for each.
const TONE_MARKS: [char; 5] = ['\u{300}', '\u{301}', '\u{303}', '\u{309}', '\u{323}'];

/// TCVN-3 bytes and the letters they stand for (bytes below 0x80 are ASCII).
#[rustfmt::skip]
const TCVN3: [(u8, char); 74] = [
    (0xA1, 'Ă'), (0xA2, 'Â'), (0xA3, 'Ê'), (0xA4, 'Ô'), (0xA5, 'Ơ'), (0xA6, 'Ư'), (0xA7, 'Đ'),
    (0xA8, 'ă'), (0xA9, 'â'), (0xAA, 'ê'), (0xAB, 'ô'), (0xAC, 'ơ'), (0xAD, 'ư'), (0xAE, 'đ'),
    (0xB5, 'à'), (0xB6, 'ả'), (0xB7, 'ã'), (0xB8, 'á'), (0xB9, 'ạ'),
    (0xBB, 'ằ'), (0xBC, 'ẳ'), (0xBD, 'ẵ'), (0xBE, 'ắ'), (0xC6, 'ặ'),
    (0xC7, 'ầ'), (0xC8, 'ẩ'), (0xC9, 'ẫ'), (0xCA, 'ấ'), (0xCB, 'ậ'),
    (0xCC, 'è'), (0xCE, 'ẻ'), (0xCF, 'ẽ'), (0xD0, 'é'), (0xD1, 'ẹ'),
    (0xD2, 'ề'), (0xD3, 'ể'), (0xD4, 'ễ'), (0xD5, 'ế'), (0xD6, 'ệ'),
    (0xD7, 'ì'), (0xD8, 'ỉ'), (0xDC, 'ĩ'), (0xDD, 'í'), (0xDE, 'ị'),
    (0xDF, 'ò'), (0xE1, 'ỏ'), (0xE2, 'õ'), (0xE3, 'ó'), (0xE4, 'ọ'),
    (0xE5, 'ồ'), (0xE6, 'ổ'), (0xE7, 'ỗ'), (0xE8, 'ố'), (0xE9, 'ộ'),
    (0xEA, 'ờ'), (0xEB, 'ở'), (0xEC, 'ỡ'), (0xED, 'ớ'), (0xEE, 'ợ'),
    (0xEF, 'ù'), (0xF1, 'ủ'), (0xF2, 'ũ'), (0xF3, 'ú'), (0xF4, 'ụ'),
    (0xF5, 'ừ'), (0xF6, 'ử'), (0xF7, 'ữ'), (0xF8, 'ứ'), (0xF9, 'ự'),
    (0xFA, 'ỳ'), (0xFB, 'ỷ'), (0xFC, 'ỹ'), (0xFD, 'ý'), (0xFE, 'ỵ'),
];

/// `text` in `table`'s bytes. Control characters become spaces so that text can never be read
/// by the printer as a command.
pub fn encode(text: &str, table: CodeTable) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.nfc() {
        if let Some(b) = plain_ascii(c) {
            out.push(b);
            continue;
        }
        match table {
            CodeTable::Wpc1258 => wpc1258_char(c, &mut out),
            CodeTable::Tcvn3 => tcvn3_char(c, &mut out),
        }
    }
    out
}

/// Whether `table` holds `text` exactly: its bytes read back as the same letters. TCVN-3 lacks
/// toned capitals ("SỐ"), every table lacks Chinese; such text is drawn instead.
pub fn represents(text: &str, table: CodeTable) -> bool {
    let wanted: String = text
        .nfc()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    decode(&encode(&wanted, table), table) == wanted
}

/// `bytes` read back as text (NFC); bytes with no meaning in `table` become U+FFFD.
pub fn decode(bytes: &[u8], table: CodeTable) -> String {
    let raw: String = bytes
        .iter()
        .map(|&b| {
            if b < 0x80 {
                char::from(b)
            } else {
                let found = match table {
                    CodeTable::Wpc1258 => WPC1258_HIGH[usize::from(b - 0x80)],
                    CodeTable::Tcvn3 => TCVN3.iter().find(|(byte, _)| *byte == b).map(|e| e.1),
                };
                found.unwrap_or(char::REPLACEMENT_CHARACTER)
            }
        })
        .collect();
    // Windows-1258 tone bytes follow their base letter: composing puts them back together.
    raw.nfc().collect()
}

/// `text` with diacritics removed (đ → d); what has no ASCII form becomes `?`.
pub fn to_ascii(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.nfd() {
        if let Some(b) = plain_ascii(c) {
            out.push(char::from(b));
        } else if is_combining_mark(c) {
            // Diacritics of the previous letter: dropped.
        } else if c == 'đ' {
            out.push('d');
        } else if c == 'Đ' {
            out.push('D');
        } else if let Some(s) = fold_punctuation(c) {
            out.push_str(s);
        } else {
            out.push(char::from(UNKNOWN));
        }
    }
    out
}

/// ASCII printable characters as themselves, control characters as a space.
fn plain_ascii(c: char) -> Option<u8> {
    match c {
        ' '..='~' => u8::try_from(c).ok(),
        c if c.is_control() => Some(b' '),
        _ => None,
    }
}

fn is_combining_mark(c: char) -> bool {
    matches!(c, '\u{300}'..='\u{36F}')
}

/// Typographic punctuation that tables without it can still show in ASCII.
fn fold_punctuation(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{A0}' | '\u{2007}' | '\u{202F}' => " ",
        '‘' | '’' | '‚' | '′' => "'",
        '“' | '”' | '„' | '″' | '«' | '»' => "\"",
        '–' | '—' | '‐' | '‑' | '−' => "-",
        '…' => "...",
        '•' | '·' => "*",
        _ => return None,
    })
}

fn wpc1258_byte(c: char) -> Option<u8> {
    let i = WPC1258_HIGH.iter().position(|&e| e == Some(c))?;
    u8::try_from(0x80 + i).ok()
}

fn wpc1258_char(c: char, out: &mut Vec<u8>) {
    // Base letter and tone apart, even where the code page has the toned letter (á, é, ó...):
    // one way of writing each letter, the one every Vietnamese letter can take.
    let (mut base, mut tones) = (String::new(), Vec::new());
    for part in c.to_string().nfd() {
        if TONE_MARKS.contains(&part) {
            tones.push(part);
        } else {
            base.push(part);
        }
    }
    let mut composed = base.nfc();
    let base = match (composed.next(), composed.next()) {
        (Some(b), None) => b,
        _ => {
            out.push(UNKNOWN);
            return;
        }
    };
    let base_byte = plain_ascii(base).or_else(|| wpc1258_byte(base));
    match base_byte {
        Some(b) => {
            out.push(b);
            out.extend(tones.iter().filter_map(|&t| wpc1258_byte(t)));
        }
        None => match fold_punctuation(c) {
            Some(s) => out.extend_from_slice(s.as_bytes()),
            None => out.push(UNKNOWN),
        },
    }
}

fn tcvn3_byte(c: char) -> Option<u8> {
    TCVN3.iter().find(|(_, ch)| *ch == c).map(|e| e.0)
}

fn tcvn3_char(c: char, out: &mut Vec<u8>) {
    let lower = || {
        let mut l = c.to_lowercase();
        match (l.next(), l.next()) {
            (Some(one), None) => Some(one),
            _ => None,
        }
    };
    let byte = tcvn3_byte(c)
        // Toned capitals are not in the table: their lower-case form is the closest.
        .or_else(|| lower().and_then(tcvn3_byte));
    match byte {
        Some(b) => out.push(b),
        None => match fold_punctuation(c) {
            Some(s) => out.extend_from_slice(s.as_bytes()),
            None => out.push(UNKNOWN),
        },
    }
}

/// Every Vietnamese letter, lower and upper case, with each tone (for tests).
#[cfg(test)]
pub(crate) fn vietnamese_letters() -> Vec<char> {
    let vowels = "aăâeêioôơuưy";
    let mut letters = vec!['đ', 'Đ'];
    for v in vowels
        .chars()
        .flat_map(|v| [v, v.to_uppercase().next().unwrap_or(v)])
    {
        letters.push(v);
        for tone in TONE_MARKS {
            let s: String = [v, tone].iter().collect::<String>().nfc().collect();
            letters.extend(s.chars());
        }
    }
    letters.extend(('a'..='z').chain('A'..='Z'));
    letters
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_letter_round_trips_through_windows_1258() {
        for c in vietnamese_letters() {
            let bytes = encode(&c.to_string(), CodeTable::Wpc1258);
            assert!(bytes.len() <= 2, "{c}: {bytes:02X?}");
            assert_eq!(
                decode(&bytes, CodeTable::Wpc1258),
                c.to_string(),
                "{bytes:02X?}"
            );
        }
    }

    #[test]
    fn every_letter_round_trips_through_tcvn3_toned_capitals_as_lower_case() {
        for c in vietnamese_letters() {
            let bytes = encode(&c.to_string(), CodeTable::Tcvn3);
            assert_eq!(bytes.len(), 1, "{c}");
            let toned = c.to_string().nfd().any(|p| TONE_MARKS.contains(&p));
            let expected = if c.is_uppercase() && toned {
                c.to_lowercase().to_string()
            } else {
                c.to_string()
            };
            assert_eq!(decode(&bytes, CodeTable::Tcvn3), expected, "{c}");
        }
    }

    #[test]
    fn windows_1258_writes_base_then_tone() {
        assert_eq!(encode("ệ", CodeTable::Wpc1258), [0xEA, 0xF2]);
        assert_eq!(encode("Ở", CodeTable::Wpc1258), [0xD5, 0xD2]);
        assert_eq!(encode("á", CodeTable::Wpc1258), [b'a', 0xEC]);
        // Decomposed input (as some keyboards type it) gives the same bytes.
        assert_eq!(encode("e\u{302}\u{323}", CodeTable::Wpc1258), [0xEA, 0xF2]);
        // The code page's own precomposed letters read back too.
        assert_eq!(decode(&[0xE1], CodeTable::Wpc1258), "á");
    }

    #[test]
    fn only_exact_text_counts_as_represented() {
        for table in [CodeTable::Wpc1258, CodeTable::Tcvn3] {
            assert!(represents("Hộ tịch Đà Nẵng, Thủ Đức: 15 phút", table));
            assert!(represents("ĐĂNG KÝ", table) == (table == CodeTable::Wpc1258));
            assert!(!represents("漢字", table));
        }
        // Windows-1258 has typographic quotes and the ellipsis; TCVN-3 would fold them.
        assert!(represents("chờ… “Người”", CodeTable::Wpc1258));
        assert!(!represents("chờ… “Người”", CodeTable::Tcvn3));
        // Toned capitals: Windows-1258 has them all, TCVN-3 none.
        assert!(represents("SỐ THỨ TỰ", CodeTable::Wpc1258));
        assert!(!represents("SỐ THỨ TỰ", CodeTable::Tcvn3));
        // Plain capitals with marks but no tone are in TCVN-3.
        assert!(represents("ĐƯƠNG", CodeTable::Tcvn3));
    }

    #[test]
    fn tcvn3_known_bytes() {
        assert_eq!(encode("Hộ tịch", CodeTable::Tcvn3), b"H\xE9 t\xDEch");
        assert_eq!(encode("ĐƯỜNG", CodeTable::Tcvn3), b"\xA7\xA6\xEANG");
    }

    #[test]
    fn what_a_table_lacks_becomes_a_question_mark() {
        assert_eq!(encode("漢 – ok", CodeTable::Tcvn3), b"? - ok");
        assert_eq!(encode("漢 – ok", CodeTable::Wpc1258), b"? \x96 ok");
        assert_eq!(encode("a\nb\x1b", CodeTable::Tcvn3), b"a b ");
    }

    #[test]
    fn ascii_folding() {
        assert_eq!(
            to_ascii("Đăng ký hộ tịch – Ưu tiên “Người cao tuổi” 漢"),
            "Dang ky ho tich - Uu tien \"Nguoi cao tuoi\" ?"
        );
    }
}
