//! StatusNotification: a connector's state (Available, Preparing, Charging, SuspendedEVSE, …).

use ampwise_ocpp::messages::{StatusNotification, StatusNotificationResponse};
use ampwise_ocpp::Payload;

use super::{decode, reply, Dispatcher, OcppEvent};
use crate::ocpp::connection::CallReply;
use crate::ocpp::wire_name;

pub(super) fn status_notification(
    dispatcher: &Dispatcher,
    charge_box_id: &str,
    payload: &Payload,
) -> CallReply {
    let request = decode::<StatusNotification>(payload)?;
    let connector = dispatcher.live.update(charge_box_id, |live| {
        let connector = live.connectors.entry(request.connector_id).or_default();
        connector.status = Some(wire_name(&request.status));
        connector.error_code = Some(wire_name(&request.error_code));
        connector.info = request.info.as_ref().map(|info| info.as_str().to_owned());
        connector.status_at = Some(std::time::SystemTime::now());
        connector.clone()
    });
    dispatcher.emit(OcppEvent::ConnectorChanged {
        charge_box_id: charge_box_id.to_owned(),
        connector_id: request.connector_id,
        connector: Box::new(connector),
    });
    reply::<StatusNotification>(&StatusNotificationResponse {})
}
