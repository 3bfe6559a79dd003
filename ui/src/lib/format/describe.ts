// Words and numbers as the user reads them. Pure functions of backend data, so the wording is tested
// once here and components stay free of string building.
import type {
  DeviceDriver,
  LoadManagementMode,
  MeterModel,
  ModbusTransport,
  Parity,
  PhaseCurrents,
  TlsMode,
  UsbPortInfo,
} from '../backend';

const METER_MODEL_NAMES: Record<MeterModel, string> = {
  eastron_sdm630: 'Eastron SDM630',
  eastron_sdm72dm_v2: 'Eastron SDM72D-M v2',
  power_brain_s0: 'Power Brain S0 input',
};

export function meterModelName(model: MeterModel): string {
  return METER_MODEL_NAMES[model];
}

/** What a device is, in words: the driver's protocol and model. */
export function deviceKindLabel(driver: DeviceDriver): string {
  switch (driver.kind) {
    case 'ocpp16_evse':
      return 'Wallbox (OCPP 1.6J)';
    case 'power_brain_evse':
      return 'cFos Power Brain wallbox (Modbus)';
    case 'modbus_meter':
      return `Energy meter ${meterModelName(driver.model)} (Modbus)`;
  }
}

/** Where Ampwise finds a device, in the terms the user documentation uses. */
export function deviceAddress(driver: DeviceDriver): string {
  switch (driver.kind) {
    case 'ocpp16_evse':
      return `ChargeBox ID ${driver.charge_box_id}, connector ${driver.connector_id}`;
    case 'power_brain_evse':
    case 'modbus_meter':
      return `${modbusTransportAddress(driver.transport)}, unit ${driver.unit_id}`;
  }
}

export function modbusTransportAddress(transport: ModbusTransport): string {
  switch (transport.type) {
    case 'tcp':
      return `Modbus TCP ${hostPort(transport.host, transport.port)}`;
    case 'rtu':
      return `Modbus RTU ${transport.port}, ${transport.baud_rate} baud ${serialFrame(
        transport.data_bits,
        transport.parity,
        transport.stop_bits,
      )}`;
  }
}

/** `host:port`, with an IPv6 literal in brackets so the port stays readable. */
export function hostPort(host: string, port: number): string {
  const bracketed = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `${bracketed}:${port}`;
}

const PARITY_LETTERS: Record<Parity, string> = { none: 'N', even: 'E', odd: 'O' };

/** The usual short form of a serial frame, e.g. `8N1`. */
export function serialFrame(dataBits: number, parity: Parity, stopBits: number): string {
  return `${dataBits}${PARITY_LETTERS[parity]}${stopBits}`;
}

/** USB ids as `lsusb` and Device Manager print them: four lower-case hex digits each. */
export function usbId(usb: UsbPortInfo): string {
  return `${hex4(usb.vendor_id)}:${hex4(usb.product_id)}`;
}

function hex4(value: number): string {
  return value.toString(16).padStart(4, '0');
}

export function amperes(value: number): string {
  return `${formatNumber(value)} A`;
}

/** One value when all phases agree (the usual case), else each phase named. */
export function phaseCurrents(currents: PhaseCurrents): string {
  if (currents.l1 === currents.l2 && currents.l2 === currents.l3) {
    return `${amperes(currents.l1)} per phase`;
  }
  return `L1 ${amperes(currents.l1)}, L2 ${amperes(currents.l2)}, L3 ${amperes(currents.l3)}`;
}

function formatNumber(value: number): string {
  // Config values are typed by hand (6, 6.5, 16); more than two decimals is float noise.
  return String(Math.round(value * 100) / 100);
}

export function loadManagementModeLabel(mode: LoadManagementMode): string {
  switch (mode) {
    case 'monitor':
      return 'Monitor — reads and shows everything, sends no limits';
    case 'active':
      return 'Active — controls the wallboxes';
  }
}

export function tlsModeLabel(mode: TlsMode): string {
  switch (mode) {
    case 'off':
      return 'Off (ws:// only)';
    case 'detect':
      return 'Detect (ws:// and wss://)';
    case 'on':
      return 'On (wss:// only)';
  }
}

export function yesNo(value: boolean): string {
  return value ? 'Yes' : 'No';
}
