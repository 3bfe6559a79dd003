// The only door to the backend: nothing outside src/lib/backend imports @tauri-apps/api.
export type { Backend } from './backend';
export { BackendError, parseBackendError } from './errors';
export { CORE_EVENT, tauriBackend } from './tauri';
export * from './types';
