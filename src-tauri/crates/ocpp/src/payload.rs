//! The JSON object a frame carries, kept as the exact text received.
//!
//! Why raw text rather than a `serde_json::Value`:
//! - The gateway relays frames between a charge point and a backend. Signed meter values must
//!   arrive untouched (protocol facts §4), and a `Value` round trip rewrites numbers (`1E3`
//!   becomes `1000.0`), escapes (`\u00e4` becomes `ä`), key order and duplicate keys. Raw text
//!   relays byte for byte.
//! - Decoding is lazy and single-pass: the frame parser only checks that the payload is a
//!   well-formed object, and `decode` deserializes the typed request straight from the text, so
//!   errors carry the field path and nobody pays for a `Value` tree that is thrown away.
//!
//! The price is that equality is byte equality (`{"a":1}` ≠ `{ "a": 1 }`), which is exactly what a
//! relay needs to assert.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

/// A JSON object as text, exactly as received or serialized.
#[derive(Clone)]
pub struct Payload(Box<RawValue>);

/// Text that cannot be a frame payload.
#[derive(Debug, thiserror::Error)]
pub enum PayloadError {
    #[error("payload is not valid JSON: {0}")]
    NotJson(#[source] serde_json::Error),
    #[error("payload must be a JSON object, found {found}")]
    NotAnObject { found: &'static str },
}

impl Payload {
    /// `{}`: what a Heartbeat request or an empty CALLERROR `details` carries.
    pub fn empty() -> Payload {
        // A literal that is valid JSON: this cannot fail, whatever the input.
        #[allow(clippy::expect_used)]
        Payload(RawValue::from_string("{}".to_owned()).expect("`{}` is valid JSON"))
    }

    /// Takes JSON text that must be one object; surrounding whitespace is kept as given.
    pub fn from_json(text: impl Into<String>) -> Result<Payload, PayloadError> {
        let raw = RawValue::from_string(text.into()).map_err(PayloadError::NotJson)?;
        Payload::from_raw(raw)
    }

    /// Serializes a typed message body; it must serialize to a JSON object.
    pub fn from_serialize<T: Serialize + ?Sized>(body: &T) -> Result<Payload, PayloadError> {
        let raw = serde_json::value::to_raw_value(body).map_err(PayloadError::NotJson)?;
        Payload::from_raw(raw)
    }

    /// Wraps an already parsed raw value after checking that it is an object.
    pub fn from_raw(raw: Box<RawValue>) -> Result<Payload, PayloadError> {
        match json_kind(raw.get()) {
            "an object" => Ok(Payload(raw)),
            found => Err(PayloadError::NotAnObject { found }),
        }
    }

    /// The JSON text, byte for byte. May contain secrets (e.g. an AuthorizationKey in
    /// ChangeConfiguration): redact before logging.
    pub fn as_str(&self) -> &str {
        self.0.get()
    }

    pub fn as_raw(&self) -> &RawValue {
        &self.0
    }

    pub fn into_raw(self) -> Box<RawValue> {
        self.0
    }
}

/// Names the kind of JSON value `text` starts with, for error messages. `text` must already be
/// valid JSON, so its first non-blank byte decides.
pub(crate) fn json_kind(text: &str) -> &'static str {
    match text.trim_start().as_bytes().first() {
        Some(b'{') => "an object",
        Some(b'[') => "an array",
        Some(b'"') => "a string",
        Some(b't' | b'f') => "a boolean",
        Some(b'n') => "null",
        Some(_) => "a number",
        None => "nothing",
    }
}

impl Default for Payload {
    fn default() -> Self {
        Payload::empty()
    }
}

impl PartialEq for Payload {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Payload {}

/// Shows only the size: payloads can hold secrets (AuthorizationKey, card data in DataTransfer),
/// and Debug output ends up in logs. Use [`Payload::as_str`] deliberately where content matters.
impl fmt::Debug for Payload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Payload({} bytes)", self.as_str().len())
    }
}

impl Serialize for Payload {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Payload {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        Payload::from_raw(raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_text_byte_for_byte() {
        let text = r#"{ "b":1E3, "a":"\u00e4", "b":2 }"#;
        assert_eq!(Payload::from_json(text).unwrap().as_str(), text);
    }

    #[test]
    fn refuses_everything_but_an_object() {
        for (text, found) in [
            ("[]", "an array"),
            ("\"x\"", "a string"),
            ("1", "a number"),
            ("-1", "a number"),
            ("null", "null"),
            ("true", "a boolean"),
        ] {
            match Payload::from_json(text) {
                Err(PayloadError::NotAnObject { found: got }) => assert_eq!(got, found, "{text}"),
                other => panic!("{text}: {other:?}"),
            }
        }
        assert!(matches!(
            Payload::from_json("{"),
            Err(PayloadError::NotJson(_))
        ));
        assert!(matches!(
            Payload::from_json(""),
            Err(PayloadError::NotJson(_))
        ));
    }

    #[test]
    fn debug_does_not_show_the_content() {
        let payload = Payload::from_json(r#"{"key":"AuthorizationKey","value":"s3cret"}"#).unwrap();
        let shown = format!("{payload:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert_eq!(shown, "Payload(43 bytes)");
    }

    #[test]
    fn serializes_typed_bodies_and_refuses_non_objects() {
        let mut body = serde_json::Map::new();
        body.insert("status".into(), "Accepted".into());
        assert_eq!(
            Payload::from_serialize(&body).unwrap().as_str(),
            r#"{"status":"Accepted"}"#
        );
        assert!(matches!(
            Payload::from_serialize(&[1, 2]),
            Err(PayloadError::NotAnObject { found: "an array" })
        ));
        assert_eq!(Payload::default().as_str(), "{}");
    }
}
