//! Typed decoding of frame payloads, with failures mapped to the CALLERROR code a peer expects.
//!
//! The mapping follows the mobilityhouse `ocpp` Python package, which many charge points and
//! backends are tested against: a missing required field is a `ProtocolError` ("payload
//! incomplete"), a wrong JSON type or an over-long string a `TypeConstraintViolation`, an unknown
//! field a `FormationViolation`. Where that package falls back to `FormationViolation` for every
//! other schema failure, we are more precise and follow the OCPP table instead: an enum value or
//! a date-time that is not allowed is a `PropertyConstraintViolation`, an empty array that needs
//! items an `OccurenceConstraintViolation`.
//!
//! Serde reports a failure as a message, so the classification reads the message prefix: serde's
//! own (`missing field`, `invalid type:`, `unknown variant`, ...) and the ones our types emit on
//! purpose (`string too long`, `too few items`, `invalid date-time`). Each prefix is pinned by a
//! test on a real message type.

use serde::de::DeserializeOwned;

use crate::action::Action;
use crate::error_code::ErrorCode;
use crate::frame::Frame;
use crate::message_id::MessageId;
use crate::messages::ALL_ACTIONS;
use crate::payload::Payload;

/// A payload that does not decode into the expected type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {description}")]
pub struct DecodeError {
    /// The code to answer with.
    pub code: ErrorCode,
    /// What went wrong, naming the field.
    pub description: String,
    /// Where it went wrong, e.g. `meterValue[0].sampledValue[1].unit`; `None` at the top level
    /// (a missing field is reported at the object that lacks it).
    pub field: Option<String>,
}

impl DecodeError {
    /// The CALLERROR that answers the CALL `id` which failed to decode.
    pub fn answer(&self, id: MessageId) -> Frame {
        Frame::call_error(id, self.code, self.description.clone())
    }
}

/// Decodes the payload of a CALL for action `A`.
pub fn decode_request<A: Action>(payload: &Payload) -> Result<A::Request, DecodeError> {
    decode_described(payload, || format!("{} request", A::NAME))
}

/// Decodes the payload of a CALLRESULT answering a CALL for action `A`.
pub fn decode_response<A: Action>(payload: &Payload) -> Result<A::Response, DecodeError> {
    decode_described(payload, || format!("{} response", A::NAME))
}

/// The error for a CALL whose action the receiver does not process: `NotImplemented` when OCPP
/// 1.6 (with the security extension) does not define the action at all, `NotSupported` when it
/// does but this side does not handle it (e.g. a charge point sending a CS-initiated action, or
/// an optional feature profile we left out). Action names are case-sensitive.
pub fn unhandled_action(action: &str) -> DecodeError {
    // Quoted and escaped: the name comes from the peer and may hold control characters.
    let shown = serde_json::Value::from(action).to_string();
    if ALL_ACTIONS.contains(&action) {
        DecodeError {
            code: ErrorCode::NotSupported,
            description: format!("action {shown} is not supported"),
            field: None,
        }
    } else {
        DecodeError {
            code: ErrorCode::NotImplemented,
            description: format!("unknown action {shown}"),
            field: None,
        }
    }
}

/// Decodes `payload` as `T`; `what` names it in descriptions, e.g. "BootNotification request".
pub fn decode_as<T: DeserializeOwned>(payload: &Payload, what: &str) -> Result<T, DecodeError> {
    decode_described(payload, || what.to_owned())
}

/// `describe` runs only on failure, so successful decodes do not format a name.
fn decode_described<T: DeserializeOwned>(
    payload: &Payload,
    describe: impl FnOnce() -> String,
) -> Result<T, DecodeError> {
    let mut deserializer = serde_json::Deserializer::from_str(payload.as_str());
    serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
        let path = err.path().to_string();
        let field = (path != ".").then_some(path);
        let inner = err.into_inner();
        let message = message_without_position(&inner);
        let code = match inner.classify() {
            serde_json::error::Category::Data => classify(&message),
            // Valid-JSON checks ran when the frame was parsed; what is left here (numbers out of
            // range, nesting too deep) is malformed content.
            _ => ErrorCode::FormationViolation,
        };
        let incomplete = if code == ErrorCode::ProtocolError {
            " incomplete"
        } else {
            ""
        };
        let what = describe();
        let description = match &field {
            Some(field) => format!("{what}{incomplete}: at `{field}`: {message}"),
            None => format!("{what}{incomplete}: {message}"),
        };
        DecodeError {
            code,
            description,
            field,
        }
    })
}

/// The CALLERROR code for a serde data error message (see the module documentation).
fn classify(message: &str) -> ErrorCode {
    const RULES: [(&str, ErrorCode); 9] = [
        ("missing field", ErrorCode::ProtocolError),
        ("invalid type:", ErrorCode::TypeConstraintViolation),
        ("string too long", ErrorCode::TypeConstraintViolation),
        ("unknown field", ErrorCode::FormationViolation),
        ("unknown variant", ErrorCode::PropertyConstraintViolation),
        ("too few items", ErrorCode::OccurenceConstraintViolation),
        ("too many items", ErrorCode::OccurenceConstraintViolation),
        ("invalid length", ErrorCode::OccurenceConstraintViolation),
        // serde's `invalid value:` and our `invalid date-time`: a value of the right type that
        // the field does not allow.
        ("invalid ", ErrorCode::PropertyConstraintViolation),
    ];
    RULES
        .iter()
        .find(|(prefix, _)| message.starts_with(prefix))
        .map_or(ErrorCode::FormationViolation, |(_, code)| *code)
}

/// serde_json appends " at line L column C"; within a payload (or one frame element) that position
/// means little to the peer, while the field path says where the problem is.
pub(crate) fn message_without_position(err: &serde_json::Error) -> String {
    let message = err.to_string();
    let suffix = format!(" at line {} column {}", err.line(), err.column());
    match message.strip_suffix(&suffix) {
        Some(stripped) => stripped.to_owned(),
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_every_known_prefix() {
        for (message, code) in [
            ("missing field `a`", ErrorCode::ProtocolError),
            (
                "invalid type: string \"1\", expected u32",
                ErrorCode::TypeConstraintViolation,
            ),
            (
                "string too long: 21 characters",
                ErrorCode::TypeConstraintViolation,
            ),
            (
                "unknown field `x`, expected `a`",
                ErrorCode::FormationViolation,
            ),
            (
                "unknown variant `X`, expected one of",
                ErrorCode::PropertyConstraintViolation,
            ),
            (
                "too few items: empty",
                ErrorCode::OccurenceConstraintViolation,
            ),
            (
                "invalid length 0, expected 1",
                ErrorCode::OccurenceConstraintViolation,
            ),
            (
                "invalid value: integer `-1`, expected u32",
                ErrorCode::PropertyConstraintViolation,
            ),
            (
                "invalid date-time \"x\"",
                ErrorCode::PropertyConstraintViolation,
            ),
            ("duplicate field `a`", ErrorCode::FormationViolation),
            ("something else", ErrorCode::FormationViolation),
        ] {
            assert_eq!(classify(message), code, "{message}");
        }
    }

    #[test]
    fn unknown_actions_are_not_implemented_and_known_ones_not_supported() {
        assert_eq!(unhandled_action("Foo").code, ErrorCode::NotImplemented);
        assert_eq!(
            unhandled_action("Foo").description,
            "unknown action \"Foo\""
        );
        assert_eq!(
            unhandled_action("heartbeat").code,
            ErrorCode::NotImplemented
        );
        let reset = unhandled_action("Reset");
        assert_eq!(reset.code, ErrorCode::NotSupported);
        assert_eq!(reset.description, "action \"Reset\" is not supported");
    }
}
