//! The request rules of the contract, one function per schema of
//! `docs/central-api.openapi.yaml`. Each accepts exactly what the schema's pattern accepts, so
//! a back end written from the YAML and this server agree on every input.

use crate::problem::ApiError;

/// `RequestId`: `^[!-~]{1,128}$`, printable ASCII without spaces.
pub fn request_id(field: &str, value: &str) -> Result<String, ApiError> {
    let ok = (1..=128).contains(&value.len()) && value.bytes().all(|b| (b'!'..=b'~').contains(&b));
    if ok {
        Ok(value.to_string())
    } else {
        Err(ApiError::bad(
            field,
            "1 to 128 printable ASCII characters without spaces (a UUID)",
        ))
    }
}

/// `ServiceId` and `KioskId`: `^[A-Za-z0-9_-]{1,32}$`.
pub fn is_identifier(value: &str) -> bool {
    (1..=32).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

pub fn service_id(field: &str, value: &str) -> Result<String, ApiError> {
    if is_identifier(value) {
        Ok(value.to_string())
    } else {
        Err(ApiError::bad(field, "1 to 32 letters, digits, '-' or '_'"))
    }
}

/// `ProcedureCode`: `^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`.
pub fn procedure_code(field: &str, value: &str) -> Result<String, ApiError> {
    let b = value.as_bytes();
    let ok = (1..=64).contains(&b.len())
        && b[0].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-'));
    if ok {
        Ok(value.to_string())
    } else {
        Err(ApiError::bad(
            field,
            "1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit",
        ))
    }
}

/// `TicketNumber`: `^[A-Za-z0-9][A-Za-z0-9-]{0,31}$`.
pub fn ticket_number(field: &str, value: &str) -> Result<String, ApiError> {
    let b = value.as_bytes();
    let ok = (1..=32).contains(&b.len())
        && b[0].is_ascii_alphanumeric()
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-');
    if ok {
        Ok(value.to_string())
    } else {
        Err(ApiError::bad(
            field,
            "1 to 32 letters, digits or '-', starting with a letter or digit (e.g. HT-042)",
        ))
    }
}

/// `Phone`: `^(0|\+84)[35789][0-9]{8}$`. Returns the national form `0XXXXXXXXX`.
pub fn phone(field: &str, value: &str) -> Result<String, ApiError> {
    let national = match value.strip_prefix("+84") {
        Some(rest) => format!("0{rest}"),
        None => value.to_string(),
    };
    let b = national.as_bytes();
    let ok = b.len() == 10
        && b[0] == b'0'
        && matches!(b[1], b'3' | b'5' | b'7' | b'8' | b'9')
        && b.iter().all(u8::is_ascii_digit);
    if ok {
        Ok(national)
    } else {
        Err(ApiError::bad(
            field,
            "a Vietnamese mobile number, 0 or +84 then 9 digits starting 3, 5, 7, 8 or 9",
        ))
    }
}

/// The schema's control characters: `\x00-\x1f` and `\x7f-\x9f` (Unicode category Cc).
fn has_control(value: &str) -> bool {
    value.chars().any(char::is_control)
}

/// `Counter`, `reason`, `version`: 1 to `max` characters (code points), none a control character.
pub fn short_text(field: &str, value: &str, max: usize) -> Result<String, ApiError> {
    let len = value.chars().count();
    if (1..=max).contains(&len) && !has_control(value) {
        Ok(value.to_string())
    } else {
        Err(ApiError::bad(
            field,
            format!("1 to {max} characters, no control characters"),
        ))
    }
}

/// White space as ECMA-262 regular expressions (the dialect of JSON Schema's `pattern`) read
/// `\s`: tab, line and form feeds, carriage return, the Unicode space separators and U+FEFF.
fn is_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202f}'
                | '\u{205f}'
                | '\u{3000}'
                | '\u{feff}'
    )
}

/// `NonBlankText`: 1 to 10,000 characters, at least one of them not a space.
pub fn non_blank(field: &str, value: &str) -> Result<String, ApiError> {
    let len = value.chars().count();
    if (1..=10_000).contains(&len) && value.chars().any(|c| !is_space(c)) {
        Ok(value.to_string())
    } else {
        Err(ApiError::bad(
            field,
            "1 to 10000 characters, not all spaces",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_printable_ascii_without_spaces() {
        assert!(request_id("r", "6f1c2a9e-0c1b-4f7e-9a51-3d2f8e7b1c40").is_ok());
        assert!(request_id("r", "!~").is_ok());
        assert!(request_id("r", &"a".repeat(128)).is_ok());
        for bad in ["", " x", "x y", "é", &"a".repeat(129), "a\u{7f}"] {
            assert!(request_id("r", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn phones_follow_the_pattern_exactly() {
        assert_eq!(phone("p", "0912345678").ok().as_deref(), Some("0912345678"));
        assert_eq!(
            phone("p", "+84912345678").ok().as_deref(),
            Some("0912345678")
        );
        for bad in [
            "",
            "0212345678",
            "091234567",
            "09123456789",
            "0912 345 678",
            "84912345678",
            "+840912345678",
        ] {
            assert!(phone("p", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn numbers_and_ids() {
        assert!(ticket_number("n", "K1-HT-003").is_ok());
        assert!(ticket_number("n", "-HT").is_err());
        assert!(ticket_number("n", "HT 1").is_err());
        assert!(is_identifier("ho-tich") && is_identifier("KIOSK_01"));
        assert!(!is_identifier("") && !is_identifier("hộ-tịch") && !is_identifier(&"a".repeat(33)));
    }

    #[test]
    fn text_rules() {
        assert!(short_text("c", "Quầy 3", 32).is_ok());
        assert!(short_text("c", " ", 32).is_ok());
        assert!(short_text("c", "a\nb", 32).is_err());
        assert!(short_text("c", "\u{85}", 32).is_err());
        assert!(short_text("c", &"ầ".repeat(33), 32).is_err());
        assert!(non_blank("n", "Hộ tịch\n").is_ok());
        assert!(non_blank("n", " \t\u{a0}\u{feff}\u{3000}").is_err());
        // Not white space to ECMA-262, whatever other regex dialects say.
        assert!(non_blank("n", "\u{1f}").is_ok() && non_blank("n", "\u{85}").is_ok());
        assert!(non_blank("n", "").is_err());
    }
}
