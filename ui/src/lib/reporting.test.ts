import { afterEach, describe, expect, it, vi } from 'vitest';
import { installErrorReporting, MAX_ERROR_REPORTS, reportQuietly } from './reporting';
import { FakeBackend } from '../test/fakeBackend';

let uninstall: (() => void) | null = null;

afterEach(() => {
  uninstall?.();
  uninstall = null;
  vi.restoreAllMocks();
});

function rejectionEvent(reason: unknown): Event {
  // jsdom has no PromiseRejectionEvent; the listener only reads `reason`.
  const event = new Event('unhandledrejection');
  Object.defineProperty(event, 'reason', { value: reason });
  return event;
}

describe('installErrorReporting', () => {
  it('reports an uncaught error with level error', async () => {
    const backend = new FakeBackend();
    uninstall = installErrorReporting(window, backend);
    window.dispatchEvent(
      new ErrorEvent('error', { error: new TypeError('x is undefined'), message: 'x is undefined', filename: 'app.js', lineno: 3, colno: 7 }),
    );
    await Promise.resolve();
    expect(backend.reports).toEqual([
      { level: 'error', message: 'unhandled error: TypeError: x is undefined at app.js:3:7' },
    ]);
  });

  it('reports an unhandled rejection, including a backend error object', async () => {
    const backend = new FakeBackend();
    uninstall = installErrorReporting(window, backend);
    window.dispatchEvent(rejectionEvent(new Error('boom')));
    window.dispatchEvent(rejectionEvent({ code: 'config_io', message: 'disk full' }));
    await Promise.resolve();
    expect(backend.reports).toEqual([
      { level: 'error', message: 'unhandled rejection: Error: boom' },
      { level: 'error', message: 'unhandled rejection: disk full' },
    ]);
  });

  it('stops after MAX_ERROR_REPORTS so a loop cannot flood the log', async () => {
    const backend = new FakeBackend();
    uninstall = installErrorReporting(window, backend);
    for (let i = 0; i < MAX_ERROR_REPORTS + 5; i += 1) {
      window.dispatchEvent(rejectionEvent(`failure ${i}`));
    }
    await Promise.resolve();
    expect(backend.reports).toHaveLength(MAX_ERROR_REPORTS);
    expect(backend.reports.at(-1)?.message).toMatch(/further errors are not reported/);
  });

  it('reports nothing after uninstall', async () => {
    const backend = new FakeBackend();
    installErrorReporting(window, backend)();
    window.dispatchEvent(rejectionEvent('late'));
    await Promise.resolve();
    expect(backend.reports).toEqual([]);
  });
});

describe('reportQuietly', () => {
  it('swallows a failing report instead of causing another unhandled rejection', async () => {
    const backend = new FakeBackend();
    backend.reportUiEvent = () => Promise.reject({ code: 'internal', message: 'log closed' });
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    await expect(reportQuietly(backend, 'error', 'something')).resolves.toBeUndefined();
    expect(logged).toHaveBeenCalledWith('could not report "something": log closed');
  });
});
