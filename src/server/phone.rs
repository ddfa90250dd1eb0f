//! Vietnamese mobile numbers for SMS notices (tickets, dossiers): what the central system accepts.

/// Mobile prefixes after the leading 0 (Viettel, Vinaphone, Mobifone, Vietnamobile, Gmobile...).
const MOBILE_FIRST_DIGITS: [char; 5] = ['3', '5', '7', '8', '9'];

/// `0912 345 678`, `+84912345678` or `84912345678` → `0912345678`; `None` when it is not a
/// Vietnamese mobile number.
pub fn normalize(input: &str) -> Option<String> {
    let compact: String = input
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-'))
        .collect();
    let national = if let Some(rest) = compact.strip_prefix("+84") {
        format!("0{rest}")
    } else if compact.len() == 11 && compact.starts_with("84") {
        format!("0{}", &compact[2..])
    } else {
        compact
    };
    let mut chars = national.chars();
    let valid = national.len() == 10
        && national.chars().all(|c| c.is_ascii_digit())
        && chars.next() == Some('0')
        && chars
            .next()
            .is_some_and(|c| MOBILE_FIRST_DIGITS.contains(&c));
    valid.then_some(national)
}

/// `0912 345 678`: how a number is read back to the citizen.
pub fn display(digits: &str) -> String {
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i == 4 || i == 7 {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// `09xx xxx 678`: enough for the citizen to recognise their number on screen, too little for
/// anyone behind them to read it.
pub fn masked(digits: &str) -> String {
    let chars: Vec<char> = digits.chars().collect();
    if chars.len() < 6 {
        return "x".repeat(chars.len());
    }
    let head: String = chars[..2].iter().collect();
    let tail: String = chars[chars.len() - 3..].iter().collect();
    format!("{head}xx xxx {tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_vietnamese_mobiles_in_the_usual_spellings() {
        for (input, want) in [
            ("0912345678", "0912345678"),
            ("0912 345 678", "0912345678"),
            ("+84912345678", "0912345678"),
            ("84 912 345 678", "0912345678"),
            ("0358.123.456", "0358123456"),
            ("0701234567", "0701234567"),
            ("0861234567", "0861234567"),
            ("0591234567", "0591234567"),
        ] {
            assert_eq!(normalize(input).as_deref(), Some(want), "{input}");
        }
    }

    #[test]
    fn refuses_landlines_short_long_and_junk() {
        for input in [
            "",
            "0241234567",  // Hà Nội landline
            "02838123456", // Hồ Chí Minh City landline
            "091234567",   // 9 digits
            "09123456789", // 11 digits
            "1912345678",  // no leading 0
            "+8491234567", // short after +84
            "09123456７8", // full-width digit
            "0912345678😀",
            "' OR 1=1 --",
            &"9".repeat(500),
        ] {
            assert_eq!(normalize(input), None, "{input}");
        }
    }

    #[test]
    fn reads_back_in_groups() {
        assert_eq!(display("0912345678"), "0912 345 678");
        assert_eq!(display("091"), "091");
    }

    #[test]
    fn a_masked_number_shows_only_its_start_and_end() {
        assert_eq!(masked("0912345678"), "09xx xxx 678");
        assert_eq!(masked("0358123456"), "03xx xxx 456");
        assert_eq!(masked("123"), "xxx");
    }
}
