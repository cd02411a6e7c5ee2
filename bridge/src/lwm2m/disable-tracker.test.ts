import { describe, expect, it } from 'vitest';
import { DISABLE_DEREGISTER_WINDOW_MS, DisableTracker, MAX_TRACKED_DISABLES } from './disable-tracker.js';

describe('DisableTracker', () => {
  it('turns the De-register that follows a Disable into reason disabled with the expected return', () => {
    const t = new DisableTracker();
    t.expect('reg1', 'dev1', 1000, 4000);
    expect(t.classifyDeregister('reg1', 1200)).toEqual({ reason: 'disabled', expectedBackAt: 4000 });
    expect(t.returned('dev1')).toEqual({ disabledAt: 1000, expectedBackAt: 4000 });
    expect(t.returned('dev1')).toBeUndefined();
  });

  it('leaves other De-registers alone', () => {
    const t = new DisableTracker();
    t.expect('reg1', 'dev1', 1000, 4000);
    expect(t.classifyDeregister('reg2', 1200)).toEqual({ reason: 'deregistered' });
  });

  it('does not blame a much later De-register on an old Disable', () => {
    const t = new DisableTracker();
    t.expect('reg1', 'dev1', 0, 4000);
    expect(t.classifyDeregister('reg1', DISABLE_DEREGISTER_WINDOW_MS + 1)).toEqual({ reason: 'deregistered' });
    expect(t.returned('dev1')).toBeUndefined();
  });

  it('after a restore, still turns the De-register of a Disable sent before the restart into reason disabled', () => {
    const before = new DisableTracker();
    before.expect('reg1', 'dev1', 1000, 4000);
    const after = new DisableTracker();
    after.restore({ pending: before.pendingDisables(), away: [] });
    expect([...after.pendingDisables()]).toEqual([{ registrationId: 'reg1', endpoint: 'dev1', disabledAt: 1000, expectedBackAt: 4000 }]);
    expect(after.classifyDeregister('reg1', 1500)).toEqual({ reason: 'disabled', expectedBackAt: 4000 });
    expect(after.returned('dev1')).toEqual({ disabledAt: 1000, expectedBackAt: 4000 });
  });

  it('after a restore, recognises the return of an endpoint that was away, once', () => {
    const t = new DisableTracker();
    t.restore({ pending: [], away: [['dev1', { disabledAt: 1000, expectedBackAt: 4000 }]] });
    expect(t.isAway('dev1')).toBe(true);
    expect([...t.awayEndpoints()]).toEqual([['dev1', { disabledAt: 1000, expectedBackAt: 4000 }]]);
    expect(t.returned('dev1')).toEqual({ disabledAt: 1000, expectedBackAt: 4000 });
    expect(t.isAway('dev1')).toBe(false);
    expect(t.returned('dev1')).toBeUndefined();
  });

  it('keeps what this run already knows over a restored entry', () => {
    const t = new DisableTracker();
    t.expect('reg1', 'dev1', 5000, 9000);
    t.classifyDeregister('reg1', 5100);
    t.restore({ pending: [{ registrationId: 'reg1', endpoint: 'dev1', disabledAt: 1, expectedBackAt: 2 }], away: [['dev1', { disabledAt: 1, expectedBackAt: 2 }]] });
    expect(t.returned('dev1')).toEqual({ disabledAt: 5000, expectedBackAt: 9000 });
    expect([...t.pendingDisables()]).toHaveLength(1);
  });

  it('holds restored entries to its bound, forgetting the oldest', () => {
    const t = new DisableTracker();
    const away = Array.from({ length: MAX_TRACKED_DISABLES + 1 }, (_, i): [string, { disabledAt: number; expectedBackAt: number }] => [`d${i}`, { disabledAt: i, expectedBackAt: i }]);
    t.restore({ pending: [], away });
    expect([...t.awayEndpoints()]).toHaveLength(MAX_TRACKED_DISABLES);
    expect(t.isAway('d0')).toBe(false);
    expect(t.isAway(`d${MAX_TRACKED_DISABLES}`)).toBe(true);
  });
});
