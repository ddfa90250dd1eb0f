//! Vietnamese mobile numbers: the international form gateways expect, and the masked form
//! logs may show.

use std::fmt;

/// A Vietnamese mobile number, `0` or `+84`/`84` then 9 digits starting 3, 5, 7, 8 or 9 (the
/// pattern the API accepts for tickets).
#[derive(Clone, PartialEq, Eq)]
pub struct Mobile {
    /// The 9 digits after the country code.
    subscriber: String,
}

impl Mobile {
    /// Parses the national (`0912345678`) or international (`84912345678`, `+84912345678`) form.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        let rest = s
            .strip_prefix("+84")
            .or_else(|| s.strip_prefix("84").filter(|r| r.len() == 9))
            .or_else(|| s.strip_prefix('0'))?;
        let ok = rest.len() == 9
            && rest.bytes().all(|b| b.is_ascii_digit())
            && matches!(rest.as_bytes()[0], b'3' | b'5' | b'7' | b'8' | b'9');
        ok.then(|| Self {
            subscriber: rest.to_string(),
        })
    }

    /// `84912345678`: what SMPP (TON international) and Kannel expect.
    pub fn international(&self) -> String {
        format!("84{}", self.subscriber)
    }

    /// `0912345678`.
    pub fn national(&self) -> String {
        format!("0{}", self.subscriber)
    }

    /// `09xxxxx678`: enough to tell two numbers apart in a log, not enough to call one.
    pub fn masked(&self) -> String {
        let n = self.national();
        format!("{}xxxxx{}", &n[..2], &n[7..])
    }
}

/// Only the masked form: a number must not reach a log through `{:?}` either.
impl fmt::Debug for Mobile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Mobile({})", self.masked())
    }
}

impl fmt::Display for Mobile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

/// Masks anything that may be a phone number: all but the first two and last three
/// characters (or all of a short one) become `x`.
pub fn mask(s: &str) -> String {
    if let Some(m) = Mobile::parse(s) {
        return m.masked();
    }
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= 6 {
        return "x".repeat(chars.len());
    }
    let n = chars.len();
    chars
        .iter()
        .enumerate()
        .map(|(i, &c)| if i < 2 || i >= n - 3 { c } else { 'x' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn national_and_international_forms() {
        for s in ["0912345678", "84912345678", "+84912345678", " 0912345678 "] {
            let m = Mobile::parse(s).unwrap_or_else(|| panic!("{s}"));
            assert_eq!(m.international(), "84912345678");
            assert_eq!(m.national(), "0912345678");
            assert_eq!(m.masked(), "09xxxxx678");
            assert_eq!(format!("{m:?}"), "Mobile(09xxxxx678)");
        }
        for bad in [
            "",
            "0",
            "091234567",
            "09123456789",
            "0212345678",
            "0912 345678",
            "+8412345678",
            "849123456789",
            "0912345a78",
            "84212345678",
        ] {
            assert!(Mobile::parse(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn masks_anything() {
        assert_eq!(mask("0912345678"), "09xxxxx678");
        assert_eq!(mask("+1 555 0100 200"), "+1xxxxxxxxxx200");
        assert_eq!(mask("12345"), "xxxxx");
    }
}
