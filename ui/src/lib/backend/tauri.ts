import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import type { Backend } from './backend';
import { parseBackendError } from './errors';
import type { CoreEvent } from './types';

/** The Tauri event every `CoreEvent` arrives on. */
export const CORE_EVENT = 'core-event';

// Every command goes through here so that no caller ever sees a raw rejection.
async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (rejection) {
    throw parseBackendError(rejection);
  }
}

/** The real backend: Tauri commands and events of the desktop shell. */
export const tauriBackend: Backend = {
  getConfig: () => call('get_config'),
  updateConfig: (config) => call('update_config', { config }),
  listSerialPorts: () => call('list_serial_ports'),
  getLiveStatus: () => call('get_live_status'),
  setSecret: (name, value) => call('set_secret', { name, value }),
  clearSecret: (name) => call('clear_secret', { name }),
  secretStatus: (name) => call('secret_status', { name }),
  reportUiEvent: async (level, message) => {
    await call<null>('report_ui_event', { level, message });
  },
  onCoreEvent: (handler) => {
    // `listen` registers asynchronously but callers need a synchronous unsubscribe (component
    // teardown), so an unsubscribe that comes first is remembered and applied once registered.
    let unsubscribed = false;
    let unlisten: UnlistenFn | null = null;
    listen<CoreEvent>(CORE_EVENT, (event) => {
      if (!unsubscribed) {
        handler(event.payload);
      }
    }).then(
      (registered) => {
        if (unsubscribed) {
          registered();
        } else {
          unlisten = registered;
        }
      },
      (rejection: unknown) => {
        // Without events the window still works but shows stale data; say so in the log.
        const error = parseBackendError(rejection);
        console.error(`could not listen for ${CORE_EVENT}: ${error.message}`);
      },
    );
    return () => {
      unsubscribed = true;
      unlisten?.();
      unlisten = null;
    };
  },
};
