import { flushPromises } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { useActivityStore } from '../stores/activity.js';
import { FakeSocket, startedSocket } from '../test/fake-socket.js';
import { delta, ended, registered, snapshot, summary } from '../test/fixtures.js';

const lines = () => useActivityStore().items.map((i) => `${i.kind} ${i.endpoint}`);

describe('bridge socket and the activity history', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('asks for the history once live and shows a delta that crossed the answer exactly once', async () => {
    const { socket, ws } = await startedSocket();
    ws.receive(snapshot(10, []));
    await vi.waitFor(() => expect(ws.lastSent('getActivity')).toBeDefined());
    const requestId = ws.lastSent('getActivity')!.requestId;
    // The bridge flushed delta 11 before answering; the answer covers it. Delta 12 comes after.
    ws.receive(delta(11, [registered(summary('crossing'), 30)]));
    ws.receive({ type: 'activity', v: 1, requestId, seq: 11, capacity: 1000, recorded: 2, events: [registered(summary('before'), 10), registered(summary('crossing'), 30)] });
    ws.receive(delta(12, [ended(summary('before'), 'expired', 40)]));
    await flushPromises();
    expect(lines()).toEqual(['registered before', 'registered crossing', 'ended before']);
    socket.stop();
  });

  it('asks again when the bridge sends the fleet anew on a live connection (a burst, or deltas this console was too slow for), so the feed shows what those dropped deltas carried', async () => {
    const { socket, ws } = await startedSocket();
    ws.receive(snapshot(1, []));
    await vi.waitFor(() => expect(ws.lastSent('getActivity')).toBeDefined());
    const first = ws.lastSent('getActivity')!.requestId;
    ws.receive({ type: 'activity', v: 1, requestId: first, seq: 1, capacity: 1000, recorded: 1, events: [registered(summary('a'), 10)] });
    await flushPromises();
    // Deltas 2..8 were never sent to this console; the bridge sends a snapshot at seq 9 instead.
    ws.receive(snapshot(9, [summary('a'), summary('b')]));
    await vi.waitFor(() => expect(ws.lastSent('getActivity')!.requestId).not.toBe(first));
    ws.receive({ type: 'activity', v: 1, requestId: ws.lastSent('getActivity')!.requestId, seq: 9, capacity: 1000, recorded: 2, events: [registered(summary('a'), 10), registered(summary('b'), 20)] });
    await flushPromises();
    expect(lines()).toEqual(['registered a', 'registered b']);
    socket.stop();
  });

  it('asks again after a reconnect and fills the gap without repeating lines', async () => {
    const { socket, ws } = await startedSocket();
    ws.receive(snapshot(1, []));
    await vi.waitFor(() => expect(ws.lastSent('getActivity')).toBeDefined());
    ws.receive({ type: 'activity', v: 1, requestId: ws.lastSent('getActivity')!.requestId, seq: 1, capacity: 1000, recorded: 1, events: [registered(summary('a'), 10)] });
    await flushPromises();
    ws.close();
    await vi.waitFor(() => expect(FakeSocket.instances.length).toBe(2), { timeout: 3_000 });
    const again = FakeSocket.instances[1]!;
    again.open();
    again.receive(snapshot(5, []));
    await vi.waitFor(() => expect(again.lastSent('getActivity')).toBeDefined());
    again.receive({ type: 'activity', v: 1, requestId: again.lastSent('getActivity')!.requestId, seq: 5, capacity: 1000, recorded: 2, events: [registered(summary('a'), 10), ended(summary('a'), 'expired', 20)] });
    await flushPromises();
    expect(lines()).toEqual(['registered a', 'ended a']);
    socket.stop();
  });
});
