/**
 * Nothing a peer sends may grow memory without a configured bound: state kept per deadline and per
 * resumable session is capped whatever the handshake rate or the size of what peers present.
 * (Per-handshake reassembly and the number of associations are bounded in server-limits.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { MAX_CACHED_CREDENTIAL_BYTES, SessionCache } from '../../bridge/src/dtls/session-cache.js';
import { TimerHeap, type TimerOwner } from '../../bridge/src/dtls/timer-heap.js';

const owner = (name: number): TimerOwner & { name: number } => ({ name, timerGen: 0, timerArmed: false });

describe('TimerHeap', () => {
  it('sweeps out deadlines of owners that were cancelled or rescheduled, so churn does not accumulate entries', () => {
    const heap = new TimerHeap<ReturnType<typeof owner>>();
    const live = Array.from({ length: 100 }, (_, i) => owner(i));
    for (const o of live) heap.schedule(o, 1_000 + o.name);
    // 200 000 handshakes started and abandoned within the retransmission timeout
    for (let i = 0; i < 200_000; i++) {
      const gone = owner(1_000 + i);
      heap.schedule(gone, 60_000);
      heap.cancel(gone);
    }
    // 50 000 reschedules of the same live owners (each flight re-arms the timer)
    for (let i = 0; i < 50_000; i++) heap.schedule(live[i % 100]!, 2_000 + (i % 100));
    expect(heap.size).toBeLessThanOrEqual(2 * 100 + 1024 + 1);
    // the live deadlines are intact and fire once each, in order
    const fired = heap.due(10_000).map((o) => o.name);
    expect(fired).toEqual(live.map((o) => o.name));
    expect(heap.due(100_000)).toEqual([]);
    expect(heap.size).toBe(0);
  });

  it('fires a rescheduled owner only at its latest deadline', () => {
    const heap = new TimerHeap<ReturnType<typeof owner>>();
    const a = owner(1);
    heap.schedule(a, 100);
    heap.schedule(a, 300);
    expect(heap.due(200)).toEqual([]);
    expect(heap.due(300)).toEqual([a]);
    heap.schedule(a, 400);
    heap.cancel(a);
    expect(heap.due(1_000)).toEqual([]);
  });
});

describe('SessionCache', () => {
  const base = { masterSecret: Buffer.alloc(48, 1), suiteId: 0xc0ae, extendedMasterSecret: true, createdAt: 0 };

  it('keeps at most sessionCacheSize entries whatever the number of sessions made', () => {
    const cache = new SessionCache(1_000, 60_000);
    for (let i = 0; i < 20_000; i++) {
      const id = Buffer.alloc(32);
      id.writeUInt32BE(i);
      cache.put(id, { ...base, peer: { mode: 'psk', identity: `dev${i}` }, credential: { kind: 'psk', keyDigest: Buffer.alloc(32) } });
    }
    // evicted in batches of 1/64 of the capacity (lru.ts), never above it
    expect(cache.size).toBeLessThanOrEqual(1_000);
    expect(cache.size).toBeGreaterThan(1_000 - 1_000 / 64 - 1);
    // the most recent sessions are the ones kept
    const last = Buffer.alloc(32);
    last.writeUInt32BE(19_999);
    expect(cache.get(last, 0)?.peer.identity).toBe('dev19999');
  });

  it('does not cache a session whose certificate chain is larger than the cap, and keeps one within it', () => {
    const cache = new SessionCache(10, 60_000);
    const big = Buffer.alloc(32, 2);
    const small = Buffer.alloc(32, 3);
    const chainOf = (n: number) => [Buffer.alloc(n, 0x30)];
    cache.put(big, { ...base, peer: { mode: 'x509', identity: 'dev' }, credential: { kind: 'x509', chain: chainOf(MAX_CACHED_CREDENTIAL_BYTES + 1) } });
    cache.put(small, { ...base, peer: { mode: 'x509', identity: 'dev' }, credential: { kind: 'x509', chain: chainOf(1_500) } });
    expect(cache.get(big, 0)).toBeUndefined();
    const got = cache.get(small, 0);
    expect(got?.credential).toEqual({ kind: 'x509', chain: chainOf(1_500) });
    expect(got?.masterSecret.equals(base.masterSecret)).toBe(true);
    expect(cache.size).toBe(1);
  });
});
