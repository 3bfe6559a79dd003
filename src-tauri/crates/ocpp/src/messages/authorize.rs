//! Authorize: the charge point asks whether an idTag may charge.

use serde::{Deserialize, Serialize};

use crate::action::{Action, Initiator};
use crate::types::{IdTagInfo, IdToken};

pub struct Authorize;

impl Action for Authorize {
    const NAME: &'static str = "Authorize";
    const INITIATOR: Initiator = Initiator::ChargePoint;
    type Request = AuthorizeRequest;
    type Response = AuthorizeResponse;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AuthorizeRequest {
    pub id_tag: IdToken,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AuthorizeResponse {
    pub id_tag_info: IdTagInfo,
}
