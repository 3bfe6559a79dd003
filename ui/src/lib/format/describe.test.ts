import { describe, expect, it } from 'vitest';
import type { DeviceDriver, ModbusTransport } from '../backend';
import {
  amperes,
  deviceAddress,
  deviceKindLabel,
  hostPort,
  modbusTransportAddress,
  phaseCurrents,
  serialFrame,
  tlsModeLabel,
  usbId,
} from './describe';

const rtu: ModbusTransport = {
  type: 'rtu',
  port: '/dev/ttyUSB0',
  baud_rate: 9600,
  data_bits: 8,
  parity: 'none',
  stop_bits: 1,
};

describe('deviceAddress', () => {
  it('names the ChargeBox ID and connector of an OCPP wallbox', () => {
    const driver: DeviceDriver = {
      kind: 'ocpp16_evse',
      charge_box_id: 'DEMO-CP-1',
      connector_id: 2,
      pause_with: 'zero_current_profile',
    };
    expect(deviceAddress(driver)).toBe('ChargeBox ID DEMO-CP-1, connector 2');
  });

  it('gives host, port and unit of a Modbus TCP device', () => {
    const driver: DeviceDriver = {
      kind: 'power_brain_evse',
      transport: { type: 'tcp', host: '127.0.0.1', port: 4701 },
      unit_id: 1,
    };
    expect(deviceAddress(driver)).toBe('Modbus TCP 127.0.0.1:4701, unit 1');
  });

  it('gives serial port, baud rate, frame and unit of a Modbus RTU meter', () => {
    const driver: DeviceDriver = { kind: 'modbus_meter', model: 'eastron_sdm630', transport: rtu, unit_id: 7 };
    expect(deviceAddress(driver)).toBe('Modbus RTU /dev/ttyUSB0, 9600 baud 8N1, unit 7');
  });

  it('shows a Windows COM port and even parity with two stop bits', () => {
    const transport: ModbusTransport = { ...rtu, port: 'COM3', baud_rate: 19200, parity: 'even', stop_bits: 2 };
    expect(modbusTransportAddress(transport)).toBe('Modbus RTU COM3, 19200 baud 8E2');
  });
});

describe('hostPort', () => {
  it('joins a host name or IPv4 address and port with a colon', () => {
    expect(hostPort('meter.local', 502)).toBe('meter.local:502');
    expect(hostPort('192.168.1.20', 5020)).toBe('192.168.1.20:5020');
  });

  it('brackets an IPv6 literal once', () => {
    expect(hostPort('::1', 502)).toBe('[::1]:502');
    expect(hostPort('[fe80::1]', 502)).toBe('[fe80::1]:502');
  });
});

describe('serialFrame', () => {
  it('writes data bits, parity letter and stop bits', () => {
    expect(serialFrame(8, 'none', 1)).toBe('8N1');
    expect(serialFrame(7, 'odd', 1)).toBe('7O1');
  });
});

describe('deviceKindLabel', () => {
  it('describes each driver in words', () => {
    expect(
      deviceKindLabel({ kind: 'ocpp16_evse', charge_box_id: 'x', connector_id: 1, pause_with: 'remote_stop_start' }),
    ).toBe('Wallbox (OCPP 1.6J)');
    expect(deviceKindLabel({ kind: 'power_brain_evse', transport: rtu, unit_id: 1 })).toBe(
      'cFos Power Brain wallbox (Modbus)',
    );
    expect(deviceKindLabel({ kind: 'modbus_meter', model: 'eastron_sdm72dm_v2', transport: rtu, unit_id: 1 })).toBe(
      'Energy meter Eastron SDM72D-M v2 (Modbus)',
    );
  });
});

describe('usbId', () => {
  it('prints vendor and product as four lower-case hex digits', () => {
    const usb = { vendor_id: 0x0403, product_id: 0x6001, serial_number: null, manufacturer: null, product: null };
    expect(usbId(usb)).toBe('0403:6001');
    expect(usbId({ ...usb, vendor_id: 0x1a86, product_id: 0x7523 })).toBe('1a86:7523');
  });
});

describe('currents', () => {
  it('shows one value when all phases agree and each phase otherwise', () => {
    expect(phaseCurrents({ l1: 32, l2: 32, l3: 32 })).toBe('32 A per phase');
    expect(phaseCurrents({ l1: 32, l2: 25, l3: 16.5 })).toBe('L1 32 A, L2 25 A, L3 16.5 A');
  });

  it('hides floating-point noise', () => {
    expect(amperes(0.1 + 0.2)).toBe('0.3 A');
  });
});

describe('tlsModeLabel', () => {
  it('says which URL schemes each mode accepts', () => {
    expect(tlsModeLabel('off')).toBe('Off (ws:// only)');
    expect(tlsModeLabel('detect')).toBe('Detect (ws:// and wss://)');
    expect(tlsModeLabel('on')).toBe('On (wss:// only)');
  });
});
