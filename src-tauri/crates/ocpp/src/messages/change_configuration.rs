//! ChangeConfiguration: the central system sets one configuration key.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::action::{Action, Initiator};
use crate::types::{CiString50, CiString500};

pub struct ChangeConfiguration;

impl Action for ChangeConfiguration {
    const NAME: &'static str = "ChangeConfiguration";
    const INITIATOR: Initiator = Initiator::CentralSystem;
    type Request = ChangeConfigurationRequest;
    type Response = ChangeConfigurationResponse;
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChangeConfigurationRequest {
    pub key: CiString50,
    pub value: CiString500,
}

/// Keys whose value is a secret (the Basic-auth password of security profiles 1 and 2), so it must
/// never reach a log through `Debug`.
pub(crate) fn is_secret_key(key: &str) -> bool {
    key.eq_ignore_ascii_case("AuthorizationKey")
}

impl fmt::Debug for ChangeConfigurationRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("ChangeConfigurationRequest");
        out.field("key", &self.key);
        if is_secret_key(self.key.as_str()) {
            out.field("value", &"<redacted>");
        } else {
            out.field("value", &self.value);
        }
        out.finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChangeConfigurationResponse {
    pub status: ConfigurationStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ConfigurationStatus {
    Accepted,
    Rejected,
    RebootRequired,
    NotSupported,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_authorization_key() {
        let request = ChangeConfigurationRequest {
            key: CiString50::new("AuthorizationKey").unwrap(),
            value: CiString500::new("3132333435363738393031323334353637383930").unwrap(),
        };
        let shown = format!("{request:?}");
        assert!(!shown.contains("31323334"), "{shown}");
        assert!(shown.contains("<redacted>"), "{shown}");

        let harmless = ChangeConfigurationRequest {
            key: CiString50::new("HeartbeatInterval").unwrap(),
            value: CiString500::new("300").unwrap(),
        };
        assert!(format!("{harmless:?}").contains("\"300\""));
    }
}
