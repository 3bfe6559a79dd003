//! Length-limited strings (OCPP `CiStringNType`).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A string of at most `N` characters, as the schemas' `maxLength` demands.
///
/// OCPP calls these "case-insensitive strings", but the text is kept exactly as received so a relayed
/// message is not altered; compare with [`CiString::eq_ignore_ascii_case`] where the specification
/// asks for case-insensitive matching (e.g. idTags, configuration keys). The security extension's
/// bounded strings (certificates, CSRs, URLs) use the same type with their own limit.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CiString<const N: usize>(String);

pub type CiString20 = CiString<20>;
pub type CiString25 = CiString<25>;
pub type CiString50 = CiString<50>;
pub type CiString255 = CiString<255>;
pub type CiString500 = CiString<500>;

/// A string exceeded its `maxLength`. The message starts with "string too long" because the framing
/// layer recognises that prefix and answers with a TypeConstraintViolation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("string too long: {length} characters where at most {max} are allowed")]
pub struct StringTooLong {
    pub length: usize,
    pub max: usize,
}

impl<const N: usize> CiString<N> {
    /// The maximum length in characters (JSON Schema counts code points, not bytes).
    pub const MAX_LEN: usize = N;

    pub fn new(value: impl Into<String>) -> Result<Self, StringTooLong> {
        let value = value.into();
        let length = value.chars().count();
        if length > N {
            return Err(StringTooLong { length, max: N });
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }

    /// Case-insensitive comparison (ASCII only: OCPP identifiers are printable ASCII in practice).
    pub fn eq_ignore_ascii_case(&self, other: &str) -> bool {
        self.0.eq_ignore_ascii_case(other)
    }
}

impl<const N: usize> fmt::Debug for CiString<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl<const N: usize> fmt::Display for CiString<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<const N: usize> AsRef<str> for CiString<N> {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl<const N: usize> PartialEq<str> for CiString<N> {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl<const N: usize> PartialEq<&str> for CiString<N> {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl<const N: usize> FromStr for CiString<N> {
    type Err = StringTooLong;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl<const N: usize> TryFrom<String> for CiString<N> {
    type Error = StringTooLong;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl<const N: usize> TryFrom<&str> for CiString<N> {
    type Error = StringTooLong;

    fn try_from(value: &str) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl<const N: usize> From<CiString<N>> for String {
    fn from(value: CiString<N>) -> Self {
        value.0
    }
}

impl<const N: usize> Serialize for CiString<N> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de, const N: usize> Deserialize<'de> for CiString<N> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = String::deserialize(deserializer)?;
        Self::new(value).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn counts_characters_not_bytes() {
        // 20 two-byte characters are 40 bytes but still fit a CiString20.
        let twenty = "ü".repeat(20);
        assert_eq!(CiString20::new(twenty.clone()).unwrap().as_str(), twenty);
        let err = CiString20::new("ü".repeat(21)).unwrap_err();
        assert_eq!(
            err,
            StringTooLong {
                length: 21,
                max: 20
            }
        );
    }

    #[test]
    fn deserialize_refuses_too_long_with_recognisable_message() {
        let err = serde_json::from_str::<CiString<3>>("\"abcd\"").unwrap_err();
        assert!(err.to_string().starts_with("string too long"), "{err}");
        let ok: CiString<3> = serde_json::from_str("\"abc\"").unwrap();
        assert_eq!(ok, "abc");
    }

    #[test]
    fn keeps_case_but_compares_case_insensitively_on_request() {
        let tag = CiString20::new("AbC123").unwrap();
        assert_eq!(serde_json::to_string(&tag).unwrap(), "\"AbC123\"");
        assert!(tag.eq_ignore_ascii_case("abc123"));
        assert_ne!(tag, "abc123");
    }
}
