//! Authorize, and the RFID check StartTransaction shares with it: the local list of tags.

use std::collections::HashMap;

use ampwise_ocpp::messages::{Authorize, AuthorizeResponse};
use ampwise_ocpp::types::{AuthorizationStatus, IdTagInfo};
use ampwise_ocpp::Payload;

use super::{decode, reply, Dispatcher};
use crate::config::OcppServerSettings;
use crate::ocpp::connection::CallReply;

/// Which RFID tags may charge.
#[derive(Debug, Clone, Default)]
pub struct IdTagPolicy {
    accept_unknown: bool,
    /// Tag → blocked. OCPP compares idTags case-insensitively (CiString).
    known: HashMap<String, bool>,
}

impl IdTagPolicy {
    pub fn from_settings(settings: &OcppServerSettings) -> Self {
        Self {
            accept_unknown: settings.accept_unknown_id_tags,
            known: settings
                .id_tags
                .iter()
                .map(|entry| (entry.id_tag.to_ascii_uppercase(), entry.blocked))
                .collect(),
        }
    }

    pub fn check(&self, id_tag: &str) -> AuthorizationStatus {
        match self.known.get(&id_tag.to_ascii_uppercase()) {
            Some(true) => AuthorizationStatus::Blocked,
            Some(false) => AuthorizationStatus::Accepted,
            None if self.accept_unknown => AuthorizationStatus::Accepted,
            None => AuthorizationStatus::Invalid,
        }
    }
}

pub(super) fn authorize(dispatcher: &Dispatcher, payload: &Payload) -> CallReply {
    let request = decode::<Authorize>(payload)?;
    let status = dispatcher.settings().id_tags.check(request.id_tag.as_str());
    reply::<Authorize>(&AuthorizeResponse {
        id_tag_info: IdTagInfo::new(status),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::IdTagEntry;

    fn policy(accept_unknown: bool) -> IdTagPolicy {
        IdTagPolicy::from_settings(&OcppServerSettings {
            accept_unknown_id_tags: accept_unknown,
            id_tags: vec![
                IdTagEntry {
                    id_tag: "04a2b3".to_owned(),
                    name: String::new(),
                    blocked: false,
                },
                IdTagEntry {
                    id_tag: "LOST".to_owned(),
                    name: String::new(),
                    blocked: true,
                },
            ],
            ..OcppServerSettings::default()
        })
    }

    #[test]
    fn listed_tags_win_and_case_does_not_matter() {
        for accept_unknown in [true, false] {
            let policy = policy(accept_unknown);
            assert_eq!(policy.check("04A2B3"), AuthorizationStatus::Accepted);
            assert_eq!(policy.check("lost"), AuthorizationStatus::Blocked);
        }
        assert_eq!(policy(true).check("OTHER"), AuthorizationStatus::Accepted);
        assert_eq!(policy(false).check("OTHER"), AuthorizationStatus::Invalid);
    }
}
