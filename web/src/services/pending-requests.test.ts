import { describe, expect, it } from 'vitest';
import { asReply, PendingRequests, type Timers } from './pending-requests.js';

/** Timers the test fires by hand. */
function fakeTimers(): Timers & { fire(): void; count(): number } {
  const live = new Map<number, () => void>();
  let next = 1;
  return {
    set(fn) {
      live.set(next, fn);
      return next++;
    },
    clear(h) {
      live.delete(h as number);
    },
    fire() {
      for (const [id, fn] of [...live]) {
        live.delete(id);
        fn();
      }
    },
    count: () => live.size,
  };
}

const result = (requestId: string) => ({ type: 'operationResult' as const, v: 1 as const, requestId, result: { op: 'read' as const, endpoint: 'e', path: '/3', ok: true, at: 0, durationMs: 1 } });

describe('pending requests', () => {
  it('settles a request with the reply that carries its id, and clears its timer', async () => {
    const timers = fakeTimers();
    const p = new PendingRequests(timers);
    const id = p.nextId();
    const answer = p.wait(id, 1000);
    expect(p.settle(result('other'))).toBe(false);
    expect(p.settle(result(id))).toBe(true);
    expect(await answer).toEqual({ ok: true, reply: result(id) });
    expect(timers.count()).toBe(0);
    expect(p.size).toBe(0);
  });

  it('answers TIMEOUT when no reply comes in time, and ignores the late reply', async () => {
    const timers = fakeTimers();
    const p = new PendingRequests(timers);
    const answer = p.wait('r1', 2000);
    timers.fire();
    expect(await answer).toEqual({ ok: false, code: 'TIMEOUT', message: 'no answer from the bridge within 2 s' });
    expect(p.settle(result('r1'))).toBe(false);
  });

  it('answers DISCONNECTED for everything in flight when the socket closes', async () => {
    const p = new PendingRequests(fakeTimers());
    const a = p.wait('a', 1000);
    const b = p.wait('b', 1000);
    p.failAll('closed');
    expect(await Promise.all([a, b])).toEqual([
      { ok: false, code: 'DISCONNECTED', message: 'closed' },
      { ok: false, code: 'DISCONNECTED', message: 'closed' },
    ]);
  });

  it('treats pushed messages without a requestId as no reply', () => {
    expect(asReply({ type: 'audit', v: 1, entries: [] })).toBeUndefined();
    expect(asReply({ type: 'audit', v: 1, requestId: 'x', entries: [] })).toBeDefined();
    expect(asReply({ type: 'pong', v: 1, serverTime: 1 })).toBeUndefined();
  });

  it('settles a getSecurityStatus request with the securityStatus answer that carries its id', async () => {
    const timers = fakeTimers();
    const pending = new PendingRequests(timers);
    const waiting = pending.wait('s-1', 10_000);
    const reply = asReply({ type: 'securityStatus', v: 1, requestId: 's-1', at: 5 });
    expect(reply).toBeDefined();
    expect(pending.settle(reply!)).toBe(true);
    expect(await waiting).toEqual({ ok: true, reply: { type: 'securityStatus', v: 1, requestId: 's-1', at: 5 } });
  });
});
