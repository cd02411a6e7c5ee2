import { defineStore, acceptHMRUpdate } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { ClientMessage, ServerInfo } from '@lwm2m-console/shared';
import type { RequestOutcome } from '../services/pending-requests.js';

/** Console → bridge messages answered by a reply with the same `requestId` (getDevice is the device store's own). */
export type RequestMessage = Exclude<Extract<ClientMessage, { requestId: string }>, { type: 'getDevice' }>;

/**
 * - `connecting`: opening the WebSocket (first time or after a drop)
 * - `syncing`: open, waiting for the snapshot
 * - `live`: snapshot applied, deltas flowing
 * - `offline`: closed, a reconnect is scheduled at `retryAt`
 * - `signed-out`: the bridge wants the access token
 */
export type ConnectionStatus = 'connecting' | 'syncing' | 'live' | 'offline' | 'signed-out';

/** What the one socket owner (services/bridge-socket.ts) lends the stores. */
export interface BridgeLink {
  send(message: ClientMessage): boolean;
  signIn(token: string): Promise<{ ok: true } | { ok: false; message: string }>;
  signOut(): Promise<void>;
  reconnectNow(): void;
  /** Sends the message `build` makes with a fresh requestId and waits for its answer. */
  request(build: (requestId: string) => RequestMessage, timeoutMs?: number): Promise<RequestOutcome>;
}

export const useConnectionStore = defineStore('connection', () => {
  const status = ref<ConnectionStatus>('connecting');
  const server = shallowRef<ServerInfo | null>(null);
  const attempts = ref(0);
  const retryAt = ref<number | null>(null);
  const lastError = ref<string | null>(null);
  const authRequired = ref(false);
  let link: BridgeLink | null = null;

  function bind(l: BridgeLink | null): void {
    link = l;
  }

  /** Sends through the socket owner; false when not connected. */
  function send(message: ClientMessage): boolean {
    return link?.send(message) ?? false;
  }

  /** A request with its answer; outcomes are values (NOT_SENT when there is no connection). */
  function request(build: (requestId: string) => RequestMessage, timeoutMs?: number): Promise<RequestOutcome> {
    if (!link) return Promise.resolve({ ok: false, code: 'NOT_SENT', message: 'not connected to the bridge' });
    return link.request(build, timeoutMs);
  }

  async function signIn(token: string): Promise<{ ok: true } | { ok: false; message: string }> {
    if (!link) return { ok: false, message: 'not connected to the bridge' };
    return link.signIn(token);
  }

  async function signOut(): Promise<void> {
    await link?.signOut();
  }

  function reconnectNow(): void {
    link?.reconnectNow();
  }

  function setStatus(next: ConnectionStatus): void {
    status.value = next;
    if (next === 'live') {
      attempts.value = 0;
      retryAt.value = null;
      lastError.value = null;
    }
  }

  function scheduleRetry(at: number, reason: string): void {
    status.value = 'offline';
    attempts.value++;
    retryAt.value = at;
    lastError.value = reason;
  }

  function setServer(info: ServerInfo): void {
    server.value = info;
  }

  return { status, server, attempts, retryAt, lastError, authRequired, bind, send, request, signIn, signOut, reconnectNow, setStatus, scheduleRetry, setServer };
});

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useConnectionStore, import.meta.hot));
