// Live values in words and numbers, for the dashboard. Pure functions of backend data, tested once
// here so the tiles stay free of string building.
import type {
  Availability,
  BudgetMode,
  CpState,
  LoadManagementMode,
  PerPhase,
  Phase,
  PhaseAmps,
} from '../backend';

/** Shown where the backend has no value (the device does not measure it, or nothing was read). */
export const UNKNOWN = '—';

/** Measured currents, to a tenth of an ampere: "15.9 A". */
export function liveAmperes(value: number | null): string {
  return value === null ? UNKNOWN : `${fixed(value, 1)} A`;
}

/** The three phases of a measurement in one line: "15.9 / 15.8 / 15.9 A". */
export function phaseTriple(values: PerPhase<number | null> | null): string {
  if (values === null || values.every((value) => value === null)) {
    return UNKNOWN;
  }
  return `${values.map((value) => (value === null ? UNKNOWN : fixed(value, 1))).join(' / ')} A`;
}

/** The same for load management's per-phase amperes. */
export function phaseAmpsTriple(amps: PhaseAmps): string {
  return phaseTriple([amps.l1, amps.l2, amps.l3]);
}

/** Power in W below 1 kW, else in kW: "850 W", "10.95 kW". */
export function power(watts: number | null): string {
  if (watts === null) {
    return UNKNOWN;
  }
  if (Math.abs(watts) < 1000) {
    return `${fixed(watts, 0)} W`;
  }
  return `${fixed(watts / 1000, 2)} kW`;
}

/** Energy counters in kWh: "5.23 kWh", "812.40 kWh". */
export function energy(wattHours: number | null): string {
  return wattHours === null ? UNKNOWN : `${fixed(wattHours / 1000, 2)} kWh`;
}

export function voltage(volts: number | null): string {
  return volts === null ? UNKNOWN : `${fixed(volts, 1)} V`;
}

// toFixed rounds float noise (3886.9999999999995) away; -0.0 would print as "-0.0".
function fixed(value: number, digits: number): string {
  const text = value.toFixed(digits);
  return Number(text) === 0 ? (0).toFixed(digits) : text;
}

/** IEC 61851 control pilot states as a driver reads them. */
export function cpStateLabel(state: CpState): string {
  switch (state) {
    case 'A':
      return 'No car';
    case 'B':
      return 'Car connected';
    case 'C':
      return 'Charging';
    case 'D':
      return 'Charging (ventilation)';
    case 'E':
      return 'Error: no power';
    case 'F':
      return 'Error';
  }
}

/** OCPP 1.6 connector statuses (§4.9) in the same words as the control pilot states. */
export function ocppStatusLabel(status: string | null, errorCode: string | null): string {
  switch (status) {
    case null:
      return 'Connected, no status yet';
    case 'Available':
      return 'No car';
    case 'Preparing':
      return 'Car connected';
    case 'Charging':
      return 'Charging';
    case 'SuspendedEV':
      return 'Car connected, car paused';
    case 'SuspendedEVSE':
      return 'Car connected, wallbox paused';
    case 'Finishing':
      return 'Car connected, finished';
    case 'Reserved':
      return 'Reserved';
    case 'Unavailable':
      return 'Unavailable';
    case 'Faulted':
      return errorCode === null || errorCode === 'NoError' ? 'Error' : `Error: ${errorCode}`;
    default:
      return status;
  }
}

/** How the dashboard colours a wallbox state. */
export type StateTone = 'idle' | 'car' | 'charging' | 'error';

export function cpStateTone(state: CpState): StateTone {
  switch (state) {
    case 'A':
      return 'idle';
    case 'B':
      return 'car';
    case 'C':
    case 'D':
      return 'charging';
    case 'E':
    case 'F':
      return 'error';
  }
}

export function ocppStatusTone(status: string | null): StateTone {
  switch (status) {
    case 'Charging':
      return 'charging';
    case 'Preparing':
    case 'SuspendedEV':
    case 'SuspendedEVSE':
    case 'Finishing':
      return 'car';
    case 'Faulted':
    case 'Unavailable':
      return 'error';
    default:
      return 'idle';
  }
}

/** A device's link, including the states only the UI knows (switched off in the configuration). */
export type LinkState = Availability | 'disabled';

export function linkLabel(link: LinkState): string {
  switch (link) {
    case 'online':
      return 'Online';
    case 'offline':
      return 'Offline';
    case 'connecting':
      return 'Connecting…';
    case 'disabled':
      return 'Disabled';
  }
}

export function liveModeLabel(mode: LoadManagementMode): string {
  switch (mode) {
    case 'monitor':
      return 'Monitor: limits are computed and shown, not sent';
    case 'active':
      return 'Active: the wallboxes get these limits';
  }
}

export function budgetModeLabel(mode: BudgetMode): string {
  switch (mode) {
    case 'static':
      return 'Static: fuse limit minus reserve';
    case 'metered':
      return 'Metered: fuse limit minus reserve minus household load';
    case 'safe_meter_failed':
      return 'Safe budget: the grid meter failed';
  }
}

/** "L1, L2, L3" or "L2". */
export function phaseList(phases: readonly Phase[]): string {
  return phases.map((phase) => phase.toUpperCase()).join(', ');
}

/** The local time of an RFC 3339 timestamp, "09:30:01"; the text itself if it is not one. */
export function timeOfDay(rfc3339: string): string {
  const date = new Date(rfc3339);
  if (Number.isNaN(date.getTime())) {
    return rfc3339;
  }
  return [date.getHours(), date.getMinutes(), date.getSeconds()]
    .map((part) => String(part).padStart(2, '0'))
    .join(':');
}
