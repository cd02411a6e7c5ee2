import { describe, expect, it } from 'vitest';
import { DedupCache } from './dedup-cache.js';

const response = new Uint8Array([1, 2, 3]);

describe('DedupCache', () => {
  it('marks a repeated message id from the same peer as a duplicate in progress, then answers from cache', () => {
    const c = new DedupCache({ perPeer: 4, peers: 10, lifetimeMs: 1000 });
    expect(c.check('p', 7, 'aa', 0)).toEqual({ kind: 'new' });
    expect(c.check('p', 7, 'aa', 1)).toEqual({ kind: 'duplicate-in-progress' });
    c.recordResponse('p', 7, 'aa', true, response);
    expect(c.check('p', 7, 'aa', 2)).toEqual({ kind: 'duplicate', response });
  });

  it('treats the same message id from another peer as new', () => {
    const c = new DedupCache({ perPeer: 4, peers: 10, lifetimeMs: 1000 });
    c.check('p1', 7, '', 0);
    expect(c.check('p2', 7, '', 0)).toEqual({ kind: 'new' });
  });

  it('matches a separate response by token', () => {
    const c = new DedupCache({ perPeer: 4, peers: 10, lifetimeMs: 1000 });
    c.check('p', 7, 'beef', 0);
    c.recordResponse('p', 999, 'beef', false, response);
    expect(c.check('p', 7, 'beef', 1)).toEqual({ kind: 'duplicate', response });
  });

  it('forgets exchanges after the exchange lifetime', () => {
    const c = new DedupCache({ perPeer: 4, peers: 10, lifetimeMs: 1000 });
    c.check('p', 7, '', 0);
    expect(c.check('p', 7, '', 1000)).toEqual({ kind: 'new' });
  });

  it('bounds memory per peer and in total', () => {
    const c = new DedupCache({ perPeer: 2, peers: 4, lifetimeMs: 1000 });
    c.check('p', 1, '', 0);
    c.check('p', 2, '', 0);
    c.check('p', 3, '', 0);
    expect(c.check('p', 1, '', 0)).toEqual({ kind: 'new' }); // pushed out of the ring
    for (let i = 0; i < 100; i++) {
      c.check(`peer${i}`, 1, '', 0);
      expect(c.peerCount).toBeLessThanOrEqual(4);
    }
    // The most recent peer is still remembered.
    expect(c.check('peer99', 1, '', 0)).toEqual({ kind: 'duplicate-in-progress' });
  });

  it('sweeps peers whose exchanges all expired', () => {
    const c = new DedupCache({ perPeer: 2, peers: 10, lifetimeMs: 1000 });
    c.check('old', 1, '', 0);
    c.check('new', 1, '', 900);
    c.sweep(1500);
    expect(c.peerCount).toBe(1);
  });
});
