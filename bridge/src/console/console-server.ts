/**
 * Placeholder: the console HTTP + WebSocket server (issue 3) replaces this file.
 */
import type { Logger } from '../log.js';
import type { RegistrationEventBus } from '../events/registration-event-bus.js';
import type { RegistrationStore } from '../registry/registration-store.js';
import type { ServerInfo } from '@lwm2m-console/shared';

export interface ConsoleServerOptions {
  host: string;
  port: number;
  dataDir: string;
  /** Built console (web/dist). */
  staticDir: string;
  store: RegistrationStore;
  events: RegistrationEventBus;
  info: () => ServerInfo;
  log: Logger;
  now?: () => number;
}

export interface ConsoleServer {
  /** Where it listens, e.g. http://127.0.0.1:8080 */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function startConsoleServer(_options: ConsoleServerOptions): Promise<ConsoleServer> {
  throw new Error('console server not implemented yet');
}
