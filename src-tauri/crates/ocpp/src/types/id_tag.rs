//! Identification tokens and the central system's verdict on them.

use serde::{Deserialize, Serialize};

use super::{CiString20, DateTime};

/// An idTag (RFC UID, token, app user...), at most 20 characters.
pub type IdToken = CiString20;

/// What the central system says about an idTag (Authorize, Start/StopTransaction, SendLocalList).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IdTagInfo {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiry_date: Option<DateTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_id_tag: Option<IdToken>,
    pub status: AuthorizationStatus,
}

impl IdTagInfo {
    pub fn new(status: AuthorizationStatus) -> Self {
        Self {
            expiry_date: None,
            parent_id_tag: None,
            status,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AuthorizationStatus {
    Accepted,
    Blocked,
    Expired,
    Invalid,
    ConcurrentTx,
}
