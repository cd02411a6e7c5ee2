import { afterEach, describe, expect, it } from 'vitest';
import type { Registration } from '@lwm2m-console/shared';
import { startHarness, TestClient, type Harness } from './console-test-kit.js';
import { fakeRegistration } from './test-support.js';

let harness: Harness | undefined;
const clients: TestClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  await harness?.server.close();
  harness = undefined;
});

async function connect(h: Harness): Promise<TestClient> {
  const c = await TestClient.connect(h.wsUrl);
  clients.push(c);
  await c.next('away');
  return c;
}

function register(h: Harness, endpoint: string): Registration {
  const r = fakeRegistration(endpoint);
  h.store.put(r);
  h.events.publish({ type: 'registered', at: Date.now(), registration: r });
  return r;
}

function deregister(h: Harness, r: Registration): void {
  h.store.removeById(r.id);
  h.events.publish({ type: 'ended', at: Date.now(), registration: r, reason: 'deregistered' });
}

describe('console activity history', () => {
  it('shows a console that opens later what happened before it connected, oldest first', async () => {
    harness = await startHarness({ hub: { tickMs: 20 } });
    const h = harness;
    const a = register(h, 'early-a');
    register(h, 'early-b');
    deregister(h, a);
    const c = await connect(h);
    c.sendJson({ type: 'getActivity', v: 1, requestId: 'h1' });
    const answer = await c.next('activity');
    expect(answer.requestId).toBe('h1');
    expect(answer.events.map((e) => `${e.kind} ${e.kind === 'note' ? '' : e.registration.endpoint}`)).toEqual(['registered early-a', 'registered early-b', 'ended early-a']);
    expect(answer).toMatchObject({ capacity: 1000, recorded: 3 });
  });

  it('sends pending events as their delta before the answer, so the answer covers deltas up to its seq', async () => {
    harness = await startHarness({ hub: { tickMs: 10_000 } });
    const h = harness;
    const c = await connect(h);
    register(h, 'in-flight');
    c.sendJson({ type: 'getActivity', v: 1, requestId: 'h2' });
    const delta = await c.next('delta');
    const answer = await c.next('activity');
    expect(delta.events.map((e) => e.registration.endpoint)).toEqual(['in-flight']);
    expect(answer.seq).toBe(delta.seq);
    expect(answer.events.map((e) => e.kind !== 'note' && e.registration.endpoint)).toEqual(['in-flight']);
    // Every frame before the answer is a delta at or below its seq: nothing the answer lacks came first.
    const index = c.received.indexOf(answer);
    for (const m of c.received.slice(0, index)) if (m.type === 'delta') expect(m.seq).toBeLessThanOrEqual(answer.seq);
  });

  it('refuses getActivity with the request id while earlier answers sit unread, so a console asking in a loop without reading cannot grow the bridge\'s memory', async () => {
    harness = await startHarness({ hub: { tickMs: 20, maxBufferedBytes: 1 << 20, messageBurst: 200, messagesPerSecond: 200 } });
    const h = harness;
    for (let i = 0; i < 1000; i++) register(h, `dev-${i}`);
    const c = await connect(h);
    // The console stops reading: the bridge's answers pile up in its send buffer (about 320 KiB each).
    c.ws.pause();
    for (let i = 0; i < 60; i++) c.sendJson({ type: 'getActivity', v: 1, requestId: `loop-${i}` });
    await new Promise((resolve) => setTimeout(resolve, 500));
    c.ws.resume();
    const answersOf = () => c.received.filter((m) => (m.type === 'activity' || m.type === 'error') && m.requestId?.startsWith('loop-'));
    for (let waited = 0; answersOf().length < 60 && waited < 5000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    const answers = answersOf();
    expect(answers).toHaveLength(60);
    const refused = answers.filter((m) => m.type === 'error');
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]).toMatchObject({ code: 'RATE_LIMITED', requestId: expect.stringMatching(/^loop-/) });
    // 60 answers of 1,000 lines would be about 19 MiB; what was sent stays near the 1 MiB limit plus the kernel's buffers.
    expect(answers.filter((m) => m.type === 'activity').length).toBeLessThan(40);
  });

  it('answers a limit with the newest lines and refuses a hostile limit with the request id', async () => {
    harness = await startHarness({ hub: { tickMs: 20 } });
    const h = harness;
    for (const ep of ['d1', 'd2', 'd3']) register(h, ep);
    const c = await connect(h);
    c.sendJson({ type: 'getActivity', v: 1, requestId: 'h3', limit: 2 });
    const answer = await c.next('activity');
    expect(answer.events.map((e) => e.kind !== 'note' && e.registration.endpoint)).toEqual(['d2', 'd3']);
    c.sendJson({ type: 'getActivity', v: 1, requestId: 'h4', limit: 'all' });
    const error = await c.next('error');
    expect(error).toMatchObject({ code: 'BAD_MESSAGE', requestId: 'h4' });
    c.sendJson({ type: 'ping', v: 1 });
    await c.next('pong');
  });
});
