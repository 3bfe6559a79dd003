//! OCPP `dateTime` values.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// An RFC 3339 date-time as it appeared on the wire, together with the instant it denotes.
///
/// The original text is kept (and serialized back) so a message survives a typed round trip
/// unchanged: fractional digits and the offset a charge point chose are part of what it signed or
/// logged, and rewriting them would make our copy disagree with its own.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct DateTime {
    text: String,
    instant: OffsetDateTime,
}

/// A value that is not an RFC 3339 date-time (or an instant RFC 3339 cannot express).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid date-time {text:?}: expected RFC 3339 like \"2024-05-01T12:00:00Z\" ({reason})")]
pub struct InvalidDateTime {
    pub text: String,
    pub reason: String,
}

impl DateTime {
    /// Parses an RFC 3339 date-time, keeping `text` verbatim.
    pub fn parse(text: impl Into<String>) -> Result<Self, InvalidDateTime> {
        let text = text.into();
        match OffsetDateTime::parse(&text, &Rfc3339) {
            Ok(instant) => Ok(Self { text, instant }),
            Err(err) => Err(InvalidDateTime {
                text,
                reason: err.to_string(),
            }),
        }
    }

    /// Formats an instant as RFC 3339 (years 0000–9999, whole-minute offsets only).
    pub fn from_instant(instant: OffsetDateTime) -> Result<Self, InvalidDateTime> {
        match instant.format(&Rfc3339) {
            Ok(text) => Ok(Self { text, instant }),
            Err(err) => Err(InvalidDateTime {
                text: instant.to_string(),
                reason: err.to_string(),
            }),
        }
    }

    /// The text exactly as received or formatted.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The instant, with the offset the sender used.
    pub fn instant(&self) -> OffsetDateTime {
        self.instant
    }
}

impl TryFrom<OffsetDateTime> for DateTime {
    type Error = InvalidDateTime;

    fn try_from(instant: OffsetDateTime) -> Result<Self, Self::Error> {
        Self::from_instant(instant)
    }
}

impl std::str::FromStr for DateTime {
    type Err = InvalidDateTime;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Debug for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.text, f)
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Serialize for DateTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for DateTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn keeps_the_original_text_and_knows_the_instant() {
        let dt = DateTime::parse("2024-05-01T14:00:00.120+02:00").unwrap();
        assert_eq!(dt.as_str(), "2024-05-01T14:00:00.120+02:00");
        assert_eq!(dt.instant(), datetime!(2024-05-01 12:00:00.12 UTC));
        assert_eq!(
            serde_json::to_string(&dt).unwrap(),
            "\"2024-05-01T14:00:00.120+02:00\""
        );
    }

    #[test]
    fn refuses_text_that_is_not_rfc3339() {
        for bad in [
            "2024-05-01 12:00",
            "2024-05-01T12:00:00",
            "01.05.2024 12:00:00",
            "2024-13-01T00:00:00Z",
            "",
        ] {
            let err = serde_json::from_value::<DateTime>(serde_json::json!(bad)).unwrap_err();
            assert!(
                err.to_string().starts_with("invalid date-time"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn formats_an_instant_as_rfc3339() {
        let dt = DateTime::from_instant(datetime!(2024-05-01 12:00:00 UTC)).unwrap();
        assert_eq!(dt.as_str(), "2024-05-01T12:00:00Z");
        // RFC 3339 offsets are whole minutes.
        assert!(DateTime::from_instant(datetime!(2024-05-01 12:00:00 +01:00:30)).is_err());
    }
}
