import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { MAX_REFUSALS } from '@lwm2m-console/shared';
import { mergeRefusals, useRefusalsStore } from './refusals.js';
import { startedSocket } from '../test/fake-socket.js';
import { bindFakeLink } from '../test/fake-link.js';
import { refusal } from '../test/refusal-fixtures.js';

describe('mergeRefusals', () => {
  it('replaces an entry whose count grew instead of adding a second line, and moves it to the newest end', () => {
    const held = [refusal(1), refusal(2), refusal(3)];
    const grown = refusal(1, { count: 4, lastAt: 9_000, port: 50_000 });
    const merged = mergeRefusals(held, [grown]);
    expect(merged.map((r) => r.id)).toEqual([2, 3, 1]);
    expect(merged.at(-1)).toEqual(grown);
  });

  it('orders entries by when they were last seen, oldest first', () => {
    const merged = mergeRefusals([refusal(5, { lastAt: 50 })], [refusal(2, { lastAt: 70 }), refusal(9, { lastAt: 10 })]);
    expect(merged.map((r) => r.id)).toEqual([9, 5, 2]);
  });

  it('keeps the held entry when a copy with a smaller count arrives late', () => {
    const merged = mergeRefusals([refusal(1, { count: 3, lastAt: 3_000 })], [refusal(1, { count: 2, lastAt: 2_000 })]);
    expect(merged).toEqual([refusal(1, { count: 3, lastAt: 3_000 })]);
  });

  it(`keeps only the ${MAX_REFUSALS} most recently seen entries`, () => {
    const many = Array.from({ length: MAX_REFUSALS + 30 }, (_, i) => refusal(i + 1));
    const merged = mergeRefusals([], many);
    expect(merged).toHaveLength(MAX_REFUSALS);
    expect(merged[0]!.id).toBe(31);
    expect(merged.at(-1)!.id).toBe(MAX_REFUSALS + 30);
    expect(mergeRefusals(merged, [refusal(1, { lastAt: 10_000_000 })]).at(-1)!.id).toBe(1);
  });
});

describe('refusals store', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('asks the bridge with getRefusals and shows its answer', async () => {
    const link = bindFakeLink((m) => (m.type === 'getRefusals' ? { type: 'refusals', v: 1, requestId: m.requestId, refusals: [refusal(1), refusal(2)] } : undefined));
    const store = useRefusalsStore();
    await store.load();
    expect(link.requests).toEqual([{ type: 'getRefusals', v: 1, requestId: 't-1' }]);
    expect(store.entries.map((r) => r.id)).toEqual([1, 2]);
    expect(store.loaded).toBe(true);
    expect(store.pushedAt.size).toBe(0);
  });

  it('keeps pushes that race the getRefusals answer: older copies lose to the answer, newer ones win', async () => {
    const { socket, ws } = await startedSocket();
    const store = useRefusalsStore();
    const loading = store.load();
    const request = ws.lastSent('getRefusals')!;
    expect(request).toMatchObject({ type: 'getRefusals', v: 1 });
    // Pushed before the answer: the answer already holds entry 2 grown further.
    ws.receive({ type: 'refusals', v: 1, refusals: [refusal(2, { count: 2, lastAt: 5_000 })] });
    ws.receive({ type: 'refusals', v: 1, requestId: request.requestId, refusals: [refusal(1), refusal(2, { count: 3, lastAt: 6_000 })] });
    // Pushed right after the answer, before the load took it: a new entry and entry 1 grown.
    ws.receive({ type: 'refusals', v: 1, refusals: [refusal(3), refusal(1, { count: 2, lastAt: 7_000 })] });
    await loading;
    expect(store.entries.map((r) => [r.id, r.count])).toEqual([[3, 1], [2, 3], [1, 2]]);
    expect([...store.pushedAt.keys()].sort()).toEqual([1, 2, 3]);
    // Later pushes keep the table live.
    ws.receive({ type: 'refusals', v: 1, refusals: [refusal(4, { stage: 'register', transport: 'coap', endpoint: 'plain', outcome: '4.03', lastAt: 8_000 })] });
    expect(store.entries.at(-1)).toMatchObject({ id: 4, outcome: '4.03', endpoint: 'plain' });
    socket.stop();
  });

  it('takes a reload answer as the whole log, so a restarted bridge does not mix with the old entries', async () => {
    let answer = [refusal(1, { count: 7 }), refusal(2)];
    bindFakeLink((m) => (m.type === 'getRefusals' ? { type: 'refusals', v: 1, requestId: m.requestId, refusals: answer } : undefined));
    const store = useRefusalsStore();
    await store.load();
    answer = [refusal(1, { outcome: 'unknown_psk_identity' })];
    await store.load();
    expect(store.entries).toEqual([refusal(1, { outcome: 'unknown_psk_identity' })]);
  });

  it('says why the list could not be loaded and keeps what it had', async () => {
    bindFakeLink((m) => (m.type === 'getRefusals' ? { type: 'error', v: 1, requestId: m.requestId, code: 'RATE_LIMITED', message: 'slow down' } : undefined));
    const store = useRefusalsStore();
    store.push([refusal(1)]);
    await store.load();
    expect(store.error).toBe('slow down');
    expect(store.loaded).toBe(false);
    expect(store.entries.map((r) => r.id)).toEqual([1]);
  });
});
