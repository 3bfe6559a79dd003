//! One module per OCPP 1.6 action (the 28 core messages and the 11 of the security whitepaper),
//! each with its request, its response and a unit struct implementing [`Action`].

use crate::action::Action;

mod authorize;
mod boot_notification;
mod cancel_reservation;
mod certificate_signed;
mod change_availability;
mod change_configuration;
mod clear_cache;
mod clear_charging_profile;
mod data_transfer;
mod delete_certificate;
mod diagnostics_status_notification;
mod extended_trigger_message;
mod firmware_status_notification;
mod get_composite_schedule;
mod get_configuration;
mod get_diagnostics;
mod get_installed_certificate_ids;
mod get_local_list_version;
mod get_log;
mod heartbeat;
mod install_certificate;
mod log_status_notification;
mod meter_values;
mod remote_start_transaction;
mod remote_stop_transaction;
mod reserve_now;
mod reset;
mod security_event_notification;
mod send_local_list;
mod set_charging_profile;
mod sign_certificate;
mod signed_firmware_status_notification;
mod signed_update_firmware;
mod start_transaction;
mod status_notification;
mod stop_transaction;
mod trigger_message;
mod unlock_connector;
mod update_firmware;

pub use authorize::*;
pub use boot_notification::*;
pub use cancel_reservation::*;
pub use certificate_signed::*;
pub use change_availability::*;
pub use change_configuration::*;
pub use clear_cache::*;
pub use clear_charging_profile::*;
pub use data_transfer::*;
pub use delete_certificate::*;
pub use diagnostics_status_notification::*;
pub use extended_trigger_message::*;
pub use firmware_status_notification::*;
pub use get_composite_schedule::*;
pub use get_configuration::*;
pub use get_diagnostics::*;
pub use get_installed_certificate_ids::*;
pub use get_local_list_version::*;
pub use get_log::*;
pub use heartbeat::*;
pub use install_certificate::*;
pub use log_status_notification::*;
pub use meter_values::*;
pub use remote_start_transaction::*;
pub use remote_stop_transaction::*;
pub use reserve_now::*;
pub use reset::*;
pub use security_event_notification::*;
pub use send_local_list::*;
pub use set_charging_profile::*;
pub use sign_certificate::*;
pub use signed_firmware_status_notification::*;
pub use signed_update_firmware::*;
pub use start_transaction::*;
pub use status_notification::*;
pub use stop_transaction::*;
pub use trigger_message::*;
pub use unlock_connector::*;
pub use update_firmware::*;

/// The name of every action this crate knows, as it appears in a CALL frame.
pub const ALL_ACTIONS: &[&str] = &[
    Authorize::NAME,
    BootNotification::NAME,
    CancelReservation::NAME,
    CertificateSigned::NAME,
    ChangeAvailability::NAME,
    ChangeConfiguration::NAME,
    ClearCache::NAME,
    ClearChargingProfile::NAME,
    DataTransfer::NAME,
    DeleteCertificate::NAME,
    DiagnosticsStatusNotification::NAME,
    ExtendedTriggerMessage::NAME,
    FirmwareStatusNotification::NAME,
    GetCompositeSchedule::NAME,
    GetConfiguration::NAME,
    GetDiagnostics::NAME,
    GetInstalledCertificateIds::NAME,
    GetLocalListVersion::NAME,
    GetLog::NAME,
    Heartbeat::NAME,
    InstallCertificate::NAME,
    LogStatusNotification::NAME,
    MeterValues::NAME,
    RemoteStartTransaction::NAME,
    RemoteStopTransaction::NAME,
    ReserveNow::NAME,
    Reset::NAME,
    SecurityEventNotification::NAME,
    SendLocalList::NAME,
    SetChargingProfile::NAME,
    SignCertificate::NAME,
    SignedFirmwareStatusNotification::NAME,
    SignedUpdateFirmware::NAME,
    StartTransaction::NAME,
    StatusNotification::NAME,
    StopTransaction::NAME,
    TriggerMessage::NAME,
    UnlockConnector::NAME,
    UpdateFirmware::NAME,
];
