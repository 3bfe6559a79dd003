//! The `Secret` value type: hard to leak, wiped from memory when dropped.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::SecretError;

/// A secret value (a password).
///
/// Debug and Display print `***`, so it cannot end up in a log line or an error by accident. It can be
/// deserialized (from a plain string, e.g. a UI request) but deliberately not serialized: the only way
/// out is [`Secret::expose`]. The memory holding the value is overwritten with zeros when dropped.
#[derive(Clone)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// Wraps a value; an empty value is rejected because it always means "not entered".
    pub fn new(value: impl Into<String>) -> Result<Self, SecretError> {
        let value = Zeroizing::new(value.into());
        if value.is_empty() {
            return Err(SecretError::Empty);
        }
        Ok(Self(value))
    }

    /// The value itself, for the one place that has to send it (an HTTP header, the keyring).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether `candidate` equals this secret, in time that does not depend on where they differ, so
    /// a peer guessing a password cannot learn it byte by byte from response times.
    pub fn matches(&self, candidate: &str) -> bool {
        self.0.as_bytes().ct_eq(candidate.as_bytes()).into()
    }
}

impl TryFrom<String> for Secret {
    type Error = SecretError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // `deserialize_any`, because with `deserialize_string` a format reports a wrongly typed value
        // itself, quoting it, without asking the visitor.
        deserializer.deserialize_any(SecretVisitor)
    }
}

/// Accepts only a non-empty string. Serde's default messages for other types quote the value they
/// got ("invalid type: integer `1234`"), which would put a mistyped password into an error, so every
/// other type gets a message that names only what was expected.
struct SecretVisitor;

const EXPECTED: &str = "a secret must be a non-empty string";

impl<'de> Visitor<'de> for SecretVisitor {
    type Value = Secret;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a non-empty string")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Secret, E> {
        Secret::new(value).map_err(E::custom)
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<Secret, E> {
        Secret::new(value).map_err(E::custom)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Secret, E> {
        Err(E::custom(EXPECTED))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Secret, E> {
        Err(E::custom(EXPECTED))
    }

    fn visit_i128<E: de::Error>(self, _: i128) -> Result<Secret, E> {
        Err(E::custom(EXPECTED))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Secret, E> {
        Err(E::custom(EXPECTED))
    }

    fn visit_u128<E: de::Error>(self, _: u128) -> Result<Secret, E> {
        Err(E::custom(EXPECTED))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Secret, E> {
        Err(E::custom(EXPECTED))
    }

    fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<Secret, E> {
        Err(E::custom(EXPECTED))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_hide_the_value() {
        let secret = Secret::new("hunter2").unwrap();
        assert_eq!(format!("{secret:?}"), "***");
        assert_eq!(format!("{secret}"), "***");
        assert_eq!(format!("{:?}", Some(secret.clone())), "Some(***)");
        assert_eq!(secret.expose(), "hunter2");
    }

    #[test]
    fn empty_is_rejected() {
        assert!(matches!(Secret::new(""), Err(SecretError::Empty)));
        let error = serde_json::from_str::<Secret>(r#""""#).unwrap_err();
        assert!(error.to_string().contains("must not be empty"), "{error}");
    }

    #[test]
    fn deserializes_from_a_plain_string() {
        let secret: Secret = serde_json::from_str(r#""s3cr3t""#).unwrap();
        assert_eq!(secret.expose(), "s3cr3t");
    }

    #[test]
    fn wrongly_typed_input_is_not_quoted_in_the_error() {
        for input in ["918273645", "-918273645", "918273645.5", "true"] {
            let error = serde_json::from_str::<Secret>(input).unwrap_err();
            let message = error.to_string();
            assert!(message.contains(EXPECTED), "{message}");
            assert!(!message.contains("918273645"), "{message}");
        }
    }

    #[test]
    fn matches_compares_the_whole_value() {
        let secret = Secret::new("correct horse").unwrap();
        assert!(secret.matches("correct horse"));
        assert!(!secret.matches("correct hors"));
        assert!(!secret.matches("correct horse "));
        assert!(!secret.matches("Correct horse"));
        assert!(!secret.matches(""));
    }
}
