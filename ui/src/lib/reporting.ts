// Front-end milestones and errors go into the backend's log, where a support request finds them.
import { parseBackendError, type Backend, type UiEventLevel } from './backend';

/** Reports without ever throwing: a failing report must not itself become an unhandled rejection. */
export async function reportQuietly(
  backend: Backend,
  level: UiEventLevel,
  message: string,
): Promise<void> {
  try {
    await backend.reportUiEvent(level, message);
  } catch (rejection) {
    console.error(`could not report "${message}": ${parseBackendError(rejection).message}`);
  }
}

/** A render loop that throws on every frame must not flood the backend's log. */
export const MAX_ERROR_REPORTS = 20;

/**
 * Sends every uncaught error and unhandled promise rejection of `target` to the backend's log with
 * level `error`. Returns a function that stops reporting.
 */
export function installErrorReporting(target: Window, backend: Backend): () => void {
  let reported = 0;

  function report(message: string): void {
    reported += 1;
    if (reported < MAX_ERROR_REPORTS) {
      void reportQuietly(backend, 'error', message);
    } else if (reported === MAX_ERROR_REPORTS) {
      void reportQuietly(backend, 'error', `${message} (further errors are not reported)`);
    }
  }

  function onError(event: ErrorEvent): void {
    const where = event.filename ? ` at ${event.filename}:${event.lineno}:${event.colno}` : '';
    report(`unhandled error: ${describe(event.error ?? event.message)}${where}`);
  }

  function onRejection(event: PromiseRejectionEvent): void {
    report(`unhandled rejection: ${describe(event.reason)}`);
  }

  target.addEventListener('error', onError);
  target.addEventListener('unhandledrejection', onRejection);
  return () => {
    target.removeEventListener('error', onError);
    target.removeEventListener('unhandledrejection', onRejection);
  };
}

function describe(thrown: unknown): string {
  if (thrown instanceof Error) {
    return `${thrown.name}: ${thrown.message}`;
  }
  if (typeof thrown === 'string') {
    return thrown;
  }
  return parseBackendError(thrown).message;
}
