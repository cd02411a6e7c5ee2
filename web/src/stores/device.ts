import { defineStore, acceptHMRUpdate } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { DeviceMessage, ErrorMessage, FleetEvent, Registration, TimelineEntry } from '@lwm2m-console/shared';
import { useConnectionStore } from './connection.js';

export type DeviceStatus = 'idle' | 'loading' | 'loaded' | 'not-found' | 'error';

/**
 * The device page's data: the full Registration (when registered now) and the endpoint's
 * timeline, fetched with `getDevice` and refreshed when a delta touches this endpoint.
 * Issue 4 (Read/Write/Execute, Disable, audit log) adds its actions here.
 */
export const useDeviceStore = defineStore('device', () => {
  const endpoint = ref<string | null>(null);
  const registration = shallowRef<Registration | null>(null);
  const timeline = shallowRef<readonly TimelineEntry[]>([]);
  const status = ref<DeviceStatus>('idle');
  const error = ref<string | null>(null);
  let pendingRequestId: string | null = null;
  let counter = 0;
  let refreshTimer: ReturnType<typeof setTimeout> | undefined;

  function request(): void {
    if (endpoint.value === null) return;
    pendingRequestId = `dev-${++counter}`;
    const sent = useConnectionStore().send({ type: 'getDevice', v: 1, requestId: pendingRequestId, endpoint: endpoint.value });
    if (!sent && status.value !== 'loaded') status.value = 'loading';
  }

  /** Shows `ep`; asks the bridge for it (again when the connection comes back: see `refresh`). */
  function open(ep: string): void {
    if (endpoint.value !== ep) {
      endpoint.value = ep;
      registration.value = null;
      timeline.value = [];
      error.value = null;
      status.value = 'loading';
    }
    request();
  }

  function close(): void {
    endpoint.value = null;
    pendingRequestId = null;
    status.value = 'idle';
  }

  function refresh(): void {
    if (endpoint.value !== null) request();
  }

  function receive(message: DeviceMessage): void {
    if (message.requestId !== pendingRequestId || message.endpoint !== endpoint.value) return;
    registration.value = message.registration ?? null;
    timeline.value = message.timeline;
    status.value = 'loaded';
    error.value = null;
  }

  function receiveError(message: ErrorMessage): void {
    if (message.requestId === undefined || message.requestId !== pendingRequestId) return;
    status.value = message.code === 'NOT_FOUND' ? 'not-found' : 'error';
    error.value = message.message;
  }

  /** A delta touched this endpoint: fetch it again, at most every 200 ms. */
  function noteEvents(events: readonly FleetEvent[]): void {
    const ep = endpoint.value;
    if (ep === null || refreshTimer !== undefined) return;
    if (!events.some((e) => e.registration.endpoint === ep)) return;
    refreshTimer = setTimeout(() => {
      refreshTimer = undefined;
      refresh();
    }, 200);
  }

  return { endpoint, registration, timeline, status, error, open, close, refresh, receive, receiveError, noteEvents };
});

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useDeviceStore, import.meta.hot));
