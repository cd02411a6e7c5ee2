import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { decodeSummaryRow, summarize, type Registration } from '@lwm2m-console/shared';
import { startHarness, TestClient, type Harness } from './console-test-kit.js';
import { fakeRegistration } from './test-support.js';

let harness: Harness | undefined;
const clients: TestClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  await harness?.server.close();
  harness = undefined;
});

async function setup(tuning = {}): Promise<Harness> {
  harness = await startHarness({ hub: { tickMs: 20, ...tuning } });
  return harness;
}

async function connect(h: Harness): Promise<TestClient> {
  const c = await TestClient.connect(h.wsUrl);
  clients.push(c);
  return c;
}

function register(h: Harness, endpoint: string, overrides: Partial<Registration> = {}): Registration {
  const r = fakeRegistration(endpoint, overrides);
  h.store.put(r);
  h.events.publish({ type: 'registered', at: Date.now(), registration: r });
  return r;
}

describe('console fleet hub', () => {
  it('sends hello, a snapshot of the current fleet, then deltas with consecutive seqs', async () => {
    const h = await setup();
    register(h, 'before-1');
    register(h, 'before-2');
    h.server.hub.flush();
    const c = await connect(h);
    const hello = await c.next('hello');
    expect(hello.server.coapUris).toEqual(['coap://127.0.0.1:5683']);
    const snap = await c.next('snapshot');
    expect(snap.registrations.map((r) => r.endpoint).sort()).toEqual(['before-1', 'before-2']);
    expect(snap).toMatchObject({ part: 0, parts: 1 });

    register(h, 'after-1');
    const d1 = await c.next('delta');
    const r = h.store.getByEndpoint('after-1')!;
    const updated = { ...r, lifetime: 120 };
    h.store.replace(updated);
    h.events.publish({ type: 'updated', at: Date.now(), registration: updated, changes: { lifetime: 120 } });
    const d2 = await c.next('delta');
    expect(d1.seq).toBe(snap.seq + 1);
    expect(d2.seq).toBe(snap.seq + 2);
    expect(d1.events[0]).toMatchObject({ kind: 'registered', registration: { endpoint: 'after-1' } });
    expect(d2.events[0]).toMatchObject({ kind: 'updated', changes: { lifetime: 120 }, registration: { lifetime: 120 } });
  });

  it('sends a big fleet as a snapshot in several parts that share one seq', async () => {
    const h = await setup({ snapshotPartSize: 5_000 });
    for (let i = 0; i < 12_001; i++) h.store.put(fakeRegistration(`dev-${i}`));
    const c = await connect(h);
    const parts = [await c.next('snapshot'), await c.next('snapshot'), await c.next('snapshot')];
    expect(parts.map((p) => [p.part, p.parts, p.registrations.length])).toEqual([
      [0, 3, 5000],
      [1, 3, 5000],
      [2, 3, 2001],
    ]);
    expect(new Set(parts.map((p) => p.seq)).size).toBe(1);
  });

  it('sends snapshots in the compact row encoding to a client that asks for it', async () => {
    const h = await setup({ snapshotPartSize: 2 });
    const regs = ['a', 'b', 'c'].map((ep) => fakeRegistration(ep, { smsNumber: ep === 'b' ? '+15550100' : undefined, security: ep === 'c' ? { mode: 'psk', identity: 'c' } : undefined }));
    for (const r of regs) h.store.put(r);
    const c = await TestClient.connect(`${h.wsUrl}?encoding=rows`);
    clients.push(c);
    const parts = [await c.next('snapshotRows'), await c.next('snapshotRows')];
    expect(parts.map((p) => [p.part, p.parts, p.rows.length])).toEqual([[0, 2, 2], [1, 2, 1]]);
    const decoded = parts.flatMap((p) => p.rows.map(decodeSummaryRow));
    expect(decoded).toEqual(regs.map(summarize));
    expect(c.received.some((m) => m.type === 'snapshot')).toBe(false);
  });

  it('batches 1,000 events published in one tick into one delta frame', async () => {
    const h = await setup({ tickMs: 50 });
    const c = await connect(h);
    await c.next('snapshot');
    for (let i = 0; i < 1000; i++) register(h, `burst-${i}`);
    const delta = await c.next('delta');
    expect(delta.events).toHaveLength(1000);
    await new Promise((r) => setTimeout(r, 120));
    expect(c.received.filter((m) => m.type === 'delta')).toHaveLength(1);
  });

  it('reads the fleet once for several clients connecting at the same seq, and again after a change', async () => {
    const h = await setup();
    register(h, 'a');
    h.server.hub.flush();
    let reads = 0;
    const values = h.store.values.bind(h.store);
    h.store.values = () => (reads++, values());
    const [c1, c2, c3] = await Promise.all([connect(h), connect(h), connect(h)]);
    for (const c of [c1!, c2!, c3!]) expect((await c.next('snapshot')).registrations.map((r) => r.endpoint)).toEqual(['a']);
    expect(reads).toBe(1);
    register(h, 'b');
    const c4 = await connect(h);
    expect((await c4.next('snapshot')).registrations.map((r) => r.endpoint).sort()).toEqual(['a', 'b']);
    expect(reads).toBe(2);
  });

  it('sends a snapshot instead of a delta when one tick holds more events than the delta bound', async () => {
    const h = await setup({ tickMs: 50, maxEventsPerDelta: 100 });
    const c = await connect(h);
    const first = await c.next('snapshot');
    for (let i = 0; i < 150; i++) register(h, `storm-${i}`);
    const snap = await c.next('snapshot');
    expect(snap.seq).toBeGreaterThan(first.seq);
    expect(snap.registrations).toHaveLength(150);
    expect(c.received.filter((m) => m.type === 'delta')).toHaveLength(0);
    register(h, 'after-storm');
    expect((await c.next('delta')).seq).toBe(snap.seq + 1);
  });

  it('answers resync with a fresh snapshot at the current seq', async () => {
    const h = await setup();
    const c = await connect(h);
    await c.next('snapshot');
    register(h, 'a');
    const d = await c.next('delta');
    c.sendJson({ type: 'resync', v: 1 });
    const snap = await c.next('snapshot');
    expect(snap.seq).toBe(d.seq);
    expect(snap.registrations.map((r) => r.endpoint)).toEqual(['a']);
  });

  it('flushes events still pending into the seq a new snapshot is taken at', async () => {
    const h = await setup({ tickMs: 10_000 });
    const first = await connect(h);
    const s0 = await first.next('snapshot');
    register(h, 'pending');
    const second = await connect(h);
    const s1 = await second.next('snapshot');
    expect(s1.seq).toBe(s0.seq + 1);
    expect(s1.registrations.map((r) => r.endpoint)).toEqual(['pending']);
    const d = await first.next('delta');
    expect(d.seq).toBe(s1.seq);
  });

  it('answers hostile frames with an error and keeps the connection and the process alive', async () => {
    const h = await setup();
    const c = await connect(h);
    await c.next('snapshot');
    const cases: [string | Buffer, string][] = [
      ['{not json', 'BAD_JSON'],
      ['{"type":"launchMissiles","v":1}', 'BAD_MESSAGE'],
      ['{"type":"ping","v":2}', 'UNSUPPORTED_VERSION'],
      ['{"type":"getDevice","v":1,"requestId":"r","endpoint":{"$ne":1}}', 'BAD_MESSAGE'],
      ['{"__proto__":{"polluted":1},"type":"x","v":1}', 'BAD_MESSAGE'],
      ['"just a string"', 'BAD_MESSAGE'],
      ['x'.repeat(300 * 1024), 'TOO_LARGE'],
      [Buffer.from([1, 2, 3]), 'BAD_MESSAGE'],
    ];
    for (const [frame, code] of cases) {
      c.ws.send(frame);
      const err = await c.next('error');
      expect(err.code).toBe(code);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    c.sendJson({ type: 'ping', v: 1 });
    await c.next('pong');
  });

  it('names the requestId of a request it refuses, so the console need not wait for its timeout', async () => {
    const h = await setup();
    const c = await connect(h);
    await c.next('snapshot');
    c.sendJson({ type: 'putCredential', v: 1, requestId: 'cred-1', credential: { endpoint: 'x'.repeat(300), mode: 'psk', identity: 'x' } });
    const err = await c.next('error');
    expect(err).toMatchObject({ code: 'BAD_MESSAGE', requestId: 'cred-1' });
    expect(err.message).toContain('1 to 255 characters');
  });

  it('closes a connection that sends a frame far over the limit, and keeps serving others', async () => {
    const h = await setup();
    const c = await connect(h);
    await c.next('snapshot');
    c.ws.send(Buffer.alloc(2 * 1024 * 1024, 0x20), { binary: false });
    expect(await c.closed).toBe(1009);
    const other = await connect(h);
    await other.next('snapshot');
  });

  it('rate-limits a flooding client with one RATE_LIMITED error', async () => {
    const h = await setup({ messagesPerSecond: 5, messageBurst: 5 });
    const c = await connect(h);
    await c.next('snapshot');
    for (let i = 0; i < 30; i++) c.sendJson({ type: 'ping', v: 1 });
    await c.next('error');
    await new Promise((r) => setTimeout(r, 100));
    const errors = c.received.filter((m) => m.type === 'error');
    const pongs = c.received.filter((m) => m.type === 'pong');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'RATE_LIMITED' });
    expect(pongs.length).toBeLessThanOrEqual(6);
  });

  it('answers every dropped request with RATE_LIMITED and its requestId', async () => {
    const h = await setup({ messagesPerSecond: 5, messageBurst: 5 });
    const c = await connect(h);
    await c.next('snapshot');
    for (let i = 0; i < 20; i++) c.sendJson({ type: 'getDevice', v: 1, requestId: `r${i}`, endpoint: 'nobody' });
    await new Promise((r) => setTimeout(r, 150));
    const answered = new Set(c.received.flatMap((m) => (m.type === 'error' && m.requestId ? [m.requestId] : [])));
    expect(answered.size).toBe(20);
    expect(c.received.filter((m) => m.type === 'error' && m.code === 'RATE_LIMITED').length).toBeGreaterThanOrEqual(14);
  });

  it('serves a device with its full registration and a timeline that outlives the registration', async () => {
    const h = await setup();
    const c = await connect(h);
    await c.next('snapshot');
    const r = register(h, 'dev1');
    const updated = { ...r, lifetime: 90, rawLastUpdate: { query: 'lt=90', payload: '', at: Date.now() } };
    h.store.replace(updated);
    h.events.publish({ type: 'updated', at: Date.now(), registration: updated, changes: { lifetime: 90 } });

    c.sendJson({ type: 'getDevice', v: 1, requestId: 'q1', endpoint: 'dev1' });
    const live = await c.next('device');
    expect(live.requestId).toBe('q1');
    expect(live.registration).toMatchObject({ endpoint: 'dev1', lifetime: 90, rawRegister: r.rawRegister });
    expect(live.timeline.map((e) => e.kind)).toEqual(['registered', 'updated']);
    expect(live.timeline[1]!.detail).toBe('lifetime 90 s');

    h.store.removeById(r.id);
    h.events.publish({ type: 'ended', at: Date.now(), registration: updated, reason: 'deregistered' });
    c.sendJson({ type: 'getDevice', v: 1, requestId: 'q2', endpoint: 'dev1' });
    const gone = await c.next('device');
    expect(gone.registration).toBeUndefined();
    expect(gone.timeline.at(-1)).toMatchObject({ kind: 'ended', reason: 'deregistered', detail: 'de-registered' });
  });

  it('answers getDevice for an endpoint never seen with NOT_FOUND and the request id', async () => {
    const h = await setup();
    const c = await connect(h);
    await c.next('snapshot');
    c.sendJson({ type: 'getDevice', v: 1, requestId: 'q9', endpoint: 'nobody' });
    expect(await c.next('error')).toMatchObject({ code: 'NOT_FOUND', requestId: 'q9' });
  });

  it('does not count its own snapshot as a slow client: deltas follow a snapshot bigger than the bound', async () => {
    // ~16 MB of snapshot: more than loopback socket buffers absorb, so most of it waits in the
    // bridge's send buffer when the first deltas are due.
    const h = await setup({ tickMs: 5, maxBufferedBytes: 1024 * 1024, snapshotPartSize: 5000 });
    const pad = 'p'.repeat(500);
    for (let i = 0; i < 20_000; i++) h.store.put(fakeRegistration(`big-${i}-${pad}`));
    const c = await connect(h);
    for (let tick = 0; tick < 5; tick++) {
      register(h, `new-${tick}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    await c.next('delta');
    while (c.received.filter((m) => m.type === 'delta').length < 5) await c.next('delta');
    const snapshots = c.received.filter((m) => m.type === 'snapshot');
    expect(snapshots).toHaveLength(4);
    expect(new Set(snapshots.map((m) => m.seq)).size).toBe(1);
  });

  it('drops deltas for a client that stops reading and sends it a snapshot once it drains', async () => {
    const h = await setup({ tickMs: 5, maxBufferedBytes: 256 * 1024 });
    const c = await connect(h);
    await c.next('snapshot');
    // Stop reading: the kernel buffers fill, then the hub's send buffer for this client grows.
    const raw = (c.ws as unknown as { _socket: import('node:net').Socket })._socket;
    raw.pause();
    // Summaries carry the endpoint name: a long one makes each event about 2 KB on the wire.
    const big = fakeRegistration('x');
    const pad = 'p'.repeat(2000);
    for (let tick = 0; tick < 60; tick++) {
      for (let i = 0; i < 200; i++) {
        const r = { ...big, id: `id-${tick}-${i}`, endpoint: `slow-${tick}-${i}-${pad}` };
        h.store.put(r);
        h.events.publish({ type: 'registered', at: Date.now(), registration: r });
      }
      await new Promise((r) => setTimeout(r, 8));
    }
    raw.resume();
    const until = Date.now() + 10_000;
    while (c.received.filter((m) => m.type === 'snapshot').length < 4 && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const snapshots = c.received.filter((m) => m.type === 'snapshot');
    expect(snapshots.length).toBeGreaterThanOrEqual(2);
    const deltas = c.received.filter((m) => m.type === 'delta');
    expect(deltas.length).toBeLessThan(60);
    // The deltas it did get were consecutive; the snapshot replaces everything it missed.
    deltas.forEach((d, i) => expect(d.seq).toBe(snapshots[0]!.seq + i + 1));
    const latest = snapshots.filter((m) => m.seq === h.server.hub.seq);
    expect(latest.reduce((n, m) => n + m.registrations.length, 0)).toBe(h.store.size);
  }, 20_000);

  it('terminates a peer that stops answering heartbeats', async () => {
    const h = await setup({ heartbeatMs: 100 });
    const ws = new WebSocket(h.wsUrl, { autoPong: false });
    const c = new TestClient(ws);
    clients.push(c);
    await c.next('snapshot');
    expect(await c.closed).toBe(1006);
    expect(h.server.hub.clientCount).toBe(0);
  });
});
