import { describe, expect, it } from 'vitest';
import { BackendError, parseBackendError } from './errors';

describe('parseBackendError', () => {
  it('keeps code, message and fields of the contract shape', () => {
    const error = parseBackendError({
      code: 'invalid_config',
      message: 'devices[2].driver.transport.baud_rate: 12345 is not a supported baud rate',
      fields: [{ field: 'devices[2].driver.transport.baud_rate', reason: 'not a supported baud rate' }],
    });
    expect(error).toBeInstanceOf(BackendError);
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('invalid_config');
    expect(error.message).toBe('devices[2].driver.transport.baud_rate: 12345 is not a supported baud rate');
    expect(error.fields).toEqual([
      { field: 'devices[2].driver.transport.baud_rate', reason: 'not a supported baud rate' },
    ]);
  });

  it('accepts every contract code without fields', () => {
    for (const code of [
      'config_io',
      'secret_store_unavailable',
      'secret_store',
      'serial_enumeration',
      'invalid_input',
      'internal',
    ] as const) {
      const error = parseBackendError({ code, message: 'it failed' });
      expect(error.code).toBe(code);
      expect(error.fields).toEqual([]);
    }
  });

  it('turns the plain string Tauri rejects with into internal', () => {
    const error = parseBackendError('command get_config not found');
    expect(error.code).toBe('internal');
    expect(error.message).toBe('command get_config not found');
  });

  it('turns a thrown Error into internal with its message', () => {
    const error = parseBackendError(new TypeError("Cannot read properties of undefined (reading 'invoke')"));
    expect(error.code).toBe('internal');
    expect(error.message).toBe("Cannot read properties of undefined (reading 'invoke')");
  });

  it('keeps an unknown code as a hint in the message', () => {
    const error = parseBackendError({ code: 'disk_on_fire', message: 'The disk is on fire.' });
    expect(error.code).toBe('internal');
    expect(error.message).toBe('The disk is on fire. (disk_on_fire)');
  });

  it('never shows an empty message or [object Object]', () => {
    for (const rejection of [undefined, null, 42, {}, [], '', '   ', { message: 7 }, { code: 5 }]) {
      const error = parseBackendError(rejection);
      expect(error.code).toBe('internal');
      expect(error.message).toBe('The backend reported a failure without a message.');
    }
  });

  it('keeps a known code whose message is missing', () => {
    const error = parseBackendError({ code: 'config_io' });
    expect(error.code).toBe('config_io');
    expect(error.message).toBe('The backend reported a failure without a message.');
  });

  it('drops malformed field entries but keeps the good ones', () => {
    const error = parseBackendError({
      code: 'invalid_config',
      message: 'bad',
      fields: [{ field: 'ocpp_server.port', reason: 'must not be 0' }, { field: 3 }, 'x', null],
    });
    expect(error.fields).toEqual([{ field: 'ocpp_server.port', reason: 'must not be 0' }]);
  });

  it('ignores fields that are not a list', () => {
    expect(parseBackendError({ code: 'invalid_config', message: 'bad', fields: 'port' }).fields).toEqual([]);
  });

  it('returns a BackendError unchanged', () => {
    const original = new BackendError('secret_store', 'keyring locked');
    expect(parseBackendError(original)).toBe(original);
  });
});
