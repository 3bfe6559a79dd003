//! BootNotification and Heartbeat: a charge point introduces itself and keeps its clock in sync.

use ampwise_ocpp::messages::{
    BootNotification, BootNotificationResponse, Heartbeat, HeartbeatResponse, RegistrationStatus,
};
use ampwise_ocpp::Payload;

use super::{decode, now, reply, Dispatcher, OcppEvent};
use crate::ocpp::connection::CallReply;
use crate::store::BootInfo;

pub(super) async fn boot_notification(
    dispatcher: &Dispatcher,
    charge_box_id: &str,
    payload: &Payload,
) -> CallReply {
    let request = decode::<BootNotification>(payload)?;
    let text = |value: &Option<ampwise_ocpp::types::CiString25>| {
        value.as_ref().map(|v| v.as_str().to_owned())
    };
    let boot = BootInfo {
        vendor: request.charge_point_vendor.as_str().to_owned(),
        model: request.charge_point_model.as_str().to_owned(),
        serial_number: text(&request.charge_point_serial_number),
        charge_box_serial_number: text(&request.charge_box_serial_number),
        firmware_version: request
            .firmware_version
            .as_ref()
            .map(|v| v.as_str().to_owned()),
        iccid: request.iccid.as_ref().map(|v| v.as_str().to_owned()),
        imsi: request.imsi.as_ref().map(|v| v.as_str().to_owned()),
        meter_type: text(&request.meter_type),
        meter_serial_number: text(&request.meter_serial_number),
    };
    let current_time = now();
    dispatcher.live.update(charge_box_id, |live| {
        live.vendor = Some(boot.vendor.clone());
        live.model = Some(boot.model.clone());
        live.firmware_version = boot.firmware_version.clone();
    });
    let id = charge_box_id.to_owned();
    let at = current_time.as_str().to_owned();
    dispatcher
        .with_store(move |store| store.record_boot(&id, boot, &at))
        .await?;
    dispatcher.mark_accepted(charge_box_id);
    tracing::info!(
        charge_box_id,
        vendor = request.charge_point_vendor.as_str(),
        model = request.charge_point_model.as_str(),
        "BootNotification accepted"
    );
    let answer = reply::<BootNotification>(&BootNotificationResponse {
        status: RegistrationStatus::Accepted,
        current_time,
        interval: dispatcher.settings().heartbeat_interval_s,
    });
    dispatcher.count_boot(charge_box_id);
    dispatcher.emit(OcppEvent::Booted {
        charge_box_id: charge_box_id.to_owned(),
    });
    answer
}

pub(super) fn heartbeat(payload: &Payload) -> CallReply {
    decode::<Heartbeat>(payload)?;
    reply::<Heartbeat>(&HeartbeatResponse {
        current_time: now(),
    })
}
