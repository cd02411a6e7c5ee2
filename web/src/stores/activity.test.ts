import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { ended, registered, summary } from '../test/fixtures.js';
import { ACTIVITY_LIMIT, useActivityStore } from './activity.js';

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
