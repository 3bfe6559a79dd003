//! The id that pairs a CALL with its CALLRESULT or CALLERROR.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A message id: any string of at most [`MessageId::MAX_CHARS`] characters (OCPP-J 1.6 §4.1.3).
///
/// The limit counts characters, not bytes, as the JSON schema `maxLength` does. The empty string
/// is allowed because the specification does not forbid it and refusing it would only make a
/// peer's CALL time out.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MessageId(String);

/// A message id longer than [`MessageId::MAX_CHARS`] characters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("message id has {chars} characters, at most {max} are allowed", max = MessageId::MAX_CHARS)]
pub struct MessageIdTooLong {
    pub chars: usize,
}

impl MessageId {
    pub const MAX_CHARS: usize = 36;

    pub fn new(id: impl Into<String>) -> Result<MessageId, MessageIdTooLong> {
        let id = id.into();
        let chars = id.chars().count();
        if chars > Self::MAX_CHARS {
            return Err(MessageIdTooLong { chars });
        }
        Ok(MessageId(id))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for MessageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for MessageId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for MessageId {
    type Error = MessageIdTooLong;

    fn try_from(id: String) -> Result<Self, Self::Error> {
        MessageId::new(id)
    }
}

impl TryFrom<&str> for MessageId {
    type Error = MessageIdTooLong;

    fn try_from(id: &str) -> Result<Self, Self::Error> {
        MessageId::new(id)
    }
}

impl Serialize for MessageId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for MessageId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let id = String::deserialize(deserializer)?;
        MessageId::new(id).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn thirty_six_characters_fit_and_thirty_seven_do_not() {
        let uuid = "123e4567-e89b-12d3-a456-426614174000";
        assert_eq!(uuid.len(), 36);
        assert_eq!(MessageId::new(uuid).unwrap().as_str(), uuid);
        assert_eq!(
            MessageId::new(format!("{uuid}x")),
            Err(MessageIdTooLong { chars: 37 })
        );
    }

    #[test]
    fn the_limit_counts_characters_not_bytes() {
        let umlauts = "ä".repeat(36);
        assert_eq!(umlauts.len(), 72);
        assert!(MessageId::new(umlauts).is_ok());
        assert!(MessageId::new("ä".repeat(37)).is_err());
    }

    #[test]
    fn deserializing_enforces_the_limit() {
        assert!(serde_json::from_str::<MessageId>(&format!("\"{}\"", "a".repeat(37))).is_err());
        let id: MessageId = serde_json::from_str("\"\"").unwrap();
        assert_eq!(id.as_str(), "");
    }
}
