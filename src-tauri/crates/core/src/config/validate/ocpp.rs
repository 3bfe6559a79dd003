//! The OCPP side: Ampwise's own OCPP server, the address of each OCPP wallbox at it, and the rules of
//! an OCPP 1.6 charge point identity (shared with the identities the gateway reports to backends).

use crate::config::model::{Device, DeviceDriver, OcppEvseAddress, OcppServerSettings};

use super::devices::describe;
use super::ids::FirstSeen;
use super::Report;

const CALL_TIMEOUT_S: std::ops::RangeInclusive<u32> = 1..=600;
/// OCPP 1.6 identifies a charge point by a CiString48-sized identity.
const MAX_CHARGE_POINT_IDENTITY_CHARS: usize = 48;

pub(super) fn check_ocpp_server(settings: &OcppServerSettings, report: &mut Report) {
    if settings.port == 0 {
        report.add(
            "ocpp_server.port",
            "0 is not a port charge points can connect to",
        );
    }
    check_range(
        "ocpp_server.call_timeout_s",
        settings.call_timeout_s,
        CALL_TIMEOUT_S,
        report,
    );
    check_range(
        "ocpp_server.heartbeat_interval_s",
        settings.heartbeat_interval_s,
        HEARTBEAT_INTERVAL_S,
        report,
    );
    check_range(
        "ocpp_server.meter_value_sample_interval_s",
        settings.meter_value_sample_interval_s,
        SAMPLE_INTERVAL_S,
        report,
    );
    let mut seen = std::collections::HashSet::new();
    for (index, entry) in settings.id_tags.iter().enumerate() {
        let field = format!("ocpp_server.id_tags[{index}].id_tag");
        let length = entry.id_tag.chars().count();
        if length == 0 || length > MAX_ID_TAG_CHARS {
            report.add(
                field,
                format!("must be 1 to {MAX_ID_TAG_CHARS} characters (OCPP idTag), not {length}"),
            );
        } else if !seen.insert(entry.id_tag.as_str()) {
            report.add(field, format!("{:?} is listed twice", entry.id_tag));
        }
    }
}

/// Heartbeats from every 10 s to once a day (the errata want at least one a day for clock sync).
const HEARTBEAT_INTERVAL_S: std::ops::RangeInclusive<u32> = 10..=86_400;
/// 0 turns periodic meter values off; more than an hour apart is of no use to load management.
const SAMPLE_INTERVAL_S: std::ops::RangeInclusive<u32> = 0..=3600;
/// OCPP 1.6 idToken is a CiString20.
const MAX_ID_TAG_CHARS: usize = 20;

fn check_range(field: &str, value: u32, range: std::ops::RangeInclusive<u32>, report: &mut Report) {
    if !range.contains(&value) {
        report.add(
            field,
            format!("{value} s is outside {}..={} s", range.start(), range.end()),
        );
    }
}

/// What a refused charge point identity is told, which depends on where the identity is used.
pub(super) struct IdentityUse {
    /// The reason given when it is empty: what to enter.
    pub(super) empty: &'static str,
    /// The reason given for a ':', naming who sends the identity as the HTTP Basic user name.
    pub(super) colon: &'static str,
    /// The reason given for a '/', where the identity is a segment of a URL path Ampwise parses.
    pub(super) slash: Option<&'static str>,
}

const CHARGE_BOX_ID: IdentityUse = IdentityUse {
    empty: "must not be empty: enter the ChargeBox ID set in the wallbox",
    colon:
        "contains ':', which cannot be part of the HTTP Basic user name the wallbox logs in with",
    slash: Some("contains '/'; the ChargeBox ID is the last segment of the URL path"),
};

pub(super) fn check_charge_point_identity(
    field: &str,
    id: &str,
    usage: &IdentityUse,
    report: &mut Report,
) {
    if id.is_empty() {
        report.add(field, usage.empty);
    } else if id.chars().count() > MAX_CHARGE_POINT_IDENTITY_CHARS {
        report.add(
            field,
            format!(
                "{} characters is longer than the {MAX_CHARGE_POINT_IDENTITY_CHARS} OCPP allows",
                id.chars().count()
            ),
        );
    } else if id.contains(':') {
        report.add(field, usage.colon);
    } else if let Some(reason) = usage.slash.filter(|_| id.contains('/')) {
        report.add(field, reason);
    } else if id.chars().any(|c| c.is_whitespace() || c.is_control()) {
        report.add(field, "contains whitespace or a control character");
    }
}

pub(super) fn check_ocpp_address(prefix: &str, address: &OcppEvseAddress, report: &mut Report) {
    check_charge_point_identity(
        &format!("{prefix}.charge_box_id"),
        &address.charge_box_id,
        &CHARGE_BOX_ID,
        report,
    );
    if address.connector_id < 1 {
        report.add(
            format!("{prefix}.connector_id"),
            "0 means the whole charge point in OCPP; the first connector is 1",
        );
    }
}

/// One wallbox connector can only be one device, or two devices would fight over its limit.
pub(super) fn check_charge_point_addresses(devices: &[Device], report: &mut Report) {
    let mut first_at = FirstSeen::new();
    for (index, device) in devices.iter().enumerate() {
        let DeviceDriver::Ocpp16Evse(address) = &device.driver else {
            continue;
        };
        let key = (address.charge_box_id.as_str(), address.connector_id);
        if let Some(first) = first_at.earlier(key, index) {
            report.add(
                format!("devices[{index}].driver.connector_id"),
                format!(
                    "connector {} of ChargeBox ID \"{}\" is already {}",
                    address.connector_id,
                    address.charge_box_id,
                    describe(first, &devices[first])
                ),
            );
        }
    }
}
