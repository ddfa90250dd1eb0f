//! Message text: templates with placeholders, folding Vietnamese to ASCII, choosing the
//! encoding (GSM-7 or UCS-2), counting segments and cutting the text into them.
//!
//! The sizes are the GSM ones (3GPP TS 23.038 / 23.040): a lone GSM-7 message holds 160
//! septets, a part of a concatenated one 153 (the 6-byte UDH takes 7); UCS-2 holds 70 and 67
//! UTF-16 units. The same splitter counts segments and cuts them, so the count logged for a
//! message is the number of `submit_sm` an SMSC receives.

use std::fmt;

use thiserror::Error;
use unicode_normalization::UnicodeNormalization;

/// A value a template can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Placeholder {
    /// The ticket number, e.g. `A012`.
    Number,
    /// The counter that called the ticket.
    Counter,
    /// The dossier code.
    Code,
    /// The dossier status, in words.
    Status,
    /// The office's name (`[sms] office`).
    Office,
}

impl Placeholder {
    /// Every placeholder, in the order the docs list them.
    pub const ALL: [Placeholder; 5] = [
        Placeholder::Number,
        Placeholder::Counter,
        Placeholder::Code,
        Placeholder::Status,
        Placeholder::Office,
    ];

    /// Its name between braces.
    pub fn name(self) -> &'static str {
        match self {
            Placeholder::Number => "number",
            Placeholder::Counter => "counter",
            Placeholder::Code => "code",
            Placeholder::Status => "status",
            Placeholder::Office => "office",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }
}

/// `{number}, {counter}` for messages.
pub fn list_placeholders(allowed: &[Placeholder]) -> String {
    allowed
        .iter()
        .map(|p| format!("{{{}}}", p.name()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What is wrong with a template.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TemplateError {
    #[error("is empty")]
    Empty,
    #[error("names {{{name}}}, which is not a placeholder; allowed: {allowed}")]
    Unknown { name: String, allowed: String },
    #[error("names {{{name}}}, which this message does not have; allowed: {allowed}")]
    NotHere { name: String, allowed: String },
    #[error("has a '{{' at character {at} that is not closed (write {{{{ for a brace)")]
    Unclosed { at: usize },
    #[error("has a '}}' at character {at} that opens nothing (write }}}} for a brace)")]
    Stray { at: usize },
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Slot(Placeholder),
}

/// A parsed template: literal text and placeholders. `{{` and `}}` stand for braces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pieces: Vec<Piece>,
}

/// The values a template is rendered with; the caller fills what its trigger knows.
#[derive(Debug, Clone, Copy, Default)]
pub struct Values<'a> {
    pub number: Option<&'a str>,
    pub counter: Option<&'a str>,
    pub code: Option<&'a str>,
    pub status: Option<&'a str>,
    pub office: Option<&'a str>,
}

impl<'a> Values<'a> {
    fn get(&self, p: Placeholder) -> Option<&'a str> {
        match p {
            Placeholder::Number => self.number,
            Placeholder::Counter => self.counter,
            Placeholder::Code => self.code,
            Placeholder::Status => self.status,
            Placeholder::Office => self.office,
        }
    }
}

impl Template {
    /// Parses `source`, accepting only the placeholders in `allowed` (those its trigger can
    /// fill), so that rendering a parsed template never lacks a value.
    pub fn parse(source: &str, allowed: &[Placeholder]) -> Result<Self, TemplateError> {
        if source.trim().is_empty() {
            return Err(TemplateError::Empty);
        }
        let mut pieces = Vec::new();
        let mut text = String::new();
        let mut chars = source.chars().enumerate().peekable();
        while let Some((at, c)) = chars.next() {
            match c {
                '{' if chars.peek().map(|&(_, n)| n) == Some('{') => {
                    chars.next();
                    text.push('{');
                }
                '}' if chars.peek().map(|&(_, n)| n) == Some('}') => {
                    chars.next();
                    text.push('}');
                }
                '}' => return Err(TemplateError::Stray { at: at + 1 }),
                '{' => {
                    let mut name = String::new();
                    loop {
                        match chars.next() {
                            Some((_, '}')) => break,
                            Some((_, '{')) | None => {
                                return Err(TemplateError::Unclosed { at: at + 1 });
                            }
                            Some((_, n)) => name.push(n),
                        }
                    }
                    let Some(p) = Placeholder::from_name(&name) else {
                        return Err(TemplateError::Unknown {
                            name,
                            allowed: list_placeholders(allowed),
                        });
                    };
                    if !allowed.contains(&p) {
                        return Err(TemplateError::NotHere {
                            name,
                            allowed: list_placeholders(allowed),
                        });
                    }
                    if !text.is_empty() {
                        pieces.push(Piece::Text(std::mem::take(&mut text)));
                    }
                    pieces.push(Piece::Slot(p));
                }
                c => text.push(c),
            }
        }
        if !text.is_empty() {
            pieces.push(Piece::Text(text));
        }
        Ok(Self { pieces })
    }

    /// The placeholders it uses.
    pub fn placeholders(&self) -> impl Iterator<Item = Placeholder> + '_ {
        self.pieces.iter().filter_map(|p| match p {
            Piece::Slot(p) => Some(*p),
            Piece::Text(_) => None,
        })
    }

    /// Inserts the values verbatim (a value is never read as a template). A placeholder
    /// without a value is an error: it would send "số  của quý vị".
    pub fn render(&self, values: &Values<'_>) -> Result<String, TextError> {
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Slot(p) => match values.get(*p) {
                    Some(v) => out.push_str(v),
                    None => return Err(TextError::MissingValue(p.name())),
                },
            }
        }
        Ok(out)
    }
}

/// Why a message cannot be sent as it is.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TextError {
    #[error("the template needs {{{0}}} and no value was given")]
    MissingValue(&'static str),
    #[error("the message is empty")]
    Empty,
    #[error(
        "the message needs {segments} {encoding} segments ({units} {unit}), more than the cap of {max}"
    )]
    TooLong {
        segments: usize,
        max: usize,
        encoding: Encoding,
        units: usize,
        unit: &'static str,
    },
    #[error("the text has characters outside the GSM 03.38 alphabet; it needs UCS-2")]
    NotGsm,
}

/// The data coding of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// GSM 03.38 default alphabet, SMPP data_coding 0.
    Gsm7,
    /// UTF-16BE (UCS-2 on the wire; characters beyond the BMP take two units), data_coding 8.
    Ucs2,
}

impl Encoding {
    /// SMPP `data_coding`.
    pub fn data_coding(self) -> u8 {
        match self {
            Encoding::Gsm7 => 0,
            Encoding::Ucs2 => 8,
        }
    }

    /// Units in a lone segment and in each part of a concatenated message.
    pub fn capacity(self) -> (usize, usize) {
        match self {
            Encoding::Gsm7 => (160, 153),
            Encoding::Ucs2 => (70, 67),
        }
    }

    fn unit(self) -> &'static str {
        match self {
            Encoding::Gsm7 => "septets",
            Encoding::Ucs2 => "UTF-16 units",
        }
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Encoding::Gsm7 => "GSM-7",
            Encoding::Ucs2 => "UCS-2",
        })
    }
}

/// A message ready for a gateway: its text, encoding and size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    pub text: String,
    pub encoding: Encoding,
    /// Septets (GSM-7, extension characters count 2) or UTF-16 units (UCS-2).
    pub units: usize,
    pub segments: usize,
}

/// Chooses the encoding of `text` (GSM-7 when every character is in the GSM 03.38 default
/// alphabet or its extension table, else UCS-2), counts its segments and refuses it above
/// `max_segments`.
pub fn prepare(text: &str, max_segments: usize) -> Result<Prepared, TextError> {
    let encoding = if text.chars().all(|c| gsm_septets(c).is_some()) {
        Encoding::Gsm7
    } else {
        Encoding::Ucs2
    };
    prepare_as(text, encoding, max_segments)
}

/// As [`prepare`] with the encoding given (a gateway re-checks what the outbox stored).
pub fn prepare_as(
    text: &str,
    encoding: Encoding,
    max_segments: usize,
) -> Result<Prepared, TextError> {
    if text.is_empty() {
        return Err(TextError::Empty);
    }
    let cuts = split(text, encoding)?;
    let units = units(text, encoding)?;
    if cuts.len() > max_segments {
        return Err(TextError::TooLong {
            segments: cuts.len(),
            max: max_segments,
            encoding,
            units,
            unit: encoding.unit(),
        });
    }
    Ok(Prepared {
        text: text.to_string(),
        encoding,
        units,
        segments: cuts.len(),
    })
}

/// Renders `template`, folds it to ASCII when `unaccented`, and prepares it.
pub fn compose(
    template: &Template,
    values: &Values<'_>,
    unaccented: bool,
    max_segments: usize,
) -> Result<Prepared, TextError> {
    let text = template.render(values)?;
    let text = if unaccented { fold(&text) } else { text };
    prepare(&text, max_segments)
}

fn units(text: &str, encoding: Encoding) -> Result<usize, TextError> {
    text.chars()
        .try_fold(0, |n, c| Ok(n + weight(c, encoding)?))
}

fn weight(c: char, encoding: Encoding) -> Result<usize, TextError> {
    match encoding {
        Encoding::Gsm7 => gsm_septets(c).map(|s| s.len()).ok_or(TextError::NotGsm),
        Encoding::Ucs2 => Ok(c.len_utf16()),
    }
}

/// The text cut into segments (byte ranges of `text`), never inside a character: a GSM-7
/// escape pair or a UTF-16 surrogate pair stays whole.
fn split(text: &str, encoding: Encoding) -> Result<Vec<std::ops::Range<usize>>, TextError> {
    let (single, part) = encoding.capacity();
    if units(text, encoding)? <= single {
        return Ok(std::iter::once(0..text.len()).collect());
    }
    let mut cuts = Vec::new();
    let (mut start, mut used) = (0, 0);
    for (i, c) in text.char_indices() {
        let w = weight(c, encoding)?;
        if used + w > part {
            cuts.push(start..i);
            start = i;
            used = 0;
        }
        used += w;
    }
    cuts.push(start..text.len());
    Ok(cuts)
}

/// The segments' payloads without UDH: GSM-7 unpacked (one septet per octet, as SMPP's
/// data_coding 0 carries it) or UTF-16BE.
pub fn encode_segments(text: &str, encoding: Encoding) -> Result<Vec<Vec<u8>>, TextError> {
    split(text, encoding)?
        .into_iter()
        .map(|range| encode(&text[range], encoding))
        .collect()
}

fn encode(text: &str, encoding: Encoding) -> Result<Vec<u8>, TextError> {
    match encoding {
        Encoding::Gsm7 => text.chars().try_fold(Vec::new(), |mut out, c| {
            out.extend_from_slice(gsm_septets(c).ok_or(TextError::NotGsm)?.as_slice());
            Ok(out)
        }),
        Encoding::Ucs2 => Ok(text.encode_utf16().flat_map(u16::to_be_bytes).collect()),
    }
}

/// Folds Vietnamese (and other Latin) letters to ASCII: tones and hooks dropped, `đ` → `d`,
/// `Đ` → `D`; typographic quotes, dashes and the ellipsis become their ASCII forms so that
/// an unaccented message stays GSM-7. Anything else is kept (and may need UCS-2).
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.nfd() {
        match c {
            'đ' => out.push('d'),
            'Đ' => out.push('D'),
            '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{2032}' => out.push('\''),
            '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{2033}' => out.push('"'),
            '\u{2010}'..='\u{2015}' | '\u{2212}' => out.push('-'),
            '\u{2026}' => out.push_str("..."),
            '\u{00A0}' | '\u{202F}' | '\u{2007}' => out.push(' '),
            c if is_combining_mark(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// The combining diacritics NFD leaves after Vietnamese letters (tones, circumflex, breve,
/// horn) and the rest of the general combining blocks.
fn is_combining_mark(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}')
}

/// The GSM 03.38 default alphabet, by septet value (0x1B is the escape to the extension).
const GSM_BASIC: [char; 128] = [
    '@', '£', '$', '¥', 'è', 'é', 'ù', 'ì', 'ò', 'Ç', '\n', 'Ø', 'ø', '\r', 'Å', 'å', //
    'Δ', '_', 'Φ', 'Γ', 'Λ', 'Ω', 'Π', 'Ψ', 'Σ', 'Θ', 'Ξ', '\u{1B}', 'Æ', 'æ', 'ß', 'É', //
    ' ', '!', '"', '#', '¤', '%', '&', '\'', '(', ')', '*', '+', ',', '-', '.', '/', //
    '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ':', ';', '<', '=', '>', '?', //
    '¡', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O', //
    'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'X', 'Y', 'Z', 'Ä', 'Ö', 'Ñ', 'Ü', '§', //
    '¿', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o', //
    'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', 'ä', 'ö', 'ñ', 'ü', 'à', //
];

/// The extension table: each costs the escape septet and its own.
const GSM_EXTENSION: [(char, u8); 10] = [
    ('\u{0C}', 0x0A),
    ('^', 0x14),
    ('{', 0x28),
    ('}', 0x29),
    ('\\', 0x2F),
    ('[', 0x3C),
    ('~', 0x3D),
    (']', 0x3E),
    ('|', 0x40),
    ('€', 0x65),
];

/// One or two septets (unpacked), as a small vector.
#[derive(Debug, Clone, Copy)]
struct Septets {
    bytes: [u8; 2],
    len: usize,
}

impl Septets {
    fn len(&self) -> usize {
        self.len
    }

    fn as_slice(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

fn gsm_septets(c: char) -> Option<Septets> {
    if c == '\u{1B}' {
        // The escape itself is not text.
        return None;
    }
    if let Some(i) = GSM_BASIC.iter().position(|&g| g == c) {
        return Some(Septets {
            bytes: [i as u8, 0],
            len: 1,
        });
    }
    GSM_EXTENSION
        .iter()
        .find(|&&(g, _)| g == c)
        .map(|&(_, code)| Septets {
            bytes: [0x1B, code],
            len: 2,
        })
}

/// Decodes GSM-7 unpacked septets (tests and receipts use it).
pub fn decode_gsm7(septets: &[u8]) -> Option<String> {
    let mut out = String::new();
    let mut it = septets.iter();
    while let Some(&s) = it.next() {
        if s == 0x1B {
            let &code = it.next()?;
            let (c, _) = GSM_EXTENSION.iter().find(|&&(_, e)| e == code)?;
            out.push(*c);
        } else {
            out.push(*GSM_BASIC.get(usize::from(s))?);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: &[Placeholder] = &Placeholder::ALL;

    fn values() -> Values<'static> {
        Values {
            number: Some("A012"),
            counter: Some("3"),
            code: Some("000.00.17.H56-250101-0001"),
            status: Some("đã có kết quả"),
            office: Some("UBND phường Bến Nghé"),
        }
    }

    #[test]
    fn renders_placeholders_and_escaped_braces() {
        let t = Template::parse("{office}: số {number} mời đến quầy {counter} {{ok}}", ALL)
            .expect("parses");
        assert_eq!(
            t.render(&values()).expect("renders"),
            "UBND phường Bến Nghé: số A012 mời đến quầy 3 {ok}"
        );
    }

    #[test]
    fn template_errors_name_the_problem() {
        assert!(matches!(
            Template::parse("số {numbr}", ALL),
            Err(TemplateError::Unknown { name, .. }) if name == "numbr"
        ));
        let e = Template::parse("quầy {counter}", &[Placeholder::Code]).expect_err("an error");
        assert_eq!(
            e.to_string(),
            "names {counter}, which this message does not have; allowed: {code}"
        );
        assert_eq!(
            Template::parse("a {number", ALL),
            Err(TemplateError::Unclosed { at: 3 })
        );
        assert_eq!(
            Template::parse("a } b", ALL),
            Err(TemplateError::Stray { at: 3 })
        );
        assert_eq!(Template::parse("  ", ALL), Err(TemplateError::Empty));
        assert!(Template::parse("{}", ALL).is_err());
    }

    #[test]
    fn values_are_inserted_verbatim_never_expanded() {
        let t = Template::parse("hồ sơ {code} xong", ALL).expect("parses");
        let v = Values {
            code: Some("{number}{{x}}"),
            ..Values::default()
        };
        assert_eq!(t.render(&v).expect("renders"), "hồ sơ {number}{{x}} xong");
        assert_eq!(
            t.render(&Values::default()),
            Err(TextError::MissingValue("code"))
        );
    }

    #[test]
    fn folds_every_vietnamese_letter() {
        let lower = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ";
        let folded: String = fold(lower);
        assert_eq!(
            folded,
            "aaaaaaaaaaaaaaaaaaeeeeeeeeeeeeiiiiiioooooooooooooooooouuuuuuuuuuuuyyyyyyd"
        );
        assert_eq!(fold(&lower.to_uppercase()), folded.to_uppercase());
        assert_eq!(
            fold("ĐƯỜNG Đê “La Thành” – số 1…"),
            "DUONG De \"La Thanh\" - so 1..."
        );
        // Precomposed and decomposed input fold alike.
        assert_eq!(fold("Nghe\u{0302}\u{0323}"), "Nghe");
    }

    #[test]
    fn chooses_gsm7_or_ucs2() {
        let p = prepare("Ban so A012 moi den quay 3", 3).expect("fits");
        assert_eq!((p.encoding, p.units, p.segments), (Encoding::Gsm7, 26, 1));
        let p = prepare("Bạn số A012", 3).expect("fits");
        assert_eq!((p.encoding, p.units, p.segments), (Encoding::Ucs2, 11, 1));
        // Extension characters count two septets.
        let p = prepare("€[]{}^~\\|", 3).expect("fits");
        assert_eq!((p.encoding, p.units), (Encoding::Gsm7, 18));
        // A backtick and an emoji are not GSM; the emoji is two UTF-16 units.
        assert_eq!(prepare("`", 3).expect("fits").encoding, Encoding::Ucs2);
        let p = prepare("ok 👍", 3).expect("fits");
        assert_eq!((p.encoding, p.units), (Encoding::Ucs2, 5));
        assert_eq!(prepare("", 3), Err(TextError::Empty));
    }

    #[test]
    fn segment_boundaries() {
        let gsm = |n| prepare(&"a".repeat(n), 10).expect("fits").segments;
        assert_eq!((gsm(160), gsm(161), gsm(306), gsm(307)), (1, 2, 2, 3));
        let ucs = |n| prepare(&"ạ".repeat(n), 10).expect("fits").segments;
        assert_eq!((ucs(70), ucs(71), ucs(134), ucs(135)), (1, 2, 2, 3));
        // 152 septets then an escape pair: the pair does not fit the first part whole.
        let text = format!("{}€{}", "a".repeat(152), "a".repeat(10));
        let parts = encode_segments(&text, Encoding::Gsm7).expect("gsm");
        assert_eq!(parts[0].len(), 152);
        assert_eq!(&parts[1][..2], &[0x1B, 0x65]);
        // 66 units then an emoji: the surrogate pair moves whole to the second part.
        let text = format!("{}😀{}", "ạ".repeat(66), "ạ".repeat(10));
        let parts = encode_segments(&text, Encoding::Ucs2).expect("ucs2");
        assert_eq!(parts[0].len(), 132);
        assert_eq!(
            &parts[1][..4],
            "😀"
                .encode_utf16()
                .flat_map(u16::to_be_bytes)
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn refuses_a_fourth_segment() {
        assert!(prepare(&"a".repeat(459), 3).is_ok());
        let e = prepare(&"a".repeat(460), 3).expect_err("an error");
        assert_eq!(
            e,
            TextError::TooLong {
                segments: 4,
                max: 3,
                encoding: Encoding::Gsm7,
                units: 460,
                unit: "septets"
            }
        );
        assert_eq!(
            e.to_string(),
            "the message needs 4 GSM-7 segments (460 septets), more than the cap of 3"
        );
        assert!(prepare(&"ạ".repeat(201), 3).is_ok());
        assert!(matches!(
            prepare(&"ạ".repeat(202), 3),
            Err(TextError::TooLong { segments: 4, .. })
        ));
    }

    #[test]
    fn gsm7_round_trips_and_ucs2_is_utf16be() {
        let all: String = GSM_BASIC
            .iter()
            .filter(|&&c| c != '\u{1B}')
            .collect::<String>()
            + "€[]{}^~\\|";
        let parts = encode_segments(&all, Encoding::Gsm7).expect("gsm");
        assert_eq!(decode_gsm7(&parts.concat()).as_deref(), Some(all.as_str()));
        assert_eq!(
            encode_segments("Sở", Encoding::Ucs2).expect("ucs2"),
            vec![vec![0x00, 0x53, 0x1E, 0xDF]]
        );
        assert_eq!(
            encode_segments("Sở", Encoding::Gsm7),
            Err(TextError::NotGsm)
        );
    }

    /// A small deterministic generator: property-style tests without a new dependency.
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            self.0 >> 33
        }
    }

    #[test]
    fn hostile_text_keeps_every_invariant() {
        let pieces = [
            "\"",
            "'",
            "*",
            "<script>alert(1)</script>",
            "😀",
            "👨‍👩‍👧",
            "€",
            "{",
            "}",
            "\\",
            "ạ",
            "Đ",
            "\n",
            "\r\n",
            " ",
            "a",
            "%s",
            "&amp;",
            "\u{0}",
            "\u{202E}",
            "ệ",
            "𝔸",
        ];
        let mut rng = Lcg(17);
        for round in 0..2000 {
            let mut text = String::new();
            let len = 1 + (rng.next() % 500) as usize;
            while text.chars().count() < len {
                text.push_str(pieces[(rng.next() as usize) % pieces.len()]);
            }
            for candidate in [text.clone(), fold(&text)] {
                let Ok(encoding) = prepare(&candidate, 255).map(|p| p.encoding) else {
                    panic!("round {round}: {candidate:?} did not prepare");
                };
                let parts = encode_segments(&candidate, encoding).expect("encodes");
                let (single, part) = encoding.capacity();
                let cap = if parts.len() == 1 { single } else { part };
                let per_unit = if encoding == Encoding::Gsm7 { 1 } else { 2 };
                for p in &parts {
                    assert!(p.len() <= cap * per_unit, "round {round}: part too long");
                }
                let back = match encoding {
                    Encoding::Gsm7 => decode_gsm7(&parts.concat()).expect("decodes"),
                    Encoding::Ucs2 => {
                        // Each part alone is valid UTF-16: no surrogate pair was cut.
                        parts
                            .iter()
                            .map(|p| {
                                let units: Vec<u16> = p
                                    .chunks(2)
                                    .map(|b| u16::from_be_bytes([b[0], b[1]]))
                                    .collect();
                                String::from_utf16(&units).expect("whole characters")
                            })
                            .collect()
                    }
                };
                assert_eq!(back, candidate, "round {round}");
                let n = prepare(&candidate, 255).expect("prepares").segments;
                assert_eq!(n, parts.len());
                assert_eq!(prepare(&candidate, 3).is_ok(), n <= 3);
            }
            // Folding never leaves a Vietnamese diacritic.
            assert!(!fold(&text).chars().any(|c| "ạĐệđ".contains(c)));
        }
    }

    #[test]
    fn five_hundred_characters_are_refused_not_cut() {
        let t = Template::parse("{office}: {code}", ALL).expect("parses");
        let long = "x".repeat(500);
        let v = Values {
            office: Some("UBND"),
            code: Some(&long),
            ..Values::default()
        };
        assert!(matches!(
            compose(&t, &v, false, 3),
            Err(TextError::TooLong { segments: 4, .. })
        ));
    }
}
