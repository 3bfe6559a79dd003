import { describe, expect, it } from 'vitest';
import { demoConfig, liveFixture } from '../../test/fakeBackend';
import type { Device } from '../backend';
import { meterView, wallboxView } from './view';

function device(id: string): Device {
  const found = demoConfig().devices?.find((candidate) => candidate.id === id);
  if (found === undefined) {
    throw new Error(`the demo fixture has no device ${id}`);
  }
  return found;
}

describe('wallboxView', () => {
  it('takes the draw per phase from the wallbox meter and its decision from load management', () => {
    const view = wallboxView(device('garage-right'), liveFixture());
    expect(view.link).toBe('online');
    expect(view.state).toBe('Charging');
    expect(view.tone).toBe('charging');
    expect(view.currents).toEqual([15.9, 15.8, 15.9]);
    expect(view.chargingCurrentA).toBeNull();
    expect(view.wallboxLimitA).toBe(16);
    expect(view.load?.limit_a).toBe(16);
    expect(view.stale).toBe(false);
  });

  it('falls back to the single charging current of a wallbox without a meter', () => {
    const live = liveFixture();
    const reading = live.devices['garage-right']?.reading;
    if (reading?.kind !== 'evse') {
      throw new Error('the fixture wallbox has no reading');
    }
    reading.meter = null;
    reading.charging_enabled = false;
    const view = wallboxView(device('garage-right'), live);
    expect(view.currents).toBeNull();
    expect(view.chargingCurrentA).toBe(15.9);
    expect(view.powerW).toBeNull();
    expect(view.wallboxLimitA).toBe(0);
  });

  it('marks an OCPP wallbox that went away as offline with its last values', () => {
    const live = liveFixture();
    live.ocpp.connected = [];
    const view = wallboxView(device('garage-left'), live);
    expect(view.link).toBe('offline');
    expect(view.linkDetail).toMatch(/DEMO-CP-1/);
    expect(view.stale).toBe(true);
    expect(view.energyWh).toBe(1234);
  });

  it('reports a faulted OCPP connector as an error', () => {
    const live = liveFixture();
    const connector = live.ocpp.connectors['garage-left'];
    if (connector === null || connector === undefined) {
      throw new Error('the fixture has no OCPP connector');
    }
    connector.status = 'Faulted';
    connector.error_code = 'OverCurrentFailure';
    const view = wallboxView(device('garage-left'), live);
    expect(view.state).toBe('Error: OverCurrentFailure');
    expect(view.tone).toBe('error');
  });
});

describe('meterView', () => {
  it('knows the grid meter and keeps an offline meter’s last reading, marked stale', () => {
    const view = meterView(device('grid-meter'), liveFixture(), demoConfig());
    expect(view.isGridMeter).toBe(true);
    expect(view.link).toBe('offline');
    expect(view.stale).toBe(true);
    expect(view.reading?.current_a).toEqual([18, 17.3, 16.9]);
    expect(view.linkDetail).toMatch(/connection refused/);
  });
});
