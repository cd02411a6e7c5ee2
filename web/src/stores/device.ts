import { defineStore, acceptHMRUpdate } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { AwayDevice, DeviceMessage, ErrorMessage, FleetEvent, ModelLayout, ObjectDefinition, Registration, TimelineEntry } from '@lwm2m-console/shared';
import { modelOf, serverResources } from '../lib/object-model.js';
import { useConnectionStore } from './connection.js';

export type DeviceStatus = 'idle' | 'loading' | 'loaded' | 'not-found' | 'error';

/**
 * The device page's data: the full Registration (when registered now) and the endpoint's
 * timeline, fetched with `getDevice` and refreshed when a delta touches this endpoint.
 * Operations on the device live in `stores/operations.ts`; this store holds what the page shows.
 */
export const useDeviceStore = defineStore('device', () => {
  const endpoint = ref<string | null>(null);
  const registration = shallowRef<Registration | null>(null);
  const timeline = shallowRef<readonly TimelineEntry[]>([]);
  /** The object model in force for this device (names, units, operations, types). */
  const objects = shallowRef<readonly ObjectDefinition[]>([]);
  const layout = ref<ModelLayout | null>(null);
  /** Set while the device is away after a Disable. */
  const away = shallowRef<AwayDevice | null>(null);
  const model = computed(() => modelOf(objects.value));
  /** Lifetime, Disable, Disable Timeout, Registration Update Trigger, resolved by name. */
  const server = computed(() => serverResources(model.value));
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
      objects.value = [];
      layout.value = null;
      away.value = null;
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
    // A device that left keeps its last model: the page still names what it had.
    if (message.objects) objects.value = message.objects;
    if (message.layout) layout.value = message.layout;
    away.value = message.away ?? null;
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

  return { endpoint, registration, timeline, objects, layout, away, model, server, status, error, open, close, refresh, receive, receiveError, noteEvents };
});

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useDeviceStore, import.meta.hot));
