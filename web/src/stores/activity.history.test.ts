import { flushPromises } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ActivityEvent, ActivityMessage, FleetEvent } from '@lwm2m-console/shared';
import type { RequestOutcome } from '../services/pending-requests.js';
import { ended, registered, summary } from '../test/fixtures.js';
import { mergeHistory, useActivityStore, type ActivityItem } from './activity.js';
import { useConnectionStore, type RequestMessage } from './connection.js';

const reg = (endpoint: string, at: number) => registered(summary(endpoint), at);
const lines = (items: readonly ActivityItem[]) => items.map((i) => `${i.kind} ${i.endpoint}`);
const answerOf = (requestId: string, seq: number, events: ActivityEvent[]): ActivityMessage => ({ type: 'activity', v: 1, requestId, seq, events, capacity: 1000, recorded: events.length });

/** A bridge link whose getActivity answers the test releases by hand, to put events in flight. */
function bindHeldLink() {
  const asked: { message: RequestMessage; answer: (seq: number, events: ActivityEvent[]) => void }[] = [];
  let n = 0;
  useConnectionStore().bind({
    send: () => true,
    request: (build) =>
      new Promise<RequestOutcome>((resolve) => {
        const message = build(`h-${++n}`);
        asked.push({ message, answer: (seq, events) => resolve({ ok: true, reply: answerOf(message.requestId, seq, events) }) });
      }),
    signIn: async () => ({ ok: true }),
    signOut: async () => {},
    reconnectNow: () => {},
  });
  return asked;
}

describe('activity history merge (pure)', () => {
  let id = 0;
  const next = () => ++id;
  const live = (event: FleetEvent, link: number, seq: number): ActivityItem => ({ id: next(), at: event.at, kind: event.kind, endpoint: event.registration.endpoint, registrationId: '', detail: '', link, seq });

  it('puts live events of deltas after the answer\'s seq after the history, and drops those it covers', () => {
    const covered = live(reg('in-flight', 30), 1, 7);
    const later = live(reg('later', 40), 1, 8);
    const merged = mergeHistory([covered, later], { seq: 7, events: [reg('before', 10), reg('in-flight', 30)] }, 1, next);
    expect(lines(merged)).toEqual(['registered before', 'registered in-flight', 'registered later']);
  });

  it('keeps lines older than the history and those of a connection that has closed only when older', () => {
    const old = live(reg('old', 5), 1, 3);
    const overlap = live(reg('overlap', 20), 1, 4);
    const merged = mergeHistory([old, overlap], { seq: 2, events: [reg('overlap', 20), ended(summary('x'), 'expired', 25)] }, 2, next);
    expect(lines(merged)).toEqual(['registered old', 'registered overlap', 'ended x']);
  });

  it('leaves the feed as it is when the history is empty (a restarted bridge)', () => {
    const held = [live(reg('a', 5), 1, 3), live(reg('b', 6), 1, 4)];
    expect(mergeHistory(held, { seq: 0, events: [] }, 2, next)).toEqual(held);
  });

  it('keeps the newest lines within the limit', () => {
    const merged = mergeHistory([], { seq: 1, events: [reg('a', 1), reg('b', 2), reg('c', 3)] }, 1, next, 2);
    expect(lines(merged)).toEqual(['registered b', 'registered c']);
  });
});

describe('activity store with the bridge\'s history', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('asks for the history when the connection goes live and shows it, notes included', async () => {
    const activity = useActivityStore();
    const asked = bindHeldLink();
    useConnectionStore().setStatus('live');
    expect(asked.map((a) => a.message.type)).toEqual(['getActivity']);
    expect(activity.historyLoading).toBe(true);
    asked[0]!.answer(4, [{ kind: 'note', at: 5, detail: '2 registrations kept across a restart of the bridge' }, reg('dev1', 10), ended(summary('dev1'), 'deregistered', 20)]);
    await flushPromises();
    expect(lines(activity.visible)).toEqual(['ended dev1', 'registered dev1', 'note ']);
    expect(activity.since).toBe(5);
    expect(activity.history).toEqual({ lines: 3, capacity: 1000, recorded: 3 });
    expect(activity.historyLoading).toBe(false);
  });

  it('shows an event that arrives while the history is on its way exactly once, in order', async () => {
    const activity = useActivityStore();
    const asked = bindHeldLink();
    useConnectionStore().setStatus('live');
    // Delta 5 reaches the console before the answer; the bridge's answer covers deltas up to 5.
    activity.record([reg('in-flight', 30)], 5);
    activity.record([reg('after', 40)], 6);
    asked[0]!.answer(5, [reg('before', 10), reg('in-flight', 30)]);
    await flushPromises();
    expect(lines(activity.items)).toEqual(['registered before', 'registered in-flight', 'registered after']);
    activity.record([ended(summary('after'), 'expired', 50)], 7);
    expect(lines(activity.visible)).toEqual(['ended after', 'registered after', 'registered in-flight', 'registered before']);
  });

  it('fills what it missed while disconnected on reconnect, without repeating what it had', async () => {
    const activity = useActivityStore();
    const connection = useConnectionStore();
    const asked = bindHeldLink();
    connection.setStatus('live');
    asked[0]!.answer(2, [reg('a', 10)]);
    await flushPromises();
    activity.record([reg('b', 20)], 3);
    connection.scheduleRetry(0, 'connection closed');
    connection.setStatus('live');
    // The bridge kept running: its history has a, b and what happened while this console was away.
    asked[1]!.answer(9, [reg('a', 10), reg('b', 20), ended(summary('a'), 'expired', 30)]);
    await flushPromises();
    expect(lines(activity.items)).toEqual(['registered a', 'registered b', 'ended a']);
    expect(new Set(activity.items.map((i) => i.id)).size).toBe(3);
  });

  it('ignores an answer asked on a connection that closed before it came', async () => {
    const activity = useActivityStore();
    const connection = useConnectionStore();
    const asked = bindHeldLink();
    connection.setStatus('live');
    connection.scheduleRetry(0, 'connection closed');
    connection.setStatus('live');
    asked[1]!.answer(1, [reg('new', 10)]);
    await flushPromises();
    asked[0]!.answer(50, [reg('stale', 5)]);
    await flushPromises();
    expect(lines(activity.items)).toEqual(['registered new']);
  });

  it('applies the kind and endpoint filters to history lines too', async () => {
    const activity = useActivityStore();
    const asked = bindHeldLink();
    useConnectionStore().setStatus('live');
    asked[0]!.answer(1, [reg('meter-1', 10), reg('valve-1', 11), ended(summary('meter-1'), 'expired', 12)]);
    await flushPromises();
    activity.toggleKind('registered');
    expect(lines(activity.visible)).toEqual(['ended meter-1']);
    activity.toggleKind('registered');
    activity.endpointFilter = 'valve';
    expect(lines(activity.visible)).toEqual(['registered valve-1']);
  });

  it('says why the history is missing when the bridge cannot be asked', async () => {
    const activity = useActivityStore();
    useConnectionStore().setStatus('live');
    await flushPromises();
    expect(activity.historyError).toBe('not connected to the bridge');
    expect(activity.history).toBeNull();
  });
});
