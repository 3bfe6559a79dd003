import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { pollEvery } from './poll';

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((res) => {
    resolve = res;
  });
  return { promise, resolve };
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('pollEvery', () => {
  it('asks at once, then once per interval, and never after stopping', async () => {
    let calls = 0;
    const values: number[] = [];
    const stop = pollEvery(1000, () => Promise.resolve(++calls), {
      onvalue: (value) => values.push(value),
      onerror: () => {},
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(values).toEqual([1]);
    await vi.advanceTimersByTimeAsync(999);
    expect(calls).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(values).toEqual([1, 2]);
    await vi.advanceTimersByTimeAsync(3000);
    expect(values).toEqual([1, 2, 3, 4, 5]);

    stop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls).toBe(5);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('waits for a slow answer instead of asking again', async () => {
    const pending = deferred<string>();
    let calls = 0;
    const values: string[] = [];
    const stop = pollEvery(
      1000,
      () => {
        calls += 1;
        return calls === 1 ? pending.promise : Promise.resolve('second');
      },
      { onvalue: (value) => values.push(value), onerror: () => {} },
    );
    await vi.advanceTimersByTimeAsync(5000);
    expect(calls).toBe(1);
    pending.resolve('first');
    await vi.advanceTimersByTimeAsync(0);
    expect(values).toEqual(['first']);
    await vi.advanceTimersByTimeAsync(1000);
    expect(values).toEqual(['first', 'second']);
    stop();
  });

  it('reports failures and keeps asking', async () => {
    let calls = 0;
    const errors: unknown[] = [];
    const values: number[] = [];
    const stop = pollEvery(
      500,
      () => (++calls === 1 ? Promise.reject(new Error('backend busy')) : Promise.resolve(calls)),
      { onvalue: (value) => values.push(value), onerror: (error) => errors.push(error) },
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(errors).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(500);
    expect(values).toEqual([2]);
    stop();
  });

  it('drops an answer that arrives after stopping', async () => {
    const pending = deferred<number>();
    const values: number[] = [];
    const stop = pollEvery(1000, () => pending.promise, {
      onvalue: (value) => values.push(value),
      onerror: () => {},
    });
    stop();
    pending.resolve(1);
    await vi.advanceTimersByTimeAsync(2000);
    expect(values).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });
});
