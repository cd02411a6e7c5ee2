/**
 * The ONE owner of the browser WebSocket to the bridge. It connects, parses every frame
 * (`parseServerMessage`, never a cast), hands the result to store actions, reconnects with
 * backoff and resyncs. Components and stores never see the socket; stores send through the
 * `BridgeLink` bound into the connection store.
 */
import {
  decodeSummaryRow,
  parseServerMessage,
  PROTOCOL_VERSION,
  type ClientMessage,
  type RegistrationSummary,
  type ServerMessage,
  type SnapshotMessage,
  type SnapshotRowsMessage,
} from '@lwm2m-console/shared';
import type { Pinia } from 'pinia';
import { useActivityStore } from '../stores/activity.js';
import { useAuditStore } from '../stores/audit.js';
import { useClockStore } from '../stores/clock.js';
import { useConnectionStore, type BridgeLink, type RequestMessage } from '../stores/connection.js';
import { useDeviceStore } from '../stores/device.js';
import { useFleetStore } from '../stores/fleet.js';
import { useRefusalsStore } from '../stores/refusals.js';
import { useSecurityStore } from '../stores/security.js';
import { asReply, PendingRequests, type RequestOutcome, type Timers } from './pending-requests.js';
import { SendPacer } from './send-pacer.js';

export interface BridgeSocketOptions {
  pinia?: Pinia;
  /** Default: `/ws` on the page's own host. */
  url?: string;
  /** Base of the HTTP API (`/api/session`, `/api/sign-in`); default the page's origin. */
  apiBase?: string;
  WebSocketImpl?: typeof WebSocket;
  fetchImpl?: typeof fetch;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** App-level ping; a bridge silent for pingIntervalMs + pongTimeoutMs is treated as gone. */
  pingIntervalMs?: number;
  pongTimeoutMs?: number;
  /** Timers of the pending-request map (tests use fake ones). */
  requestTimers?: Timers;
  /** Default wait for a request's answer. */
  requestTimeoutMs?: number;
}

/** Pure: a compact snapshot part as the plain one; rows that do not parse are left out and counted. */
export function fromRows(message: SnapshotRowsMessage): { snapshot: SnapshotMessage; rejected: number } {
  const registrations: RegistrationSummary[] = [];
  let rejected = 0;
  for (const row of message.rows) {
    const s = decodeSummaryRow(row);
    if (s) registrations.push(s);
    else rejected++;
  }
  const { seq, serverTime, part, parts } = message;
  return { snapshot: { type: 'snapshot', v: PROTOCOL_VERSION, seq, serverTime, part, parts, registrations }, rejected };
}

export interface BridgeSocket {
  start(): void;
  stop(): void;
}

/** Pure: delay before reconnect attempt `attempt` (1-based), with ±25 % jitter. */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number, random: () => number = Math.random): number {
  const base = Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.75 + random() * 0.5));
}

export function createBridgeSocket(options: BridgeSocketOptions = {}): BridgeSocket {
  const pinia = options.pinia;
  const connection = useConnectionStore(pinia);
  const fleet = useFleetStore(pinia);
  const activity = useActivityStore(pinia);
  const device = useDeviceStore(pinia);
  const clock = useClockStore(pinia);
  const audit = useAuditStore(pinia);
  const security = useSecurityStore(pinia);
  const refusals = useRefusalsStore(pinia);
  const pending = new PendingRequests(options.requestTimers);
  const requestTimeout = options.requestTimeoutMs ?? 15_000;
  const WS = options.WebSocketImpl ?? WebSocket;
  const doFetch = options.fetchImpl ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const apiBase = options.apiBase ?? '';
  const initialBackoff = options.initialBackoffMs ?? 300;
  const maxBackoff = options.maxBackoffMs ?? 10_000;
  const pingInterval = options.pingIntervalMs ?? 15_000;
  const pongTimeout = options.pongTimeoutMs ?? 10_000;

  let ws: WebSocket | null = null;
  let stopped = true;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let pingTimer: ReturnType<typeof setInterval> | undefined;
  let lastHeardAt = 0;
  /** Bumped by every connect attempt: a slower, older attempt must not open a second socket. */
  let attempt = 0;

  // `encoding=rows`: compact snapshots, half the bytes of a 100,000-row fleet (summary-rows.ts).
  const wsUrl = () => options.url ?? `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws?encoding=rows`;

  function applySnapshot(message: SnapshotMessage): void {
    if (fleet.applySnapshotPart(message) === 'complete') {
      // A snapshot on a connection already live replaces deltas the bridge did not send (a burst
      // too big for one, or this console too slow): the feed missed their events.
      const resent = connection.status === 'live';
      connection.setStatus('live');
      if (resent) activity.catchUp();
      clock.observeServerTime(message.serverTime);
      device.refresh();
    }
  }

  // Frames over the bridge's message budget wait here instead of being dropped by the bridge.
  let pacer: SendPacer | null = null;

  function send(message: ClientMessage): boolean {
    if (!ws || ws.readyState !== WS.OPEN || !pacer) return false;
    pacer.push(JSON.stringify(message));
    return true;
  }

  async function sessionState(): Promise<{ authRequired: boolean; authorized: boolean } | null> {
    try {
      const res = await doFetch(`${apiBase}/api/session`, { credentials: 'same-origin' });
      if (!res.ok) return null;
      const body: unknown = await res.json();
      if (typeof body !== 'object' || body === null) return null;
      const b = body as Record<string, unknown>;
      return { authRequired: b.authRequired === true, authorized: b.authorized === true };
    } catch {
      return null;
    }
  }

  /** Sends a request with a fresh id and waits for the reply that carries it. */
  function request(build: (requestId: string) => RequestMessage, timeoutMs = requestTimeout): Promise<RequestOutcome> {
    if (!ws || ws.readyState !== WS.OPEN) return Promise.resolve({ ok: false, code: 'NOT_SENT', message: 'not connected to the bridge' });
    const message = build(pending.nextId());
    const answer = pending.wait(message.requestId, timeoutMs);
    send(message);
    return answer;
  }

  function dispatch(message: ServerMessage): void {
    // Answers to this console's own requests settle them first (audit/credentials answers
    // also update their stores below, so every view sees them).
    const reply = asReply(message);
    if (reply && pending.settle(reply) && (reply.type === 'error' || reply.type === 'operationResult' || reply.type === 'modelResult' || reply.type === 'credentialResult')) return;
    switch (message.type) {
      case 'hello':
        connection.setServer(message.server);
        clock.observeServerTime(message.serverTime);
        return;
      case 'snapshot':
        applySnapshot(message);
        return;
      case 'snapshotRows': {
        const { snapshot, rejected } = fromRows(message);
        if (rejected > 0) console.warn(`bridge: ${rejected} snapshot rows did not parse and were left out`);
        applySnapshot(snapshot);
        return;
      }
      case 'delta': {
        const outcome = fleet.applyDelta(message);
        if (outcome === 'applied') {
          activity.record(message.events, message.seq);
          device.noteEvents(message.events);
        } else if (outcome === 'gap') {
          connection.setStatus('syncing');
          send({ type: 'resync', v: PROTOCOL_VERSION });
        }
        return;
      }
      case 'device':
        device.receive(message);
        return;
      case 'away':
        fleet.applyAway(message);
        return;
      case 'audit':
        // Without requestId: one new entry pushed to every console. With one: an answer to getAudit
        // (merged here too, so an answer for a request that already timed out is not lost).
        if (message.requestId === undefined) audit.push(message.entries);
        return;
      case 'refusals':
        // Without requestId: new or grown entries pushed to every console; with one, the
        // getRefusals answer, which the store takes from its request.
        if (message.requestId === undefined) refusals.push(message.refusals);
        return;
      case 'credentials':
        security.receive(message);
        return;
      case 'activity':
      case 'operationResult':
      case 'modelResult':
      case 'credentialResult':
      case 'securityStatus':
        // An answer nobody waits for any more (timed out, or sent before a reconnect).
        return;
      case 'error':
        if (message.requestId !== undefined) device.receiveError(message);
        else console.warn(`bridge: ${message.code}: ${message.message}`);
        return;
      case 'pong':
        return;
      default: {
        const unreachable: never = message;
        console.warn('bridge: unhandled message', unreachable);
      }
    }
  }

  function clearTimers(): void {
    if (retryTimer !== undefined) clearTimeout(retryTimer);
    if (pingTimer !== undefined) clearInterval(pingTimer);
    retryTimer = undefined;
    pingTimer = undefined;
  }

  async function connect(): Promise<void> {
    clearTimers();
    if (stopped) return;
    const mine = ++attempt;
    connection.setStatus('connecting');
    const session = await sessionState();
    if (stopped || mine !== attempt) return;
    if (session) connection.authRequired = session.authRequired;
    if (session && session.authRequired && !session.authorized) {
      connection.setStatus('signed-out');
      return;
    }
    const socket = new WS(wsUrl());
    ws = socket;
    pacer?.clear();
    pacer = new SendPacer((text) => {
      if (ws === socket && socket.readyState === WS.OPEN) socket.send(text);
    });
    socket.onopen = () => {
      lastHeardAt = Date.now();
      connection.setStatus('syncing');
      pingTimer = setInterval(() => {
        if (Date.now() - lastHeardAt > pingInterval + pongTimeout) socket.close();
        else send({ type: 'ping', v: PROTOCOL_VERSION });
      }, pingInterval);
    };
    socket.onmessage = (event: MessageEvent) => {
      if (ws !== socket) return;
      lastHeardAt = Date.now();
      if (typeof event.data !== 'string') return;
      const parsed = parseServerMessage(event.data);
      if (!parsed.ok) {
        console.warn(`bridge sent a bad frame: ${parsed.code}: ${parsed.error}`);
        return;
      }
      dispatch(parsed.value);
    };
    socket.onclose = () => {
      if (ws !== socket) return;
      ws = null;
      clearTimers();
      fleet.markDisconnected();
      pacer?.clear();
      pending.failAll('the connection to the bridge closed before the answer came');
      if (stopped) return;
      void afterClose();
    };
  }

  async function afterClose(): Promise<void> {
    const mine = attempt;
    const session = await sessionState();
    if (stopped || ws || mine !== attempt) return;
    if (session && session.authRequired && !session.authorized) {
      connection.setStatus('signed-out');
      return;
    }
    const delay = backoffDelay(connection.attempts + 1, initialBackoff, maxBackoff);
    connection.scheduleRetry(Date.now() + delay, session ? 'connection closed' : 'bridge unreachable');
    retryTimer = setTimeout(() => void connect(), delay);
  }

  function reconnectNow(): void {
    if (stopped) return;
    const old = ws;
    ws = null;
    old?.close();
    void connect();
  }

  async function signIn(token: string): Promise<{ ok: true } | { ok: false; message: string }> {
    try {
      const res = await doFetch(`${apiBase}/api/sign-in`, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ token }),
      });
      if (!res.ok) return { ok: false, message: res.status === 401 ? 'That is not the access token.' : `Sign-in failed (HTTP ${res.status}).` };
      reconnectNow();
      return { ok: true };
    } catch {
      return { ok: false, message: 'The bridge cannot be reached.' };
    }
  }

  async function signOut(): Promise<void> {
    try {
      await doFetch(`${apiBase}/api/sign-out`, { method: 'POST', credentials: 'same-origin' });
    } finally {
      reconnectNow();
    }
  }

  const link: BridgeLink = { send, request, signIn, signOut, reconnectNow };

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      connection.bind(link);
      clock.start();
      void connect();
    },
    stop() {
      stopped = true;
      pending.failAll('the console stopped');
      clearTimers();
      connection.bind(null);
      const old = ws;
      ws = null;
      old?.close();
    },
  };
}
