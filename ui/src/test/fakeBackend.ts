// A stand-in for the desktop shell in component tests: it implements the same `Backend` interface as
// `tauriBackend` and lets a test decide every answer and emit core events. The real transport is
// covered by tauri.test.ts (through @tauri-apps/api's IPC mock) and the lead's end-to-end test.
import type {
  Backend,
  Config,
  ConfigSnapshot,
  CoreEvent,
  DeviceStatus,
  LiveStatus,
  SecretName,
  SecretStatus,
  SerialPortDescription,
  UiEventLevel,
} from '../lib/backend';
import demo from '../lib/backend/fixtures/demo-config.json';
import live from '../lib/backend/fixtures/live-status.json';

/** The demo fixture as `Config`; fixture.test.ts checks its enum values are ones `Config` allows. */
export function demoConfig(): Config {
  return structuredClone(demo) as Config;
}

export function demoSnapshot(overrides: Partial<ConfigSnapshot> = {}): ConfigSnapshot {
  return {
    config: demoConfig(),
    origin: 'demo',
    path: '/home/user/.config/ampwise/config.json',
    problem: null,
    ...overrides,
  };
}

/**
 * The live status fixture the Rust side writes from its real types: the demo installation with the
 * Power Brain charging, the OCPP wallbox paused for lack of budget and the grid meter offline.
 * fixture.test.ts checks its enum values.
 */
export function liveFixture(): LiveStatus {
  // JSON imports type [l1, l2, l3] as number[], which TypeScript will not compare with a tuple;
  // fixture-types.ts checks the structure and fixture.test.ts the values and tuple lengths.
  return structuredClone(live) as unknown as LiveStatus;
}

/** What the backend says right after start: polled devices not read yet, nothing decided. */
export function startingLiveStatus(config: Config = demoConfig()): LiveStatus {
  const devices: Record<string, DeviceStatus> = {};
  const connectors: LiveStatus['ocpp']['connectors'] = {};
  for (const device of config.devices ?? []) {
    if (device.driver.kind === 'ocpp16_evse') {
      connectors[device.id] = null;
    } else if (device.enabled) {
      devices[device.id] = {
        device_id: device.id,
        availability: 'connecting',
        reading: null,
        read_at: null,
        last_error: null,
        applied: null,
      };
    }
  }
  return {
    devices,
    load: { mode: config.charging_manager.mode, computed_at: null, site: null, groups: [], wallboxes: [] },
    ocpp: { connected: [], connectors },
  };
}

type Answer<T> = () => Promise<T>;

export class FakeBackend implements Backend {
  config: Answer<ConfigSnapshot> = () => Promise.resolve(demoSnapshot());
  serialPorts: Answer<SerialPortDescription[]> = () => Promise.resolve([]);
  live: Answer<LiveStatus> = () => Promise.resolve(startingLiveStatus());

  readonly reports: { level: UiEventLevel; message: string }[] = [];
  readonly calls: string[] = [];
  private readonly handlers = new Set<(event: CoreEvent) => void>();
  private readonly secrets = new Map<string, boolean>();

  getConfig(): Promise<ConfigSnapshot> {
    this.calls.push('getConfig');
    return this.config();
  }

  updateConfig(config: Config): Promise<ConfigSnapshot> {
    this.calls.push('updateConfig');
    const snapshot: ConfigSnapshot = { ...demoSnapshot(), config, origin: 'file' };
    this.emit({ type: 'config_changed', snapshot });
    return Promise.resolve(snapshot);
  }

  listSerialPorts(): Promise<SerialPortDescription[]> {
    this.calls.push('listSerialPorts');
    return this.serialPorts();
  }

  getLiveStatus(): Promise<LiveStatus> {
    this.calls.push('getLiveStatus');
    return this.live();
  }

  setSecret(name: SecretName, value: string): Promise<SecretStatus> {
    this.calls.push('setSecret');
    this.secrets.set(JSON.stringify(name), value !== '');
    return this.secretStatus(name);
  }

  clearSecret(name: SecretName): Promise<SecretStatus> {
    this.calls.push('clearSecret');
    this.secrets.delete(JSON.stringify(name));
    return this.secretStatus(name);
  }

  secretStatus(name: SecretName): Promise<SecretStatus> {
    return Promise.resolve({ name, set: this.secrets.get(JSON.stringify(name)) ?? false });
  }

  reportUiEvent(level: UiEventLevel, message: string): Promise<void> {
    this.reports.push({ level, message });
    return Promise.resolve();
  }

  onCoreEvent(handler: (event: CoreEvent) => void): () => void {
    this.handlers.add(handler);
    return () => {
      this.handlers.delete(handler);
    };
  }

  emit(event: CoreEvent): void {
    for (const handler of this.handlers) {
      handler(event);
    }
  }

  get subscriberCount(): number {
    return this.handlers.size;
  }
}

export function usbAdapter(name: string, vendorId: number, productId: number): SerialPortDescription {
  return {
    name,
    label: `USB-RS485 adapter (${name})`,
    kind: 'usb',
    usb: {
      vendor_id: vendorId,
      product_id: productId,
      serial_number: null,
      manufacturer: 'FTDI',
      product: 'FT232R USB UART',
    },
  };
}
