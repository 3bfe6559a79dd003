//! OCPP-J frames (OCPP-J 1.6 §4): the JSON arrays that travel in WebSocket text messages.
//!
//! Payloads stay raw JSON text ([`Payload`]) so that a relay forwards them byte for byte and
//! typed decoding happens once, on demand (see `payload.rs` for the reasoning). Parsing lives in
//! `frame_parse.rs`.

use std::fmt::Write as _;

use crate::action::Action;
use crate::error_code::ErrorCode;
use crate::message_id::MessageId;
use crate::payload::{Payload, PayloadError};

/// The first element of a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageType {
    Call = 2,
    CallResult = 3,
    CallError = 4,
}

impl MessageType {
    pub fn from_number(number: u64) -> Option<MessageType> {
        match number {
            2 => Some(MessageType::Call),
            3 => Some(MessageType::CallResult),
            4 => Some(MessageType::CallError),
            _ => None,
        }
    }

    pub const fn number(self) -> u8 {
        self as u8
    }

    /// How many elements a well-formed frame of this type has.
    pub const fn element_count(self) -> usize {
        match self {
            MessageType::Call => 4,
            MessageType::CallResult => 3,
            MessageType::CallError => 5,
        }
    }
}

/// One OCPP-J message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// `[2, id, action, payload]`
    Call {
        id: MessageId,
        action: String,
        payload: Payload,
    },
    /// `[3, id, payload]`
    CallResult { id: MessageId, payload: Payload },
    /// `[4, id, code, description, details]`
    CallError {
        id: MessageId,
        code: ErrorCode,
        description: String,
        details: Payload,
        /// The code exactly as received when it was none of the OCPP codes; `code` is then
        /// `GenericError`. Kept so logs show what the peer really said; never sent.
        unrecognized_code: Option<String>,
    },
}

impl Frame {
    /// A CALL carrying a typed request for `A`.
    pub fn call<A: Action>(id: MessageId, request: &A::Request) -> Result<Frame, PayloadError> {
        Ok(Frame::Call {
            id,
            action: A::NAME.to_owned(),
            payload: Payload::from_serialize(request)?,
        })
    }

    /// A CALLRESULT carrying a typed response for `A`.
    pub fn call_result<A: Action>(
        id: MessageId,
        response: &A::Response,
    ) -> Result<Frame, PayloadError> {
        Ok(Frame::CallResult {
            id,
            payload: Payload::from_serialize(response)?,
        })
    }

    /// A CALLERROR with empty details.
    pub fn call_error(id: MessageId, code: ErrorCode, description: impl Into<String>) -> Frame {
        Frame::CallError {
            id,
            code,
            description: description.into(),
            details: Payload::empty(),
            unrecognized_code: None,
        }
    }

    pub fn id(&self) -> &MessageId {
        match self {
            Frame::Call { id, .. } | Frame::CallResult { id, .. } | Frame::CallError { id, .. } => {
                id
            }
        }
    }

    pub fn message_type(&self) -> MessageType {
        match self {
            Frame::Call { .. } => MessageType::Call,
            Frame::CallResult { .. } => MessageType::CallResult,
            Frame::CallError { .. } => MessageType::CallError,
        }
    }

    /// The frame as sent on the wire: compact JSON, payloads inserted verbatim, error codes in
    /// their 1.6 spelling and an empty CALLERROR description written as `""`.
    pub fn to_text(&self) -> String {
        match self {
            Frame::Call {
                id,
                action,
                payload,
            } => {
                let mut text = String::with_capacity(payload.as_str().len() + 64);
                text.push_str("[2,");
                push_json_string(&mut text, id.as_str());
                text.push(',');
                push_json_string(&mut text, action);
                text.push(',');
                text.push_str(payload.as_str());
                text.push(']');
                text
            }
            Frame::CallResult { id, payload } => {
                let mut text = String::with_capacity(payload.as_str().len() + 48);
                text.push_str("[3,");
                push_json_string(&mut text, id.as_str());
                text.push(',');
                text.push_str(payload.as_str());
                text.push(']');
                text
            }
            Frame::CallError {
                id,
                code,
                description,
                details,
                ..
            } => call_error_text(id.as_str(), *code, description, details),
        }
    }
}

/// A CALLERROR as text. Takes the id as a plain string because the answer to a frame whose id
/// breaks the 36-character limit must still echo that id (see `frame_parse.rs`).
pub(crate) fn call_error_text(
    id: &str,
    code: ErrorCode,
    description: &str,
    details: &Payload,
) -> String {
    let mut text = String::with_capacity(details.as_str().len() + description.len() + 80);
    text.push_str("[4,");
    push_json_string(&mut text, id);
    text.push(',');
    push_json_string(&mut text, code.as_str());
    text.push(',');
    push_json_string(&mut text, description);
    text.push(',');
    text.push_str(details.as_str());
    text.push(']');
    text
}

/// Appends `value` as a JSON string literal. Written by hand because serde_json's string
/// serializer returns a `Result` that cannot fail for a `&str`; this keeps `to_text` infallible
/// without an `expect`.
pub(crate) fn push_json_string(out: &mut String, value: &str) {
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            c if u32::from(c) < 0x20 => {
                // Writing to a String cannot fail.
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn id(text: &str) -> MessageId {
        MessageId::new(text).unwrap()
    }

    #[test]
    fn writes_each_frame_type_compactly() {
        let call = Frame::Call {
            id: id("19223201"),
            action: "BootNotification".into(),
            payload: Payload::from_json(r#"{"chargePointVendor":"V","chargePointModel":"M"}"#)
                .unwrap(),
        };
        assert_eq!(
            call.to_text(),
            r#"[2,"19223201","BootNotification",{"chargePointVendor":"V","chargePointModel":"M"}]"#
        );
        let result = Frame::CallResult {
            id: id("19223201"),
            payload: Payload::from_json(r#"{"currentTime":"2013-02-01T20:53:32.486Z"}"#).unwrap(),
        };
        assert_eq!(
            result.to_text(),
            r#"[3,"19223201",{"currentTime":"2013-02-01T20:53:32.486Z"}]"#
        );
    }

    #[test]
    fn an_empty_call_error_writes_empty_string_and_empty_object() {
        let error = Frame::call_error(id("7"), ErrorCode::NotImplemented, "");
        assert_eq!(error.to_text(), r#"[4,"7","NotImplemented","",{}]"#);
    }

    #[test]
    fn escapes_strings_so_serde_json_reads_them_back() {
        let nasty = "q\"b\\s/\n\r\t\u{8}\u{c}\u{0}\u{1f}\u{7f}ä😀";
        let mut text = String::new();
        push_json_string(&mut text, nasty);
        assert_eq!(serde_json::from_str::<String>(&text).unwrap(), nasty);
    }

    #[test]
    fn error_codes_are_written_in_the_16_spelling() {
        let error = Frame::call_error(id("x"), ErrorCode::OccurenceConstraintViolation, "d");
        assert_eq!(
            error.to_text(),
            r#"[4,"x","OccurenceConstraintViolation","d",{}]"#
        );
    }
}
