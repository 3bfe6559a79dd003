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
