import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ReplyMessage } from '../services/pending-requests.js';
import { SECURITY_STATUS_POLL_MS, useSecurityStatusStore } from './security-status.js';
import { useConnectionStore, type RequestMessage } from './connection.js';
import { startedSocket } from '../test/fake-socket.js';
import { bindFakeLink } from '../test/fake-link.js';
import { dtlsStatus } from '../test/dtls-fixtures.js';

const status = (requestId: string, at: number, dtls = dtlsStatus()): ReplyMessage => ({ type: 'securityStatus', v: 1, requestId, at, dtls });

/** A link whose answers the test releases by hand, to see what the store sends meanwhile. */
function heldLink() {
  const held: { message: RequestMessage; answer: (reply: ReplyMessage) => void }[] = [];
  let n = 0;
  useConnectionStore().bind({
    send: () => true,
    request: (build) => {
      const message = build(`h-${++n}`);
      return new Promise((resolve) => held.push({ message, answer: (reply) => resolve({ ok: true, reply }) }));
    },
    signIn: async () => ({ ok: true }),
    signOut: async () => {},
    reconnectNow: () => {},
  });
  return held;
}

describe('security status store', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    vi.useFakeTimers();
  });
  afterEach(() => {
    useSecurityStatusStore().stopPolling();
    vi.useRealTimers();
  });

  it('asks getSecurityStatus at once and every 5 s while polling on a live connection, and stops when told', async () => {
    let at = 1_000;
    const link = bindFakeLink((m) => (m.type === 'getSecurityStatus' ? status(m.requestId, at, dtlsStatus({ sessions: at })) : undefined));
    useConnectionStore().setStatus('live');
    const store = useSecurityStatusStore();
    store.startPolling();
    await vi.advanceTimersByTimeAsync(0);
    expect(link.requests).toEqual([{ type: 'getSecurityStatus', v: 1, requestId: 't-1' }]);
    expect(store.dtls?.sessions).toBe(1_000);
    expect(store.at).toBe(1_000);
    at = 6_000;
    await vi.advanceTimersByTimeAsync(SECURITY_STATUS_POLL_MS);
    expect(link.requests).toHaveLength(2);
    expect(store.dtls?.sessions).toBe(6_000);
    await vi.advanceTimersByTimeAsync(SECURITY_STATUS_POLL_MS * 2);
    expect(link.requests).toHaveLength(4);
    store.stopPolling();
    await vi.advanceTimersByTimeAsync(SECURITY_STATUS_POLL_MS * 5);
    expect(link.requests).toHaveLength(4);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('never has two requests out: a slow answer delays the next poll instead of overlapping it', async () => {
    const held = heldLink();
    useConnectionStore().setStatus('live');
    const store = useSecurityStatusStore();
    store.startPolling();
    await vi.advanceTimersByTimeAsync(SECURITY_STATUS_POLL_MS * 4);
    // A refresh asked for meanwhile (the connection came back) joins the one in flight.
    void store.refresh();
    expect(held).toHaveLength(1);
    held[0]!.answer(status(held[0]!.message.requestId, 20_000));
    await vi.advanceTimersByTimeAsync(0);
    expect(store.at).toBe(20_000);
    expect(held).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(SECURITY_STATUS_POLL_MS - 1);
    expect(held).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(held).toHaveLength(2);
  });

  it('sends nothing while the connection is not live, and asks at once when it comes back', async () => {
    const link = bindFakeLink((m) => (m.type === 'getSecurityStatus' ? status(m.requestId, 1) : undefined));
    const connection = useConnectionStore();
    connection.setStatus('offline');
    const store = useSecurityStatusStore();
    store.startPolling();
    await vi.advanceTimersByTimeAsync(SECURITY_STATUS_POLL_MS * 3);
    expect(link.requests).toHaveLength(0);
    connection.setStatus('live');
    await vi.advanceTimersByTimeAsync(0);
    expect(link.requests).toHaveLength(1);
    expect(store.loaded).toBe(true);
  });

  it('keeps the last figures and says why when a request fails, and clears the error on the next answer', async () => {
    let fail = false;
    bindFakeLink((m) => {
      if (m.type !== 'getSecurityStatus') return undefined;
      return fail ? { type: 'error', v: 1, requestId: m.requestId, code: 'INTERNAL', message: 'status unavailable' } : status(m.requestId, 2_000);
    });
    useConnectionStore().setStatus('live');
    const store = useSecurityStatusStore();
    await store.refresh();
    fail = true;
    await store.refresh();
    expect(store.error).toBe('status unavailable');
    expect(store.dtls).toEqual(dtlsStatus());
    expect(store.at).toBe(2_000);
    fail = false;
    await store.refresh();
    expect(store.error).toBeNull();
  });

  it('takes an answer without DTLS figures as CoAPS off, and refuses figures that are not counts', async () => {
    let reply: (id: string) => ReplyMessage = (id) => ({ type: 'securityStatus', v: 1, requestId: id, at: 3_000 });
    bindFakeLink((m) => (m.type === 'getSecurityStatus' ? reply(m.requestId) : undefined));
    const store = useSecurityStatusStore();
    await store.refresh();
    expect(store.loaded).toBe(true);
    expect(store.dtls).toBeNull();
    expect(store.error).toBeNull();
    reply = (id) => ({ type: 'securityStatus', v: 1, requestId: id, at: 4_000, dtls: { ...dtlsStatus(), sessions: -3 } });
    await store.refresh();
    expect(store.error).toBe('the DTLS figure sessions is not a count');
    expect(store.at).toBe(3_000);
  });

  it('gets the answer through the real bridge socket, matched by its requestId', async () => {
    vi.useRealTimers();
    const { socket, ws } = await startedSocket();
    const store = useSecurityStatusStore();
    const asked = store.refresh();
    const request = ws.lastSent('getSecurityStatus')!;
    expect(request).toMatchObject({ type: 'getSecurityStatus', v: 1, requestId: expect.any(String) });
    ws.receive({ type: 'securityStatus', v: 1, requestId: 'someone-else', at: 1, dtls: dtlsStatus({ sessions: 99 }) });
    ws.receive({ type: 'securityStatus', v: 1, requestId: request.requestId, at: 7_000, dtls: dtlsStatus({ sessions: 3 }) });
    await asked;
    expect(store.dtls?.sessions).toBe(3);
    expect(store.at).toBe(7_000);
    socket.stop();
  });
});
