//! The gateway: how a wallbox appears as a charge point at an external OCPP backend.

use crate::config::model::{Device, GatewaySettings};

use super::devices::describe;
use super::ids::FirstSeen;
use super::ocpp::{check_charge_point_identity, IdentityUse};
use super::Report;

/// OCPP 1.6 idToken is a CiString20.
const MAX_ID_TOKEN_CHARS: usize = 20;

const CLIENT_ID: IdentityUse = IdentityUse {
    empty: "must not be empty: enter the identity the backend expects",
    colon: "contains ':', which cannot be part of the HTTP Basic user name sent to the backend",
    // The client ID becomes the last path segment of the backend URL, like a ChargeBox ID.
    slash: Some("contains '/', but it is sent as the last path segment of the backend URL: put path parts into the URL instead"),
};

pub(super) fn check_gateway(prefix: &str, gateway: &GatewaySettings, report: &mut Report) {
    if let Some(reason) = gateway_url_problem(&gateway.url) {
        report.add(format!("{prefix}.url"), reason);
    }

    check_charge_point_identity(
        &format!("{prefix}.client_id"),
        &gateway.client_id,
        &CLIENT_ID,
        report,
    );

    if let Some(rfid) = &gateway.fixed_rfid {
        let length = rfid.chars().count();
        if length == 0 || length > MAX_ID_TOKEN_CHARS {
            report.add(
                format!("{prefix}.fixed_rfid"),
                format!(
                    "{length} characters: an OCPP idToken has 1 to {MAX_ID_TOKEN_CHARS} characters"
                ),
            );
        }
    }
}

/// The URL is never echoed: a refused URL may carry a password the user pasted into it.
fn gateway_url_problem(text: &str) -> Option<String> {
    if text.trim().is_empty() {
        return Some("must not be empty: enter the backend's ws:// or wss:// URL".to_owned());
    }
    let url = match url::Url::parse(text) {
        Ok(url) => url,
        Err(error) => return Some(format!("is not a valid URL: {error}")),
    };
    if !url.username().is_empty() || url.password().is_some() {
        return Some(
            "contains a user name or password; remove it from the URL and enter the password as \
             the gateway password (it is kept in the system keyring)"
                .to_owned(),
        );
    }
    if !matches!(url.scheme(), "ws" | "wss") {
        return Some(format!(
            "the scheme \"{}\" is not supported; OCPP backends use ws:// or wss://",
            url.scheme()
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Some("has no host".to_owned());
    }
    None
}

/// Two wallboxes reporting the same identity to the same backend would keep replacing each other's
/// connection there.
pub(super) fn check_gateway_identities(devices: &[Device], report: &mut Report) {
    let mut first_with = FirstSeen::new();
    for (index, device) in devices.iter().enumerate() {
        let Some(gateway) = &device.gateway else {
            continue;
        };
        let Ok(url) = url::Url::parse(&gateway.url) else {
            continue;
        };
        let key = (url.to_string(), gateway.client_id.as_str());
        if let Some(first) = first_with.earlier(key, index) {
            report.add(
                format!("devices[{index}].gateway.client_id"),
                format!(
                    "\"{}\" is already the identity of {} at the same backend URL",
                    gateway.client_id,
                    describe(first, &devices[first])
                ),
            );
        }
    }
}
