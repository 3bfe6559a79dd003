//! Messages that only need an acknowledgement from a local central system, and DataTransfer.

use ampwise_ocpp::messages::{
    DataTransfer, DataTransferResponse, DataTransferStatus, GenericStatus, SignCertificate,
    SignCertificateResponse,
};
use ampwise_ocpp::{Action, Payload};

use super::{decode, reply};
use crate::ocpp::connection::CallReply;

/// Validates the request, logs it, and answers with the action's response, which is empty for
/// every notification.
pub(super) fn acknowledge<A: Action>(charge_box_id: &str, payload: &Payload) -> CallReply {
    let request = decode::<A>(payload)?;
    tracing::info!(charge_box_id, action = A::NAME, ?request, "notification");
    Ok(Payload::empty())
}

/// No vendor extension is spoken locally; the gateway relays DataTransfer to a backend as is.
pub(super) fn data_transfer(charge_box_id: &str, payload: &Payload) -> CallReply {
    let request = decode::<DataTransfer>(payload)?;
    tracing::info!(
        charge_box_id,
        vendor_id = request.vendor_id.as_str(),
        "DataTransfer for an unknown vendor"
    );
    reply::<DataTransfer>(&DataTransferResponse {
        status: DataTransferStatus::UnknownVendorId,
        data: None,
    })
}

/// Ampwise runs no certificate authority for charge points yet: the request is refused politely.
pub(super) fn sign_certificate(charge_box_id: &str, payload: &Payload) -> CallReply {
    decode::<SignCertificate>(payload)?;
    tracing::warn!(
        charge_box_id,
        "SignCertificate refused: no CA for charge point certificates"
    );
    reply::<SignCertificate>(&SignCertificateResponse {
        status: GenericStatus::Rejected,
    })
}
