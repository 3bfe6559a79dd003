// What one tile shows, put together from the configuration (names, kinds, addresses) and the live
// status (readings, decisions). Polled and OCPP wallboxes report differently; the tile sees one shape.
import type {
  Config,
  Device,
  LiveStatus,
  LoadManagementMode,
  MeterReading,
  PerPhase,
  WallboxLoad,
} from '../backend';
import {
  cpStateLabel,
  cpStateTone,
  ocppStatusLabel,
  ocppStatusTone,
  type LinkState,
  type StateTone,
} from '../format/live';

export interface WallboxView {
  id: string;
  name: string;
  link: LinkState;
  /** Why it is not online, or what went wrong while online. */
  linkDetail: string | null;
  /** "Charging", "No car", …; null when nothing was ever reported. */
  state: string | null;
  tone: StateTone;
  /** What the car draws per phase. */
  currents: PerPhase<number | null> | null;
  /** What the car draws, when the wallbox measures no phases separately. */
  chargingCurrentA: number | null;
  powerW: number | null;
  /** The wallbox's energy counter. */
  energyWh: number | null;
  /** The limit the wallbox itself works with now (polled wallboxes report it). */
  wallboxLimitA: number | null;
  load: WallboxLoad | null;
  mode: LoadManagementMode;
  /** RFC 3339 time of the values, for polled wallboxes. */
  readAt: string | null;
  /** The values are from before the wallbox went away. */
  stale: boolean;
}

export interface MeterView {
  id: string;
  name: string;
  link: LinkState;
  linkDetail: string | null;
  reading: MeterReading | null;
  readAt: string | null;
  stale: boolean;
  /** The meter at the grid connection that load management budgets with. */
  isGridMeter: boolean;
}

export function isWallbox(device: Device): boolean {
  return device.driver.kind === 'ocpp16_evse' || device.driver.kind === 'power_brain_evse';
}

export function isMeter(device: Device): boolean {
  return device.driver.kind === 'modbus_meter';
}

export function wallboxView(device: Device, live: LiveStatus): WallboxView {
  const base = {
    id: device.id,
    name: device.name,
    load: live.load.wallboxes.find((wallbox) => wallbox.device_id === device.id) ?? null,
    mode: live.load.mode,
  };
  const driver = device.driver;
  if (driver.kind === 'ocpp16_evse') {
    const connected = live.ocpp.connected.includes(driver.charge_box_id);
    const connector = live.ocpp.connectors[device.id] ?? null;
    const link: LinkState = !device.enabled ? 'disabled' : connected ? 'online' : 'offline';
    const known = connected || connector !== null;
    return {
      ...base,
      link,
      linkDetail:
        link === 'offline'
          ? `Not connected to the OCPP server (ChargeBox ID ${driver.charge_box_id})`
          : null,
      state: known ? ocppStatusLabel(connector?.status ?? null, connector?.error_code ?? null) : null,
      tone: connector === null ? 'idle' : ocppStatusTone(connector.status),
      currents: connector?.current_a ?? null,
      chargingCurrentA: null,
      powerW: connector?.power_w ?? null,
      energyWh: connector?.energy_wh ?? null,
      wallboxLimitA: null,
      readAt: null,
      stale: !connected,
    };
  }
  const status = live.devices[device.id];
  const reading = status?.reading?.kind === 'evse' ? status.reading : null;
  const link = polledLink(device, status?.availability);
  const meter = reading?.meter ?? null;
  return {
    ...base,
    link,
    linkDetail: status?.last_error ?? null,
    state: reading === null ? null : cpStateLabel(reading.cp_state),
    tone: reading === null ? 'idle' : cpStateTone(reading.cp_state),
    currents: meter?.current_a ?? null,
    chargingCurrentA:
      (meter?.current_a ?? null) === null ? (reading?.charging_current_a ?? null) : null,
    powerW: meter?.total_power_w ?? null,
    energyWh: meter?.energy_import_wh ?? null,
    wallboxLimitA: reading === null ? null : reading.charging_enabled ? reading.current_limit_a : 0,
    readAt: status?.read_at ?? null,
    stale: link !== 'online',
  };
}

export function meterView(device: Device, live: LiveStatus, config: Config): MeterView {
  const status = live.devices[device.id];
  const link = polledLink(device, status?.availability);
  return {
    id: device.id,
    name: device.name,
    link,
    linkDetail: status?.last_error ?? null,
    reading: status?.reading?.kind === 'meter' ? status.reading : null,
    readAt: status?.read_at ?? null,
    stale: link !== 'online',
    isGridMeter: config.charging_manager.grid_meter === device.id,
  };
}

function polledLink(device: Device, availability: LinkState | undefined): LinkState {
  if (!device.enabled) {
    return 'disabled';
  }
  // Not in the status map yet: the device runtime has not picked up the configuration.
  return availability ?? 'connecting';
}
