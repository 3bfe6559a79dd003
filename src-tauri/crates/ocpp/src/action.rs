//! What every OCPP action has in common: its name on the wire, who may send it, and its typed
//! request and response.

use std::fmt::Debug;

use serde::de::DeserializeOwned;
use serde::Serialize;

/// Which side of the connection may initiate an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Initiator {
    ChargePoint,
    CentralSystem,
    /// DataTransfer: either side.
    Either,
}

/// An OCPP 1.6 action (one request/response pair). Implemented by a unit struct per action in
/// `messages/`, e.g. `BootNotification`.
pub trait Action {
    /// The action name as it appears in a CALL frame, e.g. `"BootNotification"`.
    const NAME: &'static str;
    const INITIATOR: Initiator;
    type Request: Serialize + DeserializeOwned + Debug + Clone + PartialEq + Send + Sync + 'static;
    type Response: Serialize + DeserializeOwned + Debug + Clone + PartialEq + Send + Sync + 'static;
}
