import { describe, expect, it } from 'vitest';
import { EndpointTimelines } from './endpoint-timelines.js';
import { fakeRegistration } from './test-support.js';

describe('endpoint timelines', () => {
  it('records registered, updated with what changed, and ended with why, after the device left', () => {
    const t = new EndpointTimelines();
    const r = fakeRegistration('dev1', { lifetime: 60 });
    t.record({ type: 'registered', at: 1, registration: r });
    t.record({ type: 'updated', at: 2, registration: r, changes: { lifetime: 120, binding: 'UQ' } });
    t.record({ type: 'ended', at: 3, registration: r, reason: 'expired' });
    expect(t.get('dev1').map((e) => [e.kind, e.detail])).toEqual([
      ['registered', `registered from 127.0.0.1:${r.port} over CoAP, lifetime 60 s`],
      ['updated', 'lifetime 120 s, binding UQ'],
      ['ended', 'expired'],
    ]);
  });

  it('says how early or late an endpoint came back after a Disable', () => {
    const t = new EndpointTimelines();
    const r = fakeRegistration('dev1', { lifetime: 60 });
    t.record({ type: 'registered', at: 3_250, registration: r, returnedFromDisable: { disabledAt: 0, expectedBackAt: 3_000 } });
    t.record({ type: 'registered', at: 5_000, registration: r, returnedFromDisable: { disabledAt: 0, expectedBackAt: 6_500 } });
    expect(t.get('dev1').map((e) => e.detail.split('; ')[1])).toEqual(['back after Disable (away 3.3 s), 250 ms late', 'back after Disable (away 5.0 s), 1.5 s early']);
  });

  it('keeps only the last entries of each endpoint', () => {
    const t = new EndpointTimelines({ maxEntriesPerEndpoint: 3 });
    const r = fakeRegistration('dev1');
    for (let i = 0; i < 10; i++) t.record({ type: 'updated', at: i, registration: r, changes: {} });
    expect(t.get('dev1').map((e) => e.at)).toEqual([7, 8, 9]);
  });

  it('forgets the least recently active endpoint first when over the endpoint bound', () => {
    // Generational LRU: endpoints are forgotten a generation (half the bound) at a time.
    const t = new EndpointTimelines({ maxEndpoints: 4 });
    const reg = (ep: string, at: number) => t.record({ type: 'registered', at, registration: fakeRegistration(ep) });
    reg('a', 1);
    reg('b', 2);
    reg('a', 3);
    reg('c', 4);
    expect([t.has('a'), t.has('b'), t.has('c')]).toEqual([true, false, true]);
    expect(t.get('b')).toEqual([]);
  });

  it('forgets whole endpoints, least recently active first, to stay under the total line bound', () => {
    const t = new EndpointTimelines({ maxEndpoints: 4, maxTotalEntries: 5 });
    for (const ep of ['a', 'b', 'c']) {
      const r = fakeRegistration(ep);
      t.record({ type: 'registered', at: 1, registration: r });
      t.record({ type: 'updated', at: 2, registration: r, changes: {} });
    }
    expect([t.has('a'), t.has('b'), t.has('c')]).toEqual([false, true, true]);
    expect(t.entryCount).toBe(4);
  });

  it('says when a disabled device is expected back', () => {
    const t = new EndpointTimelines();
    t.record({ type: 'ended', at: 1, registration: fakeRegistration('d'), reason: 'disabled', expectedBackAt: Date.UTC(2030, 0, 1) });
    expect(t.get('d')[0]!.detail).toBe('disabled, expected back at 2030-01-01T00:00:00.000Z');
  });
});
