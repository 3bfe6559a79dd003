//! Reading a WebSocket text message into a [`Frame`], and the CALLERROR that answers a bad one.
//!
//! The text is read element by element, and each element is kept as raw JSON as soon as it is
//! complete. That way a frame that breaks later on (truncated JSON, trailing garbage, a payload
//! that is not an object) still yields its message id, and the CALLERROR can echo it so the peer
//! can match the error to its CALL instead of waiting for a timeout.
//!
//! Every structural fault is a `FormationViolation` (OCPP-J 1.6 §4.2.3: "malformed JSON or wrong
//! PDU structure"). Decisions the specification leaves open:
//! - An id longer than 36 characters is refused, but the answer echoes it verbatim: it is the only
//!   thing that lets the peer correlate the error, and it is the peer's own id.
//! - When no id can be read, the answer uses `"-1"`, the id OCPP 2.0.1 prescribes for that case;
//!   1.6 says nothing.
//! - A malformed CALLRESULT or CALLERROR gets no answer: OCPP-J answers only CALLs, and an error
//!   sent in reply to a response would be matched against a CALL the peer never made.
//! - A CALLERROR with a code OCPP does not define is still accepted, as `GenericError` with the
//!   original code kept, so the pending CALL is resolved rather than left to time out.

use std::fmt;

use serde::de::{DeserializeSeed, IgnoredAny, SeqAccess, Visitor};
use serde_json::error::Category;
use serde_json::value::RawValue;

use crate::decode::message_without_position;
use crate::error_code::ErrorCode;
use crate::frame::{call_error_text, Frame, MessageType};
use crate::message_id::MessageId;
use crate::payload::{json_kind, Payload, PayloadError};

/// The id a CALLERROR carries when the faulty frame's id could not be read.
pub const UNREADABLE_MESSAGE_ID: &str = "-1";

/// Why a text message is not a valid frame, and what to answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {description}")]
pub struct FrameError {
    /// The code to answer with.
    pub code: ErrorCode,
    pub description: String,
    /// The second element when it was a JSON string: verbatim, even when it is longer than 36
    /// characters, because the answer must echo what the peer sent.
    pub message_id: Option<String>,
    /// The message type when the first element was 2, 3 or 4.
    pub message_type: Option<MessageType>,
}

impl FrameError {
    /// The CALLERROR text to send back, or `None` when the frame was recognisably a CALLRESULT or
    /// CALLERROR, which are never answered.
    pub fn answer(&self) -> Option<String> {
        match self.message_type {
            Some(MessageType::CallResult | MessageType::CallError) => None,
            Some(MessageType::Call) | None => Some(call_error_text(
                self.message_id.as_deref().unwrap_or(UNREADABLE_MESSAGE_ID),
                self.code,
                &self.description,
                &Payload::empty(),
            )),
        }
    }
}

/// Reads one OCPP-J frame. Never panics, whatever the input.
pub fn parse_frame(text: &str) -> Result<Frame, FrameError> {
    let mut elements = Elements::default();
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let read = ElementsSeed(&mut elements)
        .deserialize(&mut deserializer)
        .and_then(|()| deserializer.end());

    let reader = FrameReader {
        message_id: elements
            .kept
            .get(1)
            .and_then(|raw| serde_json::from_str::<String>(raw.get()).ok()),
        message_type: elements
            .kept
            .first()
            .and_then(|raw| serde_json::from_str::<u64>(raw.get()).ok())
            .and_then(MessageType::from_number),
    };

    if let Err(err) = read {
        return Err(if !elements.was_array && err.classify() == Category::Data {
            reader.fail(format!(
                "a frame must be a JSON array, found {}",
                json_kind(text)
            ))
        } else {
            reader.fail(format!("frame is not valid JSON: {err}"))
        });
    }
    reader.frame(elements)
}

/// The first few elements of the top-level array as raw JSON, and how many there were.
#[derive(Default)]
struct Elements {
    kept: Vec<Box<RawValue>>,
    count: usize,
    was_array: bool,
}

/// No frame has more than five elements; further ones are only counted, so a huge array cannot
/// make us allocate a raw value per element.
const KEPT_ELEMENTS: usize = 5;

struct ElementsSeed<'a>(&'a mut Elements);

impl<'de> DeserializeSeed<'de> for ElementsSeed<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ElementsSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an OCPP-J frame (a JSON array)")
    }

    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<(), S::Error> {
        let elements = self.0;
        elements.was_array = true;
        while elements.kept.len() < KEPT_ELEMENTS {
            // Pushed as soon as it is read, so it survives a syntax error further on.
            match seq.next_element::<Box<RawValue>>()? {
                Some(raw) => elements.kept.push(raw),
                None => break,
            }
            elements.count += 1;
        }
        if elements.kept.len() == KEPT_ELEMENTS {
            while seq.next_element::<IgnoredAny>()?.is_some() {
                elements.count += 1;
            }
        }
        Ok(())
    }
}

/// What could be read of a frame so far; every error carries it.
struct FrameReader {
    message_id: Option<String>,
    message_type: Option<MessageType>,
}

impl FrameReader {
    fn fail(&self, description: String) -> FrameError {
        FrameError {
            code: ErrorCode::FormationViolation,
            description,
            message_id: self.message_id.clone(),
            message_type: self.message_type,
        }
    }

    fn frame(&self, elements: Elements) -> Result<Frame, FrameError> {
        let Some(first) = elements.kept.first() else {
            return Err(self.fail("a frame must not be an empty array".to_owned()));
        };
        let Some(message_type) = self.message_type else {
            return Err(self.fail(format!(
                "message type must be 2 (CALL), 3 (CALLRESULT) or 4 (CALLERROR), found {}",
                excerpt(first.get())
            )));
        };
        let expected = message_type.element_count();
        if elements.count != expected {
            return Err(self.fail(format!(
                "a {} frame has {expected} elements, found {}",
                type_name(message_type),
                elements.count
            )));
        }
        let mut rest = elements.kept.into_iter().skip(1);
        let id = self.id(&self.next(&mut rest)?)?;
        match message_type {
            MessageType::Call => Ok(Frame::Call {
                id,
                action: self.string(&self.next(&mut rest)?, "action")?,
                payload: self.object(self.next(&mut rest)?, "payload")?,
            }),
            MessageType::CallResult => Ok(Frame::CallResult {
                id,
                payload: self.object(self.next(&mut rest)?, "payload")?,
            }),
            MessageType::CallError => {
                let code_text = self.string(&self.next(&mut rest)?, "error code")?;
                let description = self.string(&self.next(&mut rest)?, "error description")?;
                let details = self.object(self.next(&mut rest)?, "error details")?;
                let (code, unrecognized_code) = match ErrorCode::from_wire(&code_text) {
                    Some(code) => (code, None),
                    None => (ErrorCode::GenericError, Some(code_text)),
                };
                Ok(Frame::CallError {
                    id,
                    code,
                    description,
                    details,
                    unrecognized_code,
                })
            }
        }
    }

    /// The next element; the count was checked already, so running out is a bug reported as a
    /// frame error rather than a panic.
    fn next(
        &self,
        rest: &mut impl Iterator<Item = Box<RawValue>>,
    ) -> Result<Box<RawValue>, FrameError> {
        rest.next()
            .ok_or_else(|| self.fail("frame has fewer elements than counted".to_owned()))
    }

    fn id(&self, raw: &RawValue) -> Result<MessageId, FrameError> {
        let text = self.string(raw, "message id")?;
        MessageId::new(text).map_err(|too_long| self.fail(too_long.to_string()))
    }

    fn string(&self, raw: &RawValue, what: &str) -> Result<String, FrameError> {
        serde_json::from_str::<String>(raw.get()).map_err(|err| match json_kind(raw.get()) {
            // Well-formed JSON that still is no Rust string: a lone surrogate escape.
            "a string" => self.fail(format!(
                "{what} is not a valid string: {}",
                message_without_position(&err)
            )),
            found => self.fail(format!("{what} must be a string, found {found}")),
        })
    }

    fn object(&self, raw: Box<RawValue>, what: &str) -> Result<Payload, FrameError> {
        Payload::from_raw(raw).map_err(|err| match err {
            PayloadError::NotAnObject { found } => {
                self.fail(format!("{what} must be a JSON object, found {found}"))
            }
            PayloadError::NotJson(err) => self.fail(format!("{what} is not valid JSON: {err}")),
        })
    }
}

fn type_name(message_type: MessageType) -> &'static str {
    match message_type {
        MessageType::Call => "CALL",
        MessageType::CallResult => "CALLRESULT",
        MessageType::CallError => "CALLERROR",
    }
}

/// Enough of a raw value to recognise it in an error description, however long it is.
fn excerpt(raw: &str) -> String {
    const MAX_CHARS: usize = 24;
    let mut chars = raw.chars();
    let shown: String = chars.by_ref().take(MAX_CHARS).collect();
    if chars.next().is_some() {
        format!("{shown}…")
    } else {
        shown
    }
}
