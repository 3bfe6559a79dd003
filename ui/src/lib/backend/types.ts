// The shapes the backend sends and accepts, exactly as serde_json writes them from
// src-tauri/crates/core/src/config/model.rs and as notes/ui-contract.md (v1) describes them.
//
// Rules that follow from the Rust side:
// - field names are snake_case, as serde writes them;
// - `Option` fields marked `skip_serializing_if` are absent when unset, so they are optional here
//   (`?:`), never `| null`;
// - internally tagged enums become discriminated unions on their tag field;
// - every closed set of strings also exists as a `const` array so the UI can list the choices and
//   tests can check that a value the backend sent is one of them.

export const CURRENT_SCHEMA_VERSION = 1;

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const LOAD_MANAGEMENT_MODES = ['monitor', 'active'] as const;
export type LoadManagementMode = (typeof LOAD_MANAGEMENT_MODES)[number];

export const TLS_MODES = ['off', 'detect', 'on'] as const;
export type TlsMode = (typeof TLS_MODES)[number];

export const DEACTIVATION_BEHAVIOURS = [
  'keep_charging_current_limit',
  'cancel_charging_current_limit',
] as const;
export type DeactivationBehaviour = (typeof DEACTIVATION_BEHAVIOURS)[number];

export const OCPP_PAUSE_METHODS = [
  'zero_current_profile',
  'hold_minimum_current',
  'remote_stop_start',
] as const;
export type OcppPauseMethod = (typeof OCPP_PAUSE_METHODS)[number];

export const METER_MODELS = ['eastron_sdm630', 'eastron_sdm72dm_v2', 'power_brain_s0'] as const;
export type MeterModel = (typeof METER_MODELS)[number];

export const PARITIES = ['none', 'even', 'odd'] as const;
export type Parity = (typeof PARITIES)[number];

export const PHASES = ['l1', 'l2', 'l3'] as const;
export type Phase = (typeof PHASES)[number];

/** `PhaseCount` serializes as the plain number of phases. */
export const PHASE_COUNTS = [1, 3] as const;
export type PhaseCount = (typeof PHASE_COUNTS)[number];

export const SUPPORTED_BAUD_RATES = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200] as const;

export const DEVICE_DRIVER_KINDS = ['ocpp16_evse', 'power_brain_evse', 'modbus_meter'] as const;
export type DeviceDriverKind = (typeof DEVICE_DRIVER_KINDS)[number];

export const MODBUS_TRANSPORT_TYPES = ['tcp', 'rtu'] as const;
export type ModbusTransportType = (typeof MODBUS_TRANSPORT_TYPES)[number];

export const SERVER_CERTIFICATE_SOURCES = ['self_signed', 'imported'] as const;
export type ServerCertificateSource = (typeof SERVER_CERTIFICATE_SOURCES)[number];

export interface Config {
  schema_version: number;
  logging: LoggingSettings;
  charging_manager: ChargingManagerSettings;
  ocpp_server: OcppServerSettings;
  certificates: CertificateSettings;
  /** Absent when empty. */
  groups?: Group[];
  /** Absent when empty. */
  devices?: Device[];
}

export interface LoggingSettings {
  level: LogLevel;
}

export interface ChargingManagerSettings {
  mode: LoadManagementMode;
  max_current_per_phase_a: PhaseCurrents;
  current_reserve_a: number;
  control_interval_ms: number;
  /** Device id of the meter at the grid connection. */
  grid_meter?: string;
  /** Household load assumed while the grid meter fails; absent: every wallbox pauses. */
  meter_failure_household_a?: PhaseCurrents;
}

export interface PhaseCurrents {
  l1: number;
  l2: number;
  l3: number;
}

export interface OcppServerSettings {
  enabled: boolean;
  port: number;
  tls_mode: TlsMode;
  password_set: boolean;
  accept_unknown_charge_points: boolean;
  call_timeout_s: number;
  heartbeat_interval_s: number;
  meter_value_sample_interval_s: number;
  accept_unknown_id_tags: boolean;
  /** Absent when empty. */
  id_tags?: IdTagEntry[];
}

/** An RFID tag (OCPP idTag) in the local authorisation list. */
export interface IdTagEntry {
  id_tag: string;
  /** Absent when empty. */
  name?: string;
  blocked: boolean;
}

export interface CertificateSettings {
  server: ServerCertificate;
  client_ca?: StoredCertificate[];
  backend_ca?: StoredCertificate[];
  client?: CertificateKeyPair;
}

export type ServerCertificate =
  | { source: 'self_signed' }
  | ({ source: 'imported' } & CertificateKeyPair);

export interface CertificateKeyPair {
  certificate_file: string;
  key_file: string;
}

export interface StoredCertificate {
  name: string;
  file: string;
}

export interface Group {
  id: string;
  name: string;
  parent?: string;
  max_current_per_phase_a: PhaseCurrents;
}

export interface Device {
  id: string;
  name: string;
  enabled: boolean;
  on_deactivation: DeactivationBehaviour;
  group?: string;
  driver: DeviceDriver;
  charging?: ChargingSettings;
  gateway?: GatewaySettings;
}

export type DeviceDriver =
  | ({ kind: 'ocpp16_evse' } & OcppEvseAddress)
  | ({ kind: 'power_brain_evse' } & ModbusAddress)
  | ({ kind: 'modbus_meter' } & ModbusMeterAddress);

export interface OcppEvseAddress {
  charge_box_id: string;
  connector_id: number;
  pause_with: OcppPauseMethod;
}

export interface ModbusAddress {
  transport: ModbusTransport;
  unit_id: number;
}

export interface ModbusMeterAddress {
  model: MeterModel;
  transport: ModbusTransport;
  unit_id: number;
}

export type ModbusTransport = ({ type: 'tcp' } & TcpEndpoint) | ({ type: 'rtu' } & SerialSettings);

export interface TcpEndpoint {
  host: string;
  port: number;
}

export interface SerialSettings {
  port: string;
  baud_rate: number;
  data_bits: number;
  parity: Parity;
  stop_bits: number;
}

export interface ChargingSettings {
  min_current_a: number;
  max_current_a: number;
  phases: PhaseCount;
  connected_phase?: Phase;
  priority: number;
}

export interface GatewaySettings {
  enabled: boolean;
  url: string;
  client_id: string;
  password_set: boolean;
  fixed_rfid?: string;
}

// ---- Contract types around the config -------------------------------------------------------

export type ConfigOrigin = 'file' | 'demo';

export interface ConfigSnapshot {
  config: Config;
  origin: ConfigOrigin;
  path: string;
  problem: string | null;
}

export type SecretName =
  | { kind: 'ocpp_server_password' }
  | { kind: 'gateway_password'; device_id: string };

export interface SecretStatus {
  name: SecretName;
  set: boolean;
}

export const SERIAL_PORT_KINDS = ['usb', 'pci', 'bluetooth', 'unknown'] as const;
export type SerialPortKind = (typeof SERIAL_PORT_KINDS)[number];

export interface UsbPortInfo {
  vendor_id: number;
  product_id: number;
  serial_number: string | null;
  manufacturer: string | null;
  product: string | null;
}

export interface SerialPortDescription {
  name: string;
  label: string;
  kind: SerialPortKind;
  usb: UsbPortInfo | null;
}

export type UiEventLevel = 'info' | 'warn' | 'error';

// ---- Live status (get_live_status) ----------------------------------------------------------
// Mirrors src-tauri/src/commands/live.rs and the core types it wraps (device/runtime.rs,
// device/reading.rs, loadmgmt/controller.rs, loadmgmt/output.rs). These Rust types have no
// skip_serializing_if: an unknown value is `null`, never absent.

/** L1, L2, L3. */
export type PerPhase<T> = [T, T, T];

export const AVAILABILITIES = ['connecting', 'online', 'offline'] as const;
/** `connecting`: not read yet since the device was configured or the app started. */
export type Availability = (typeof AVAILABILITIES)[number];

/** IEC 61851 control pilot states: A no car, B car connected, C/D charging, E no power, F error. */
export const CP_STATES = ['A', 'B', 'C', 'D', 'E', 'F'] as const;
export type CpState = (typeof CP_STATES)[number];

/** One reading of an energy meter in SI units (A, V, W, Wh, Hz). */
export interface MeterReading {
  voltage_v: PerPhase<number> | null;
  current_a: PerPhase<number> | null;
  power_w: PerPhase<number> | null;
  total_power_w: number | null;
  frequency_hz: number | null;
  energy_import_wh: number | null;
  energy_export_wh: number | null;
}

/** One reading of a polled (Modbus) wallbox. */
export interface EvseReading {
  cp_state: CpState;
  /** The limit the wallbox works with now. */
  current_limit_a: number;
  charging_enabled: boolean;
  charging_current_a: number | null;
  cable_current_limit_a: number | null;
  last_rfid: string | null;
  /** The wallbox's own meter, when it has one. */
  meter: MeterReading | null;
}

export type DeviceReading = ({ kind: 'evse' } & EvseReading) | ({ kind: 'meter' } & MeterReading);
export const DEVICE_READING_KINDS = ['evse', 'meter'] as const;

/** What Ampwise last wrote to a wallbox. */
export interface EvseCommand {
  enable: boolean;
  current_limit_a: number;
}

/** A polled device as the core sees it. */
export interface DeviceStatus {
  device_id: string;
  availability: Availability;
  /** The last successful reading, kept while offline. */
  reading: DeviceReading | null;
  /** RFC 3339 time of `reading`. */
  read_at: string | null;
  last_error: string | null;
  applied: EvseCommand | null;
}

export const BUDGET_MODES = ['static', 'metered', 'safe_meter_failed'] as const;
/** How the site budget was found: fuse − reserve (`static`), minus the measured household load
 * (`metered`), or a safe budget because the grid meter failed. */
export type BudgetMode = (typeof BUDGET_MODES)[number];

/** Amperes per phase (same shape as `PhaseCurrents`). */
export type PhaseAmps = PhaseCurrents;

export interface SiteLoad {
  mode: BudgetMode;
  fuse_limit_a: PhaseAmps;
  current_reserve_a: number;
  household_a: PhaseAmps;
  /** Fuse limit − reserve − household load: what the wallboxes may draw in all. */
  available_a: PhaseAmps;
  allocated_a: PhaseAmps;
  /** available − allocated; negative when the budget is exceeded. */
  headroom_a: PhaseAmps;
}

export interface GroupLoad {
  id: string;
  name: string;
  limit_a: PhaseAmps;
  allocated_a: PhaseAmps;
  headroom_a: PhaseAmps;
}

/** Machine-readable reason, e.g. `{ code: "limited_by_group", group_id, group_name, phase }`. The UI
 * shows `reason_text`; `code` is for branching. */
export interface LoadReason {
  code: string;
  [detail: string]: unknown;
}

export interface WallboxLoad {
  device_id: string;
  /** 0 = paused. */
  limit_a: number;
  /** The phases its current is counted on. */
  phases: Phase[];
  reason: LoadReason;
  /** For people: "limited by group Garage L2", "paused: budget below minimum (…)". */
  reason_text: string;
}

/** Load management's last decision. */
export interface LoadStatus {
  mode: LoadManagementMode;
  /** RFC 3339; null before the first decision. */
  computed_at: string | null;
  site: SiteLoad | null;
  groups: GroupLoad[];
  wallboxes: WallboxLoad[];
}

/** An OCPP wallbox's connector as it last reported. */
export interface ConnectorStatus {
  /** The OCPP status as sent: Available, Preparing, Charging, SuspendedEV, SuspendedEVSE, Finishing,
   * Reserved, Unavailable, Faulted; null before the first StatusNotification. */
  status: string | null;
  error_code: string | null;
  current_a: PerPhase<number | null>;
  power_w: number | null;
  energy_wh: number | null;
  transaction_id: number | null;
}

export interface OcppLiveStatus {
  /** ChargeBox IDs connected now. */
  connected: string[];
  /** Every configured OCPP wallbox by device id; null before its connector reported anything. */
  connectors: Record<string, ConnectorStatus | null>;
}

export interface LiveStatus {
  /** Polled (Modbus) devices by device id. */
  devices: Record<string, DeviceStatus>;
  load: LoadStatus;
  ocpp: OcppLiveStatus;
}

export type CoreEvent =
  | { type: 'config_changed'; snapshot: ConfigSnapshot }
  | { type: 'secret_changed'; name: SecretName; set: boolean };

export const BACKEND_ERROR_CODES = [
  'invalid_config',
  'config_io',
  'secret_store_unavailable',
  'secret_store',
  'serial_enumeration',
  'invalid_input',
  'internal',
] as const;
export type BackendErrorCode = (typeof BACKEND_ERROR_CODES)[number];

/** A field the backend refused, named by its config path, e.g. `devices[2].driver.transport.baud_rate`. */
export interface FieldError {
  field: string;
  reason: string;
}
