import { describe, expect, it } from 'vitest';
import { RefusalLog, type RefusedAttempt } from './refusal-log.js';

const wrongKey: RefusedAttempt = { transport: 'coaps', address: '10.0.0.1', port: 4000, stage: 'handshake', identity: 'dev-1', outcome: 'bad_record_mac', reason: 'client Finished record failed authentication' };

describe('RefusalLog', () => {
  it('folds a repeated refusal into one entry with a count, its first and latest time, and the latest address', () => {
    const log = new RefusalLog();
    const first = log.record(wrongKey, 1_000);
    const again = log.record({ ...wrongKey, port: 4001 }, 5_000);
    expect(again).toMatchObject({ id: first.id, count: 2, firstAt: 1_000, lastAt: 5_000, port: 4001 });
    expect(log.list()).toHaveLength(1);
  });

  it('keeps refusals apart that differ in stage, outcome, reason, identity or endpoint', () => {
    const log = new RefusalLog();
    log.record(wrongKey, 1);
    log.record({ ...wrongKey, identity: 'dev-2' }, 2);
    log.record({ ...wrongKey, outcome: 'unknown_psk_identity' }, 3);
    log.record({ transport: 'coap', address: '10.0.0.1', port: 5683, stage: 'register', endpoint: 'dev-1', outcome: '4.03', reason: 'endpoint has credentials: use DTLS' }, 4);
    expect(log.list().map((r) => r.count)).toEqual([1, 1, 1, 1]);
  });

  it('lists oldest first, a grown entry moving to the newest end, and drops the oldest beyond its capacity', () => {
    const log = new RefusalLog(3);
    for (const [i, identity] of ['a', 'b', 'c'].entries()) log.record({ ...wrongKey, identity }, i);
    log.record({ ...wrongKey, identity: 'a' }, 10);
    expect(log.list().map((r) => r.identity)).toEqual(['b', 'c', 'a']);
    log.record({ ...wrongKey, identity: 'd' }, 11);
    expect(log.list().map((r) => r.identity)).toEqual(['c', 'a', 'd']);
    // 'b' was dropped: it comes back as a new entry with a new id
    const b = log.record({ ...wrongKey, identity: 'b' }, 12);
    expect(b).toMatchObject({ count: 1, firstAt: 12 });
    expect(log.list()).toHaveLength(3);
  });

  it('shortens text a device chose to 256 characters', () => {
    const log = new RefusalLog();
    const r = log.record({ ...wrongKey, identity: 'x'.repeat(5_000) }, 1);
    expect(r.identity).toHaveLength(257);
    expect(r.identity!.endsWith('…')).toBe(true);
  });

  it('tells subscribers about each new or grown entry until they unsubscribe', () => {
    const log = new RefusalLog();
    const seen: number[] = [];
    const stop = log.subscribe((r) => seen.push(r.count));
    log.record(wrongKey, 1);
    log.record(wrongKey, 2);
    stop();
    log.record(wrongKey, 3);
    expect(seen).toEqual([1, 2]);
  });
});
