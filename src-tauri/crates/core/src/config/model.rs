//! The typed configuration of a whole installation.
//!
//! One file holds everything: charging-manager settings, the OCPP server, certificates, devices and
//! their gateway uplinks. Unknown fields are refused everywhere, so a typo in a hand-edited file is an
//! error that names the field instead of a setting that silently does nothing. Secrets are never part
//! of this model: only whether one is set (the value lives in the OS keyring, see `secrets`).

use serde::{Deserialize, Serialize};

/// The schema version this build writes. Older files are migrated on load (see `migrate`).
pub const CURRENT_SCHEMA_VERSION: u32 = 1;

/// The port OCPP 1.6J charge points connect to unless configured otherwise.
pub const DEFAULT_OCPP_PORT: u16 = ampwise_ocpp::DEFAULT_CENTRAL_SYSTEM_PORT;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub schema_version: u32,
    #[serde(default)]
    pub logging: LoggingSettings,
    #[serde(default)]
    pub charging_manager: ChargingManagerSettings,
    #[serde(default)]
    pub ocpp_server: OcppServerSettings,
    #[serde(default)]
    pub certificates: CertificateSettings,
    /// Sub-distributions with their own fuses; devices and groups may sit in a group.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<Group>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub devices: Vec<Device>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            schema_version: CURRENT_SCHEMA_VERSION,
            logging: LoggingSettings::default(),
            charging_manager: ChargingManagerSettings::default(),
            ocpp_server: OcppServerSettings::default(),
            certificates: CertificateSettings::default(),
            groups: Vec::new(),
            devices: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LoggingSettings {
    pub level: LogLevel,
}

impl Default for LoggingSettings {
    fn default() -> Self {
        Self {
            level: LogLevel::Info,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogLevel {
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

impl LogLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Error => "error",
            LogLevel::Warn => "warn",
            LogLevel::Info => "info",
            LogLevel::Debug => "debug",
            LogLevel::Trace => "trace",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ChargingManagerSettings {
    pub mode: LoadManagementMode,
    /// The fuse limit of the grid connection, per phase, in amperes.
    pub max_current_per_phase_a: PhaseCurrents,
    /// Current kept free on every phase, in amperes, for loads the manager cannot see.
    pub current_reserve_a: f64,
    /// How often the manager reads every device and recomputes the limits, in milliseconds.
    pub control_interval_ms: u32,
    /// The meter at the grid connection; without one the manager works with a static budget.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grid_meter: Option<String>,
    /// The household load assumed per phase while the grid meter gives no valid reading. Absent:
    /// every wallbox is paused until the meter is back, so the fuse holds whatever the house draws.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meter_failure_household_a: Option<PhaseCurrents>,
}

impl Default for ChargingManagerSettings {
    fn default() -> Self {
        Self {
            mode: LoadManagementMode::Monitor,
            max_current_per_phase_a: PhaseCurrents::uniform(32.0),
            current_reserve_a: 0.0,
            control_interval_ms: 1000,
            grid_meter: None,
            meter_failure_household_a: None,
        }
    }
}

/// `monitor` reads and shows everything but sends no limits; `active` controls the wallboxes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoadManagementMode {
    Monitor,
    Active,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhaseCurrents {
    pub l1: f64,
    pub l2: f64,
    pub l3: f64,
}

impl PhaseCurrents {
    pub const fn uniform(amperes: f64) -> Self {
        Self {
            l1: amperes,
            l2: amperes,
            l3: amperes,
        }
    }

    /// The phases with their field names, for validation messages and per-phase loops.
    pub fn named(&self) -> [(&'static str, f64); 3] {
        [("l1", self.l1), ("l2", self.l2), ("l3", self.l3)]
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OcppServerSettings {
    pub enabled: bool,
    pub port: u16,
    pub tls_mode: TlsMode,
    /// Whether charge points must send the password kept in the keyring (HTTP Basic auth).
    pub password_set: bool,
    /// Accept charge points whose ChargeBox ID belongs to no configured device.
    pub accept_unknown_charge_points: bool,
    /// How long to wait for a charge point to answer a CALL; some wallboxes are slow.
    pub call_timeout_s: u32,
    /// The heartbeat interval given to charge points in the BootNotification answer.
    pub heartbeat_interval_s: u32,
    /// Set as `MeterValueSampleInterval` in every charge point after boot (0: no periodic values).
    pub meter_value_sample_interval_s: u32,
    /// Whether RFID tags that are not in `id_tags` may charge (Authorize / StartTransaction).
    pub accept_unknown_id_tags: bool,
    /// RFID tags Ampwise knows, accepted or blocked.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub id_tags: Vec<IdTagEntry>,
}

/// An RFID tag (OCPP idTag) known to the local authorisation list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdTagEntry {
    pub id_tag: String,
    /// Who or what the tag belongs to, for people reading the list.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(default)]
    pub blocked: bool,
}

impl Default for OcppServerSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            port: DEFAULT_OCPP_PORT,
            tls_mode: TlsMode::Off,
            password_set: false,
            accept_unknown_charge_points: false,
            call_timeout_s: 60,
            heartbeat_interval_s: 300,
            meter_value_sample_interval_s: 60,
            accept_unknown_id_tags: true,
            id_tags: Vec::new(),
        }
    }
}

/// `off`: plain `ws://` only; `on`: `wss://` only; `detect`: both on the same port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TlsMode {
    Off,
    Detect,
    On,
}

/// Where certificates and keys are. Files are relative to the data directory; private keys are
/// kept there readable only by the user, never inside this file.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CertificateSettings {
    pub server: ServerCertificate,
    /// CA certificates a charge point's client certificate must chain to (security profile 3).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub client_ca: Vec<StoredCertificate>,
    /// CA certificates an OCPP backend's server certificate must chain to (security profile 2).
    /// Empty means any server certificate is accepted, as the user documentation describes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub backend_ca: Vec<StoredCertificate>,
    /// The certificate Ampwise presents to OCPP backends (security profile 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<CertificateKeyPair>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "snake_case", deny_unknown_fields)]
pub enum ServerCertificate {
    /// Made on first start and kept in the data directory.
    #[default]
    SelfSigned,
    /// The user's own certificate chain and private key.
    Imported(CertificateKeyPair),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificateKeyPair {
    pub certificate_file: String,
    pub key_file: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoredCertificate {
    pub name: String,
    pub file: String,
}

/// A sub-distribution with its own fuse. Groups nest through `parent`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    pub max_current_per_phase_a: PhaseCurrents,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Device {
    /// Stable identifier used in references (grid meter, groups, secrets); never shown as a label.
    pub id: String,
    pub name: String,
    pub enabled: bool,
    /// What happens at the device when it is switched off in Ampwise.
    #[serde(default)]
    pub on_deactivation: DeactivationBehaviour,
    /// The group (sub-distribution) the device is connected to; none means the grid connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    pub driver: DeviceDriver,
    /// Charging limits and priority; required for wallboxes, refused for meters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charging: Option<ChargingSettings>,
    /// How this wallbox appears at an external OCPP backend; wallboxes only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway: Option<GatewaySettings>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeactivationBehaviour {
    /// Leave the last limit in place.
    #[default]
    KeepChargingCurrentLimit,
    /// Remove every limit and charging profile Ampwise installed, so the wallbox works on its own.
    CancelChargingCurrentLimit,
}

/// Which protocol and model is behind a device, with its address.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum DeviceDriver {
    /// A wallbox speaking OCPP 1.6J to Ampwise's central system.
    Ocpp16Evse(OcppEvseAddress),
    /// The cFos Power Brain wallbox over Modbus.
    PowerBrainEvse(ModbusAddress),
    /// An energy meter over Modbus.
    ModbusMeter(ModbusMeterAddress),
}

impl DeviceDriver {
    /// Whether this device is a wallbox (and so takes charging settings and a gateway).
    pub fn is_evse(&self) -> bool {
        match self {
            DeviceDriver::Ocpp16Evse(_) | DeviceDriver::PowerBrainEvse(_) => true,
            DeviceDriver::ModbusMeter(_) => false,
        }
    }

    pub fn modbus_transport(&self) -> Option<&ModbusTransport> {
        match self {
            DeviceDriver::Ocpp16Evse(_) => None,
            DeviceDriver::PowerBrainEvse(address) => Some(&address.transport),
            DeviceDriver::ModbusMeter(meter) => Some(&meter.transport),
        }
    }
}

/// In the user documentation: address = ChargeBox ID, ID = connector ID.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OcppEvseAddress {
    pub charge_box_id: String,
    pub connector_id: u32,
    /// What to do where a wallbox ends the transaction when it sees 0 A.
    #[serde(default)]
    pub pause_with: OcppPauseMethod,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OcppPauseMethod {
    /// A charging profile with limit 0.
    #[default]
    ZeroCurrentProfile,
    /// Never go below the device's minimum current; the car is not paused by the manager.
    HoldMinimumCurrent,
    /// RemoteStopTransaction to pause and RemoteStartTransaction to resume.
    RemoteStopStart,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModbusAddress {
    pub transport: ModbusTransport,
    pub unit_id: u8,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModbusMeterAddress {
    pub model: MeterModel,
    pub transport: ModbusTransport,
    pub unit_id: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeterModel {
    EastronSdm630,
    EastronSdm72dmV2,
    /// The S0 meter inputs of a cFos Power Brain.
    PowerBrainS0,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ModbusTransport {
    Tcp(TcpEndpoint),
    /// RTU over a serial port, typically a USB-RS485 adapter.
    Rtu(SerialSettings),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TcpEndpoint {
    pub host: String,
    pub port: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SerialSettings {
    /// `/dev/ttyUSB0` on Linux, `COM3` on Windows.
    pub port: String,
    pub baud_rate: u32,
    pub data_bits: u8,
    pub parity: Parity,
    pub stop_bits: u8,
}

/// Baud rates offered for Modbus RTU; the spec default is 19200, meters often ship with 9600.
pub const SUPPORTED_BAUD_RATES: [u32; 8] = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Parity {
    None,
    Even,
    Odd,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ChargingSettings {
    /// Below this the wallbox is paused rather than offered less (6 A is the IEC 61851 minimum).
    pub min_current_a: f64,
    pub max_current_a: f64,
    pub phases: PhaseCount,
    /// The grid phase a one-phase car sits on, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connected_phase: Option<Phase>,
    /// 1 is the highest priority.
    pub priority: u8,
}

impl Default for ChargingSettings {
    fn default() -> Self {
        Self {
            min_current_a: 6.0,
            max_current_a: 16.0,
            phases: PhaseCount::Three,
            connected_phase: None,
            priority: 5,
        }
    }
}

/// Lowest and highest priority a wallbox can have (1 wins).
pub const PRIORITY_RANGE: std::ops::RangeInclusive<u8> = 1..=9;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub enum PhaseCount {
    One,
    Three,
}

impl TryFrom<u8> for PhaseCount {
    type Error = String;
    fn try_from(value: u8) -> Result<Self, Self::Error> {
        match value {
            1 => Ok(PhaseCount::One),
            3 => Ok(PhaseCount::Three),
            other => Err(format!("{other} phases: a wallbox uses 1 or 3 phases")),
        }
    }
}

impl From<PhaseCount> for u8 {
    fn from(value: PhaseCount) -> Self {
        match value {
            PhaseCount::One => 1,
            PhaseCount::Three => 3,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    L1,
    L2,
    L3,
}

/// How one wallbox appears as a charge point at an external OCPP backend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GatewaySettings {
    pub enabled: bool,
    /// `ws://` or `wss://`, with the path the backend wants (some identify the customer by it).
    pub url: String,
    /// The identity reported to the backend (appended to the URL as the ChargeBox ID).
    pub client_id: String,
    /// Whether the backend password is kept in the keyring for this wallbox.
    pub password_set: bool,
    /// An RFID tag known to the backend, used where the wallbox has no reader.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed_rfid: Option<String>,
}
