import { describe, expect, it } from 'vitest';
import {
  budgetModeLabel,
  cpStateLabel,
  energy,
  liveAmperes,
  ocppStatusLabel,
  phaseAmpsTriple,
  phaseList,
  phaseTriple,
  power,
  timeOfDay,
} from './live';

describe('live numbers', () => {
  it('shows currents to a tenth of an ampere, without float noise or minus zero', () => {
    expect(liveAmperes(15.94)).toBe('15.9 A');
    expect(liveAmperes(16)).toBe('16.0 A');
    expect(liveAmperes(-0.01)).toBe('0.0 A');
    expect(liveAmperes(-3.2)).toBe('-3.2 A');
    expect(liveAmperes(null)).toBe('—');
  });

  it('puts three phases in one line and marks the ones not measured', () => {
    expect(phaseTriple([15.9, 15.8, 15.9])).toBe('15.9 / 15.8 / 15.9 A');
    expect(phaseTriple([6, null, null])).toBe('6.0 / — / — A');
    expect(phaseTriple([null, null, null])).toBe('—');
    expect(phaseTriple(null)).toBe('—');
    expect(phaseAmpsTriple({ l1: 25, l2: 24.5, l3: -1 })).toBe('25.0 / 24.5 / -1.0 A');
  });

  it('shows power in W below a kilowatt and in kW above', () => {
    expect(power(3886.9999999999995)).toBe('3.89 kW');
    expect(power(850.4)).toBe('850 W');
    expect(power(-1500)).toBe('-1.50 kW');
    expect(power(0)).toBe('0 W');
    expect(power(null)).toBe('—');
  });

  it('shows energy counters in kWh', () => {
    expect(energy(5230)).toBe('5.23 kWh');
    expect(energy(812400)).toBe('812.40 kWh');
    expect(energy(null)).toBe('—');
  });

  it('lists phases in capitals', () => {
    expect(phaseList(['l1', 'l2', 'l3'])).toBe('L1, L2, L3');
    expect(phaseList(['l2'])).toBe('L2');
  });

  it('gives the local time of day of a timestamp, or the text when it is none', () => {
    const at = new Date(2025, 4, 14, 9, 5, 7);
    expect(timeOfDay(at.toISOString())).toBe('09:05:07');
    expect(timeOfDay('soon')).toBe('soon');
  });
});

describe('live words', () => {
  it('says what the control pilot state means', () => {
    expect(cpStateLabel('A')).toBe('No car');
    expect(cpStateLabel('B')).toBe('Car connected');
    expect(cpStateLabel('C')).toBe('Charging');
    expect(cpStateLabel('F')).toBe('Error');
  });

  it('uses the same words for OCPP statuses, with the error code of a fault', () => {
    expect(ocppStatusLabel('Available', null)).toBe('No car');
    expect(ocppStatusLabel('Preparing', null)).toBe('Car connected');
    expect(ocppStatusLabel('Charging', null)).toBe('Charging');
    expect(ocppStatusLabel('SuspendedEVSE', null)).toBe('Car connected, wallbox paused');
    expect(ocppStatusLabel('Faulted', 'GroundFailure')).toBe('Error: GroundFailure');
    expect(ocppStatusLabel('Faulted', 'NoError')).toBe('Error');
    expect(ocppStatusLabel(null, null)).toBe('Connected, no status yet');
    // A status from a newer OCPP version is shown as sent rather than guessed at.
    expect(ocppStatusLabel('Occupied', null)).toBe('Occupied');
  });

  it('explains the budget modes', () => {
    expect(budgetModeLabel('safe_meter_failed')).toBe('Safe budget: the grid meter failed');
    expect(budgetModeLabel('metered')).toMatch(/household load/);
  });
});
