/**
 * The console WebSocket hub: hello, a snapshot in parts, then batched deltas.
 *
 * - Registry events are collected for one tick (`tickMs`) and sent as ONE `delta` frame per
 *   client with `seq` = previous + 1; the frame text is built once and shared by all clients.
 * - A snapshot is taken at the current `seq` after flushing pending events, so "deltas after
 *   seq N apply on top of snapshot N" holds exactly.
 * - Backpressure: a client whose `bufferedAmount` passes `maxBufferedBytes` stops getting
 *   deltas; when its buffer has drained it is sent a fresh snapshot instead of the backlog.
 *   Memory per slow client is bounded by that limit, not by the event rate.
 * - Untrusted input: every frame is size-checked, rate-limited and parsed (never cast); a
 *   bad frame gets an `error` reply and is dropped. Nothing a browser sends throws here.
 * - Heartbeat: ws-level ping every `heartbeatMs`; a peer that missed one pong is terminated.
 */
import type { RawData, WebSocket } from 'ws';
import {
  MAX_CLIENT_MESSAGE_BYTES,
  PROTOCOL_VERSION,
  encodeSummaryRow,
  parseClientMessage,
  summarize,
  type ActivityMessage,
  type ClientMessage,
  type FleetEvent,
  type ProtocolErrorCode,
  type RegistrationEvent,
  type ServerInfo,
  type ServerMessage,
} from '@lwm2m-console/shared';
import type { RegistrationEventBus } from '../events/registration-event-bus.js';
import type { Logger } from '../log.js';
import type { RegistrationStore } from '../registry/registration-store.js';
import { ActivityHistory } from './activity-history.js';
import { AwayDevices } from './away-devices.js';
import { answerServiceRequest, type ConsoleServices } from './console-services.js';
import { RefusalRelay } from './refusal-relay.js';
import { EndpointTimelines } from './endpoint-timelines.js';
import { toFleetEvent } from './fleet-events.js';
import { TokenBucket } from './rate-limit.js';

export interface FleetHubTuning {
  /** Delta batching interval. */
  tickMs: number;
  /** Registrations per snapshot frame (about 250 bytes each as JSON). */
  snapshotPartSize: number;
  /** Per-client send buffer above which deltas are dropped and a snapshot is owed. */
  maxBufferedBytes: number;
  /** More events than this in one tick: send everyone a snapshot instead of a huge delta. */
  maxEventsPerDelta: number;
  /** 0 disables the heartbeat. */
  heartbeatMs: number;
  messagesPerSecond: number;
  messageBurst: number;
  /** Rate-limited frames tolerated before the connection is closed (1008). */
  maxRateViolations: number;
}

export const DEFAULT_HUB_TUNING: FleetHubTuning = {
  tickMs: 50,
  snapshotPartSize: 5_000,
  maxBufferedBytes: 16 * 1024 * 1024,
  maxEventsPerDelta: 50_000,
  heartbeatMs: 30_000,
  messagesPerSecond: 20,
  messageBurst: 60,
  maxRateViolations: 500,
};

export interface FleetHubOptions {
  store: Pick<RegistrationStore, 'size' | 'getByEndpoint' | 'values'>;
  events: RegistrationEventBus;
  info: () => ServerInfo;
  log: Logger;
  now?: () => number;
  timelines?: EndpointTimelines;
  /** The fleet's recent activity for consoles that open later (default: the last 1,000 lines). */
  activity?: ActivityHistory;
  tuning?: Partial<FleetHubTuning>;
  /** Device operations, audit, models and credentials; without it those requests get NOT_FOUND. */
  services?: ConsoleServices;
}

/** How snapshots are encoded for a client: `objects` (default) or compact `rows`. */
export type SnapshotEncoding = 'objects' | 'rows';

interface Client {
  readonly id: number;
  readonly ws: WebSocket;
  readonly encoding: SnapshotEncoding;
  readonly bucket: TokenBucket;
  /** Excluded from deltas until it has been sent a snapshot. */
  owesSnapshot: boolean;
  /**
   * Bytes of the last snapshot still queued. A 100,000-registration snapshot is ~27 MB, more
   * than the backpressure bound by itself: only what piles up on top of it counts as "slow".
   */
  snapshotBacklog: number;
  alive: boolean;
  rateNotified: boolean;
  rateViolations: number;
}

const OPEN = 1;

export class FleetHub {
  readonly timelines: EndpointTimelines;
  readonly away = new AwayDevices();
  readonly activity: ActivityHistory;
  private readonly tuning: FleetHubTuning;
  private readonly now: () => number;
  private readonly clients = new Set<Client>();
  private pending: FleetEvent[] = [];
  private seqNo = 0;
  private nextClientId = 1;
  private tickTimer: NodeJS.Timeout | undefined;
  private readonly heartbeatTimer: NodeJS.Timeout | undefined;
  private readonly unsubscribe: () => void;
  private closed = false;
  /** Serialized snapshot parts for one seq: a reconnect storm serializes the fleet once. */
  private readonly snapshotCache = new Map<SnapshotEncoding, { seq: number; size: number; parts: string[] }>();

  constructor(private readonly options: FleetHubOptions) {
    this.tuning = { ...DEFAULT_HUB_TUNING, ...options.tuning };
    this.now = options.now ?? Date.now;
    this.timelines = options.timelines ?? new EndpointTimelines();
    this.activity = options.activity ?? new ActivityHistory();
    const unsubscribers = [options.events.subscribe((event) => this.onRegistrationEvent(event))];
    const services = options.services;
    if (services) {
      // Every operator action and every credential change reaches every open console.
      unsubscribers.push(services.audit.subscribe((entry) => this.broadcast({ type: 'audit', v: PROTOCOL_VERSION, entries: [entry] })));
      unsubscribers.push(services.credentials.onChange(() => this.broadcastCredentials()));
      const refusals = new RefusalRelay(services.refusals, (m) => this.broadcast(m), () => this.clients.size > 0);
      unsubscribers.push(() => refusals.close());
    }
    this.unsubscribe = () => unsubscribers.forEach((u) => u());
    if (this.tuning.heartbeatMs > 0) {
      this.heartbeatTimer = setInterval(() => this.heartbeat(), this.tuning.heartbeatMs);
      this.heartbeatTimer.unref();
    }
  }

  /** Sequence number of the last delta sent. */
  get seq(): number {
    return this.seqNo;
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Takes over an accepted WebSocket: hello, snapshot, then deltas until it closes. */
  attach(ws: WebSocket, encoding: SnapshotEncoding = 'objects'): void {
    if (this.closed) {
      ws.terminate();
      return;
    }
    const client: Client = {
      id: this.nextClientId++,
      ws,
      encoding,
      bucket: new TokenBucket(this.tuning.messagesPerSecond, this.tuning.messageBurst, this.now()),
      owesSnapshot: true,
      snapshotBacklog: 0,
      alive: true,
      rateNotified: false,
      rateViolations: 0,
    };
    ws.on('error', (error) => this.options.log.debug('console socket error', { client: client.id, error }));
    ws.on('close', () => this.clients.delete(client));
    ws.on('pong', () => {
      client.alive = true;
    });
    ws.on('message', (data, isBinary) => this.onFrame(client, data, isBinary));
    this.clients.add(client);
    this.send(client, {
      type: 'hello',
      v: PROTOCOL_VERSION,
      serverTime: this.now(),
      server: this.options.info(),
    });
    this.sendSnapshot(client);
    this.options.log.debug('console client connected', { client: client.id, clients: this.clients.size });
  }

  /** Sends pending events now (tests and benchmarks; normally the tick does it). */
  flush(): void {
    if (this.tickTimer) {
      clearTimeout(this.tickTimer);
      this.tickTimer = undefined;
    }
    this.flushDeltas();
    this.serveOwedSnapshots();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    if (this.tickTimer) clearTimeout(this.tickTimer);
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    for (const client of this.clients) client.ws.close(1001, 'bridge shutting down');
    this.clients.clear();
  }

  // ------------------------------------------------------------------ registry side

  private onRegistrationEvent(event: RegistrationEvent): void {
    this.timelines.record(event);
    this.away.record(event);
    // Nobody watching: a console that connects later starts from a snapshot and the history, so
    // the fleet event need not be built, batched and serialized (measured: 10% of an Update);
    // the history keeps the registry event and builds it only if a console asks.
    if (this.closed || this.clients.size === 0) return this.activity.record(event);
    // Watched: one object for the delta and the history.
    const fleetEvent = toFleetEvent(event);
    this.activity.record(fleetEvent);
    this.pending.push(fleetEvent);
    if (this.pending.length > this.tuning.maxEventsPerDelta) {
      // A burst bigger than any snapshot part: a snapshot is cheaper than the delta.
      this.pending = [];
      this.seqNo++;
      for (const client of this.clients) client.owesSnapshot = true;
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.tickTimer || this.closed) return;
    this.tickTimer = setTimeout(() => {
      this.tickTimer = undefined;
      this.flushDeltas();
      this.serveOwedSnapshots();
    }, this.tuning.tickMs);
  }

  private flushDeltas(): void {
    if (this.pending.length === 0) return;
    const events = this.pending;
    this.pending = [];
    this.seqNo++;
    const text = JSON.stringify({
      type: 'delta',
      v: PROTOCOL_VERSION,
      seq: this.seqNo,
      serverTime: this.now(),
      events,
    } satisfies ServerMessage);
    for (const client of this.clients) {
      if (client.owesSnapshot || client.ws.readyState !== OPEN) continue;
      const buffered = client.ws.bufferedAmount;
      client.snapshotBacklog = Math.min(client.snapshotBacklog, buffered);
      if (buffered - client.snapshotBacklog > this.tuning.maxBufferedBytes) {
        client.owesSnapshot = true;
        this.options.log.warn('console client too slow, deltas dropped, snapshot owed', {
          client: client.id,
          bufferedBytes: buffered,
        });
        continue;
      }
      client.ws.send(text);
    }
  }

  private serveOwedSnapshots(): void {
    let waiting = false;
    for (const client of this.clients) {
      if (!client.owesSnapshot) continue;
      if (client.ws.bufferedAmount > this.tuning.maxBufferedBytes / 4) waiting = true;
      else this.sendSnapshot(client);
    }
    if (waiting) this.schedule();
  }

  /** Snapshot at the current seq, after pending events went out as a delta to everyone else. */
  private sendSnapshot(client: Client): void {
    client.owesSnapshot = true;
    this.flushDeltas();
    for (const text of this.snapshotParts(client.encoding)) if (client.ws.readyState === OPEN) client.ws.send(text);
    this.send(client, { type: 'away', v: PROTOCOL_VERSION, devices: this.away.list() });
    client.snapshotBacklog = client.ws.bufferedAmount;
    client.owesSnapshot = false;
  }

  /**
   * The fleet at the current seq as snapshot frames. 100,000 registrations take about 25 ms to
   * summarize and 90 ms to serialize here, so the frames are reused until the seq moves on.
   * (Also keyed by the fleet size, and dropped after 2 s.) A registry change whose event is
   * still to come is then carried by the next delta, and
   * applying a delta on top of a snapshot that already has the change is harmless (events
   * carry whole summaries).
   */
  private snapshotParts(encoding: SnapshotEncoding): string[] {
    const cached = this.snapshotCache.get(encoding);
    if (cached && cached.seq === this.seqNo && cached.size === this.options.store.size) return cached.parts;
    const registrations = Array.from(this.options.store.values(), summarize);
    const size = this.tuning.snapshotPartSize;
    const count = Math.max(1, Math.ceil(registrations.length / size));
    const base = { v: PROTOCOL_VERSION, seq: this.seqNo, serverTime: this.now(), parts: count } as const;
    const parts: string[] = [];
    for (let part = 0; part < count; part++) {
      const slice = registrations.slice(part * size, (part + 1) * size);
      const message: ServerMessage =
        encoding === 'rows'
          ? { type: 'snapshotRows', ...base, part, rows: slice.map(encodeSummaryRow) }
          : { type: 'snapshot', ...base, part, registrations: slice };
      parts.push(JSON.stringify(message));
    }
    const entry = { seq: this.seqNo, size: registrations.length, parts };
    this.snapshotCache.set(encoding, entry);
    // Held only for a burst of (re)connects, not for as long as the fleet is quiet.
    setTimeout(() => {
      if (this.snapshotCache.get(encoding) === entry) this.snapshotCache.delete(encoding);
    }, 2000).unref();
    return parts;
  }

  // ------------------------------------------------------------------ browser side

  private onFrame(client: Client, data: RawData, isBinary: boolean): void {
    client.alive = true;
    if (!client.bucket.take(this.now())) {
      client.rateViolations++;
      if (client.rateViolations > this.tuning.maxRateViolations) {
        this.options.log.warn('console client closed for flooding', { client: client.id });
        client.ws.close(1008, 'rate limit');
        return;
      }
      // A dropped request still gets its answer, so the console never waits for one that
      // will not come; other frames get one notice per burst.
      const requestId = requestIdOf(data, isBinary);
      if (requestId !== undefined) this.sendError(client, 'RATE_LIMITED', 'too many messages; request dropped, send it again later', requestId);
      else if (!client.rateNotified) this.sendError(client, 'RATE_LIMITED', 'too many messages; slow down');
      client.rateNotified = true;
      return;
    }
    client.rateNotified = false;
    const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    if (bytes.length > MAX_CLIENT_MESSAGE_BYTES) {
      return this.sendError(client, 'TOO_LARGE', `messages are limited to ${MAX_CLIENT_MESSAGE_BYTES} bytes`);
    }
    if (isBinary) return this.sendError(client, 'BAD_MESSAGE', 'binary frames are not part of the protocol');
    const parsed = parseClientMessage(bytes.toString('utf8'));
    if (!parsed.ok) return this.sendError(client, parsed.code, parsed.error, parsed.requestId);
    this.handle(client, parsed.value);
  }

  private handle(client: Client, message: ClientMessage): void {
    switch (message.type) {
      case 'resync':
        this.sendSnapshot(client);
        return;
      case 'ping':
        this.send(client, { type: 'pong', v: PROTOCOL_VERSION, serverTime: this.now() });
        return;
      case 'getDevice': {
        const registration = this.options.store.getByEndpoint(message.endpoint);
        const known = registration !== undefined || this.timelines.has(message.endpoint);
        if (!known) {
          return this.sendError(client, 'NOT_FOUND', `no registration or history for endpoint ${message.endpoint}`, message.requestId);
        }
        const services = this.options.services;
        const away = this.away.get(message.endpoint);
        this.send(client, {
          type: 'device',
          v: PROTOCOL_VERSION,
          requestId: message.requestId,
          endpoint: message.endpoint,
          ...(registration ? { registration } : {}),
          timeline: this.timelines.get(message.endpoint),
          ...(registration && services ? { objects: services.models.objectsFor(registration) } : {}),
          ...(services ? { layout: services.models.layoutFor(message.endpoint) } : {}),
          ...(away ? { away } : {}),
        });
        return;
      }
      case 'getActivity':
        // Pending events are in the history already: send them as their delta first, so the
        // answer covers exactly the deltas up to `seq` and the console can merge without
        // duplicates (protocol.ts, ActivityMessage).
        this.flushDeltas();
        this.sendActivity(client, message.requestId, message.limit);
        return;
      case 'operation':
      case 'getAudit':
      case 'getRefusals':
      case 'getSecurityStatus':
      case 'uploadModel':
      case 'setLayout':
      case 'listCredentials':
      case 'putCredential':
      case 'deleteCredential':
      case 'setAllowUnsecured': {
        const services = this.options.services;
        if (!services) return this.sendError(client, 'NOT_FOUND', `${message.type} is not available on this bridge`, message.requestId);
        answerServiceRequest(services, message, `console#${client.id}`, (m) => this.send(client, m), () => this.broadcastCredentials()).catch((error: unknown) => {
          this.options.log.error('console request failed', { type: message.type, error });
          this.sendError(client, 'INTERNAL', 'the request failed on the bridge', message.requestId);
        });
        return;
      }
      default: {
        const unreachable: never = message;
        throw new Error(`unhandled client message ${JSON.stringify(unreachable)}`);
      }
    }
  }

  /** The `activity` answer, its events' JSON shared by every console asking before the next event. */
  private sendActivity(client: Client, requestId: string, limit: number | undefined): void {
    // Up to 320 KiB an answer, 20 requests a second: a console that asks without reading would
    // grow its send buffer without bound. Held to the deltas' limit, measured the same way (a
    // snapshot still draining does not count against it).
    if (client.ws.bufferedAmount - client.snapshotBacklog > this.tuning.maxBufferedBytes) {
      return this.sendError(client, 'RATE_LIMITED', 'the answers before this one are not read yet: ask again later', requestId);
    }
    const head: Omit<ActivityMessage, 'events'> = { type: 'activity', v: PROTOCOL_VERSION, requestId, seq: this.seqNo, capacity: this.activity.capacity, recorded: this.activity.recorded };
    const text = `${JSON.stringify(head).slice(0, -1)},"events":${this.activity.recentJson(limit)}}`;
    if (client.ws.readyState === OPEN) client.ws.send(text);
  }

  private broadcast(message: ServerMessage): void {
    const text = JSON.stringify(message);
    for (const client of this.clients) if (!client.owesSnapshot && client.ws.readyState === OPEN) client.ws.send(text);
  }

  private broadcastCredentials(): void {
    const services = this.options.services;
    if (services) this.broadcast({ type: 'credentials', v: PROTOCOL_VERSION, credentials: services.credentials.list(), allowUnsecured: services.security.allowUnsecured });
  }

  private sendError(client: Client, code: ProtocolErrorCode, message: string, requestId?: string): void {
    this.send(client, { type: 'error', v: PROTOCOL_VERSION, code, message, ...(requestId ? { requestId } : {}) });
  }

  private send(client: Client, message: ServerMessage): void {
    if (client.ws.readyState === OPEN) client.ws.send(JSON.stringify(message));
  }

  private heartbeat(): void {
    for (const client of this.clients) {
      if (!client.alive) {
        this.options.log.debug('console client missed a heartbeat, terminated', { client: client.id });
        client.ws.terminate();
        this.clients.delete(client);
        continue;
      }
      client.alive = false;
      if (client.ws.readyState === OPEN) client.ws.ping();
    }
  }
}

/** The requestId of a small text frame, read without trusting it (for rate-limit answers). */
function requestIdOf(data: RawData, isBinary: boolean): string | undefined {
  if (isBinary) return undefined;
  const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
  if (bytes.length > 4096) return undefined;
  try {
    const parsed: unknown = JSON.parse(bytes.toString('utf8'));
    const id = typeof parsed === 'object' && parsed !== null ? (parsed as { requestId?: unknown }).requestId : undefined;
    return typeof id === 'string' && id.length > 0 && id.length <= 64 ? id : undefined;
  } catch {
    return undefined;
  }
}
