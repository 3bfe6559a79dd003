// The real tauriBackend over @tauri-apps/api, with only the IPC bridge replaced by the package's own
// mock: this checks command names, argument names, error parsing and event (un)subscription.
import { emit } from '@tauri-apps/api/event';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BackendError } from './errors';
import { CORE_EVENT, tauriBackend } from './tauri';
import type { CoreEvent, SecretName } from './types';

interface Invocation {
  command: string;
  args: unknown;
}

function recordInvocations(answer: (command: string) => unknown): Invocation[] {
  const invocations: Invocation[] = [];
  mockIPC(
    (command, args) => {
      invocations.push({ command, args });
      return answer(command);
    },
    { shouldMockEvents: true },
  );
  return invocations;
}

afterEach(() => {
  clearMocks();
  vi.restoreAllMocks();
});

// The event plugin's listener table that mockIPC installs; spying on it shows whether a listener
// is really removed, not just ignored.
function spyOnUnregister() {
  const internals = (
    window as unknown as {
      __TAURI_EVENT_PLUGIN_INTERNALS__: { unregisterListener: (event: string, id: number) => void };
    }
  ).__TAURI_EVENT_PLUGIN_INTERNALS__;
  return vi.spyOn(internals, 'unregisterListener');
}

describe('tauriBackend commands', () => {
  it('calls each contract command with camelCase argument names', async () => {
    const gateway: SecretName = { kind: 'gateway_password', device_id: 'wallbox-1' };
    const invocations = recordInvocations((command) => {
      switch (command) {
        case 'list_serial_ports':
          return [];
        case 'report_ui_event':
          return null;
        case 'set_secret':
        case 'clear_secret':
        case 'secret_status':
          return { name: gateway, set: command === 'set_secret' };
        default:
          return { config: {}, origin: 'file', path: '/tmp/config.json', problem: null };
      }
    });

    await tauriBackend.getConfig();
    await tauriBackend.listSerialPorts();
    await tauriBackend.getLiveStatus();
    await tauriBackend.setSecret(gateway, 's3cret');
    await tauriBackend.clearSecret(gateway);
    await expect(tauriBackend.secretStatus(gateway)).resolves.toEqual({ name: gateway, set: false });
    await expect(tauriBackend.reportUiEvent('info', 'ui ready: 0 devices, 0 serial ports')).resolves.toBeUndefined();

    expect(invocations).toEqual([
      { command: 'get_config', args: {} },
      { command: 'list_serial_ports', args: {} },
      { command: 'get_live_status', args: {} },
      { command: 'set_secret', args: { name: gateway, value: 's3cret' } },
      { command: 'clear_secret', args: { name: gateway } },
      { command: 'secret_status', args: { name: gateway } },
      { command: 'report_ui_event', args: { level: 'info', message: 'ui ready: 0 devices, 0 serial ports' } },
    ]);
  });

  it('sends the whole config to update_config', async () => {
    const invocations = recordInvocations(() => ({ config: {}, origin: 'file', path: 'p', problem: null }));
    const config = {
      schema_version: 1,
      logging: { level: 'info' },
      charging_manager: {
        mode: 'active',
        max_current_per_phase_a: { l1: 25, l2: 25, l3: 25 },
        current_reserve_a: 2,
        control_interval_ms: 1000,
      },
      ocpp_server: {
        enabled: true,
        port: 19520,
        tls_mode: 'detect',
        password_set: false,
        accept_unknown_charge_points: false,
        call_timeout_s: 60,
        heartbeat_interval_s: 300,
        meter_value_sample_interval_s: 60,
        accept_unknown_id_tags: true,
      },
      certificates: { server: { source: 'self_signed' } },
    } as const;
    await tauriBackend.updateConfig(structuredClone(config));
    expect(invocations).toEqual([{ command: 'update_config', args: { config } }]);
  });

  it('rejects with a BackendError carrying the contract error', async () => {
    recordInvocations(() => {
      throw {
        code: 'serial_enumeration',
        message: 'could not list serial ports: permission denied',
      };
    });
    const failure = await tauriBackend.listSerialPorts().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(BackendError);
    expect(failure).toMatchObject({
      code: 'serial_enumeration',
      message: 'could not list serial ports: permission denied',
      fields: [],
    });
  });

  it('rejects with an internal BackendError when there is no Tauri at all', async () => {
    // No mockIPC: this is the window opened in a plain browser, outside the desktop app.
    const failure = await tauriBackend.getConfig().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(BackendError);
    expect(failure).toMatchObject({ code: 'internal' });
  });
});

describe('tauriBackend.onCoreEvent', () => {
  const changed: CoreEvent = { type: 'secret_changed', name: { kind: 'ocpp_server_password' }, set: true };

  async function settle(): Promise<void> {
    for (let i = 0; i < 5; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  }

  it('delivers core-event payloads until unsubscribed', async () => {
    recordInvocations(() => null);
    const unregistered = spyOnUnregister();
    const received: CoreEvent[] = [];
    const unsubscribe = tauriBackend.onCoreEvent((event) => received.push(event));
    await settle();

    await emit(CORE_EVENT, changed);
    await emit('some-other-event', { type: 'config_changed' });
    expect(received).toEqual([changed]);

    unsubscribe();
    await settle();
    expect(unregistered).toHaveBeenCalledTimes(1);
    expect(unregistered.mock.calls[0]?.[0]).toBe(CORE_EVENT);
    await emit(CORE_EVENT, changed);
    expect(received).toEqual([changed]);
  });

  it('delivers nothing when unsubscribed before registration finished', async () => {
    recordInvocations(() => null);
    const unregistered = spyOnUnregister();
    const received: CoreEvent[] = [];
    const unsubscribe = tauriBackend.onCoreEvent((event) => received.push(event));
    unsubscribe();
    unsubscribe();
    await settle();
    expect(unregistered).toHaveBeenCalledTimes(1);
    await emit(CORE_EVENT, changed);
    expect(received).toEqual([]);
  });
});
