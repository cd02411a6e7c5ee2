import { defineStore, acceptHMRUpdate } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { describeChanges, describeEnd, describeReturn, type EndReason, type FleetEvent, type FleetEventKind } from '@lwm2m-console/shared';
import { formatAddress } from '../lib/format.js';

export interface ActivityItem {
  /** Increasing id, unique in this session (list key). */
  id: number;
  at: number;
  kind: FleetEventKind;
  endpoint: string;
  registrationId: string;
  detail: string;
  reason?: EndReason;
}

export const ACTIVITY_LIMIT = 5_000;

/** Pure: one feed line per fleet event. */
export function toActivityItem(event: FleetEvent, id: number): ActivityItem {
  const s = event.registration;
  const base = { id, at: event.at, endpoint: s.endpoint, registrationId: s.id };
  switch (event.kind) {
    case 'registered':
      return {
        ...base,
        kind: 'registered',
        detail: `from ${formatAddress(s.address, s.port)}, lifetime ${s.lifetime} s` + (event.returnedFromDisable ? `; ${describeReturn(event.at, event.returnedFromDisable)}` : ''),
      };
    case 'updated':
      return { ...base, kind: 'updated', detail: describeChanges(event.changes) };
    case 'ended':
      return { ...base, kind: 'ended', detail: describeEnd(event.reason, event.expectedBackAt), reason: event.reason };
    default: {
      const unreachable: never = event;
      throw new Error(`unknown fleet event ${JSON.stringify(unreachable)}`);
    }
  }
}

/** Pure: the items matching the kind set and an endpoint substring, newest first. */
export function filterActivity(items: readonly ActivityItem[], kinds: ReadonlySet<FleetEventKind>, endpoint: string): ActivityItem[] {
  const q = endpoint.trim().toLowerCase();
  const out: ActivityItem[] = [];
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i]!;
    if (!kinds.has(item.kind)) continue;
    if (q !== '' && !item.endpoint.toLowerCase().includes(q)) continue;
    out.push(item);
  }
  return out;
}

/** Fleet-wide live events, the last ACTIVITY_LIMIT of them, with kind and endpoint filters. */
export const useActivityStore = defineStore('activity', () => {
  const items = shallowRef<readonly ActivityItem[]>([]);
  const kinds = ref<FleetEventKind[]>(['registered', 'updated', 'ended']);
  const endpointFilter = ref('');
  let nextId = 1;

  function record(events: readonly FleetEvent[]): void {
    if (events.length === 0) return;
    const added = events.map((e) => toActivityItem(e, nextId++));
    const all = items.value.concat(added);
    items.value = all.length > ACTIVITY_LIMIT ? all.slice(all.length - ACTIVITY_LIMIT) : all;
  }

  function toggleKind(kind: FleetEventKind): void {
    kinds.value = kinds.value.includes(kind) ? kinds.value.filter((k) => k !== kind) : [...kinds.value, kind];
  }

  function clear(): void {
    items.value = [];
  }

  const visible = computed(() => filterActivity(items.value, new Set(kinds.value), endpointFilter.value));

  return { items, kinds, endpointFilter, visible, record, toggleKind, clear };
});

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useActivityStore, import.meta.hot));
