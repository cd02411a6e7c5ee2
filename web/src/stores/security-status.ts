import { defineStore, acceptHMRUpdate } from 'pinia';
import { ref, shallowRef, watch, type WatchStopHandle } from 'vue';
import type { DtlsStatus } from '@lwm2m-console/shared';
import { readDtlsStatus } from '../lib/dtls-status.js';
import { useConnectionStore } from './connection.js';

/** How often the Security page asks (the bridge answers `getSecurityStatus` on request only, it never pushes). */
export const SECURITY_STATUS_POLL_MS = 5_000;
/** Shorter than a few polls, so a bridge that stopped answering shows an error soon. */
const REQUEST_TIMEOUT_MS = 10_000;

/**
 * The DTLS server's sessions, handshakes and resumable sessions against their limits, and its
 * handshake outcomes since start, as last answered by the bridge. Polled while a page asks for
 * it (`startPolling` / `stopPolling`) and the connection is live; one request at a time, and the
 * last figures stay on screen when a request fails.
 */
export const useSecurityStatusStore = defineStore('securityStatus', () => {
  /** The latest figures; null before the first answer or when CoAPS is off. */
  const dtls = shallowRef<DtlsStatus | null>(null);
  /** True once the bridge has answered: with `dtls` null it then means CoAPS is off. */
  const loaded = ref(false);
  /** When the bridge took the figures (its clock). */
  const at = ref<number | null>(null);
  const error = ref<string | null>(null);

  let inFlight: Promise<void> | null = null;
  let polling = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopWatch: WatchStopHandle | undefined;

  async function ask(): Promise<void> {
    const answer = await useConnectionStore().request((requestId) => ({ type: 'getSecurityStatus', v: 1, requestId }), REQUEST_TIMEOUT_MS);
    if (!answer.ok) {
      error.value = answer.message;
      return;
    }
    const reply = answer.reply;
    if (reply.type !== 'securityStatus') {
      error.value = reply.type === 'error' ? reply.message : `unexpected answer ${reply.type}`;
      return;
    }
    if (reply.dtls === undefined) dtls.value = null;
    else {
      const read = readDtlsStatus(reply.dtls);
      if (!read.ok) {
        error.value = read.error;
        return;
      }
      dtls.value = read.status;
    }
    at.value = reply.at;
    loaded.value = true;
    error.value = null;
  }

  /** Asks once; a call while a request is out joins it instead of sending another. */
  function refresh(): Promise<void> {
    inFlight ??= ask().finally(() => {
      inFlight = null;
    });
    return inFlight;
  }

  function schedule(): void {
    clearTimeout(timer);
    timer = polling ? setTimeout(() => void tick(), SECURITY_STATUS_POLL_MS) : undefined;
  }

  /** The next poll is timed from the end of this one, so requests never overlap. */
  async function tick(): Promise<void> {
    if (useConnectionStore().status === 'live') await refresh();
    schedule();
  }

  function startPolling(): void {
    if (polling) return;
    polling = true;
    // Back from a drop (or a restarted bridge): ask at once rather than at the next tick.
    stopWatch = watch(
      () => useConnectionStore().status,
      (s) => {
        if (s === 'live' && polling) void refresh();
      },
    );
    void tick();
  }

  function stopPolling(): void {
    polling = false;
    stopWatch?.();
    stopWatch = undefined;
    clearTimeout(timer);
    timer = undefined;
  }

  return { dtls, loaded, at, error, refresh, startPolling, stopPolling };
});

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useSecurityStatusStore, import.meta.hot));
