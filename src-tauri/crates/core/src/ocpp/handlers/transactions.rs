//! StartTransaction, StopTransaction and MeterValues: charging sessions, recorded so none is lost,
//! and the meter readings load management works from.
//!
//! OCPP says the central system must always answer these with a CALLRESULT (a charge point retries
//! and finally drops a transaction message otherwise), so even a refused tag or an unknown
//! transaction gets a normal answer, and is recorded.

use ampwise_ocpp::messages::{
    MeterValues, MeterValuesResponse, StartTransaction, StartTransactionResponse, StopTransaction,
    StopTransactionResponse,
};
use ampwise_ocpp::types::{AuthorizationStatus, IdTagInfo};
use ampwise_ocpp::Payload;

use super::{decode, reply, Dispatcher, OcppEvent};
use crate::ocpp::connection::CallReply;
use crate::ocpp::meter_reading::{self, SignedValue};
use crate::store::{NewSession, StopOutcome, StopSession};

pub(super) async fn start_transaction(
    dispatcher: &Dispatcher,
    charge_box_id: &str,
    payload: &Payload,
) -> CallReply {
    let request = decode::<StartTransaction>(payload)?;
    let settings = dispatcher.settings();
    let status = settings.id_tags.check(request.id_tag.as_str());
    let new = NewSession {
        charge_box_id: charge_box_id.to_owned(),
        connector_id: request.connector_id,
        device_id: settings
            .devices
            .get(&(charge_box_id.to_owned(), request.connector_id))
            .cloned(),
        id_tag: request.id_tag.as_str().to_owned(),
        meter_start_wh: request.meter_start,
        started_at: request.timestamp.as_str().to_owned(),
        reservation_id: request.reservation_id,
    };
    let transaction_id = dispatcher
        .with_store(move |store| store.start_session(new))
        .await?;
    let connector = dispatcher.live.update(charge_box_id, |live| {
        let connector = live.connectors.entry(request.connector_id).or_default();
        connector.transaction_id = Some(transaction_id);
        connector.id_tag = Some(request.id_tag.as_str().to_owned());
        // Lossless for any realistic meter (below 2^53 Wh).
        connector.reading.energy_wh = Some(request.meter_start as f64);
        connector.clone()
    });
    tracing::info!(
        charge_box_id,
        connector_id = request.connector_id,
        transaction_id,
        authorization = ?status,
        "transaction started"
    );
    dispatcher.emit(OcppEvent::SessionStarted {
        charge_box_id: charge_box_id.to_owned(),
        connector_id: request.connector_id,
        transaction_id,
    });
    dispatcher.emit(OcppEvent::ConnectorChanged {
        charge_box_id: charge_box_id.to_owned(),
        connector_id: request.connector_id,
        connector: Box::new(connector),
    });
    reply::<StartTransaction>(&StartTransactionResponse {
        id_tag_info: IdTagInfo::new(status),
        transaction_id,
    })
}

pub(super) async fn stop_transaction(
    dispatcher: &Dispatcher,
    charge_box_id: &str,
    payload: &Payload,
) -> CallReply {
    let request = decode::<StopTransaction>(payload)?;
    let transaction_id = request.transaction_id;

    // Signed data first: it is the legally relevant part and must never be lost, even if the stop
    // itself turns out to be a repeat.
    let mut signed = Vec::new();
    for data in request.transaction_data.iter().flatten() {
        let mut scratch = meter_reading::MeterReading::default();
        signed.extend(meter_reading::apply(&mut scratch, &data.sampled_value).signed);
    }
    store_signed(dispatcher, transaction_id, signed).await?;

    let stop = StopSession {
        transaction_id,
        meter_stop_wh: request.meter_stop,
        stopped_at: request.timestamp.as_str().to_owned(),
        reason: request.reason.map(|reason| crate::ocpp::wire_name(&reason)),
        id_tag: request.id_tag.as_ref().map(|tag| tag.as_str().to_owned()),
    };
    let outcome = dispatcher
        .with_store(move |store| store.stop_session(stop))
        .await?;
    let energy_wh = match &outcome {
        StopOutcome::Stopped(session) => {
            tracing::info!(charge_box_id, transaction_id, "transaction stopped");
            session.stop.as_ref().map(|stop| stop.energy_wh)
        }
        StopOutcome::AlreadyStopped(_) => {
            tracing::info!(charge_box_id, transaction_id, "repeated StopTransaction");
            None
        }
        StopOutcome::ConflictingStop(_) => {
            tracing::warn!(
                charge_box_id,
                transaction_id,
                "StopTransaction differs from the first one; kept aside"
            );
            None
        }
        StopOutcome::UnknownTransaction => {
            tracing::warn!(
                charge_box_id,
                transaction_id,
                "StopTransaction for an unknown transaction; kept aside"
            );
            None
        }
    };
    dispatcher.live.update(charge_box_id, |live| {
        for connector in live.connectors.values_mut() {
            if connector.transaction_id == Some(transaction_id) {
                connector.transaction_id = None;
                connector.id_tag = None;
                connector.reading.energy_wh = Some(request.meter_stop as f64);
            }
        }
    });
    dispatcher.emit(OcppEvent::SessionStopped {
        charge_box_id: charge_box_id.to_owned(),
        transaction_id,
        energy_wh,
    });
    let id_tag_info = request.id_tag.as_ref().map(|tag| {
        IdTagInfo::new(match dispatcher.settings().id_tags.check(tag.as_str()) {
            AuthorizationStatus::Accepted => AuthorizationStatus::Accepted,
            other => other,
        })
    });
    reply::<StopTransaction>(&StopTransactionResponse { id_tag_info })
}

pub(super) async fn meter_values(
    dispatcher: &Dispatcher,
    charge_box_id: &str,
    payload: &Payload,
) -> CallReply {
    let request = decode::<MeterValues>(payload)?;
    let mut signed = Vec::new();
    let connector = dispatcher.live.update(charge_box_id, |live| {
        let connector = live.connectors.entry(request.connector_id).or_default();
        for value in request.meter_value.iter() {
            let samples = meter_reading::apply(&mut connector.reading, &value.sampled_value);
            if samples.unreadable > 0 {
                tracing::debug!(
                    charge_box_id,
                    count = samples.unreadable,
                    "unreadable sampled values"
                );
            }
            signed.extend(samples.signed);
        }
        connector.clone()
    });
    if let Some(transaction_id) = request.transaction_id {
        store_signed(dispatcher, transaction_id, signed).await?;
    } else if !signed.is_empty() {
        tracing::warn!(
            charge_box_id,
            "signed meter values without a transaction are not kept"
        );
    }
    dispatcher.emit(OcppEvent::ConnectorChanged {
        charge_box_id: charge_box_id.to_owned(),
        connector_id: request.connector_id,
        connector: Box::new(connector),
    });
    reply::<MeterValues>(&MeterValuesResponse {})
}

async fn store_signed(
    dispatcher: &Dispatcher,
    transaction_id: i32,
    signed: Vec<SignedValue>,
) -> Result<(), ampwise_ocpp::DecodeError> {
    if signed.is_empty() {
        return Ok(());
    }
    dispatcher
        .with_store(move |store| {
            for value in signed {
                store.add_signed_meter_data(transaction_id, &value.context, &value.value)?;
            }
            Ok(())
        })
        .await
}
