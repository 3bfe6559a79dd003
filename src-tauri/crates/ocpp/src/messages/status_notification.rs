//! StatusNotification: the charge point reports a connector's status or error.

use serde::{Deserialize, Serialize};

use crate::action::{Action, Initiator};
use crate::types::{CiString255, CiString50, DateTime};

pub struct StatusNotification;

impl Action for StatusNotification {
    const NAME: &'static str = "StatusNotification";
    const INITIATOR: Initiator = Initiator::ChargePoint;
    type Request = StatusNotificationRequest;
    type Response = StatusNotificationResponse;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StatusNotificationRequest {
    /// 0 = the charge point as a whole.
    pub connector_id: i32,
    pub error_code: ChargePointErrorCode,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub info: Option<CiString50>,
    pub status: ChargePointStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<DateTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vendor_id: Option<CiString255>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vendor_error_code: Option<CiString50>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusNotificationResponse {}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ChargePointErrorCode {
    ConnectorLockFailure,
    #[serde(rename = "EVCommunicationError")]
    EvCommunicationError,
    GroundFailure,
    HighTemperature,
    InternalError,
    LocalListConflict,
    NoError,
    OtherError,
    OverCurrentFailure,
    PowerMeterFailure,
    PowerSwitchFailure,
    ReaderFailure,
    ResetFailure,
    UnderVoltage,
    OverVoltage,
    WeakSignal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ChargePointStatus {
    Available,
    Preparing,
    Charging,
    /// The EVSE withholds energy (e.g. a smart-charging limit of 0).
    #[serde(rename = "SuspendedEVSE")]
    SuspendedEvse,
    /// The EV does not take energy.
    #[serde(rename = "SuspendedEV")]
    SuspendedEv,
    Finishing,
    Reserved,
    Unavailable,
    Faulted,
}
