import type {
  Config,
  ConfigSnapshot,
  CoreEvent,
  LiveStatus,
  SecretName,
  SecretStatus,
  SerialPortDescription,
  UiEventLevel,
} from './types';

/**
 * Everything the UI may ask of the backend (notes/ui-contract.md, v1). Components receive an object
 * of this type instead of importing the transport, so tests hand them a fake and the real transport
 * stays in this folder. Every method rejects with a `BackendError`.
 */
export interface Backend {
  getConfig(): Promise<ConfigSnapshot>;
  /** Validates, persists and applies `config`; the backend then emits `config_changed`. */
  updateConfig(config: Config): Promise<ConfigSnapshot>;
  listSerialPorts(): Promise<SerialPortDescription[]>;
  /** What Ampwise sees and decides right now: device readings, load management, OCPP connectors. */
  getLiveStatus(): Promise<LiveStatus>;
  /** Write-only: the value never comes back, only whether one is set. */
  setSecret(name: SecretName, value: string): Promise<SecretStatus>;
  clearSecret(name: SecretName): Promise<SecretStatus>;
  secretStatus(name: SecretName): Promise<SecretStatus>;
  /** Puts a front-end milestone or error into the backend's log. */
  reportUiEvent(level: UiEventLevel, message: string): Promise<void>;
  /** Calls `handler` for every core event until the returned function is called. */
  onCoreEvent(handler: (event: CoreEvent) => void): () => void;
}
