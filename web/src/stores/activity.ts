import { defineStore, acceptHMRUpdate } from 'pinia';
import { computed, ref, shallowRef, watch } from 'vue';
import {
  describeChanges,
  describeEnd,
  describeReturn,
  PROTOCOL_VERSION,
  type ActivityEvent,
  type ActivityMessage,
  type EndReason,
  type FleetEvent,
  type FleetEventKind,
  type Refusal,
} from '@lwm2m-console/shared';
import { formatAddress, formatTimestamp } from '../lib/format.js';
import { refusalFeedDetail, refusalSubject, type RefusalSubject } from '../lib/refusal-text.js';
import { useConnectionStore } from './connection.js';
import { useRefusalsStore } from './refusals.js';

/** A fleet event, a note from the bridge (e.g. registrations kept across its restart), or a connection attempt the bridge refused. */
export type ActivityKind = FleetEventKind | 'note' | 'refused';
export const ACTIVITY_KINDS: readonly ActivityKind[] = ['registered', 'updated', 'ended', 'note', 'refused'];

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
  /**
   * Where a live event came from: the connection it arrived on (`link`, counted by the store) and
   * the seq of its delta. A history answer covers a link's deltas up to its own seq (protocol.ts).
   */
  link?: number;
  seq?: number;
}

export const ACTIVITY_LIMIT = 5_000;

/** Pure: one feed line per fleet event or note. */
export function toActivityItem(event: ActivityEvent, id: number): ActivityItem {
  if (event.kind === 'note') return { id, at: event.at, kind: 'note', endpoint: event.endpoint ?? '', registrationId: event.registrationId ?? '', detail: event.detail };
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
      return { ...base, kind: 'ended', detail: describeEnd(event.reason, event.expectedBackAt, formatTimestamp), reason: event.reason };
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
 * Pure: the feed after a `getActivity` answer. The answer holds every line up to the delta `seq`
 * of the link it was asked on; the items held are
 * - live lines of that link from deltas after `seq`: they follow the history, in order;
 * - lines older than the history's first line (from an earlier connection, or pushed out of the
 *   bridge's ring since): they come before it;
 * - everything else is in the history already (it replaces them, so nothing shows twice).
 * `nextId` numbers the history lines. Returns oldest first, the newest `limit`.
 */
export function mergeHistory(
  current: readonly ActivityItem[],
  answer: Pick<ActivityMessage, 'events' | 'seq'>,
  link: number,
  nextId: () => number,
  limit = ACTIVITY_LIMIT,
): ActivityItem[] {
  const after = (i: ActivityItem) => i.link === link && i.seq !== undefined && i.seq > answer.seq;
  const firstAt = answer.events[0]?.at ?? Infinity;
  const older = current.filter((i) => i.at < firstAt && !after(i));
  const history = answer.events.map((e) => toActivityItem(e, nextId()));
  const all = older.concat(history, current.filter(after));
  return all.length > limit ? all.slice(all.length - limit) : all;
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

/** What the last `getActivity` answer said about the bridge's history. */
export interface ActivityHistoryState {
  /** Lines the answer held. */
  lines: number;
  /** Lines the bridge keeps at most. */
  capacity: number;
  /** Events the bridge recorded since it started. */
  recorded: number;
}

/**
 * Fleet-wide events, the last ACTIVITY_LIMIT of them: the bridge's recent history (loaded each
 * time the connection goes live) followed by live events, interleaved by time with the refused
 * connection attempts held by the refusals store, with kind and endpoint filters.
 */
export const useActivityStore = defineStore('activity', () => {
  const items = shallowRef<readonly ActivityItem[]>([]);
  const kinds = ref<ActivityKind[]>([...ACTIVITY_KINDS]);
  const endpointFilter = ref('');
  const connection = useConnectionStore();
  const history = shallowRef<ActivityHistoryState | null>(null);
  const historyError = ref<string | null>(null);
  /** A `getActivity` is on its way. */
  const historyLoading = ref(false);
  let nextId = 1;
  /** Counts connections that went live: a delta's seq means something only on its own link. */
  let link = 0;

  /** Live events of one delta (`seq`), in order. */
  function record(events: readonly FleetEvent[], seq?: number): void {
    if (events.length === 0) return;
    const added = events.map((e) => {
      const item = toActivityItem(e, nextId++);
      if (seq !== undefined) {
        item.link = link;
        item.seq = seq;
      }
      return item;
    });
    const all = items.value.concat(added);
    items.value = all.length > ACTIVITY_LIMIT ? all.slice(all.length - ACTIVITY_LIMIT) : all;
  }

  /** Asks the bridge for its recent history and merges it with what is held (see mergeHistory). */
  async function loadHistory(): Promise<void> {
    const askedOn = link;
    historyLoading.value = true;
    const answer = await connection.request((requestId) => ({ type: 'getActivity', v: PROTOCOL_VERSION, requestId }), 15_000);
    // An answer from a connection that has since closed covers that connection's deltas only;
    // the load that the new connection started brings the right one.
    if (askedOn !== link) return;
    historyLoading.value = false;
    if (!answer.ok) {
      historyError.value = answer.message;
      return;
    }
    if (answer.reply.type !== 'activity') {
      historyError.value = answer.reply.type === 'error' ? answer.reply.message : `unexpected answer ${answer.reply.type}`;
      return;
    }
    const reply = answer.reply;
    items.value = mergeHistory(items.value, reply, askedOn, () => nextId++);
    history.value = { lines: reply.events.length, capacity: reply.capacity, recorded: reply.recorded };
    historyError.value = null;
  }

  // Every time the connection goes live (first connect, reconnect, resync after a gap) the
  // history fills what this console missed. Synchronous, so no delta of the new link is
  // recorded under the old link's number.
  watch(
    () => connection.status,
    (status) => {
      if (status === 'live') catchUp();
    },
    { flush: 'sync' },
  );

  /**
   * Loads the history as a new link: on going live, and when the bridge re-sends the fleet on a
   * live connection in place of deltas (their events reach the feed only through the history).
   */
  function catchUp(): void {
    link++;
    void loadHistory();
  }

  function toggleKind(kind: ActivityKind): void {
    kinds.value = kinds.value.includes(kind) ? kinds.value.filter((k) => k !== kind) : [...kinds.value, kind];
  }

  function clear(): void {
    items.value = [];
  }

  /** The oldest fleet event held (history or live), for "since HH:MM". */
  const since = computed(() => items.value[0]?.at ?? null);

  // Refusals are few and change rarely: their lines are rebuilt only when they change, and a
  // grown entry (same id, new count and time) replaces its line, so it moves instead of adding one.
  const refusals = useRefusalsStore();
  const refusedItems = computed(() => refusals.entries.map(refusalToActivityItem));
  /** Fleet events plus refusal entries: what the feed can show. */
  const total = computed(() => items.value.length + refusedItems.value.length);

  const visible = computed(() => filterActivity(items.value, new Set(kinds.value), endpointFilter.value, refusedItems.value));

  return { items, kinds, endpointFilter, visible, total, history, historyError, historyLoading, since, record, loadHistory, catchUp, toggleKind, clear };
});

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useActivityStore, import.meta.hot));
