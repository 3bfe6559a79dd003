import { BACKEND_ERROR_CODES, type BackendErrorCode, type FieldError } from './types';

/**
 * Every failure of a backend call, whatever the transport rejected with. The UI branches on `code`,
 * shows `message` and highlights `fields`.
 */
export class BackendError extends Error {
  readonly code: BackendErrorCode;
  readonly fields: readonly FieldError[];

  constructor(code: BackendErrorCode, message: string, fields: readonly FieldError[] = []) {
    super(message);
    this.name = 'BackendError';
    this.code = code;
    this.fields = fields;
  }
}

// Shown when a rejection carries nothing readable; it must still tell the user something happened.
const UNREADABLE_FAILURE = 'The backend reported a failure without a message.';

/**
 * Turns whatever `invoke` rejected with into a `BackendError`.
 *
 * The contract promises `{ code, message, fields? }`, but Tauri itself rejects with a plain string
 * (unknown command, bad arguments), a panic or a bug can produce anything, and a newer backend may use
 * a code this build does not know. None of these may crash the UI or be shown as "[object Object]",
 * so anything that is not the contract's shape becomes code `internal` with the best message found.
 */
export function parseBackendError(rejection: unknown): BackendError {
  if (rejection instanceof BackendError) {
    return rejection;
  }
  if (typeof rejection === 'string') {
    return new BackendError('internal', nonEmpty(rejection) ?? UNREADABLE_FAILURE);
  }
  if (rejection instanceof Error) {
    return new BackendError('internal', nonEmpty(rejection.message) ?? UNREADABLE_FAILURE);
  }
  if (isRecord(rejection)) {
    const message = typeof rejection['message'] === 'string' ? nonEmpty(rejection['message']) : null;
    const code = rejection['code'];
    if (isKnownCode(code)) {
      return new BackendError(code, message ?? UNREADABLE_FAILURE, parseFields(rejection['fields']));
    }
    // An unknown code is kept in the message: it is the only clue to what went wrong.
    const codeHint = typeof code === 'string' && code !== '' ? ` (${code})` : '';
    return new BackendError(
      'internal',
      `${message ?? UNREADABLE_FAILURE}${codeHint}`,
      parseFields(rejection['fields']),
    );
  }
  return new BackendError('internal', UNREADABLE_FAILURE);
}

function parseFields(raw: unknown): FieldError[] {
  if (!Array.isArray(raw)) {
    return [];
  }
  const fields: FieldError[] = [];
  for (const entry of raw) {
    if (isRecord(entry) && typeof entry['field'] === 'string' && typeof entry['reason'] === 'string') {
      fields.push({ field: entry['field'], reason: entry['reason'] });
    }
  }
  return fields;
}

function isKnownCode(code: unknown): code is BackendErrorCode {
  return typeof code === 'string' && (BACKEND_ERROR_CODES as readonly string[]).includes(code);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmpty(text: string): string | null {
  const trimmed = text.trim();
  return trimmed === '' ? null : trimmed;
}
