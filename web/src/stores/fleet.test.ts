import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { delta, ended, registered, snapshot, summary } from '../test/fixtures.js';
import { useFleetStore } from './fleet.js';

describe('fleet store', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('replaces the fleet only when every snapshot part has arrived', () => {
    const fleet = useFleetStore();
    expect(fleet.applySnapshotPart(snapshot(7, [summary('b'), summary('a')], 0, 2))).toBe('partial');
    expect(fleet.size).toBe(0);
    expect(fleet.applySnapshotPart(snapshot(7, [summary('c')], 1, 2))).toBe('complete');
    expect(fleet.order).toEqual(['a', 'b', 'c']);
    expect(fleet.seq).toBe(7);
    expect(fleet.synced).toBe(true);
  });

  it('applies deltas with the next seq and ignores ones already seen', () => {
    const fleet = useFleetStore();
    fleet.applySnapshotPart(snapshot(1, [summary('a')]));
    expect(fleet.applyDelta(delta(2, [registered(summary('b'))]))).toBe('applied');
    expect(fleet.applyDelta(delta(2, [registered(summary('zzz'))]))).toBe('stale');
    expect(fleet.order).toEqual(['a', 'b']);
    expect(fleet.get('b')).toMatchObject({ endpoint: 'b' });
  });

  it('reports a gap in seq so the socket owner can resync, and recovers from the next snapshot', () => {
    const fleet = useFleetStore();
    fleet.applySnapshotPart(snapshot(1, [summary('a')]));
    expect(fleet.applyDelta(delta(3, [registered(summary('b'))]))).toBe('gap');
    expect(fleet.synced).toBe(false);
    expect(fleet.get('b')).toBeUndefined();
    expect(fleet.applyDelta(delta(4, []))).toBe('stale');
    fleet.applySnapshotPart(snapshot(4, [summary('a'), summary('b')]));
    expect(fleet.applyDelta(delta(5, [ended(summary('a'))]))).toBe('applied');
    expect(fleet.order).toEqual(['b']);
  });

  it('removes an endpoint on ended only if the registration id matches', () => {
    const fleet = useFleetStore();
    fleet.applySnapshotPart(snapshot(1, [summary('a', { id: 'new' })]));
    fleet.applyDelta(delta(2, [ended(summary('a', { id: 'old' }))]));
    expect(fleet.get('a')?.id).toBe('new');
  });

  it('applies deltas that arrive while a snapshot is still being assembled', () => {
    const fleet = useFleetStore();
    fleet.applySnapshotPart(snapshot(5, [summary('a')], 0, 2));
    expect(fleet.applyDelta(delta(6, [registered(summary('late'))]))).toBe('buffered');
    fleet.applySnapshotPart(snapshot(5, [summary('b')], 1, 2));
    expect(fleet.order).toEqual(['a', 'b', 'late']);
    expect(fleet.seq).toBe(6);
  });

  it('filters by endpoint and sorts by any column', () => {
    const fleet = useFleetStore();
    fleet.applySnapshotPart(
      snapshot(1, [summary('meter-2', { lifetime: 30 }), summary('meter-1', { lifetime: 90 }), summary('valve-1', { lifetime: 60 })]),
    );
    fleet.query = 'METER';
    fleet.flushOrder();
    expect(fleet.order).toEqual(['meter-1', 'meter-2']);
    fleet.query = '';
    fleet.sortBy('lifetime');
    fleet.flushOrder();
    expect(fleet.order).toEqual(['meter-2', 'valve-1', 'meter-1']);
    fleet.sortBy('lifetime');
    fleet.flushOrder();
    expect(fleet.order).toEqual(['meter-1', 'valve-1', 'meter-2']);
  });

  it('counts totals by transport and expiring soon at a given time', () => {
    const fleet = useFleetStore();
    fleet.applySnapshotPart(
      snapshot(1, [summary('a', { transport: 'coaps', expiresAt: 100_000 }), summary('b', { expiresAt: 61_000 })]),
    );
    expect(fleet.totalsAt(50_000)).toEqual({ registered: 2, coap: 1, coaps: 1, expiringSoon: 1, away: 0 });
  });
});
