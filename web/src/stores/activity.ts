import { defineStore, acceptHMRUpdate } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { describeChanges, describeEnd, describeReturn, type EndReason, type FleetEvent, type FleetEventKind, type Refusal } from '@lwm2m-console/shared';
import { formatAddress } from '../lib/format.js';
import { refusalFeedDetail, refusalSubject, type RefusalSubject } from '../lib/refusal-text.js';
import { useRefusalsStore } from './refusals.js';

/** A fleet event, or a connection attempt the bridge refused. */
export type ActivityKind = FleetEventKind | 'refused';
export const ACTIVITY_KINDS: readonly ActivityKind[] = ['registered', 'updated', 'ended', 'refused'];

export interface ActivityItem {
  /**
   * List key, unique in this session: fleet events count up from 1; a refusal is
   * `-(refusal id + 1)`, so a refusal that grows keeps its key and its one line.
   */
  id: number;
  at: number;
  kind: ActivityKind;
  /** The endpoint; for a refusal, the best name known (see `subject`). */
  endpoint: string;
  /** Empty for a refusal. */
  registrationId: string;
  detail: string;
  reason?: EndReason;
  /** Set on refusals: whether `endpoint` is an endpoint, the identity presented, or an address. */
  subject?: RefusalSubject['kind'];
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

/** Pure: one feed line per refusal entry, at its latest attempt. */
export function refusalToActivityItem(r: Refusal): ActivityItem {
  const subject = refusalSubject(r);
  return { id: -(r.id + 1), at: r.lastAt, kind: 'refused', endpoint: subject.text, registrationId: '', detail: refusalFeedDetail(r), subject: subject.kind };
}

/**
 * Pure: the items matching the kind set and an endpoint substring, newest first, with the
 * `interleaved` items (the refusal lines) merged in by time. Both lists are oldest first; the
 * merge happens in the same single pass from the end, so the 5,000 events are walked once and
 * copied once, as without refusals. At the same millisecond the event comes first.
 */
export function filterActivity(
  items: readonly ActivityItem[],
  kinds: ReadonlySet<ActivityKind>,
  endpoint: string,
  interleaved: readonly ActivityItem[] = [],
): ActivityItem[] {
  const q = endpoint.trim().toLowerCase();
  const matches = (item: ActivityItem) => kinds.has(item.kind) && (q === '' || item.endpoint.toLowerCase().includes(q));
  const out: ActivityItem[] = [];
  let j = interleaved.length - 1;
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i]!;
    for (; j >= 0 && interleaved[j]!.at > item.at; j--) if (matches(interleaved[j]!)) out.push(interleaved[j]!);
    if (matches(item)) out.push(item);
  }
  for (; j >= 0; j--) if (matches(interleaved[j]!)) out.push(interleaved[j]!);
  return out;
}

/**
 * Fleet-wide live events, the last ACTIVITY_LIMIT of them, interleaved by time with the refused
 * connection attempts held by the refusals store, with kind and endpoint filters.
 */
export const useActivityStore = defineStore('activity', () => {
  const items = shallowRef<readonly ActivityItem[]>([]);
  const kinds = ref<ActivityKind[]>([...ACTIVITY_KINDS]);
  const endpointFilter = ref('');
  let nextId = 1;

  function record(events: readonly FleetEvent[]): void {
    if (events.length === 0) return;
    const added = events.map((e) => toActivityItem(e, nextId++));
    const all = items.value.concat(added);
    items.value = all.length > ACTIVITY_LIMIT ? all.slice(all.length - ACTIVITY_LIMIT) : all;
  }

  function toggleKind(kind: ActivityKind): void {
    kinds.value = kinds.value.includes(kind) ? kinds.value.filter((k) => k !== kind) : [...kinds.value, kind];
  }

  function clear(): void {
    items.value = [];
  }

  // Refusals are few and change rarely: their lines are rebuilt only when they change, and a
  // grown entry (same id, new count and time) replaces its line, so it moves instead of adding one.
  const refusals = useRefusalsStore();
  const refusedItems = computed(() => refusals.entries.map(refusalToActivityItem));
  /** Fleet events plus refusal entries: what the feed can show. */
  const total = computed(() => items.value.length + refusedItems.value.length);

  const visible = computed(() => filterActivity(items.value, new Set(kinds.value), endpointFilter.value, refusedItems.value));

  return { items, kinds, endpointFilter, visible, total, record, toggleKind, clear };
});

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useActivityStore, import.meta.hot));
