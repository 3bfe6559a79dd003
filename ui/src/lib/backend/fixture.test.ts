// fixture-types.ts checks the fixture's structure at compile time, but JSON imports widen string and
// number literals, so the tag and enum values are checked here against the lists in types.ts.
import { describe, expect, it } from 'vitest';
import { demoConfigShape as demo, liveStatusShape as live } from './fixture-types';
import {
  AVAILABILITIES,
  BUDGET_MODES,
  CP_STATES,
  CURRENT_SCHEMA_VERSION,
  DEVICE_READING_KINDS,
  DEACTIVATION_BEHAVIOURS,
  DEVICE_DRIVER_KINDS,
  LOAD_MANAGEMENT_MODES,
  LOG_LEVELS,
  METER_MODELS,
  MODBUS_TRANSPORT_TYPES,
  OCPP_PAUSE_METHODS,
  PARITIES,
  PHASE_COUNTS,
  PHASES,
  SERVER_CERTIFICATE_SOURCES,
  TLS_MODES,
} from './types';

function expectOneOf(allowed: readonly unknown[], value: unknown, where: string): void {
  expect(allowed, `${where} = ${JSON.stringify(value)}`).toContain(value);
}

describe('demo fixture written by the Rust side', () => {
  it('uses only enum values types.ts knows', () => {
    expect(demo.schema_version).toBe(CURRENT_SCHEMA_VERSION);
    expectOneOf(LOG_LEVELS, demo.logging.level, 'logging.level');
    expectOneOf(LOAD_MANAGEMENT_MODES, demo.charging_manager.mode, 'charging_manager.mode');
    expectOneOf(TLS_MODES, demo.ocpp_server.tls_mode, 'ocpp_server.tls_mode');
    expectOneOf(SERVER_CERTIFICATE_SOURCES, demo.certificates.server.source, 'certificates.server.source');

    for (const [index, device] of demo.devices.entries()) {
      const at = `devices[${index}]`;
      const driver: Record<string, unknown> = device.driver;
      expectOneOf(DEACTIVATION_BEHAVIOURS, device.on_deactivation, `${at}.on_deactivation`);
      expectOneOf(DEVICE_DRIVER_KINDS, driver['kind'], `${at}.driver.kind`);
      if (driver['kind'] === 'ocpp16_evse') {
        expectOneOf(OCPP_PAUSE_METHODS, driver['pause_with'], `${at}.driver.pause_with`);
      }
      if (driver['kind'] === 'modbus_meter') {
        expectOneOf(METER_MODELS, driver['model'], `${at}.driver.model`);
      }
      const transport = driver['transport'] as Record<string, unknown> | undefined;
      if (transport !== undefined) {
        expectOneOf(MODBUS_TRANSPORT_TYPES, transport['type'], `${at}.driver.transport.type`);
        if (transport['type'] === 'rtu') {
          expectOneOf(PARITIES, transport['parity'], `${at}.driver.transport.parity`);
        }
      }
      if (device.charging !== undefined) {
        const charging: Record<string, unknown> = device.charging;
        expectOneOf(PHASE_COUNTS, charging['phases'], `${at}.charging.phases`);
        if (charging['connected_phase'] !== undefined) {
          expectOneOf(PHASES, charging['connected_phase'], `${at}.charging.connected_phase`);
        }
      }
    }
  });

  it('is the demo installation the UI describes', () => {
    expect(demo.charging_manager.mode).toBe('monitor');
    expect(demo.charging_manager.max_current_per_phase_a).toEqual({ l1: 32, l2: 32, l3: 32 });
    expect(demo.groups.map((group) => group.name)).toContain('Garage');
    const kinds = demo.devices.map((device) => device.driver.kind).sort();
    expect(kinds).toEqual(['modbus_meter', 'ocpp16_evse', 'power_brain_evse']);
  });
});

describe('live status fixture written by the Rust side', () => {
  function expectPerPhase(value: unknown, where: string): void {
    if (value !== null) {
      expect(Array.isArray(value) && value.length === 3, `${where} has L1, L2, L3`).toBe(true);
    }
  }

  function expectMeterReading(meter: Record<string, unknown>, where: string): void {
    for (const field of ['voltage_v', 'current_a', 'power_w']) {
      expectPerPhase(meter[field], `${where}.${field}`);
    }
  }

  it('uses only enum values types.ts knows, with three values per phase', () => {
    for (const [id, status] of Object.entries(live.devices)) {
      const at = `devices.${id}`;
      expect(status.device_id).toBe(id);
      expectOneOf(AVAILABILITIES, status.availability, `${at}.availability`);
      const reading: Record<string, unknown> = status.reading;
      expectOneOf(DEVICE_READING_KINDS, reading['kind'], `${at}.reading.kind`);
      if (reading['kind'] === 'evse') {
        expectOneOf(CP_STATES, reading['cp_state'], `${at}.reading.cp_state`);
        expectMeterReading(reading['meter'] as Record<string, unknown>, `${at}.reading.meter`);
      } else {
        expectMeterReading(reading, `${at}.reading`);
      }
    }
    expectOneOf(LOAD_MANAGEMENT_MODES, live.load.mode, 'load.mode');
    expectOneOf(BUDGET_MODES, live.load.site.mode, 'load.site.mode');
    for (const [index, wallbox] of live.load.wallboxes.entries()) {
      for (const phase of wallbox.phases) {
        expectOneOf(PHASES, phase, `load.wallboxes[${index}].phases`);
      }
      expect(typeof wallbox.reason.code, `load.wallboxes[${index}].reason.code`).toBe('string');
    }
    for (const [id, connector] of Object.entries(live.ocpp.connectors)) {
      expectPerPhase(connector.current_a, `ocpp.connectors.${id}.current_a`);
    }
  });

  it('shows what the dashboard tests rely on', () => {
    expect(live.devices['garage-right'].availability).toBe('online');
    expect(live.devices['garage-right'].reading.cp_state).toBe('C');
    expect(live.devices['grid-meter'].availability).toBe('offline');
    const paused = live.load.wallboxes.find((wallbox) => wallbox.device_id === 'garage-left');
    expect(paused?.limit_a).toBe(0);
    expect(paused?.reason_text).toMatch(/^paused: budget below minimum/);
  });
});
