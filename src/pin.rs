//! The admin PIN: stored in the config only as an Argon2 hash, made by `motcua-kiosk hash-pin`.

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

#[derive(Debug, thiserror::Error)]
pub enum PinError {
    #[error("the PIN must be 6 to 12 digits")]
    BadFormat,
    #[error("could not hash the PIN: {0}")]
    Hash(String),
}

/// A PIN is 6 to 12 digits: typed on the kiosk's keypad, long enough not to be guessed in the
/// few attempts the admin screen allows.
pub fn check_format(pin: &str) -> Result<(), PinError> {
    if (6..=12).contains(&pin.len()) && pin.chars().all(|c| c.is_ascii_digit()) {
        Ok(())
    } else {
        Err(PinError::BadFormat)
    }
}

pub fn hash(pin: &str) -> Result<String, PinError> {
    check_format(pin)?;
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| PinError::Hash(e.to_string()))
}

pub fn verify(pin: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(pin.as_bytes(), &h)
            .is_ok()
    })
}

/// True for an Argon2 PHC string such as the ones [`hash`] makes.
pub fn is_valid_hash(hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| h.algorithm.as_str().starts_with("argon2"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_then_verify() {
        let h = hash("246810").unwrap();
        assert!(is_valid_hash(&h));
        assert!(verify("246810", &h));
        assert!(!verify("246811", &h));
    }

    #[test]
    fn rejects_short_or_non_digit_pins() {
        for bad in ["", "12345", "12a456", "1234567890123", "١٢٣٤٥٦"] {
            assert!(hash(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn garbage_is_not_a_hash() {
        assert!(!is_valid_hash("1234"));
        assert!(!is_valid_hash("$5$rounds=5000$abc$def"));
    }
}
