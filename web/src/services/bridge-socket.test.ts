import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { encodeSummaryRow } from '@lwm2m-console/shared';
import { backoffDelay, createBridgeSocket, fromRows } from './bridge-socket.js';
import { useActivityStore } from '../stores/activity.js';
import { useConnectionStore } from '../stores/connection.js';
import { useFleetStore } from '../stores/fleet.js';
import { FakeSocket } from '../test/fake-socket.js';
import { delta, registered, snapshot, summary } from '../test/fixtures.js';

const session = (authRequired: boolean, authorized: boolean) =>
  vi.fn(async () => new Response(JSON.stringify({ authRequired, authorized }), { status: 200 }));

async function started(fetchImpl = session(false, true)) {
  const socket = createBridgeSocket({
    url: 'ws://bridge.test/ws',
    WebSocketImpl: FakeSocket as unknown as typeof WebSocket,
    fetchImpl: fetchImpl as unknown as typeof fetch,
    initialBackoffMs: 100,
  });
  socket.start();
  await vi.waitFor(() => expect(FakeSocket.instances.length).toBeGreaterThan(0));
  const ws = FakeSocket.instances.at(-1)!;
  ws.open();
  return { socket, ws };
}

describe('bridge socket', () => {
  afterEach(() => vi.restoreAllMocks());

  beforeEach(() => {
    setActivePinia(createPinia());
    FakeSocket.instances = [];
  });

  it('goes live after the snapshot and feeds deltas to the fleet and the activity feed', async () => {
    const { socket, ws } = await started();
    expect(useConnectionStore().status).toBe('syncing');
    ws.receive({ type: 'hello', v: 1, serverTime: 5, server: { version: 'x', coapUris: ['coap://h:5683'], allowUnsecured: true } });
    ws.receive(snapshot(10, [summary('a')]));
    expect(useConnectionStore().status).toBe('live');
    ws.receive(delta(11, [registered(summary('b'))]));
    expect(useFleetStore().order).toEqual(['a', 'b']);
    expect(useActivityStore().items.map((i) => i.endpoint)).toEqual(['b']);
    socket.stop();
  });

  it('applies compact snapshotRows parts like plain snapshots, leaving out rows that do not parse', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { socket, ws } = await started();
    const rows = [encodeSummaryRow(summary('a', { smsNumber: '+1555' })), ['junk'], encodeSummaryRow(summary('b'))];
    ws.receive({ type: 'snapshotRows', v: 1, seq: 4, serverTime: 1, part: 0, parts: 1, rows });
    expect(useConnectionStore().status).toBe('live');
    expect(useFleetStore().order).toEqual(['a', 'b']);
    expect(useFleetStore().get('a')).toEqual(summary('a', { smsNumber: '+1555' }));
    expect(warn).toHaveBeenCalledOnce();
    socket.stop();
  });

  it('decodes a compact part into the plain snapshot shape', () => {
    const { snapshot, rejected } = fromRows({ type: 'snapshotRows', v: 1, seq: 2, serverTime: 9, part: 1, parts: 3, rows: [encodeSummaryRow(summary('x'))] });
    expect(rejected).toBe(0);
    expect(snapshot).toEqual({ type: 'snapshot', v: 1, seq: 2, serverTime: 9, part: 1, parts: 3, registrations: [summary('x')] });
  });

  it('asks for a resync when a delta is missing', async () => {
    const { socket, ws } = await started();
    ws.receive(snapshot(10, []));
    ws.receive(delta(12, [registered(summary('b'))]));
    expect(ws.sent).toContainEqual({ type: 'resync', v: 1 });
    expect(useConnectionStore().status).toBe('syncing');
    socket.stop();
  });

  it('ignores frames that are not protocol messages', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { socket, ws } = await started();
    ws.receive('{oops');
    ws.receive({ type: 'snapshot', v: 1, seq: -1 });
    expect(useFleetStore().seq).toBeNull();
    expect(warn).toHaveBeenCalledTimes(2);
    socket.stop();
  });

  it('reconnects with backoff after the connection drops and resyncs from a new snapshot', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    try {
      const { socket, ws } = await started();
      ws.receive(snapshot(3, [summary('a')]));
      ws.close();
      await vi.waitFor(() => expect(useConnectionStore().status).toBe('offline'));
      expect(useFleetStore().synced).toBe(false);
      expect(useFleetStore().order).toEqual(['a']);
      await vi.advanceTimersByTimeAsync(200);
      await vi.waitFor(() => expect(FakeSocket.instances).toHaveLength(2));
      const again = FakeSocket.instances[1]!;
      again.open();
      again.receive(snapshot(1, [summary('b')]));
      expect(useConnectionStore().status).toBe('live');
      expect(useFleetStore().order).toEqual(['b']);
      socket.stop();
    } finally {
      vi.useRealTimers();
    }
  });

  it('shows sign-in instead of connecting when the bridge wants a token', async () => {
    const socket = createBridgeSocket({
      url: 'ws://bridge.test/ws',
      WebSocketImpl: FakeSocket as unknown as typeof WebSocket,
      fetchImpl: session(true, false) as unknown as typeof fetch,
    });
    socket.start();
    await vi.waitFor(() => expect(useConnectionStore().status).toBe('signed-out'));
    expect(FakeSocket.instances).toHaveLength(0);
    socket.stop();
  });

  it('opens one socket when asked to reconnect while a connect is still checking the session', async () => {
    const releases: (() => void)[] = [];
    const slowSession = vi.fn(
      () =>
        new Promise<Response>((resolve) =>
          releases.push(() => resolve(new Response(JSON.stringify({ authRequired: false, authorized: true })))),
        ),
    );
    const socket = createBridgeSocket({
      url: 'ws://bridge.test/ws',
      WebSocketImpl: FakeSocket as unknown as typeof WebSocket,
      fetchImpl: slowSession as unknown as typeof fetch,
    });
    socket.start();
    useConnectionStore().reconnectNow();
    for (const release of releases) release();
    await vi.waitFor(() => expect(FakeSocket.instances).toHaveLength(1));
    await new Promise((r) => setTimeout(r, 20));
    expect(FakeSocket.instances).toHaveLength(1);
    socket.stop();
  });

  it('backs off exponentially up to a ceiling', () => {
    const mid = () => 0.5;
    expect([1, 2, 3, 4, 10].map((n) => backoffDelay(n, 300, 10_000, mid))).toEqual([300, 600, 1200, 2400, 10_000]);
  });
});
