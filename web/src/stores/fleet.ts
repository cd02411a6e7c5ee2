import { defineStore, acceptHMRUpdate } from 'pinia';
import { ref, shallowRef, watch } from 'vue';
import type { AwayDevice, AwayMessage, DeltaMessage, FleetEvent, RegistrationSummary, SnapshotMessage } from '@lwm2m-console/shared';
import { expiryState } from '../lib/countdown.js';
import { orderFleet, UPDATE_SENSITIVE_KEYS, type FleetSortKey, type SortDirection } from '../lib/fleet-view.js';

/** What the socket owner should do after a snapshot part. */
export type SnapshotOutcome = 'partial' | 'complete' | 'ignored';
/** `gap`: a delta was missed — the socket owner must send `resync`. */
export type DeltaOutcome = 'applied' | 'stale' | 'buffered' | 'gap';

export interface FleetTotals {
  registered: number;
  coap: number;
  coaps: number;
  expiringSoon: number;
  /** Left after a Disable and expected back: their rows stay, in their own state. */
  away: number;
}

/** Largest fleet whose order is recomputed right away; bigger ones are throttled. */
const IMMEDIATE_ORDER_LIMIT = 20_000;

/**
 * The live fleet: registration summaries keyed by endpoint, kept in sync with the bridge by a
 * snapshot (in parts) and then `delta` frames with consecutive `seq`.
 *
 * 100,000 summaries are not made reactive: they live in a plain Map, and `version` (a
 * shallowRef counter) is bumped on every change. Views read `order` (the filtered, sorted
 * endpoint list, replaced as a whole) and look rows up with `get()`.
 */
export const useFleetStore = defineStore('fleet', () => {
  let fleet = new Map<string, RegistrationSummary>();
  /** Endpoints away after a Disable (seed B.1), shown as rows until they register again. */
  let away = new Map<string, AwayDevice>();
  const changedAt = new Map<string, number>();
  const version = shallowRef(0);
  const order = shallowRef<readonly string[]>([]);
  const seq = ref<number | null>(null);
  const synced = ref(false);
  const size = ref(0);
  const query = ref('');
  const sortKey = ref<FleetSortKey>('endpoint');
  const sortDirection = ref<SortDirection>('asc');
  /** Events applied per second, averaged over the last 5 s. */
  const eventsPerSecond = ref(0);
  let recentEvents: { at: number; count: number }[] = [];

  let assembling: { seq: number; parts: number; received: Set<number>; chunks: RegistrationSummary[][]; early: DeltaMessage[] } | null = null;

  // ------------------------------------------------------------ ordering
  let orderTimer: ReturnType<typeof setTimeout> | undefined;
  let lastOrderMs = 0;

  function flushOrder(): void {
    if (orderTimer !== undefined) clearTimeout(orderTimer);
    orderTimer = undefined;
    const started = performance.now();
    order.value = orderFleet({ values: rowsForOrder }, query.value, sortKey.value, sortDirection.value);
    lastOrderMs = performance.now() - started;
  }

  /** Re-sorting 100,000 rows on every delta would eat the frame budget: throttle it by its own cost. */
  function scheduleOrder(): void {
    if (fleet.size <= IMMEDIATE_ORDER_LIMIT) return flushOrder();
    if (orderTimer !== undefined) return;
    orderTimer = setTimeout(flushOrder, Math.min(500, Math.max(16, lastOrderMs * 3)));
  }

  /** Registered rows, then away rows whose endpoint has no registration now. */
  function* rowsForOrder(): Generator<RegistrationSummary> {
    yield* fleet.values();
    for (const a of away.values()) if (!fleet.has(a.endpoint)) yield a.registration;
  }

  watch([query, sortKey, sortDirection], () => flushOrder());

  function touch(): void {
    // Rows shown: registered plus away (a fleet whose only device is disabled is not empty).
    let awayOnly = 0;
    for (const a of away.keys()) if (!fleet.has(a)) awayOnly++;
    size.value = fleet.size + awayOnly;
    version.value++;
  }

  // ------------------------------------------------------------ sync protocol

  /** Applies one snapshot part; the fleet is replaced when the last part is in. */
  function applySnapshotPart(message: SnapshotMessage): SnapshotOutcome {
    if (!assembling || assembling.seq !== message.seq || assembling.parts !== message.parts) {
      if (message.part !== 0) return 'ignored';
      assembling = { seq: message.seq, parts: message.parts, received: new Set(), chunks: [], early: [] };
    }
    if (assembling.received.has(message.part)) return 'ignored';
    assembling.received.add(message.part);
    assembling.chunks[message.part] = message.registrations;
    if (assembling.received.size < assembling.parts) return 'partial';

    const next = new Map<string, RegistrationSummary>();
    for (const chunk of assembling.chunks) for (const s of chunk ?? []) next.set(s.endpoint, s);
    const early = assembling.early;
    fleet = next;
    changedAt.clear();
    seq.value = assembling.seq;
    assembling = null;
    synced.value = true;
    for (const d of early) applyDelta(d);
    flushOrder();
    touch();
    return 'complete';
  }

  /** Applies a delta if it is the next one; reports a gap so the caller can resync. */
  function applyDelta(message: DeltaMessage, receivedAt: number = Date.now()): DeltaOutcome {
    if (assembling) {
      if (message.seq > assembling.seq) assembling.early.push(message);
      return 'buffered';
    }
    if (seq.value === null || !synced.value) return 'stale';
    if (message.seq <= seq.value) return 'stale';
    if (message.seq !== seq.value + 1) {
      synced.value = false;
      return 'gap';
    }
    seq.value = message.seq;
    let reorder = false;
    const sensitive = UPDATE_SENSITIVE_KEYS.has(sortKey.value);
    for (const event of message.events) reorder = applyEvent(event, receivedAt, sensitive) || reorder;
    noteRate(receivedAt, message.events.length);
    if (reorder) scheduleOrder();
    touch();
    return 'applied';
  }

  /** True when the displayed order may have changed. */
  function applyEvent(event: FleetEvent, at: number, sortSensitive: boolean): boolean {
    const s = event.registration;
    switch (event.kind) {
      case 'registered':
      case 'updated': {
        if (event.kind === 'registered') away.delete(s.endpoint);
        const had = fleet.get(s.endpoint);
        fleet.set(s.endpoint, s);
        changedAt.set(s.endpoint, at);
        return had === undefined || had.id !== s.id || (event.kind === 'updated' && sortSensitive) || sortKey.value === 'registeredAt';
      }
      case 'ended': {
        // Only the registration that ended leaves: a replacement may already sit under this endpoint.
        if (fleet.get(s.endpoint)?.id !== s.id) return false;
        fleet.delete(s.endpoint);
        changedAt.delete(s.endpoint);
        // A Disable: the row stays, as "disabled, expected back at T", until the device returns.
        if (event.reason === 'disabled' && event.expectedBackAt !== undefined) {
          away.set(s.endpoint, { endpoint: s.endpoint, registration: s, disabledAt: event.at, expectedBackAt: event.expectedBackAt });
          changedAt.set(s.endpoint, at);
        }
        return true;
      }
      default: {
        const unreachable: never = event;
        throw new Error(`unknown fleet event ${JSON.stringify(unreachable)}`);
      }
    }
  }

  /** The bridge's list of away endpoints, sent after every snapshot. */
  function applyAway(message: AwayMessage): void {
    away = new Map(message.devices.map((d) => [d.endpoint, d]));
    flushOrder();
    touch();
  }

  function noteRate(at: number, count: number): void {
    recentEvents.push({ at, count });
    recentEvents = recentEvents.filter((e) => at - e.at < 5000);
    eventsPerSecond.value = Math.round(recentEvents.reduce((n, e) => n + e.count, 0) / 5);
  }

  /** Called by the socket owner when the connection drops: keep showing rows, but not as live. */
  function markDisconnected(): void {
    synced.value = false;
    assembling = null;
  }

  // ------------------------------------------------------------ reads

  /** The registration now, or the one an away endpoint had when it left. */
  function get(endpoint: string): RegistrationSummary | undefined {
    return fleet.get(endpoint) ?? away.get(endpoint)?.registration;
  }

  /** Set while the endpoint is away after a Disable and not registered again. */
  function awayOf(endpoint: string): AwayDevice | undefined {
    return fleet.has(endpoint) ? undefined : away.get(endpoint);
  }

  /** When the row last changed in this session (registered/updated), for the highlight. */
  function lastChangeOf(endpoint: string): number | undefined {
    return changedAt.get(endpoint);
  }

  /** Totals over the whole fleet at `now`; reads `version` so views recompute on change. */
  function totalsAt(now: number): FleetTotals {
    void version.value;
    let awayCount = 0;
    for (const a of away.keys()) if (!fleet.has(a)) awayCount++;
    const t: FleetTotals = { registered: fleet.size, coap: 0, coaps: 0, expiringSoon: 0, away: awayCount };
    for (const s of fleet.values()) {
      if (s.transport === 'coaps') t.coaps++;
      else t.coap++;
      if (expiryState(s.expiresAt, s.lifetime, now) !== 'ok') t.expiringSoon++;
    }
    return t;
  }

  function sortBy(key: FleetSortKey): void {
    if (sortKey.value === key) sortDirection.value = sortDirection.value === 'asc' ? 'desc' : 'asc';
    else {
      sortKey.value = key;
      sortDirection.value = 'asc';
    }
  }

  return {
    version,
    order,
    seq,
    synced,
    size,
    query,
    sortKey,
    sortDirection,
    eventsPerSecond,
    applySnapshotPart,
    applyDelta,
    applyAway,
    markDisconnected,
    flushOrder,
    get,
    awayOf,
    lastChangeOf,
    totalsAt,
    sortBy,
  };
});

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useFleetStore, import.meta.hot));
