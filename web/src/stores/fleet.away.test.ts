import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { useFleetStore } from './fleet.js';
import { delta, snapshot, summary } from '../test/fixtures.js';

describe('fleet store: devices away after a Disable', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('keeps the row of a device that ended with reason disabled, in the away state, until it registers again', () => {
    const fleet = useFleetStore();
    const dev = summary('dev1');
    fleet.applySnapshotPart(snapshot(1, [dev, summary('dev2')]));
    fleet.applyDelta(delta(2, [{ kind: 'ended', at: 5_000, registration: dev, reason: 'disabled', expectedBackAt: 8_000 }]));
    expect(fleet.order).toEqual(['dev1', 'dev2']);
    expect(fleet.awayOf('dev1')).toEqual({ endpoint: 'dev1', registration: dev, disabledAt: 5_000, expectedBackAt: 8_000 });
    expect(fleet.get('dev1')).toEqual(dev);
    expect(fleet.totalsAt(6_000)).toMatchObject({ registered: 1, away: 1 });
    expect(fleet.size).toBe(2);

    const back = summary('dev1', { id: 'id-new', registeredAt: 8_100 });
    fleet.applyDelta(delta(3, [{ kind: 'registered', at: 8_100, registration: back, returnedFromDisable: { disabledAt: 5_000, expectedBackAt: 8_000 } }]));
    expect(fleet.awayOf('dev1')).toBeUndefined();
    expect(fleet.get('dev1')?.id).toBe('id-new');
    expect(fleet.totalsAt(9_000)).toMatchObject({ registered: 2, away: 0 });
  });

  it('drops the row of a device that ended for any other reason', () => {
    const fleet = useFleetStore();
    const dev = summary('dev1');
    fleet.applySnapshotPart(snapshot(1, [dev]));
    fleet.applyDelta(delta(2, [{ kind: 'ended', at: 5_000, registration: dev, reason: 'deregistered' }]));
    expect(fleet.order).toEqual([]);
    expect(fleet.awayOf('dev1')).toBeUndefined();
  });

  it('replaces the away list with each away message, and filters away rows like any other', () => {
    const fleet = useFleetStore();
    fleet.applySnapshotPart(snapshot(1, [summary('a')]));
    fleet.applyAway({ type: 'away', v: 1, devices: [{ endpoint: 'x', registration: summary('x'), disabledAt: 1, expectedBackAt: 2 }] });
    fleet.query = 'x';
    fleet.flushOrder();
    expect(fleet.order).toEqual(['x']);
    fleet.applyAway({ type: 'away', v: 1, devices: [] });
    expect(fleet.order).toEqual([]);
  });
});
