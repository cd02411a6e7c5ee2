import { describe, expect, it } from 'vitest';
import { DISABLE_DEREGISTER_WINDOW_MS, DisableTracker } from './disable-tracker.js';

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
});
