//! Checks of a whole configuration that the types alone cannot express: ranges, references between
//! sections, uniqueness and the rules of the protocols behind each device.
//!
//! Every problem is collected (not just the first) and names the field by its path in the file, so the
//! UI can mark each field and a hand editor can find each line.

use std::collections::HashMap;
use std::fmt;

use super::model::{
    CertificateKeyPair, CertificateSettings, ChargingManagerSettings, ChargingSettings, Config,
    Device, DeviceDriver, GatewaySettings, Group, ModbusTransport, OcppEvseAddress,
    OcppServerSettings, PhaseCount, PhaseCurrents, SerialSettings, StoredCertificate, TcpEndpoint,
    CURRENT_SCHEMA_VERSION, PRIORITY_RANGE, SUPPORTED_BAUD_RATES,
};

/// No grid connection or sub-distribution this manager is meant for has a larger fuse.
const MAX_PHASE_CURRENT_A: f64 = 2000.0;
/// IEC 61851: below 6 A a car may not be offered current, so the manager pauses instead.
const MIN_CHARGING_CURRENT_A: f64 = 6.0;
/// The highest AC charging current of a single connector (IEC 61851 / IEC 62196).
const MAX_CHARGING_CURRENT_A: f64 = 80.0;
const CONTROL_INTERVAL_MS: std::ops::RangeInclusive<u32> = 100..=60_000;
const CALL_TIMEOUT_S: std::ops::RangeInclusive<u32> = 1..=600;
const MAX_ID_CHARS: usize = 64;
/// OCPP 1.6 identifies a charge point by a CiString48-sized identity.
const MAX_CHARGE_POINT_IDENTITY_CHARS: usize = 48;
/// OCPP 1.6 idToken is a CiString20.
const MAX_ID_TOKEN_CHARS: usize = 20;
/// Modbus addresses 248..=255 are reserved and 0 is broadcast.
const MODBUS_UNIT_IDS: std::ops::RangeInclusive<u8> = 1..=247;

/// One problem in a configuration, named by its path in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    /// The path in the file, e.g. `devices[2].driver.transport.baud_rate`.
    pub field: String,
    pub reason: String,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.reason)
    }
}

impl std::error::Error for ValidationError {}

/// Every problem found in one configuration, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationErrors(pub Vec<ValidationError>);

impl ValidationErrors {
    pub fn iter(&self) -> std::slice::Iter<'_, ValidationError> {
        self.0.iter()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The problems reported for exactly this field.
    pub fn for_field<'a>(&'a self, field: &'a str) -> impl Iterator<Item = &'a ValidationError> {
        self.0.iter().filter(move |error| error.field == field)
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, error) in self.0.iter().enumerate() {
            if index > 0 {
                writeln!(f)?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}

impl<'a> IntoIterator for &'a ValidationErrors {
    type Item = &'a ValidationError;
    type IntoIter = std::slice::Iter<'a, ValidationError>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// Checks everything and returns every problem found.
pub fn validate(config: &Config) -> Result<(), ValidationErrors> {
    let mut report = Report::default();
    if config.schema_version != CURRENT_SCHEMA_VERSION {
        report.add(
            "schema_version",
            format!(
                "{} is not {CURRENT_SCHEMA_VERSION}, the schema version of this Ampwise",
                config.schema_version
            ),
        );
    }
    check_charging_manager(&config.charging_manager, &mut report);
    check_ocpp_server(&config.ocpp_server, &mut report);
    check_certificates(&config.certificates, &mut report);
    check_groups(&config.groups, &mut report);
    check_devices(config, &mut report);
    report.finish()
}

#[derive(Default)]
struct Report {
    errors: Vec<ValidationError>,
}

impl Report {
    fn add(&mut self, field: impl Into<String>, reason: impl Into<String>) {
        self.errors.push(ValidationError {
            field: field.into(),
            reason: reason.into(),
        });
    }

    fn finish(self) -> Result<(), ValidationErrors> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ValidationErrors(self.errors))
        }
    }
}

fn check_charging_manager(settings: &ChargingManagerSettings, report: &mut Report) {
    let prefix = "charging_manager";
    check_phase_limits(
        &format!("{prefix}.max_current_per_phase_a"),
        &settings.max_current_per_phase_a,
        report,
    );

    let field = format!("{prefix}.current_reserve_a");
    let reserve = settings.current_reserve_a;
    if !reserve.is_finite() {
        report.add(field, format!("{reserve} is not a number of amperes"));
    } else if reserve < 0.0 {
        report.add(field, format!("{reserve} A is negative"));
    } else if let Some((phase, limit)) = settings
        .max_current_per_phase_a
        .named()
        .into_iter()
        // A limit that is wrong itself is reported on its own; comparing with it says nothing.
        .find(|(_, limit)| phase_limit_problem(*limit).is_none() && reserve >= *limit)
    {
        report.add(
            field,
            format!(
                "{reserve} A leaves nothing of the {limit} A limit of {phase}; the reserve must be \
                 below every phase limit"
            ),
        );
    }

    if !CONTROL_INTERVAL_MS.contains(&settings.control_interval_ms) {
        report.add(
            format!("{prefix}.control_interval_ms"),
            format!(
                "{} ms is outside {}..={} ms",
                settings.control_interval_ms,
                CONTROL_INTERVAL_MS.start(),
                CONTROL_INTERVAL_MS.end()
            ),
        );
    }
    // grid_meter refers to a device; it is checked with the devices.
}

fn check_phase_limits(prefix: &str, currents: &PhaseCurrents, report: &mut Report) {
    for (phase, amperes) in currents.named() {
        if let Some(reason) = phase_limit_problem(amperes) {
            report.add(format!("{prefix}.{phase}"), reason);
        }
    }
}

fn phase_limit_problem(amperes: f64) -> Option<String> {
    if !amperes.is_finite() {
        Some(format!("{amperes} is not a number of amperes"))
    } else if amperes <= 0.0 {
        Some(format!("{amperes} A: a fuse limit must be above 0 A"))
    } else if amperes > MAX_PHASE_CURRENT_A {
        Some(format!(
            "{amperes} A is above {MAX_PHASE_CURRENT_A} A, the largest fuse this manager supports"
        ))
    } else {
        None
    }
}

fn check_ocpp_server(settings: &OcppServerSettings, report: &mut Report) {
    if settings.port == 0 {
        report.add(
            "ocpp_server.port",
            "0 is not a port charge points can connect to",
        );
    }
    if !CALL_TIMEOUT_S.contains(&settings.call_timeout_s) {
        report.add(
            "ocpp_server.call_timeout_s",
            format!(
                "{} s is outside {}..={} s",
                settings.call_timeout_s,
                CALL_TIMEOUT_S.start(),
                CALL_TIMEOUT_S.end()
            ),
        );
    }
}

fn check_certificates(settings: &CertificateSettings, report: &mut Report) {
    if let super::model::ServerCertificate::Imported(pair) = &settings.server {
        check_key_pair("certificates.server", pair, report);
    }
    check_stored_certificates("certificates.client_ca", &settings.client_ca, report);
    check_stored_certificates("certificates.backend_ca", &settings.backend_ca, report);
    if let Some(pair) = &settings.client {
        check_key_pair("certificates.client", pair, report);
    }
}

fn check_key_pair(prefix: &str, pair: &CertificateKeyPair, report: &mut Report) {
    check_data_file(
        &format!("{prefix}.certificate_file"),
        &pair.certificate_file,
        report,
    );
    check_data_file(&format!("{prefix}.key_file"), &pair.key_file, report);
}

fn check_stored_certificates(prefix: &str, list: &[StoredCertificate], report: &mut Report) {
    let mut first_with_name: HashMap<&str, usize> = HashMap::new();
    for (index, certificate) in list.iter().enumerate() {
        let name_field = format!("{prefix}[{index}].name");
        let name = certificate.name.trim();
        if name.is_empty() {
            report.add(name_field, "must not be empty");
        } else if let Some(first) = first_with_name.get(name) {
            report.add(
                name_field,
                format!("\"{name}\" is already the name of {prefix}[{first}]"),
            );
        } else {
            first_with_name.insert(name, index);
        }
        check_data_file(
            &format!("{prefix}[{index}].file"),
            &certificate.file,
            report,
        );
    }
}

/// Certificate files live in the data directory; a path leaving it would make the config point at
/// files Ampwise does not manage (and could not move with the installation).
fn check_data_file(field: &str, file: &str, report: &mut Report) {
    if let Some(reason) = data_file_problem(file) {
        report.add(field, reason);
    }
}

fn data_file_problem(file: &str) -> Option<String> {
    if file.trim().is_empty() {
        return Some("must name a file in the data directory".to_owned());
    }
    if file.chars().any(char::is_control) {
        return Some("contains a control character".to_owned());
    }
    // Checked for both separators so a config written on one OS is judged the same on the other.
    let has_drive = file.as_bytes().get(1) == Some(&b':')
        && file.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
    if file.starts_with('/')
        || file.starts_with('\\')
        || has_drive
        || std::path::Path::new(file).is_absolute()
    {
        return Some(format!(
            "\"{file}\" is absolute; give a path relative to the data directory"
        ));
    }
    let components: Vec<&str> = file.split(['/', '\\']).collect();
    if components.contains(&"..") {
        return Some(format!(
            "\"{file}\" contains a \"..\" component; the file must be inside the data directory"
        ));
    }
    if components
        .last()
        .is_some_and(|last| last.is_empty() || *last == ".")
    {
        return Some(format!("\"{file}\" names a directory, not a file"));
    }
    None
}

fn check_groups(groups: &[Group], report: &mut Report) {
    let first_with_id = first_index_by_id(groups.iter().map(|group| group.id.as_str()));
    for (index, group) in groups.iter().enumerate() {
        let prefix = format!("groups[{index}]");
        check_id(&format!("{prefix}.id"), &group.id, report);
        if let Some(first) = first_with_id.get(group.id.as_str()) {
            if *first != index && !group.id.is_empty() {
                report.add(
                    format!("{prefix}.id"),
                    format!("\"{}\" is already the id of groups[{first}]", group.id),
                );
            }
        }
        if group.name.trim().is_empty() {
            report.add(format!("{prefix}.name"), "must not be empty");
        }
        if let Some(parent) = &group.parent {
            if !first_with_id.contains_key(parent.as_str()) {
                report.add(
                    format!("{prefix}.parent"),
                    format!("there is no group \"{parent}\""),
                );
            }
        }
        check_phase_limits(
            &format!("{prefix}.max_current_per_phase_a"),
            &group.max_current_per_phase_a,
            report,
        );
    }
    check_group_cycles(groups, &first_with_id, report);
}

/// A cycle is reported once, at the group of the cycle that comes first in the file.
fn check_group_cycles(groups: &[Group], first_with_id: &HashMap<&str, usize>, report: &mut Report) {
    for start in 0..groups.len() {
        let mut chain = vec![start];
        let mut current = start;
        while let Some(parent) = groups[current]
            .parent
            .as_deref()
            .and_then(|parent| first_with_id.get(parent).copied())
        {
            if parent == start {
                if chain.iter().min() == Some(&start) {
                    let mut names: Vec<&str> =
                        chain.iter().map(|&i| groups[i].id.as_str()).collect();
                    names.push(groups[start].id.as_str());
                    report.add(
                        format!("groups[{start}].parent"),
                        format!("groups form a cycle: {}", names.join(" -> ")),
                    );
                }
                break;
            }
            if chain.contains(&parent) {
                // A cycle further up that does not include `start`; it is reported at its own group.
                break;
            }
            chain.push(parent);
            current = parent;
        }
    }
}

fn first_index_by_id<'a>(ids: impl Iterator<Item = &'a str>) -> HashMap<&'a str, usize> {
    let mut first = HashMap::new();
    for (index, id) in ids.enumerate() {
        first.entry(id).or_insert(index);
    }
    first
}

/// Ids appear in references, keyring entries and file names, so they are kept to a portable set.
fn check_id(field: &str, id: &str, report: &mut Report) {
    if id.is_empty() {
        report.add(field, "must not be empty");
    } else if id.chars().count() > MAX_ID_CHARS {
        report.add(
            field,
            format!(
                "{} characters is longer than the {MAX_ID_CHARS} allowed",
                id.chars().count()
            ),
        );
    } else if let Some(bad) = id
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
    {
        report.add(
            field,
            format!(
                "\"{}\" contains {bad:?}; use only letters A-Z and a-z, digits, '-' and '_'",
                id.escape_debug()
            ),
        );
    }
}

fn check_devices(config: &Config, report: &mut Report) {
    let devices = &config.devices;
    let group_ids = first_index_by_id(config.groups.iter().map(|group| group.id.as_str()));
    let first_with_id = first_index_by_id(devices.iter().map(|device| device.id.as_str()));

    for (index, device) in devices.iter().enumerate() {
        let prefix = format!("devices[{index}]");
        check_id(&format!("{prefix}.id"), &device.id, report);
        if let Some(first) = first_with_id.get(device.id.as_str()) {
            if *first != index && !device.id.is_empty() {
                report.add(
                    format!("{prefix}.id"),
                    format!(
                        "\"{}\" is already the id of {}",
                        device.id,
                        describe(*first, &devices[*first])
                    ),
                );
            }
        }
        if device.name.trim().is_empty() {
            report.add(format!("{prefix}.name"), "must not be empty");
        }
        if let Some(group) = &device.group {
            if !group_ids.contains_key(group.as_str()) {
                report.add(
                    format!("{prefix}.group"),
                    format!("there is no group \"{group}\""),
                );
            }
        }
        check_driver(&format!("{prefix}.driver"), &device.driver, report);
        check_device_sections(&prefix, device, report);
    }

    check_grid_meter(config, &first_with_id, report);
    check_charge_point_addresses(devices, report);
    check_modbus_buses(devices, report);
    check_gateway_identities(devices, report);
}

fn describe(index: usize, device: &Device) -> String {
    format!("devices[{index}] (\"{}\")", device.name)
}

fn check_device_sections(prefix: &str, device: &Device, report: &mut Report) {
    if device.driver.is_evse() {
        match &device.charging {
            Some(charging) => check_charging(&format!("{prefix}.charging"), charging, report),
            None => report.add(
                format!("{prefix}.charging"),
                "a wallbox needs charging settings (minimum and maximum current, phases, priority)",
            ),
        }
        if let Some(gateway) = &device.gateway {
            check_gateway(&format!("{prefix}.gateway"), gateway, report);
        }
    } else {
        if device.charging.is_some() {
            report.add(
                format!("{prefix}.charging"),
                "a meter does not charge; remove the charging settings",
            );
        }
        if device.gateway.is_some() {
            report.add(
                format!("{prefix}.gateway"),
                "only a wallbox can appear at an OCPP backend; remove the gateway settings",
            );
        }
    }
}

fn check_driver(prefix: &str, driver: &DeviceDriver, report: &mut Report) {
    match driver {
        DeviceDriver::Ocpp16Evse(address) => check_ocpp_address(prefix, address, report),
        DeviceDriver::PowerBrainEvse(address) => {
            check_modbus_address(prefix, &address.transport, address.unit_id, report);
        }
        DeviceDriver::ModbusMeter(meter) => {
            check_modbus_address(prefix, &meter.transport, meter.unit_id, report);
        }
    }
}

fn check_ocpp_address(prefix: &str, address: &OcppEvseAddress, report: &mut Report) {
    let field = format!("{prefix}.charge_box_id");
    let id = &address.charge_box_id;
    if id.is_empty() {
        report.add(
            field,
            "must not be empty: enter the ChargeBox ID set in the wallbox",
        );
    } else if id.chars().count() > MAX_CHARGE_POINT_IDENTITY_CHARS {
        report.add(
            field,
            format!(
                "{} characters is longer than the {MAX_CHARGE_POINT_IDENTITY_CHARS} OCPP allows",
                id.chars().count()
            ),
        );
    } else if id.contains(':') {
        report.add(
            field,
            "contains ':', which cannot be part of the HTTP Basic user name the wallbox logs in with",
        );
    } else if id.contains('/') {
        report.add(
            field,
            "contains '/'; the ChargeBox ID is the last segment of the URL path",
        );
    } else if id.chars().any(|c| c.is_whitespace() || c.is_control()) {
        report.add(field, "contains whitespace or a control character");
    }
    if address.connector_id < 1 {
        report.add(
            format!("{prefix}.connector_id"),
            "0 means the whole charge point in OCPP; the first connector is 1",
        );
    }
}

fn check_modbus_address(
    prefix: &str,
    transport: &ModbusTransport,
    unit_id: u8,
    report: &mut Report,
) {
    if !MODBUS_UNIT_IDS.contains(&unit_id) {
        report.add(
            format!("{prefix}.unit_id"),
            format!(
                "{unit_id} is not a device address; Modbus devices use {}..={} (0 is broadcast)",
                MODBUS_UNIT_IDS.start(),
                MODBUS_UNIT_IDS.end()
            ),
        );
    }
    let prefix = format!("{prefix}.transport");
    match transport {
        ModbusTransport::Tcp(endpoint) => check_tcp_endpoint(&prefix, endpoint, report),
        ModbusTransport::Rtu(serial) => check_serial_settings(&prefix, serial, report),
    }
}

fn check_tcp_endpoint(prefix: &str, endpoint: &TcpEndpoint, report: &mut Report) {
    let field = format!("{prefix}.host");
    if endpoint.host.trim().is_empty() {
        report.add(
            field,
            "must not be empty: enter the device's host name or IP address",
        );
    } else if endpoint
        .host
        .chars()
        .any(|c| c.is_whitespace() || c.is_control())
    {
        report.add(field, "contains whitespace");
    } else if endpoint.host.contains('/') {
        report.add(
            field,
            format!(
                "\"{}\" is not a host; enter only the host name or IP address, without scheme or path",
                endpoint.host
            ),
        );
    }
    if endpoint.port == 0 {
        report.add(format!("{prefix}.port"), "0 is not a port");
    }
}

fn check_serial_settings(prefix: &str, serial: &SerialSettings, report: &mut Report) {
    if serial.port.trim().is_empty() {
        report.add(
            format!("{prefix}.port"),
            "must name the serial port, e.g. /dev/ttyUSB0 or COM3",
        );
    }
    if !SUPPORTED_BAUD_RATES.contains(&serial.baud_rate) {
        let supported: Vec<String> = SUPPORTED_BAUD_RATES.iter().map(u32::to_string).collect();
        report.add(
            format!("{prefix}.baud_rate"),
            format!(
                "{} is not a supported rate (supported: {})",
                serial.baud_rate,
                supported.join(", ")
            ),
        );
    }
    if !matches!(serial.data_bits, 7 | 8) {
        report.add(
            format!("{prefix}.data_bits"),
            format!("{} data bits: use 8 (or 7)", serial.data_bits),
        );
    }
    if !matches!(serial.stop_bits, 1 | 2) {
        report.add(
            format!("{prefix}.stop_bits"),
            format!("{} stop bits: use 1 or 2", serial.stop_bits),
        );
    }
}

fn check_charging(prefix: &str, charging: &ChargingSettings, report: &mut Report) {
    let min = charging.min_current_a;
    let max = charging.max_current_a;
    let min_field = format!("{prefix}.min_current_a");
    if !min.is_finite() {
        report.add(min_field, format!("{min} is not a number of amperes"));
    } else if min < MIN_CHARGING_CURRENT_A {
        report.add(
            min_field,
            format!(
                "{min} A is below {MIN_CHARGING_CURRENT_A} A, the lowest current IEC 61851 lets a \
                 wallbox offer a car; below it the manager pauses charging instead"
            ),
        );
    }
    let max_field = format!("{prefix}.max_current_a");
    if !max.is_finite() {
        report.add(max_field, format!("{max} is not a number of amperes"));
    } else if max > MAX_CHARGING_CURRENT_A {
        report.add(
            max_field,
            format!(
                "{max} A is above {MAX_CHARGING_CURRENT_A} A, the most an AC connector carries"
            ),
        );
    } else if min.is_finite() && max < min {
        report.add(
            max_field,
            format!("{max} A is below min_current_a ({min} A)"),
        );
    }
    if !PRIORITY_RANGE.contains(&charging.priority) {
        report.add(
            format!("{prefix}.priority"),
            format!(
                "{} is outside {}..={} (1 is the highest priority)",
                charging.priority,
                PRIORITY_RANGE.start(),
                PRIORITY_RANGE.end()
            ),
        );
    }
    if charging.connected_phase.is_some() && charging.phases != PhaseCount::One {
        report.add(
            format!("{prefix}.connected_phase"),
            "only a one-phase wallbox (phases = 1) sits on a single grid phase",
        );
    }
}

fn check_gateway(prefix: &str, gateway: &GatewaySettings, report: &mut Report) {
    if let Some(reason) = gateway_url_problem(&gateway.url) {
        report.add(format!("{prefix}.url"), reason);
    }

    let field = format!("{prefix}.client_id");
    let id = &gateway.client_id;
    if id.is_empty() {
        report.add(
            field,
            "must not be empty: enter the identity the backend expects",
        );
    } else if id.chars().count() > MAX_CHARGE_POINT_IDENTITY_CHARS {
        report.add(
            field,
            format!(
                "{} characters is longer than the {MAX_CHARGE_POINT_IDENTITY_CHARS} OCPP allows",
                id.chars().count()
            ),
        );
    } else if id.contains(':') {
        report.add(
            field,
            "contains ':', which cannot be part of the HTTP Basic user name sent to the backend",
        );
    } else if id.chars().any(|c| c.is_whitespace() || c.is_control()) {
        report.add(field, "contains whitespace or a control character");
    }

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

fn check_grid_meter(config: &Config, first_with_id: &HashMap<&str, usize>, report: &mut Report) {
    let Some(meter) = &config.charging_manager.grid_meter else {
        return;
    };
    let field = "charging_manager.grid_meter";
    match first_with_id.get(meter.as_str()) {
        None => report.add(field, format!("there is no device \"{meter}\"")),
        Some(&index) if config.devices[index].driver.is_evse() => report.add(
            field,
            format!(
                "{} is a wallbox, not a meter",
                describe(index, &config.devices[index])
            ),
        ),
        Some(_) => {}
    }
}

/// One wallbox connector can only be one device, or two devices would fight over its limit.
fn check_charge_point_addresses(devices: &[Device], report: &mut Report) {
    let mut first_at: HashMap<(&str, u32), usize> = HashMap::new();
    for (index, device) in devices.iter().enumerate() {
        let DeviceDriver::Ocpp16Evse(address) = &device.driver else {
            continue;
        };
        let key = (address.charge_box_id.as_str(), address.connector_id);
        if let Some(&first) = first_at.get(&key) {
            report.add(
                format!("devices[{index}].driver.connector_id"),
                format!(
                    "connector {} of ChargeBox ID \"{}\" is already {}",
                    address.connector_id,
                    address.charge_box_id,
                    describe(first, &devices[first])
                ),
            );
        } else {
            first_at.insert(key, index);
        }
    }
}

/// Where devices share a physical bus: an RTU serial line has one setting for every device on it,
/// and on any bus a unit id answers for exactly one device.
fn check_modbus_buses(devices: &[Device], report: &mut Report) {
    let mut first_on_serial_port: HashMap<String, usize> = HashMap::new();
    let mut first_at_unit: HashMap<(Bus, u8), usize> = HashMap::new();
    for (index, device) in devices.iter().enumerate() {
        let Some(transport) = device.driver.modbus_transport() else {
            continue;
        };
        let prefix = format!("devices[{index}].driver");
        let unit_id = match &device.driver {
            DeviceDriver::PowerBrainEvse(address) => address.unit_id,
            DeviceDriver::ModbusMeter(meter) => meter.unit_id,
            DeviceDriver::Ocpp16Evse(_) => continue,
        };

        if let ModbusTransport::Rtu(serial) = transport {
            let port = serial_port_key(&serial.port);
            match first_on_serial_port.get(&port) {
                Some(&first) => {
                    if let Some(ModbusTransport::Rtu(earlier)) =
                        devices[first].driver.modbus_transport()
                    {
                        compare_serial_settings(
                            &format!("{prefix}.transport"),
                            serial,
                            earlier,
                            &describe(first, &devices[first]),
                            report,
                        );
                    }
                }
                None => {
                    first_on_serial_port.insert(port, index);
                }
            }
        }

        let bus = Bus::of(transport);
        if let Some(&first) = first_at_unit.get(&(bus.clone(), unit_id)) {
            report.add(
                format!("{prefix}.unit_id"),
                format!(
                    "unit {unit_id} on {bus} is already {}",
                    describe(first, &devices[first])
                ),
            );
        } else {
            first_at_unit.insert((bus, unit_id), index);
        }
    }
}

fn compare_serial_settings(
    prefix: &str,
    serial: &SerialSettings,
    earlier: &SerialSettings,
    earlier_device: &str,
    report: &mut Report,
) {
    let settings: [(&str, String, String); 4] = [
        (
            "baud_rate",
            serial.baud_rate.to_string(),
            earlier.baud_rate.to_string(),
        ),
        (
            "data_bits",
            serial.data_bits.to_string(),
            earlier.data_bits.to_string(),
        ),
        (
            "parity",
            format!("{:?}", serial.parity).to_lowercase(),
            format!("{:?}", earlier.parity).to_lowercase(),
        ),
        (
            "stop_bits",
            serial.stop_bits.to_string(),
            earlier.stop_bits.to_string(),
        ),
    ];
    for (name, value, earlier_value) in settings {
        if value != earlier_value {
            report.add(
                format!("{prefix}.{name}"),
                format!(
                    "{value} differs from {earlier_value} of {earlier_device} on the same serial \
                     port {}; a bus has one serial setting for all its devices",
                    earlier.port.trim()
                ),
            );
        }
    }
}

/// Windows port names (`COM3`) are case-insensitive; Unix device paths are not.
fn serial_port_key(port: &str) -> String {
    let port = port.trim();
    if port.starts_with('/') {
        port.to_owned()
    } else {
        port.to_ascii_uppercase()
    }
}

#[derive(Clone, PartialEq, Eq, Hash)]
enum Bus {
    Serial(String),
    /// Host names are case-insensitive.
    Tcp(String, u16),
}

impl Bus {
    fn of(transport: &ModbusTransport) -> Self {
        match transport {
            ModbusTransport::Tcp(endpoint) => {
                Bus::Tcp(endpoint.host.trim().to_ascii_lowercase(), endpoint.port)
            }
            ModbusTransport::Rtu(serial) => Bus::Serial(serial_port_key(&serial.port)),
        }
    }
}

impl fmt::Display for Bus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Bus::Serial(port) => write!(f, "serial port {port}"),
            Bus::Tcp(host, port) => write!(f, "{host}:{port}"),
        }
    }
}

/// Two wallboxes reporting the same identity to the same backend would keep replacing each other's
/// connection there.
fn check_gateway_identities(devices: &[Device], report: &mut Report) {
    let mut first_with: HashMap<(String, &str), usize> = HashMap::new();
    for (index, device) in devices.iter().enumerate() {
        let Some(gateway) = &device.gateway else {
            continue;
        };
        let Ok(url) = url::Url::parse(&gateway.url) else {
            continue;
        };
        let key = (url.to_string(), gateway.client_id.as_str());
        if let Some(&first) = first_with.get(&key) {
            report.add(
                format!("devices[{index}].gateway.client_id"),
                format!(
                    "\"{}\" is already the identity of {} at the same backend URL",
                    gateway.client_id,
                    describe(first, &devices[first])
                ),
            );
        } else {
            first_with.insert(key, index);
        }
    }
}
