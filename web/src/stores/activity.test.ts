import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { ended, registered, summary } from '../test/fixtures.js';
import { refusal } from '../test/refusal-fixtures.js';
import { ACTIVITY_KINDS, ACTIVITY_LIMIT, filterActivity, refusalToActivityItem, useActivityStore } from './activity.js';
import { useRefusalsStore } from './refusals.js';

describe('activity store', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('words each event for the feed, with the reason a registration ended', () => {
    const activity = useActivityStore();
    activity.record([
      registered(summary('dev1', { port: 40000 })),
      { kind: 'updated', at: 2, registration: summary('dev1'), changes: { lifetime: 120 } },
      ended(summary('dev1'), 'deregistered'),
      ended(summary('dev2'), 'expired'),
    ]);
    expect(activity.visible.map((i) => [i.kind, i.endpoint, i.detail])).toEqual([
      ['ended', 'dev2', 'expired'],
      ['ended', 'dev1', 'de-registered'],
      ['updated', 'dev1', 'lifetime 120 s'],
      ['registered', 'dev1', 'from 127.0.0.1:40000, lifetime 60 s'],
    ]);
  });

  it('filters by kind and by endpoint substring', () => {
    const activity = useActivityStore();
    activity.record([registered(summary('meter-1')), registered(summary('valve-1')), ended(summary('meter-1'))]);
    activity.toggleKind('registered');
    expect(activity.visible.map((i) => `${i.kind} ${i.endpoint}`)).toEqual(['ended meter-1']);
    activity.toggleKind('registered');
    activity.endpointFilter = 'VALVE';
    expect(activity.visible.map((i) => `${i.kind} ${i.endpoint}`)).toEqual(['registered valve-1']);
  });

  it(`keeps only the last ${ACTIVITY_LIMIT} events`, () => {
    const activity = useActivityStore();
    for (let i = 0; i < 6; i++) activity.record(Array.from({ length: 1000 }, (_, j) => registered(summary(`d${i}-${j}`))));
    expect(activity.items).toHaveLength(ACTIVITY_LIMIT);
    expect(activity.items[0]!.endpoint).toBe('d1-0');
    expect(activity.items.at(-1)!.endpoint).toBe('d5-999');
  });
});

describe('refused connections in the activity feed', () => {
  beforeEach(() => setActivePinia(createPinia()));

  const wrongKey = (count: number, lastAt: number) =>
    refusal(7, { endpoint: 'dev-7', identity: 'dev-7-id', count, firstAt: 1_500, lastAt, reason: 'client Finished record failed authentication' });
  const lines = () => useActivityStore().visible.map((i) => `${i.at} ${i.kind} ${i.endpoint}`);

  it('interleaves refused attempts with fleet events by time, newest first', () => {
    const activity = useActivityStore();
    activity.record([registered(summary('dev1'), 1_000), registered(summary('dev2'), 3_000), ended(summary('dev1'), 'deregistered', 5_000)]);
    useRefusalsStore().push([wrongKey(1, 2_000), refusal(8, { endpoint: 'dev-8', stage: 'register', transport: 'coap', outcome: '4.03', lastAt: 4_000 })]);
    expect(lines()).toEqual(['5000 ended dev1', '4000 refused dev-8', '3000 registered dev2', '2000 refused dev-7', '1000 registered dev1']);
    expect(activity.total).toBe(5);
  });

  it('words a refusal as who, the stage, the outcome, the reason and how many attempts it folds', () => {
    useRefusalsStore().push([wrongKey(3, 2_000)]);
    const [line] = useActivityStore().visible;
    expect(line).toMatchObject({ kind: 'refused', endpoint: 'dev-7', subject: 'endpoint', registrationId: '' });
    expect(`${line!.endpoint} ${line!.kind} ${line!.detail}`).toBe('dev-7 refused at handshake: bad_record_mac — client Finished record failed authentication (×3)');
    // A single attempt has no count.
    expect(refusalToActivityItem(refusal(1, { stage: 'register', outcome: '4.03', reason: 'endpoint not allowed' })).detail).toBe('at register: 4.03 — endpoint not allowed');
  });

  it('names a refusal by the identity presented, or by its address, when no endpoint is known', () => {
    const byIdentity = refusalToActivityItem(refusal(1, { endpoint: undefined, identity: 'who-am-i', outcome: 'unknown_psk_identity' }));
    const byAddress = refusalToActivityItem(refusal(2, { endpoint: undefined, identity: undefined, address: '::1', port: 5999, outcome: 'timeout' }));
    expect([byIdentity.subject, byIdentity.endpoint]).toEqual(['identity', 'who-am-i']);
    expect([byAddress.subject, byAddress.endpoint]).toEqual(['address', '[::1]:5999']);
  });

  it('replaces the line of a refusal that grows and moves it to its new time, instead of adding a line', () => {
    const activity = useActivityStore();
    const refusals = useRefusalsStore();
    activity.record([registered(summary('dev1'), 1_000), registered(summary('dev2'), 3_000)]);
    refusals.push([wrongKey(1, 2_000)]);
    const before = activity.visible.find((i) => i.kind === 'refused')!;
    refusals.push([wrongKey(3, 4_000)]);
    expect(lines()).toEqual(['4000 refused dev-7', '3000 registered dev2', '1000 registered dev1']);
    const after = activity.visible[0]!;
    expect(after.id).toBe(before.id);
    expect(after.detail).toMatch(/\(×3\)$/);
    expect(activity.total).toBe(3);
  });

  it('hides and shows refused attempts with the "refused" kind filter, and filters them by name', () => {
    const activity = useActivityStore();
    activity.record([registered(summary('dev-7'), 1_000), registered(summary('meter'), 3_000)]);
    useRefusalsStore().push([wrongKey(1, 2_000), refusal(9, { endpoint: undefined, identity: 'meter-psk', lastAt: 4_000 })]);
    activity.toggleKind('refused');
    expect(lines()).toEqual(['3000 registered meter', '1000 registered dev-7']);
    activity.toggleKind('refused');
    activity.toggleKind('registered');
    expect(lines()).toEqual(['4000 refused meter-psk', '2000 refused dev-7']);
    activity.toggleKind('registered');
    activity.endpointFilter = 'DEV-7';
    expect(lines()).toEqual(['2000 refused dev-7', '1000 registered dev-7']);
  });

  it('merges the refusal lines into the events by time in one pass, the event first at the same millisecond', () => {
    const item = (at: number, kind: 'registered' | 'refused') => ({ id: at, at, kind, endpoint: 'd', registrationId: '', detail: '' });
    const events = [item(1, 'registered'), item(5, 'registered'), item(5, 'registered'), item(9, 'registered')];
    const refused = [item(0, 'refused'), item(5, 'refused'), item(10, 'refused')];
    const merged = filterActivity(events, new Set(ACTIVITY_KINDS), '', refused);
    expect(merged.map((i) => `${i.at}${i.kind === 'refused' ? 'r' : 'e'}`)).toEqual(['10r', '9e', '5e', '5e', '5r', '1e', '0r']);
    expect(filterActivity([], new Set(ACTIVITY_KINDS), '', refused).map((i) => i.at)).toEqual([10, 5, 0]);
  });
});
