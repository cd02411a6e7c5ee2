import { defineStore, acceptHMRUpdate } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { ClientMessage, ServerInfo } from '@lwm2m-console/shared';

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

  return { status, server, attempts, retryAt, lastError, authRequired, bind, send, signIn, signOut, reconnectNow, setStatus, scheduleRetry, setServer };
});

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useConnectionStore, import.meta.hot));
