//! Answers the CALLs charge points send to the central system. One file per family of actions; this
//! file routes by action name and enforces what holds for all of them.

mod authorization;
mod boot;
mod notifications;
mod status;
mod transactions;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, RwLock};

use ampwise_ocpp::decode::decode_as;
use ampwise_ocpp::{unhandled_action, Action, DecodeError, ErrorCode, Payload};
use serde::Serialize;
use tokio::sync::{broadcast, watch};

use super::connection::{BoxFuture, CallHandler, CallReply};
use super::live::{ConnectorLive, LiveState};
use crate::config::{Config, DeviceDriver};
use crate::store::Store;

pub use authorization::IdTagPolicy;

/// What the handlers tell the rest of the core.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum OcppEvent {
    /// A BootNotification was accepted: the charge point is ready to be configured.
    Booted { charge_box_id: String },
    ConnectorChanged {
        charge_box_id: String,
        connector_id: i32,
        connector: Box<ConnectorLive>,
    },
    SessionStarted {
        charge_box_id: String,
        connector_id: i32,
        transaction_id: i32,
    },
    SessionStopped {
        charge_box_id: String,
        transaction_id: i32,
        energy_wh: Option<i64>,
    },
}

/// The part of the configuration the handlers use, derived whole on every configuration change.
#[derive(Debug, Clone)]
pub struct DispatchSettings {
    pub heartbeat_interval_s: i32,
    pub id_tags: IdTagPolicy,
    /// (ChargeBox ID, connector) → device id, for recording sessions against devices.
    pub devices: HashMap<(String, i32), String>,
}

impl DispatchSettings {
    pub fn from_config(config: &Config) -> Self {
        let devices = config
            .devices
            .iter()
            .filter_map(|device| match &device.driver {
                DeviceDriver::Ocpp16Evse(address) => Some((
                    (
                        address.charge_box_id.clone(),
                        i32::try_from(address.connector_id).unwrap_or(i32::MAX),
                    ),
                    device.id.clone(),
                )),
                _ => None,
            })
            .collect();
        Self {
            heartbeat_interval_s: i32::try_from(config.ocpp_server.heartbeat_interval_s)
                .unwrap_or(i32::MAX),
            id_tags: IdTagPolicy::from_settings(&config.ocpp_server),
            devices,
        }
    }
}

/// The central system's [`CallHandler`].
pub struct Dispatcher {
    store: Store,
    live: Arc<LiveState>,
    settings: RwLock<Arc<DispatchSettings>>,
    /// Charge points whose BootNotification was accepted (cached from the store).
    accepted: Mutex<HashSet<String>>,
    /// Per charge point, a counter of accepted boots: its control session waits on its own counter
    /// alone, so one charge point's messages never wake the sessions of all the others.
    boots: Mutex<HashMap<String, watch::Sender<u64>>>,
    events: broadcast::Sender<OcppEvent>,
}

impl Dispatcher {
    pub fn new(
        store: Store,
        live: Arc<LiveState>,
        settings: DispatchSettings,
        events: broadcast::Sender<OcppEvent>,
    ) -> Self {
        Self {
            store,
            live,
            settings: RwLock::new(Arc::new(settings)),
            accepted: Mutex::new(HashSet::new()),
            boots: Mutex::new(HashMap::new()),
            events,
        }
    }

    pub fn set_settings(&self, settings: DispatchSettings) {
        *self.settings.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(settings);
    }

    fn settings(&self) -> Arc<DispatchSettings> {
        Arc::clone(&self.settings.read().unwrap_or_else(|e| e.into_inner()))
    }

    fn emit(&self, event: OcppEvent) {
        // Nobody listening (e.g. in a test) is fine.
        let _ = self.events.send(event);
    }

    /// Runs blocking store work off the async threads.
    async fn with_store<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Store) -> Result<T, crate::store::StoreError> + Send + 'static,
    ) -> Result<T, DecodeError> {
        let store = self.store.clone();
        match tokio::task::spawn_blocking(move || work(&store)).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(error)) => {
                tracing::error!(%error, "the session database failed");
                Err(internal_error(
                    "the central system could not store the message",
                ))
            }
            Err(error) => {
                tracing::error!(%error, "a database task failed");
                Err(internal_error("the central system failed"))
            }
        }
    }

    /// The errata: before its BootNotification is accepted, a charge point gets SecurityError for
    /// anything else. A charge point accepted before (even before a restart of Ampwise) stays
    /// accepted: after a reconnect it sends no new BootNotification unless something changed.
    async fn check_accepted(&self, charge_box_id: &str) -> Result<(), DecodeError> {
        if self.is_accepted(charge_box_id) {
            return Ok(());
        }
        let id = charge_box_id.to_owned();
        if self
            .with_store(move |store| store.was_accepted(&id))
            .await?
        {
            self.mark_accepted(charge_box_id);
            return Ok(());
        }
        Err(DecodeError {
            code: ErrorCode::SecurityError,
            description: "send a BootNotification first".to_owned(),
            field: None,
        })
    }

    /// Whether the charge point's BootNotification was ever accepted (now or before a restart).
    pub async fn accepted(&self, charge_box_id: &str) -> bool {
        self.check_accepted(charge_box_id).await.is_ok()
    }

    /// Changes whenever the charge point's BootNotification is accepted.
    pub fn boots(&self, charge_box_id: &str) -> watch::Receiver<u64> {
        let mut boots = self.boots.lock().unwrap_or_else(|e| e.into_inner());
        boots
            .entry(charge_box_id.to_owned())
            .or_insert_with(|| watch::channel(0).0)
            .subscribe()
    }

    fn count_boot(&self, charge_box_id: &str) {
        let mut boots = self.boots.lock().unwrap_or_else(|e| e.into_inner());
        boots
            .entry(charge_box_id.to_owned())
            .or_insert_with(|| watch::channel(0).0)
            .send_modify(|count| *count += 1);
    }

    fn is_accepted(&self, charge_box_id: &str) -> bool {
        self.accepted
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(charge_box_id)
    }

    fn mark_accepted(&self, charge_box_id: &str) {
        self.accepted
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(charge_box_id.to_owned());
    }

    async fn dispatch(&self, charge_box_id: &str, action: &str, payload: &Payload) -> CallReply {
        if action == ampwise_ocpp::messages::BootNotification::NAME {
            return boot::boot_notification(self, charge_box_id, payload).await;
        }
        self.check_accepted(charge_box_id).await?;
        use ampwise_ocpp::messages as m;
        match action {
            m::Heartbeat::NAME => boot::heartbeat(payload),
            m::StatusNotification::NAME => {
                status::status_notification(self, charge_box_id, payload)
            }
            m::Authorize::NAME => authorization::authorize(self, payload),
            m::StartTransaction::NAME => {
                transactions::start_transaction(self, charge_box_id, payload).await
            }
            m::StopTransaction::NAME => {
                transactions::stop_transaction(self, charge_box_id, payload).await
            }
            m::MeterValues::NAME => transactions::meter_values(self, charge_box_id, payload).await,
            m::DataTransfer::NAME => notifications::data_transfer(charge_box_id, payload),
            m::DiagnosticsStatusNotification::NAME => notifications::acknowledge::<
                m::DiagnosticsStatusNotification,
            >(charge_box_id, payload),
            m::FirmwareStatusNotification::NAME => {
                notifications::acknowledge::<m::FirmwareStatusNotification>(charge_box_id, payload)
            }
            m::LogStatusNotification::NAME => {
                notifications::acknowledge::<m::LogStatusNotification>(charge_box_id, payload)
            }
            m::SecurityEventNotification::NAME => {
                notifications::acknowledge::<m::SecurityEventNotification>(charge_box_id, payload)
            }
            m::SignedFirmwareStatusNotification::NAME => notifications::acknowledge::<
                m::SignedFirmwareStatusNotification,
            >(charge_box_id, payload),
            m::SignCertificate::NAME => notifications::sign_certificate(charge_box_id, payload),
            other => Err(unhandled_action(other)),
        }
    }
}

impl CallHandler for Dispatcher {
    fn handle_call<'a>(
        &'a self,
        charge_box_id: &'a str,
        action: &'a str,
        payload: &'a Payload,
    ) -> BoxFuture<'a, CallReply> {
        Box::pin(self.dispatch(charge_box_id, action, payload))
    }
}

fn decode<A: Action>(payload: &Payload) -> Result<A::Request, DecodeError> {
    decode_as::<A::Request>(payload, &format!("{} request", A::NAME))
}

fn reply<A: Action>(response: &A::Response) -> CallReply {
    Payload::from_serialize(response).map_err(|error| {
        tracing::error!(action = A::NAME, %error, "could not encode a response");
        internal_error("the central system could not encode its answer")
    })
}

fn internal_error(description: &str) -> DecodeError {
    DecodeError {
        code: ErrorCode::InternalError,
        description: description.to_owned(),
        field: None,
    }
}

/// The current time as OCPP writes it.
pub(crate) fn now() -> ampwise_ocpp::types::DateTime {
    // The current time always formats as RFC 3339; the fallback is the epoch, never a panic.
    ampwise_ocpp::types::DateTime::from_instant(time::OffsetDateTime::now_utc()).unwrap_or_else(
        |_| {
            ampwise_ocpp::types::DateTime::from_instant(time::OffsetDateTime::UNIX_EPOCH)
                .expect("the epoch formats as RFC 3339")
        },
    )
}
