import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import App from './App.svelte';
import { BackendError, type Config, type Device, type LiveStatus, type SerialPortDescription } from './lib/backend';
import { demoConfig, demoSnapshot, FakeBackend, liveFixture, usbAdapter } from './test/fakeBackend';

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function deviceOfKind(config: Config, kind: Device['driver']['kind']): Device {
  const device = config.devices?.find((candidate) => candidate.driver.kind === kind);
  if (device === undefined) {
    throw new Error(`the demo fixture has no ${kind} device`);
  }
  return device;
}

function rowOf(name: string): HTMLElement {
  const header = screen.getByRole('rowheader', { name });
  const row = header.closest('tr');
  if (row === null) {
    throw new Error(`no table row for ${name}`);
  }
  return row;
}

async function renderApp(backend: FakeBackend): Promise<void> {
  render(App, { props: { backend } });
  await screen.findByRole('heading', { name: 'Devices' });
}

describe('configuration summary', () => {
  it('renders the demo fixture: mode, limits, OCPP server, groups and one row per device', async () => {
    const backend = new FakeBackend();
    await renderApp(backend);
    const config = demoConfig();

    expect(screen.getByRole('heading', { level: 1, name: 'Ampwise' })).toBeInTheDocument();
    expect(screen.getByText('Monitor — reads and shows everything, sends no limits')).toBeInTheDocument();
    expect(screen.getByText('32 A per phase')).toBeInTheDocument();
    expect(screen.getByText(`${config.ocpp_server.port}`)).toBeInTheDocument();
    expect(screen.getByText('Off (ws:// only)')).toBeInTheDocument();
    expect(screen.getByText('Not set')).toBeInTheDocument();
    expect(screen.getByText('Garage')).toBeInTheDocument();

    const table = screen.getByRole('table');
    expect(within(table).getAllByRole('columnheader').map((cell) => cell.textContent)).toEqual([
      'Name',
      'Kind',
      'Address',
      'Enabled',
    ]);
    // One header row plus one row per device.
    expect(within(table).getAllByRole('row')).toHaveLength(1 + (config.devices?.length ?? 0));

    const ocpp = deviceOfKind(config, 'ocpp16_evse');
    const ocppRow = within(rowOf(ocpp.name));
    expect(ocppRow.getByText('Wallbox (OCPP 1.6J)')).toBeInTheDocument();
    expect(ocppRow.getByText(/^ChargeBox ID DEMO-CP-1, connector \d+$/)).toBeInTheDocument();

    const brain = deviceOfKind(config, 'power_brain_evse');
    const brainRow = within(rowOf(brain.name));
    expect(brainRow.getByText('cFos Power Brain wallbox (Modbus)')).toBeInTheDocument();
    expect(brainRow.getByText(/^Modbus TCP 127\.0\.0\.1:4701, unit \d+$/)).toBeInTheDocument();

    const meter = deviceOfKind(config, 'modbus_meter');
    const meterRow = within(rowOf(meter.name));
    expect(meterRow.getByText('Energy meter Eastron SDM630 (Modbus)')).toBeInTheDocument();
    expect(meterRow.getByText(/^Modbus TCP 127\.0\.0\.1:5020, unit \d+$/)).toBeInTheDocument();
  });

  it('formats an RTU device and a disabled device', async () => {
    const backend = new FakeBackend();
    const config = demoConfig();
    config.devices = [
      {
        id: 'meter-rtu',
        name: 'Heat pump meter',
        enabled: false,
        on_deactivation: 'keep_charging_current_limit',
        driver: {
          kind: 'modbus_meter',
          model: 'eastron_sdm72dm_v2',
          transport: { type: 'rtu', port: 'COM3', baud_rate: 9600, data_bits: 8, parity: 'none', stop_bits: 1 },
          unit_id: 2,
        },
      },
    ];
    backend.config = () => Promise.resolve(demoSnapshot({ config }));
    await renderApp(backend);

    const row = within(rowOf('Heat pump meter'));
    expect(row.getByText('Modbus RTU COM3, 9600 baud 8N1, unit 2')).toBeInTheDocument();
    expect(row.getByText('No')).toBeInTheDocument();
  });

  it('says so when there are no devices and no groups', async () => {
    const backend = new FakeBackend();
    const config = demoConfig();
    delete config.devices;
    delete config.groups;
    backend.config = () => Promise.resolve(demoSnapshot({ config }));
    await renderApp(backend);

    expect(screen.getByText('No devices configured.')).toBeInTheDocument();
    expect(screen.getByText(/^No groups/)).toBeInTheDocument();
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
  });

  it('shows the backend message when the configuration cannot be loaded, and retries', async () => {
    const backend = new FakeBackend();
    backend.config = () => Promise.reject(new BackendError('config_io', 'cannot read /etc/ampwise.json: permission denied'));
    render(App, { props: { backend } });

    expect(await screen.findByText(/cannot read \/etc\/ampwise\.json: permission denied/)).toBeInTheDocument();
    backend.config = () => Promise.resolve(demoSnapshot());
    await fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('heading', { name: 'Devices' })).toBeInTheDocument();
  });
});

describe('banners', () => {
  it('explains the demo installation', async () => {
    const backend = new FakeBackend();
    await renderApp(backend);
    expect(screen.getByRole('status')).toHaveTextContent(
      'Demo installation — nothing is configured yet. Changes are saved when you apply them.',
    );
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('warns about a problem and shows no demo banner for a file config', async () => {
    const backend = new FakeBackend();
    const problem = 'config.json: devices[1].driver.unit_id: 300 is out of range (0..=247); using the demo installation';
    backend.config = () => Promise.resolve(demoSnapshot({ origin: 'file', problem }));
    await renderApp(backend);
    expect(screen.getByRole('alert')).toHaveTextContent(problem);
    expect(screen.queryByText(/^Demo installation/)).not.toBeInTheDocument();
  });

  it('says the demo stands in for an unusable file, not that nothing is configured', async () => {
    const backend = new FakeBackend();
    const problem = 'config file /home/u/.config/ampwise/config.toml, line 2, column 18: TOML syntax error';
    backend.config = () => Promise.resolve(demoSnapshot({ origin: 'demo', problem }));
    await renderApp(backend);
    const alert = screen.getByRole('alert');
    expect(alert).toHaveTextContent(problem);
    expect(alert).toHaveTextContent('Ampwise is showing the demo installation');
    expect(screen.queryByText(/nothing is configured yet/)).not.toBeInTheDocument();
  });
});

describe('serial port list', () => {
  it('lists ports with label, name and USB vendor:product', async () => {
    const backend = new FakeBackend();
    const pci: SerialPortDescription = { name: '/dev/ttyS0', label: 'Built-in serial port', kind: 'pci', usb: null };
    backend.serialPorts = () => Promise.resolve([usbAdapter('/dev/ttyUSB0', 0x0403, 0x6001), pci]);
    await renderApp(backend);

    const ports = within(screen.getByRole('region', { name: 'Serial ports' }));
    const items = await ports.findAllByRole('listitem');
    expect(items).toHaveLength(2);
    expect(items[0]).toHaveTextContent('USB-RS485 adapter (/dev/ttyUSB0)');
    expect(items[0]).toHaveTextContent('/dev/ttyUSB0');
    expect(items[0]).toHaveTextContent('USB 0403:6001');
    expect(items[1]).toHaveTextContent('Built-in serial port');
    expect(items[1]).not.toHaveTextContent('USB');
  });

  it('tells the user to plug in an adapter when there are none', async () => {
    const backend = new FakeBackend();
    await renderApp(backend);
    expect(await screen.findByText('No serial ports found — plug in a USB-RS485 adapter')).toBeInTheDocument();
  });

  it('shows the backend message when listing fails', async () => {
    const backend = new FakeBackend();
    backend.serialPorts = () =>
      Promise.reject({ code: 'serial_enumeration', message: 'could not list serial ports: udev unavailable' });
    await renderApp(backend);
    const ports = within(screen.getByRole('region', { name: 'Serial ports' }));
    expect(await ports.findByRole('alert')).toHaveTextContent('udev unavailable');
  });

  it('asks the backend again on Refresh and shows the new list', async () => {
    const backend = new FakeBackend();
    await renderApp(backend);
    await screen.findByText(/No serial ports found/);
    expect(backend.calls.filter((call) => call === 'listSerialPorts')).toHaveLength(1);

    backend.serialPorts = () => Promise.resolve([usbAdapter('/dev/ttyUSB1', 0x1a86, 0x7523)]);
    await fireEvent.click(screen.getByRole('button', { name: 'Refresh' }));

    expect(await screen.findByText('USB 1a86:7523')).toBeInTheDocument();
    expect(screen.queryByText(/No serial ports found/)).not.toBeInTheDocument();
    expect(backend.calls.filter((call) => call === 'listSerialPorts')).toHaveLength(2);
  });
});

describe('live updates', () => {
  it('re-renders on config_changed', async () => {
    const backend = new FakeBackend();
    await renderApp(backend);
    expect(screen.getByText(/^Demo installation/)).toBeInTheDocument();

    const config = demoConfig();
    config.charging_manager.mode = 'active';
    config.charging_manager.max_current_per_phase_a = { l1: 40, l2: 40, l3: 35 };
    config.devices = (config.devices ?? []).map((device) => ({ ...device, name: `${device.name} (renamed)` }));
    backend.emit({ type: 'config_changed', snapshot: demoSnapshot({ config, origin: 'file' }) });

    expect(await screen.findByText('Active — controls the wallboxes')).toBeInTheDocument();
    expect(screen.getByText('L1 40 A, L2 40 A, L3 35 A')).toBeInTheDocument();
    expect(screen.queryByText(/^Demo installation/)).not.toBeInTheDocument();
    for (const device of config.devices) {
      expect(screen.getByRole('rowheader', { name: device.name })).toBeInTheDocument();
    }
  });

  it('keeps an event that arrives while get_config is still answering', async () => {
    const backend = new FakeBackend();
    const pending = deferred<ReturnType<typeof demoSnapshot>>();
    backend.config = () => pending.promise;
    render(App, { props: { backend } });

    const newer = demoConfig();
    newer.charging_manager.mode = 'active';
    backend.emit({ type: 'config_changed', snapshot: demoSnapshot({ config: newer, origin: 'file' }) });
    pending.resolve(demoSnapshot());

    expect(await screen.findByText('Active — controls the wallboxes')).toBeInTheDocument();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(screen.getByText('Active — controls the wallboxes')).toBeInTheDocument();
  });

  it('stops listening when the window is taken down', async () => {
    const backend = new FakeBackend();
    const { unmount } = render(App, { props: { backend } });
    await screen.findByRole('heading', { name: 'Devices' });
    expect(backend.subscriberCount).toBe(1);
    unmount();
    expect(backend.subscriberCount).toBe(0);
  });
});

describe('ui ready report', () => {
  it('is sent once, after summary and port list are on screen, however often they change', async () => {
    const backend = new FakeBackend();
    backend.serialPorts = () => Promise.resolve([usbAdapter('/dev/ttyUSB0', 0x0403, 0x6001)]);
    await renderApp(backend);
    await screen.findByText('USB 0403:6001');

    const devices = demoConfig().devices?.length ?? 0;
    await waitFor(() =>
      expect(backend.reports).toEqual([
        {
          level: 'info',
          message: `ui ready: ${devices} devices, 1 serial ports, live: 0 of 2 polled devices online`,
        },
      ]),
    );

    await fireEvent.click(screen.getByRole('button', { name: 'Refresh' }));
    backend.emit({ type: 'config_changed', snapshot: demoSnapshot({ origin: 'file' }) });
    await screen.findByText('USB 0403:6001');
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(backend.reports.filter((report) => report.message.startsWith('ui ready'))).toHaveLength(1);
  });

  it('waits for the port list', async () => {
    const backend = new FakeBackend();
    const ports = deferred<SerialPortDescription[]>();
    backend.serialPorts = () => ports.promise;
    await renderApp(backend);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(backend.reports).toEqual([]);

    ports.resolve([]);
    await waitFor(() => expect(backend.reports).toHaveLength(1));
    expect(backend.reports[0]?.message).toMatch(/^ui ready: \d+ devices, 0 serial ports, live: /);
  });

  it('waits for the first live status and says how it went', async () => {
    const backend = new FakeBackend();
    const live = deferred<LiveStatus>();
    backend.live = () => live.promise;
    await renderApp(backend);
    await screen.findByText(/No serial ports found/);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(backend.reports).toEqual([]);

    live.resolve(liveFixture());
    await waitFor(() => expect(backend.reports).toHaveLength(1));
    expect(backend.reports[0]?.message).toMatch(/, live: 1 of 2 polled devices online$/);
  });

  it('is sent when the live status fails, saying so', async () => {
    const backend = new FakeBackend();
    backend.live = () => Promise.reject(new BackendError('internal', 'no core'));
    await renderApp(backend);
    await waitFor(() => expect(backend.reports).toHaveLength(1));
    expect(backend.reports[0]?.message).toMatch(/, live status unavailable$/);
  });

  it('is not sent while the port list failed, and is sent after a successful refresh', async () => {
    const backend = new FakeBackend();
    backend.serialPorts = () => Promise.reject({ code: 'serial_enumeration', message: 'no udev' });
    await renderApp(backend);
    await screen.findByText(/no udev/);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(backend.reports).toEqual([]);

    backend.serialPorts = () => Promise.resolve([]);
    await fireEvent.click(screen.getByRole('button', { name: 'Refresh' }));
    await waitFor(() => expect(backend.reports).toHaveLength(1));
  });
});

describe('live dashboard', () => {
  it('comes first, above the configuration, with a tile per wallbox and meter', async () => {
    const backend = new FakeBackend();
    backend.live = () => Promise.resolve(liveFixture());
    await renderApp(backend);

    const live = await screen.findByRole('region', { name: 'Live' });
    const devices = screen.getByRole('heading', { name: 'Devices' });
    expect(live.compareDocumentPosition(devices) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    const tiles = await within(live).findAllByRole('article');
    expect(tiles.map((tile) => tile.querySelector('h4')?.textContent)).toEqual(
      (demoConfig().devices ?? []).map((device) => device.name),
    );
    expect(within(live).getByText('paused: budget below minimum (group Garage L1)')).toBeVisible();
  });

  it('follows renamed devices on config_changed', async () => {
    const backend = new FakeBackend();
    backend.live = () => Promise.resolve(liveFixture());
    await renderApp(backend);
    const live = await screen.findByRole('region', { name: 'Live' });
    await within(live).findAllByRole('article');

    const config = demoConfig();
    config.devices = (config.devices ?? []).map((device) => ({ ...device, name: `${device.name} (renamed)` }));
    backend.emit({ type: 'config_changed', snapshot: demoSnapshot({ config, origin: 'file' }) });
    for (const device of config.devices) {
      expect(await within(live).findByRole('article', { name: device.name })).toBeInTheDocument();
    }
  });
});
