/**
 * A real console server on port 0 plus a real `ws` client that queues what it receives,
 * for the hub and server tests (not part of the bridge build's runtime path).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { parseServerMessage, type ServerMessage } from '@lwm2m-console/shared';
import { RegistrationEventBus } from '../events/registration-event-bus.js';
import { silentLogger, type Logger } from '../log.js';
import { MemoryRegistrationStore } from '../registry/memory-registration-store.js';
import { startConsoleServer, type ConsoleServer, type ConsoleServerOptions } from './console-server.js';

export interface Harness {
  server: ConsoleServer;
  store: MemoryRegistrationStore;
  events: RegistrationEventBus;
  dataDir: string;
  wsUrl: string;
}

export async function startHarness(overrides: Partial<ConsoleServerOptions> = {}, log: Logger = silentLogger): Promise<Harness> {
  const store = new MemoryRegistrationStore();
  const events = new RegistrationEventBus((e) => {
    throw e;
  });
  const dataDir = overrides.dataDir ?? (await mkdtemp(join(tmpdir(), 'console-test-')));
  const server = await startConsoleServer({
    host: '127.0.0.1',
    port: 0,
    dataDir,
    staticDir: join(dataDir, 'no-dist'),
    store,
    events,
    info: () => ({ version: 'test', coapUris: ['coap://127.0.0.1:5683'], allowUnsecured: true }),
    log,
    printToken: () => {},
    ...overrides,
  });
  return { server, store, events, dataDir, wsUrl: `ws://127.0.0.1:${server.port}/ws` };
}

/** A ws client that parses every frame and lets a test await the next one of a kind. */
export class TestClient {
  readonly received: ServerMessage[] = [];
  readonly rawFrames: string[] = [];
  private waiters: { pred: (m: ServerMessage) => boolean; resolve: (m: ServerMessage) => void }[] = [];
  private cursor = 0;
  closeCode: number | undefined;
  readonly closed: Promise<number>;

  constructor(readonly ws: WebSocket) {
    ws.on('error', () => {});
    ws.on('message', (data) => {
      const text = data.toString();
      this.rawFrames.push(text);
      const parsed = parseServerMessage(text);
      if (!parsed.ok) throw new Error(`bad frame from hub: ${parsed.error}`);
      this.received.push(parsed.value);
      this.waiters = this.waiters.filter((w) => {
        if (!w.pred(parsed.value)) return true;
        w.resolve(parsed.value);
        return false;
      });
    });
    this.closed = new Promise((resolve) => ws.on('close', (code) => resolve((this.closeCode = code))));
  }

  static async connect(url: string, options?: WebSocket.ClientOptions): Promise<TestClient> {
    const ws = new WebSocket(url, options);
    const client = new TestClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
    return client;
  }

  /** Resolves with the next message (after those already consumed) matching `pred`. */
  next<T extends ServerMessage['type']>(type: T, timeoutMs = 5000): Promise<Extract<ServerMessage, { type: T }>> {
    const pred = (m: ServerMessage) => m.type === type;
    for (; this.cursor < this.received.length; ) {
      const m = this.received[this.cursor++]!;
      if (pred(m)) return Promise.resolve(m as Extract<ServerMessage, { type: T }>);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${type} within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        pred,
        resolve: (m) => {
          clearTimeout(timer);
          this.cursor = this.received.length;
          resolve(m as Extract<ServerMessage, { type: T }>);
        },
      });
    });
  }

  sendJson(value: unknown): void {
    this.ws.send(JSON.stringify(value));
  }

  close(): void {
    this.ws.close();
  }
}
