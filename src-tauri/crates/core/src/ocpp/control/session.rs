//! One connected charge point under Ampwise's control: configure it once it is accepted, then keep
//! its connectors' profiles equal to their targets until the connection ends.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use ampwise_ocpp::messages::{
    ChangeConfiguration, ChangeConfigurationRequest, ChargingProfileStatus, ClearChargingProfile,
    ConfigurationStatus, GetConfiguration, GetConfigurationRequest, RemoteStartTransaction,
    RemoteStartTransactionRequest, RemoteStopTransaction, RemoteStopTransactionRequest,
    SetChargingProfile,
};
use ampwise_ocpp::types::CiString50;

use super::profile::{clear_request, limit_request, SmartChargingCapabilities};
use super::{ConnectorTarget, OcppControl, ProfileTarget};
use crate::config::OcppPauseMethod;
use crate::ocpp::connection::{CallFailure, ChargePointHandle};
use crate::ocpp::handlers::Dispatcher;
use crate::ocpp::live::LiveState;

/// How often a profile is sent again after the wallbox did not answer in time.
const ATTEMPTS: u32 = 3;
const RETRY_DELAY: Duration = Duration::from_secs(5);

const CONFIGURATION_KEYS: [&str; 4] = [
    "ChargeProfileMaxStackLevel",
    "ChargingScheduleAllowedChargingRateUnit",
    "NumberOfConnectors",
    "MeterValuesSampledData",
];

/// What was last installed on a connector.
#[derive(Debug, Clone, PartialEq)]
enum Applied {
    Limit(f64),
    Cleared,
}

struct Session<'a> {
    handle: &'a ChargePointHandle,
    control: &'a OcppControl,
    live: &'a LiveState,
    capabilities: SmartChargingCapabilities,
    applied: HashMap<i32, Applied>,
    /// Connectors whose wallbox refused a profile: left alone until it boots again.
    refused: HashMap<i32, String>,
    /// Transactions Ampwise stopped to pause (RemoteStopStart): connector → id tag to resume with.
    paused_by_us: HashMap<i32, String>,
}

/// Runs until the connection ends. Started by the server for every accepted connection.
pub async fn run_for_connection(
    handle: ChargePointHandle,
    control: Arc<OcppControl>,
    dispatcher: Arc<Dispatcher>,
    live: Arc<LiveState>,
) {
    let id = handle.charge_box_id().to_owned();
    let mut boots = dispatcher.boots(&id);
    boots.borrow_and_update();
    // A charge point accepted before (even before a restart) is configured right away; a new one
    // once its BootNotification is accepted.
    if !dispatcher.accepted(&id).await {
        tokio::select! {
            () = handle.closed() => return,
            changed = boots.changed() => if changed.is_err() { return },
        }
        boots.borrow_and_update();
    }

    let mut targets = control.subscribe();
    let mut session = Session {
        handle: &handle,
        control: &control,
        live: &live,
        capabilities: SmartChargingCapabilities::default(),
        applied: HashMap::new(),
        refused: HashMap::new(),
        paused_by_us: HashMap::new(),
    };
    if session.configure().await.is_err() {
        return;
    }
    loop {
        let current = targets
            .borrow_and_update()
            .get(&id)
            .cloned()
            .unwrap_or_default();
        if session.apply(&current).await.is_err() {
            return; // disconnected
        }
        tokio::select! {
            () = handle.closed() => return,
            changed = targets.changed() => if changed.is_err() { return },
            // A reboot may have lost profiles and settings: start over.
            changed = boots.changed() => {
                if changed.is_err() {
                    return;
                }
                boots.borrow_and_update();
                session.applied.clear();
                session.refused.clear();
                if session.configure().await.is_err() {
                    return;
                }
            }
        }
    }
}

/// The connection is gone; nothing more can be done for it.
struct Disconnected;

impl Session<'_> {
    fn id(&self) -> &str {
        self.handle.charge_box_id()
    }

    /// Reads the smart-charging configuration and sets the meter value sample interval.
    async fn configure(&mut self) -> Result<(), Disconnected> {
        let keys = CONFIGURATION_KEYS
            .iter()
            .filter_map(|key| CiString50::new(*key).ok())
            .collect();
        match self
            .handle
            .call::<GetConfiguration>(&GetConfigurationRequest { key: Some(keys) })
            .await
        {
            Ok(response) => {
                let reported = response.configuration_key.unwrap_or_default();
                self.capabilities = SmartChargingCapabilities::from_keys(
                    reported
                        .iter()
                        .map(|kv| (kv.key.as_str(), kv.value.as_ref().map(|v| v.as_str()))),
                );
                tracing::info!(charge_box_id = self.id(), capabilities = ?self.capabilities, "smart charging configuration read");
            }
            Err(CallFailure::Disconnected) => return Err(Disconnected),
            Err(error) => {
                tracing::warn!(charge_box_id = self.id(), %error, "GetConfiguration failed; assuming amperes");
                self.capabilities = SmartChargingCapabilities::from_keys([]);
            }
        }
        let interval = self
            .control
            .config()
            .ocpp_server
            .meter_value_sample_interval_s;
        if let (Ok(key), Ok(value)) = (
            CiString50::new("MeterValueSampleInterval"),
            interval.to_string().try_into(),
        ) {
            match self
                .handle
                .call::<ChangeConfiguration>(&ChangeConfigurationRequest { key, value })
                .await
            {
                Ok(response) if response.status == ConfigurationStatus::Accepted => {}
                Ok(response) => {
                    tracing::warn!(charge_box_id = self.id(), status = ?response.status, "MeterValueSampleInterval not taken")
                }
                Err(CallFailure::Disconnected) => return Err(Disconnected),
                Err(error) => {
                    tracing::warn!(charge_box_id = self.id(), %error, "setting MeterValueSampleInterval failed")
                }
            }
        }
        let capabilities = self.capabilities.clone();
        for connector in self.connectors() {
            self.control.update_report(self.id(), connector, |report| {
                report.capabilities = Some(capabilities.clone());
                report.profiles_rejected = None;
            });
        }
        Ok(())
    }

    fn connectors(&self) -> Vec<i32> {
        self.control
            .targets
            .borrow()
            .get(self.id())
            .map(|targets| targets.iter().map(|t| t.connector_id).collect())
            .unwrap_or_default()
    }

    async fn apply(&mut self, targets: &[ConnectorTarget]) -> Result<(), Disconnected> {
        for target in targets {
            let connector = target.connector_id;
            if self.refused.contains_key(&connector) {
                continue;
            }
            match &target.target {
                ProfileTarget::Untouched => {}
                ProfileTarget::Clear => {
                    if self.applied.get(&connector) != Some(&Applied::Cleared) {
                        self.clear(connector).await?;
                    }
                }
                ProfileTarget::Limit { amps, phases } => {
                    self.limit(target, *amps, *phases).await?;
                }
            }
        }
        Ok(())
    }

    async fn limit(
        &mut self,
        target: &ConnectorTarget,
        amps: f64,
        phases: u8,
    ) -> Result<(), Disconnected> {
        let connector = target.connector_id;
        // Wallboxes that end the transaction at 0 A are paused by stopping the transaction; their
        // profile never goes below the minimum.
        let stop_start = target.pause_with == OcppPauseMethod::RemoteStopStart;
        let profile_amps = if stop_start && amps <= 0.0 {
            target.min_current_a
        } else {
            amps
        };
        if self.applied.get(&connector) != Some(&Applied::Limit(profile_amps)) {
            self.set_profile(connector, profile_amps, phases).await?;
        }
        if stop_start {
            self.pause_or_resume(connector, amps > 0.0).await?;
        }
        Ok(())
    }

    async fn set_profile(
        &mut self,
        connector: i32,
        amps: f64,
        phases: u8,
    ) -> Result<(), Disconnected> {
        for attempt in 1..=ATTEMPTS {
            let request = limit_request(
                connector,
                amps,
                phases,
                &self.capabilities,
                crate::ocpp::handlers::now(),
            );
            match self.handle.call::<SetChargingProfile>(&request).await {
                Ok(response) if response.status == ChargingProfileStatus::Accepted => {
                    tracing::info!(
                        charge_box_id = self.id(),
                        connector,
                        amps,
                        "charging profile installed"
                    );
                    self.applied.insert(connector, Applied::Limit(amps));
                    self.control.update_report(self.id(), connector, |report| {
                        report.applied_limit_a = Some(amps);
                        report.cleared = false;
                        report.last_error = None;
                    });
                    return Ok(());
                }
                Ok(response) => {
                    return {
                        self.refuse(
                            connector,
                            format!(
                                "the wallbox answered {:?} to SetChargingProfile",
                                response.status
                            ),
                        );
                        Ok(())
                    };
                }
                Err(CallFailure::Disconnected) => return Err(Disconnected),
                Err(CallFailure::CallError { code, description }) => {
                    self.refuse(
                        connector,
                        format!("the wallbox answered {code}: {description}"),
                    );
                    return Ok(());
                }
                Err(error) => {
                    tracing::warn!(charge_box_id = self.id(), connector, attempt, %error, "SetChargingProfile failed");
                    self.control.update_report(self.id(), connector, |report| {
                        report.last_error = Some(error.to_string());
                    });
                    if attempt < ATTEMPTS {
                        tokio::time::sleep(RETRY_DELAY).await;
                    }
                }
            }
        }
        Ok(())
    }

    /// A wallbox that refuses profiles is reported and left alone, not asked again and again.
    fn refuse(&mut self, connector: i32, reason: String) {
        tracing::warn!(
            charge_box_id = self.id(),
            connector,
            reason,
            "charging profiles refused; Ampwise cannot limit this wallbox"
        );
        self.control.update_report(self.id(), connector, |report| {
            report.profiles_rejected = Some(reason.clone());
        });
        self.refused.insert(connector, reason);
    }

    async fn clear(&mut self, connector: i32) -> Result<(), Disconnected> {
        match self
            .handle
            .call::<ClearChargingProfile>(&clear_request(connector))
            .await
        {
            Ok(response) => {
                tracing::info!(charge_box_id = self.id(), connector, status = ?response.status, "charging profiles cleared");
                self.applied.insert(connector, Applied::Cleared);
                self.control.update_report(self.id(), connector, |report| {
                    report.cleared = true;
                    report.applied_limit_a = None;
                    report.last_error = None;
                });
                Ok(())
            }
            Err(CallFailure::Disconnected) => Err(Disconnected),
            Err(error) => {
                tracing::warn!(charge_box_id = self.id(), connector, %error, "ClearChargingProfile failed");
                self.control.update_report(self.id(), connector, |report| {
                    report.last_error = Some(error.to_string());
                });
                Ok(())
            }
        }
    }

    /// RemoteStopTransaction to pause, RemoteStartTransaction (with the same tag) to resume.
    async fn pause_or_resume(
        &mut self,
        connector: i32,
        may_charge: bool,
    ) -> Result<(), Disconnected> {
        let running = self
            .live
            .connector(self.id(), connector)
            .and_then(|live| Some((live.transaction_id?, live.id_tag.unwrap_or_default())));
        match (may_charge, running) {
            (false, Some((transaction_id, id_tag))) => {
                let result = self
                    .handle
                    .call::<RemoteStopTransaction>(&RemoteStopTransactionRequest { transaction_id })
                    .await;
                match result {
                    Ok(_) => {
                        tracing::info!(
                            charge_box_id = self.id(),
                            connector,
                            transaction_id,
                            "paused by RemoteStopTransaction"
                        );
                        self.paused_by_us.insert(connector, id_tag);
                    }
                    Err(CallFailure::Disconnected) => return Err(Disconnected),
                    Err(error) => {
                        tracing::warn!(charge_box_id = self.id(), %error, "RemoteStopTransaction failed")
                    }
                }
            }
            (true, None) => {
                if let Some(id_tag) = self.paused_by_us.remove(&connector) {
                    let Ok(id_tag) = id_tag.try_into() else {
                        return Ok(());
                    };
                    let result = self
                        .handle
                        .call::<RemoteStartTransaction>(&RemoteStartTransactionRequest {
                            connector_id: Some(connector),
                            id_tag,
                            charging_profile: None,
                        })
                        .await;
                    match result {
                        Ok(_) => tracing::info!(
                            charge_box_id = self.id(),
                            connector,
                            "resumed by RemoteStartTransaction"
                        ),
                        Err(CallFailure::Disconnected) => return Err(Disconnected),
                        Err(error) => {
                            tracing::warn!(charge_box_id = self.id(), %error, "RemoteStartTransaction failed")
                        }
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }
}
