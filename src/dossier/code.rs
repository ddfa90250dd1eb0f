//! Dossier codes as citizens type, scan or paste them, checked before they reach the server.
//!
//! National codes look like `000.00.06.H56-231027-0361` (agency, `-yyMMdd-`, daily sequence),
//! but other offices use other shapes: as on the central server, only the alphabet (`A-Z 0-9 .
//! -`) and the length are hard rules. Look-alike characters are refused, never guessed: a wrong
//! guess would show a citizen somebody else's dossier.

use std::fmt;

use url::Url;

pub const MIN_LEN: usize = 8;
pub const MAX_LEN: usize = 40;

/// Anything longer is a stuck key or a pasted page: refused before any work.
const MAX_INPUT_BYTES: usize = 4096;

/// Query parameters that carry the code in a receipt's QR link, lower case without `_` and `-`.
const URL_PARAMS: [&str; 10] = [
    "code",
    "ma",
    "mahoso",
    "hoso",
    "dossier",
    "dossiercode",
    "madossier",
    "mahs",
    "id",
    "q",
];

/// The national shape: `9` a digit, `A` a letter, anything else itself.
const NATIONAL: &[u8] = b"999.99.99.A99-999999-9999";

/// The national shape's separators, by position in the bare 20-character form.
const SEPARATORS: [(usize, char); 5] = [(3, '.'), (5, '.'), (7, '.'), (10, '-'), (16, '-')];

/// Length of the national shape without separators.
const BARE_LEN: usize = 20;

/// A valid dossier code: 8 to 40 characters of `A-Z 0-9 . -`, upper case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DossierCode(String);

impl DossierCode {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DossierCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("no code was entered")]
    Empty,
    #[error("the code is too short ({len} characters, at least 8)")]
    TooShort { len: usize },
    #[error("the code is too long ({len} characters, at most 40)")]
    TooLong { len: usize },
    #[error("the code cannot contain {ch:?}")]
    BadCharacter { ch: char },
}

/// Turns what a citizen typed, scanned (a code or a receipt's QR link) or pasted into a code.
///
/// Forgiving about case, spaces, Unicode dashes and missing separators of the national shape;
/// strict about everything else.
pub fn normalize(input: &str) -> Result<DossierCode, CodeError> {
    if input.len() > MAX_INPUT_BYTES {
        return Err(CodeError::TooLong {
            len: input.chars().count(),
        });
    }
    let input = input.trim();
    if input.contains("://")
        && let Ok(url) = Url::parse(input)
    {
        return from_url(&url);
    }
    from_text(input)
}

/// What the code field shows while a citizen types on the on-screen keypad: upper case, with
/// the national shape's separators added as soon as the next character shows they are due.
pub fn format_as_typed(input: &str) -> String {
    let upper = input.to_ascii_uppercase();
    if is_bare_prefix(&upper) {
        with_separators(&upper)
    } else {
        upper
    }
}

/// A receipt's QR link: the code parameters, then the last path segment, then the fragment.
fn from_url(url: &Url) -> Result<DossierCode, CodeError> {
    let params = url
        .query_pairs()
        .filter(|(name, _)| is_code_param(name))
        .map(|(_, value)| value.into_owned());
    let segment = url
        .path_segments()
        .and_then(|mut segments| segments.rfind(|s| !s.is_empty()))
        .map(percent_decode);
    let fragment = url.fragment().map(percent_decode);
    // A path or fragment without a digit is a page name ("tra-cuu", "index.html"), not a code:
    // looking it up would only tell the citizen that "INDEX.HTML" does not exist.
    let elsewhere = segment
        .into_iter()
        .chain(fragment)
        .filter(|s| s.bytes().any(|b| b.is_ascii_digit()));

    let mut first_error = None;
    for candidate in params.chain(elsewhere) {
        match from_text(candidate.trim()) {
            Ok(code) => return Ok(code),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    Err(first_error.unwrap_or(CodeError::Empty))
}

fn is_code_param(name: &str) -> bool {
    let name: String = name
        .to_lowercase()
        .chars()
        .filter(|c| !matches!(c, '_' | '-'))
        .collect();
    URL_PARAMS.contains(&name.as_str())
}

/// `%XX` decoded; a broken escape stays as it is and invalid UTF-8 becomes U+FFFD, both of
/// which validation then refuses.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = match bytes.get(i..i + 3) {
            Some([b'%', hi, lo]) => hex(*hi).zip(hex(*lo)).map(|(h, l)| h << 4 | l),
            _ => None,
        };
        match escaped {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    char::from(b)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

/// Typed or pasted text (also a URL's candidates): a national-shape word, else tidied and checked.
fn from_text(text: &str) -> Result<DossierCode, CodeError> {
    // Word processors and phone keyboards turn `-` into these.
    let text: String = text
        .trim()
        .chars()
        .map(|c| match c {
            '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{fe58}' | '\u{fe63}' | '\u{ff0d}' => '-',
            c => c,
        })
        .collect();
    if let Some(token) = national_token(&text) {
        return Ok(DossierCode(token.to_ascii_uppercase()));
    }
    let mut code = tidy(&text);
    let bare: String = code.chars().filter(|c| !matches!(c, '.' | '-')).collect();
    if bare.len() == BARE_LEN && is_bare_prefix(&bare) {
        code = with_separators(&bare);
    }
    validate(code)
}

/// The first national-shape code standing as a word of its own in pasted text, e.g. in
/// "Mã hồ sơ: 000.00.06.H56-231027-0361." Letters and digits of any script glue to a word, so
/// "Đ000.00.06.H56-231027-0361" is no match.
fn national_token(text: &str) -> Option<&str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '.' || c == '-'))
        .map(|word| word.trim_matches(['.', '-']))
        .find(|word| {
            word.len() == NATIONAL.len()
                && word.bytes().zip(NATIONAL).all(|(b, &p)| match p {
                    b'9' => b.is_ascii_digit(),
                    b'A' => b.is_ascii_alphabetic(),
                    _ => b == p,
                })
        })
}

/// Spaces between two letters or digits become `-` (people read codes out in groups), other
/// spaces go; leading and trailing separators go; ASCII letters are upper-cased.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if out.ends_with(|c: char| c.is_ascii_alphanumeric())
            && word.starts_with(|c: char| c.is_ascii_alphanumeric())
        {
            out.push('-');
        }
        out.push_str(word);
    }
    out.trim_matches(['.', '-']).to_ascii_uppercase()
}

/// True when `s` can begin the national shape without separators: 7 digits, a letter at the
/// 8th place, then digits, at most 20 characters in all.
fn is_bare_prefix(s: &str) -> bool {
    s.len() <= BARE_LEN
        && s.bytes().enumerate().all(|(i, b)| {
            if i == 7 {
                b.is_ascii_alphabetic()
            } else {
                b.is_ascii_digit()
            }
        })
}

/// `bare` (ASCII, see [`is_bare_prefix`]) with the separators due before each character.
fn with_separators(bare: &str) -> String {
    let mut out = String::with_capacity(bare.len() + SEPARATORS.len());
    for (i, c) in bare.chars().enumerate() {
        if let Some(&(_, sep)) = SEPARATORS.iter().find(|(at, _)| *at == i) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// The hard rules of the central server. Only ASCII letters were changed (upper-cased), so a
/// refused character is shown as the citizen typed it.
fn validate(code: String) -> Result<DossierCode, CodeError> {
    if let Some(ch) = code
        .chars()
        .find(|&c| !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == '.' || c == '-'))
    {
        return Err(CodeError::BadCharacter { ch });
    }
    // All ASCII from here: bytes are characters.
    match code.len() {
        0 => Err(CodeError::Empty),
        len if len < MIN_LEN => Err(CodeError::TooShort { len }),
        len if len > MAX_LEN => Err(CodeError::TooLong { len }),
        _ => Ok(DossierCode(code)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CANON: &str = "000.00.06.H56-231027-0361";
    const SITE: &str = "https://dichvucong.example.gov.vn";
    const FORTY_ZEROS: &str = "0000000000000000000000000000000000000000";

    #[test]
    fn accepts() {
        let cases: Vec<(String, &str)> = vec![
            (CANON.into(), CANON),
            ("000.00.06.h56-231027-0361".into(), CANON),
            ("  000.00.06.H56-231027-0361 \n".into(), CANON),
            ("\u{a0}000.00.06.H56-231027-0361\u{3000}".into(), CANON),
            ("000.00.06.H56 231027 0361".into(), CANON),
            ("000 00 06 H56 231027 0361".into(), CANON),
            ("0000006H562310270361".into(), CANON),
            ("0000006h562310270361".into(), CANON),
            ("000.00.06.H56 2310270361".into(), CANON),
            ("000.00.06.H56231027-0361".into(), CANON),
            ("000.00.06.H56 - 231027 - 0361".into(), CANON),
            ("Mã hồ sơ: 000.00.06.H56-231027-0361.".into(), CANON),
            (
                "Hồ sơ (000.00.06.h56-231027-0361) đã có kết quả".into(),
                CANON,
            ),
            ("“000.00.06.H56-231027-0361”".into(), CANON),
            ("000.00.06.H56-231027-0361.".into(), CANON),
            ("000.00.06.H56\u{2013}231027\u{2014}0361".into(), CANON),
            ("000.00.06.H56\u{2212}231027\u{2010}0361".into(), CANON),
            ("000.00.06.H56\u{ff0d}231027\u{fe63}0361".into(), CANON),
            ("Mã: 000.00.06.H56\u{2013}231027\u{2013}0361".into(), CANON),
            (format!("{SITE}/tra-cuu?maHoSo={CANON}"), CANON),
            (format!("{SITE}/tra-cuu?lang=vi&ma_ho_so={CANON}"), CANON),
            (format!("{SITE}/tra-cuu?code={CANON}"), CANON),
            (format!("{SITE}/tra-cuu?MA-HS={CANON}"), CANON),
            (format!("{SITE}/tra-cuu?dossier_code={CANON}"), CANON),
            (format!("{SITE}/tra-cuu?madossier={CANON}"), CANON),
            (format!("{SITE}/tra-cuu?hoso={CANON}"), CANON),
            (format!("{SITE}/tra-cuu?Dossier={CANON}"), CANON),
            (format!("{SITE}/tra-cuu?id={CANON}"), CANON),
            (format!("{SITE}/tra-cuu?Ma={CANON}"), CANON),
            (format!("{SITE}/tra-cuu?q=000.00.06.h56+231027+0361"), CANON),
            (format!("{SITE}/tra-cuu?q=&maHoSo={CANON}"), CANON),
            (
                format!("{SITE}/tra-cuu?maHoSo=000.00.06.H56%2D231027%2D0361"),
                CANON,
            ),
            (format!("{SITE}/ho-so/{CANON}"), CANON),
            (format!("{SITE}/ho-so/{CANON}/"), CANON),
            (
                format!("{SITE}/ho-so/000%2E00%2E06%2EH56-231027-0361"),
                CANON,
            ),
            (format!("{SITE}/tra-cuu#{CANON}"), CANON),
            (
                format!("HTTPS://DICHVUCONG.EXAMPLE.GOV.VN/HO-SO/{CANON}"),
                CANON,
            ),
            (format!("{SITE}/ho-so/ABCD1234?id=xyz"), "ABCD1234"),
            // One digit too many for the national shape: another office's code, kept as typed.
            ("00000006H562310270361".into(), "00000006H562310270361"),
            ("H56.22-231027-0001".into(), "H56.22-231027-0001"),
            ("h56.22 231027 0001".into(), "H56.22-231027-0001"),
            ("ABCD1234".into(), "ABCD1234"),
            ("abcd 1234".into(), "ABCD-1234"),
            // Tab is whitespace like any other: spreadsheets and scanners put it in.
            ("ABCD\t1234".into(), "ABCD-1234"),
            ("-ABCD-1234-".into(), "ABCD-1234"),
            ("..ABCD.1234..".into(), "ABCD.1234"),
            ("A1B2C3D4".into(), "A1B2C3D4"),
            ("0".repeat(40), FORTY_ZEROS),
        ];
        assert!(cases.len() >= 20);
        for (input, want) in &cases {
            let got = normalize(input);
            assert_eq!(
                got.as_ref().map(DossierCode::as_str),
                Ok(*want),
                "input {input:?}"
            );
        }
    }

    #[test]
    fn refuses() {
        use CodeError::*;
        let bad = |ch| BadCharacter { ch };
        let cases: Vec<(String, CodeError)> = vec![
            ("".into(), Empty),
            ("   ".into(), Empty),
            ("\t\n\u{3000}".into(), Empty),
            ("-.-".into(), Empty),
            ("🙂".into(), bad('🙂')),
            ("ABCD🙂1234".into(), bad('🙂')),
            ("ABCD 🙂 1234".into(), bad('🙂')),
            ("' OR 1=1 --".into(), bad('\'')),
            ("ABCD1234;DROP".into(), bad(';')),
            ("ABCD*1234".into(), bad('*')),
            ("*".into(), bad('*')),
            ("ABCD%1234".into(), bad('%')),
            ("ABCD_1234".into(), bad('_')),
            ("ABCD/1234".into(), bad('/')),
            ("ABCD:1234".into(), bad(':')),
            ("ABCD\u{0}1234".into(), bad('\u{0}')),
            ("ABCD\u{200b}1234".into(), bad('\u{200b}')),
            (
                "０００.００.０６.Ｈ５６-２３１０２７-０３６１".into(),
                bad('０'),
            ),
            ("ABCD1234０".into(), bad('０')),
            ("000.00.06.H56-231027-٣٦١٠".into(), bad('٣')),
            // Cyrillic Н and А look like Latin H and A.
            ("000.00.06.\u{41d}56-231027-0361".into(), bad('\u{41d}')),
            ("\u{410}BCD1234".into(), bad('\u{410}')),
            ("Đ00.00.06.H56-231027-0361".into(), bad('Đ')),
            ("000.00.06.H56-231027-0361Đ".into(), bad('Đ')),
            ("đơn12345".into(), bad('đ')),
            ("ABC1234".into(), TooShort { len: 7 }),
            ("ABC 12".into(), TooShort { len: 6 }),
            ("A".repeat(41), TooLong { len: 41 }),
            ("A".repeat(300), TooLong { len: 300 }),
            ("A".repeat(4096), TooLong { len: 4096 }),
            ("A".repeat(5000), TooLong { len: 5000 }),
            ("Đ".repeat(3000), TooLong { len: 3000 }),
            (format!("{SITE}/"), Empty),
            (SITE.into(), Empty),
            (format!("{SITE}/tra-cuu?lang=vi"), Empty),
            (format!("{SITE}/tra-cuu?maHoSo="), Empty),
            (format!("{SITE}/tra-cuu?maHoSo=abc"), TooShort { len: 3 }),
            (format!("{SITE}/tra-cuu?maHoSo=ABC%27OR1%3D1"), bad('\'')),
            (format!("{SITE}/v2"), TooShort { len: 2 }),
            (
                format!("{SITE}/ho-so/%C4%9000.00.06.H56-231027-0361"),
                bad('Đ'),
            ),
            (format!("{SITE}/ho-so/ABCD%FF1234"), bad('\u{fffd}')),
        ];
        assert!(cases.len() >= 25);
        for (input, want) in cases {
            assert_eq!(normalize(&input), Err(want), "input {input:?}");
        }
    }

    #[test]
    fn url_errors_come_from_the_first_candidate() {
        let url = format!("{SITE}/ho-so/AB%2A12345?q=xy&id=A_1234567");
        assert_eq!(normalize(&url), Err(CodeError::TooShort { len: 2 }));
    }

    #[test]
    fn messages() {
        assert_eq!(CodeError::Empty.to_string(), "no code was entered");
        assert_eq!(
            CodeError::TooShort { len: 7 }.to_string(),
            "the code is too short (7 characters, at least 8)"
        );
        assert_eq!(
            CodeError::TooLong { len: 41 }.to_string(),
            "the code is too long (41 characters, at most 40)"
        );
        assert_eq!(
            CodeError::BadCharacter { ch: '\'' }.to_string(),
            r"the code cannot contain '\''"
        );
        let code = normalize(CANON).unwrap();
        assert_eq!(code.to_string(), CANON);
        assert_eq!(code.as_str(), CANON);
    }

    #[test]
    fn formats_while_typing() {
        for (typed, shown) in [
            ("", ""),
            ("0", "0"),
            ("000", "000"),
            ("0000", "000.0"),
            ("00000", "000.00"),
            ("000000", "000.00.0"),
            ("0000000", "000.00.00"),
            ("0000006", "000.00.06"),
            ("0000006h", "000.00.06.H"),
            ("0000006H5", "000.00.06.H5"),
            ("0000006H56", "000.00.06.H56"),
            ("0000006H562", "000.00.06.H56-2"),
            ("0000006H56231027", "000.00.06.H56-231027"),
            ("0000006H5623102703", "000.00.06.H56-231027-03"),
            ("0000006H562310270361", CANON),
            // Not the national shape, or already separated: left as typed, upper-cased.
            ("0000006H5623102703612", "0000006H5623102703612"),
            ("000000061", "000000061"),
            // Eight digits before the letter: not the national shape (see `accepts`).
            ("00000006H562310270361", "00000006H562310270361"),
            ("h56.22", "H56.22"),
            ("000.00", "000.00"),
            ("000 00", "000 00"),
            ("abcd1234", "ABCD1234"),
            ("đ0000", "đ0000"),
            ("０００", "０００"),
        ] {
            assert_eq!(format_as_typed(typed), shown, "typed {typed:?}");
        }
    }

    #[test]
    fn what_is_shown_while_typing_normalizes_to_the_code() {
        let bare = "0000006H562310270361";
        assert_eq!(normalize(&format_as_typed(bare)).unwrap().as_str(), CANON);
        for end in MIN_LEN..bare.len() {
            let shown = format_as_typed(&bare[..end]);
            assert_eq!(shown, CANON[..shown.len()], "prefix {end}");
        }
    }

    /// Odd strings, their prefixes and random mixes: nothing panics, and every code returned
    /// is valid and stays the same when normalized again.
    #[test]
    fn never_panics() {
        let mut odd: Vec<String> = [
            "",
            " ",
            "\u{0}",
            "🙂",
            "👨‍👩‍👧",
            "e\u{301}\u{301}\u{301}",
            "\u{feff}",
            "\u{202e}ABCD1234",
            "%",
            "%%",
            "%4",
            "%zz",
            "://",
            "http://",
            "https://[",
            "https://x/%",
            "a://b?=&=",
            "https://x/?q=%FF%FE",
            "mailto:a@b",
            "\r\n\t",
            ".-.-.-",
            "0000000",
            "0000000H",
            "0000006H562310270361000",
            "Ｈ５６",
            "ﬃ",
            "İıß",
            "\u{10ffff}",
            "\u{d7ff}",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        odd.push("🙂".repeat(10_000));
        odd.push("0".repeat(10_000));
        odd.push(format!("{SITE}/?q={}", "A".repeat(4000)));

        // A fixed xorshift: reproducible mixes without a random crate.
        let pieces = [
            "0", "6", "H", "h", ".", "-", " ", "\t", "–", "Đ", "%", "2D", "?", "q=", "://", "http",
            "/", "#", "🙂", "\u{301}", "０", CANON,
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..3000 {
            let mut s = String::new();
            for _ in 0..(seed % 12) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let i = usize::try_from(seed % pieces.len() as u64).unwrap();
                s.push_str(pieces[i]);
            }
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            odd.push(s);
        }

        for s in &odd {
            let prefixes = s.char_indices().map(|(i, _)| &s[..i]).take(64);
            for t in prefixes.chain([s.as_str()]) {
                let _ = format_as_typed(t);
                if let Ok(code) = normalize(t) {
                    let c = code.as_str();
                    assert!((MIN_LEN..=MAX_LEN).contains(&c.len()), "{t:?} → {c:?}");
                    assert!(
                        c.bytes().all(|b| b.is_ascii_uppercase()
                            || b.is_ascii_digit()
                            || b == b'.'
                            || b == b'-'),
                        "{t:?} → {c:?}"
                    );
                    assert_eq!(normalize(c).as_ref(), Ok(&code), "{t:?}");
                }
            }
        }
    }
}
