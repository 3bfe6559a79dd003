// Asking the backend again and again without piling up calls: the next call is scheduled only when
// the previous one has answered, so a slow backend is never asked twice at once.

export interface PollHandlers<T> {
  onvalue: (value: T) => void;
  onerror: (error: unknown) => void;
}

/**
 * Calls `fetch` at once and then `intervalMs` after each answer (or failure) until the returned
 * function is called. An answer that arrives after stopping is dropped.
 */
export function pollEvery<T>(
  intervalMs: number,
  fetch: () => Promise<T>,
  handlers: PollHandlers<T>,
): () => void {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | null = null;

  async function once(): Promise<void> {
    timer = null;
    try {
      const value = await fetch();
      if (!stopped) {
        handlers.onvalue(value);
      }
    } catch (error) {
      if (!stopped) {
        handlers.onerror(error);
      }
    }
    if (!stopped) {
      timer = setTimeout(() => void once(), intervalMs);
    }
  }

  void once();
  return () => {
    stopped = true;
    if (timer !== null) {
      clearTimeout(timer);
      timer = null;
    }
  };
}
