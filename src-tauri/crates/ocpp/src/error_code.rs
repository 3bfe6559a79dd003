//! The `errorCode` of a CALLERROR (OCPP-J 1.6 §4.2.3).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Why a CALL could not be answered with a CALLRESULT.
///
/// The variants carry the OCPP 1.6 spellings, including the misspelt `OccurenceConstraintViolation`,
/// because 1.6 peers compare the code as a string and the errata keep these spellings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// The action is unknown.
    NotImplemented,
    /// The action is known but not supported by the receiver.
    NotSupported,
    /// The receiver failed while processing the action.
    InternalError,
    /// The payload is incomplete.
    ProtocolError,
    /// A security problem, e.g. a CALL before the charge point was accepted.
    SecurityError,
    /// Malformed JSON or a wrong PDU structure.
    FormationViolation,
    /// A field holds a value that is not allowed.
    PropertyConstraintViolation,
    /// A field occurs too often or too rarely.
    OccurenceConstraintViolation,
    /// A field has the wrong type.
    TypeConstraintViolation,
    /// Anything else.
    GenericError,
}

/// A CALLERROR code that neither OCPP 1.6 nor 2.x defines.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown OCPP error code `{0}`")]
pub struct UnknownErrorCode(pub String);

impl ErrorCode {
    pub const ALL: [ErrorCode; 10] = [
        ErrorCode::NotImplemented,
        ErrorCode::NotSupported,
        ErrorCode::InternalError,
        ErrorCode::ProtocolError,
        ErrorCode::SecurityError,
        ErrorCode::FormationViolation,
        ErrorCode::PropertyConstraintViolation,
        ErrorCode::OccurenceConstraintViolation,
        ErrorCode::TypeConstraintViolation,
        ErrorCode::GenericError,
    ];

    /// The OCPP 1.6 spelling, which is what we always send.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::NotImplemented => "NotImplemented",
            ErrorCode::NotSupported => "NotSupported",
            ErrorCode::InternalError => "InternalError",
            ErrorCode::ProtocolError => "ProtocolError",
            ErrorCode::SecurityError => "SecurityError",
            ErrorCode::FormationViolation => "FormationViolation",
            ErrorCode::PropertyConstraintViolation => "PropertyConstraintViolation",
            ErrorCode::OccurenceConstraintViolation => "OccurenceConstraintViolation",
            ErrorCode::TypeConstraintViolation => "TypeConstraintViolation",
            ErrorCode::GenericError => "GenericError",
        }
    }

    /// Reads a code as peers send it. Besides the 1.6 spellings this accepts the 2.x spellings
    /// `FormatViolation` and `OccurrenceConstraintViolation`, which some 1.6 implementations (and
    /// libraries shared between versions) send anyway. Matching is exact: OCPP codes are
    /// case-sensitive.
    pub fn from_wire(code: &str) -> Option<ErrorCode> {
        match code {
            "FormatViolation" => Some(ErrorCode::FormationViolation),
            "OccurrenceConstraintViolation" => Some(ErrorCode::OccurenceConstraintViolation),
            _ => ErrorCode::ALL
                .into_iter()
                .find(|known| known.as_str() == code),
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ErrorCode {
    type Err = UnknownErrorCode;

    fn from_str(code: &str) -> Result<Self, Self::Err> {
        ErrorCode::from_wire(code).ok_or_else(|| UnknownErrorCode(code.to_owned()))
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ErrorCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        code.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_code_reads_back_its_own_spelling() {
        for code in ErrorCode::ALL {
            assert_eq!(ErrorCode::from_wire(code.as_str()), Some(code));
            assert_eq!(code.to_string(), code.as_str());
        }
    }

    #[test]
    fn the_2x_spellings_are_aliases_that_serialize_as_16() {
        let format: ErrorCode = serde_json::from_str("\"FormatViolation\"").unwrap();
        assert_eq!(format, ErrorCode::FormationViolation);
        assert_eq!(
            serde_json::to_string(&format).unwrap(),
            "\"FormationViolation\""
        );

        let occurrence: ErrorCode = "OccurrenceConstraintViolation".parse().unwrap();
        assert_eq!(occurrence, ErrorCode::OccurenceConstraintViolation);
        assert_eq!(occurrence.as_str(), "OccurenceConstraintViolation");
    }

    #[test]
    fn unknown_and_differently_cased_codes_are_refused() {
        assert_eq!(
            "Exploded".parse::<ErrorCode>(),
            Err(UnknownErrorCode("Exploded".to_owned()))
        );
        assert_eq!(ErrorCode::from_wire("genericerror"), None);
        assert_eq!(ErrorCode::from_wire(""), None);
        let err = serde_json::from_str::<ErrorCode>("\"Nope\"").unwrap_err();
        assert!(
            err.to_string().contains("unknown OCPP error code `Nope`"),
            "{err}"
        );
    }
}
