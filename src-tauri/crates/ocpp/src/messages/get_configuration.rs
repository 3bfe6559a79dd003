//! GetConfiguration: the central system reads configuration keys.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::change_configuration::is_secret_key;
use crate::action::{Action, Initiator};
use crate::types::{CiString50, CiString500};

pub struct GetConfiguration;

impl Action for GetConfiguration {
    const NAME: &'static str = "GetConfiguration";
    const INITIATOR: Initiator = Initiator::CentralSystem;
    type Request = GetConfigurationRequest;
    type Response = GetConfigurationResponse;
}

/// Without `key`, every key is requested.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GetConfigurationRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<Vec<CiString50>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GetConfigurationResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub configuration_key: Option<Vec<KeyValue>>,
    /// Requested keys the charge point does not know.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unknown_key: Option<Vec<CiString50>>,
}

/// One configuration key and its value. Absent `value` means the key is set but unreadable.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KeyValue {
    pub key: CiString50,
    pub readonly: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<CiString500>,
}

// AuthorizationKey is write-only, but a faulty charge point might report it anyway.
impl fmt::Debug for KeyValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("KeyValue");
        out.field("key", &self.key)
            .field("readonly", &self.readonly);
        match &self.value {
            Some(_) if is_secret_key(self.key.as_str()) => out.field("value", &Some("<redacted>")),
            value => out.field("value", value),
        };
        out.finish()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_a_reported_authorization_key() {
        let leaked = KeyValue {
            key: CiString50::new("authorizationkey").unwrap(),
            readonly: false,
            value: Some(CiString500::new("s3cr3t-password").unwrap()),
        };
        let shown = format!("{leaked:?}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(shown.contains("<redacted>"), "{shown}");

        let harmless = KeyValue {
            key: CiString50::new("MeterValueSampleInterval").unwrap(),
            readonly: false,
            value: Some(CiString500::new("60").unwrap()),
        };
        assert!(format!("{harmless:?}").contains("\"60\""));
    }
}
