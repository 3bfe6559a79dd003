//! CancelReservation: the central system withdraws a reservation.

use serde::{Deserialize, Serialize};

use crate::action::{Action, Initiator};

pub struct CancelReservation;

impl Action for CancelReservation {
    const NAME: &'static str = "CancelReservation";
    const INITIATOR: Initiator = Initiator::CentralSystem;
    type Request = CancelReservationRequest;
    type Response = CancelReservationResponse;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CancelReservationRequest {
    pub reservation_id: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CancelReservationResponse {
    pub status: CancelReservationStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CancelReservationStatus {
    Accepted,
    Rejected,
}
