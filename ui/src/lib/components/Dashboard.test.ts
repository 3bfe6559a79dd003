import { render, screen, within } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { demoConfig, FakeBackend, liveFixture, startingLiveStatus } from '../../test/fakeBackend';
import { BackendError, type Config, type LiveStatus } from '../backend';
import Dashboard from './Dashboard.svelte';

afterEach(() => {
  vi.useRealTimers();
});

function deviceName(config: Config, id: string): string {
  const device = config.devices?.find((candidate) => candidate.id === id);
  if (device === undefined) {
    throw new Error(`the demo fixture has no device ${id}`);
  }
  return device.name;
}

/** The tile (article) named by a device's name. */
function tile(name: string): ReturnType<typeof within> {
  return within(screen.getByRole('article', { name }));
}

async function renderWith(live: LiveStatus, config: Config = demoConfig()): Promise<FakeBackend> {
  const backend = new FakeBackend();
  backend.live = () => Promise.resolve(live);
  render(Dashboard, { props: { backend, config } });
  await screen.findByRole('heading', { name: 'Wallboxes' });
  return backend;
}

describe('dashboard tiles', () => {
  const config = demoConfig();

  it('shows an online charging wallbox: state, draw per phase, power, energy and its limit', async () => {
    await renderWith(liveFixture());
    const charging = tile(deviceName(config, 'garage-right'));
    expect(charging.getByText('Online')).toBeInTheDocument();
    expect(charging.getByText('Charging')).toBeInTheDocument();
    expect(charging.getByText('15.9 / 15.8 / 15.9 A')).toBeInTheDocument();
    expect(charging.getByText('10.95 kW')).toBeInTheDocument();
    expect(charging.getByText('5.23 kWh')).toBeInTheDocument();
    expect(charging.getByText('16.0 A on L1, L2, L3')).toBeInTheDocument();
    expect(charging.getByText('limited by wallbox maximum')).toBeInTheDocument();
    expect(charging.getByText(/monitor, not sent/)).toBeInTheDocument();
  });

  it('shows a paused wallbox with the reason load management gives', async () => {
    await renderWith(liveFixture());
    const paused = tile(deviceName(config, 'garage-left'));
    expect(paused.getByText('Online')).toBeInTheDocument();
    expect(paused.getByText('Car connected, wallbox paused')).toBeInTheDocument();
    expect(paused.getByText('Paused')).toBeInTheDocument();
    expect(paused.getByText('paused: budget below minimum (group Garage L1)')).toBeVisible();
    expect(paused.getByText('0.0 / — / — A')).toBeInTheDocument();
    expect(paused.getByText('1.23 kWh')).toBeInTheDocument();
  });

  it('shows an offline meter with its error and its last values marked as old', async () => {
    await renderWith(liveFixture());
    const meter = tile(deviceName(config, 'grid-meter'));
    expect(meter.getByText('Offline')).toBeInTheDocument();
    expect(meter.getByText('Modbus TCP 127.0.0.1:5020 unit 1: connection refused')).toBeInTheDocument();
    expect(meter.getByText(/^Values from the last reading at \d\d:\d\d:\d\d$/)).toBeInTheDocument();
    expect(meter.getByText(/^Grid connection: load management budgets/)).toBeInTheDocument();

    const l1 = meter.getByRole('row', { name: /^L1/ });
    expect(within(l1).getByText('18.0 A')).toBeInTheDocument();
    expect(within(l1).getByText('4.14 kW')).toBeInTheDocument();
    expect(within(l1).getByText('230.1 V')).toBeInTheDocument();
    expect(meter.getByText('12.01 kW')).toBeInTheDocument();
    expect(meter.getByText('812.40 kWh')).toBeInTheDocument();
  });

  it('shows the site: mode, budget, and available, allocated and headroom per phase', async () => {
    await renderWith(liveFixture());
    const site = within(screen.getByRole('region', { name: 'Site' }));
    expect(site.getByText('Monitor: limits are computed and shown, not sent')).toBeInTheDocument();
    expect(site.getByText('Safe budget: the grid meter failed')).toBeInTheDocument();
    const cells = (label: string): (string | null)[] =>
      within(site.getByRole('row', { name: new RegExp(`^${label}`) }))
        .getAllByRole('cell')
        .map((cell) => cell.textContent);
    expect(cells('Available')).toEqual(['29.9 A', '30.5 A', '31.0 A']);
    expect(cells('Allocated')).toEqual(['16.0 A', '16.0 A', '16.0 A']);
    expect(cells('Headroom')).toEqual(['13.9 A', '14.5 A', '15.0 A']);
    const garage = within(site.getByRole('row', { name: /^Garage/ }));
    expect(garage.getByText('25.0 / 25.0 / 25.0 A')).toBeInTheDocument();
    expect(garage.getByText('9.0 / 9.0 / 9.0 A')).toBeInTheDocument();
  });

  it('before anything is known: devices connecting, an OCPP wallbox not connected, nothing decided', async () => {
    await renderWith(startingLiveStatus());
    expect(tile(deviceName(config, 'garage-right')).getByText('Connecting…')).toBeInTheDocument();
    const ocpp = tile(deviceName(config, 'garage-left'));
    expect(ocpp.getByText('Offline')).toBeInTheDocument();
    expect(ocpp.getByText('Not connected to the OCPP server (ChargeBox ID DEMO-CP-1)')).toBeInTheDocument();
    expect(ocpp.getByText('not decided yet')).toBeInTheDocument();
    expect(tile(deviceName(config, 'grid-meter')).getByText('No reading yet')).toBeInTheDocument();
    expect(screen.getByText('Load management has not decided yet.')).toBeInTheDocument();
  });

  it('shows a switched-off device as disabled', async () => {
    const config = demoConfig();
    const meter = config.devices?.find((device) => device.id === 'grid-meter');
    if (meter === undefined) {
      throw new Error('no grid meter in the demo');
    }
    meter.enabled = false;
    const live = liveFixture();
    delete live.devices['grid-meter'];
    await renderWith(live, config);
    const tileOfMeter = tile(meter.name);
    expect(tileOfMeter.getByText('Disabled')).toBeInTheDocument();
    expect(tileOfMeter.getByText('Switched off in the configuration')).toBeInTheDocument();
  });
});

describe('dashboard polling', () => {
  function liveCalls(backend: FakeBackend): number {
    return backend.calls.filter((call) => call === 'getLiveStatus').length;
  }

  it('asks every second, shows the new values and stops when taken down', async () => {
    vi.useFakeTimers();
    const backend = new FakeBackend();
    let status = startingLiveStatus();
    backend.live = () => Promise.resolve(status);
    const { unmount } = render(Dashboard, { props: { backend, config: demoConfig() } });
    await vi.advanceTimersByTimeAsync(0);
    flushSync();
    expect(liveCalls(backend)).toBe(1);
    const name = deviceName(demoConfig(), 'garage-right');
    expect(tile(name).getByText('Connecting…')).toBeInTheDocument();

    status = liveFixture();
    await vi.advanceTimersByTimeAsync(1000);
    flushSync();
    expect(liveCalls(backend)).toBe(2);
    expect(tile(name).getByText('Charging')).toBeInTheDocument();

    await vi.advanceTimersByTimeAsync(3000);
    expect(liveCalls(backend)).toBe(5);

    unmount();
    await vi.advanceTimersByTimeAsync(5000);
    expect(liveCalls(backend)).toBe(5);
  });

  it('says when the values stop updating, keeps the last ones, and recovers', async () => {
    vi.useFakeTimers();
    const backend = new FakeBackend();
    backend.live = () => Promise.resolve(liveFixture());
    render(Dashboard, { props: { backend, config: demoConfig() } });
    await vi.advanceTimersByTimeAsync(0);
    flushSync();

    backend.live = () => Promise.reject(new BackendError('internal', 'the core is not running'));
    await vi.advanceTimersByTimeAsync(1000);
    flushSync();
    expect(screen.getByRole('alert')).toHaveTextContent(
      'Live values are not updating: the core is not running (showing the last values)',
    );
    expect(tile(deviceName(demoConfig(), 'garage-right')).getByText('Charging')).toBeInTheDocument();

    backend.live = () => Promise.resolve(liveFixture());
    await vi.advanceTimersByTimeAsync(1000);
    flushSync();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });
});
