import { describe, expect, it, vi } from 'vitest';
import { summarize, type FleetEvent, type RegistrationEvent } from '@lwm2m-console/shared';
import { ActivityHistory, heldLine, MAX_HELD_RAW_CHARS, restartNote } from './activity-history.js';
import { toFleetEvent } from './fleet-events.js';
import { fakeRegistration } from './test-support.js';

// A fake clock: every event gets the next millisecond, so order and time can be told apart.
let clock = 1_700_000_000_000;
const tick = () => ++clock;

const reg = (endpoint: string, id = `id-${endpoint}`) => summarize(fakeRegistration(endpoint, { id }, clock));
const registered = (endpoint: string): FleetEvent => ({ kind: 'registered', at: tick(), registration: reg(endpoint) });
const updated = (endpoint: string, changes = {}, id?: string): FleetEvent => ({ kind: 'updated', at: tick(), registration: reg(endpoint, id), changes });
const ended = (endpoint: string): FleetEvent => ({ kind: 'ended', at: tick(), registration: reg(endpoint), reason: 'deregistered' });
const lines = (h: ActivityHistory) => h.recent().map((e) => (e.kind === 'note' ? `note ${e.detail}` : `${e.kind} ${e.registration.endpoint}`));

describe('activity history', () => {
  it('returns what it recorded oldest first, the very objects it was given', () => {
    const h = new ActivityHistory(10);
    const events = [registered('a'), registered('b'), ended('a')];
    for (const e of events) h.record(e);
    expect(lines(h)).toEqual(['registered a', 'registered b', 'ended a']);
    expect(h.recent()[2]).toBe(events[2]);
  });

  it('holds a registry event with a large raw Register as its wire line, so 1,000 lines never keep megabytes of payloads', () => {
    const small = fakeRegistration('small', {}, clock);
    const big = { ...small, endpoint: 'big', rawRegister: { ...small.rawRegister, payload: '</3/0>,'.repeat(9_000) } };
    const smallEvent: RegistrationEvent = { type: 'registered', at: tick(), registration: small };
    const bigEvent: RegistrationEvent = { type: 'registered', at: tick(), registration: big };
    expect(big.rawRegister.payload.length).toBeGreaterThan(MAX_HELD_RAW_CHARS);
    expect(heldLine(smallEvent)).toBe(smallEvent);
    const held = heldLine(bigEvent);
    expect(held).toEqual(toFleetEvent(bigEvent));
    expect(JSON.stringify(held)).not.toContain('</3/0>');
    const h = new ActivityHistory(10);
    h.record(bigEvent);
    expect(lines(h)).toEqual(['registered big']);
  });

  it('keeps only the newest `capacity` lines, in order, however many it recorded', () => {
    const h = new ActivityHistory(3);
    for (let i = 0; i < 10; i++) h.record(registered(`d${i}`));
    expect(lines(h)).toEqual(['registered d7', 'registered d8', 'registered d9']);
    expect(h.size).toBe(3);
    expect(h.recorded).toBe(10);
    const times = h.recent().map((e) => e.at);
    expect([...times].sort((x, y) => x - y)).toEqual(times);
  });

  it('answers a limit with the newest lines only, and never more than it holds', () => {
    const h = new ActivityHistory(5);
    for (let i = 0; i < 7; i++) h.record(registered(`d${i}`));
    expect(lines(h).length).toBe(5);
    expect(h.recent(2).map((e) => e.at)).toEqual(h.recent().slice(3).map((e) => e.at));
    expect(h.recent(50)).toHaveLength(5);
    expect(new ActivityHistory(5).recent()).toEqual([]);
  });

  it('folds a run of no-change Updates from one registration into its newest line', () => {
    const h = new ActivityHistory(10);
    h.record(registered('a'));
    h.record(updated('a'));
    h.record(updated('a'));
    const last = updated('a');
    h.record(last);
    expect(lines(h)).toEqual(['registered a', 'updated a']);
    expect(h.recent()[1]).toBe(last);
    expect(h.folded).toBe(2);
    expect(h.recorded).toBe(4);
  });

  it('keeps every Update that changed something, and no-change Updates with other events between them', () => {
    const h = new ActivityHistory(10);
    h.record(updated('a', { lifetime: 60 }));
    h.record(updated('a', { lifetime: 60 }));
    h.record(updated('a'));
    h.record(updated('b'));
    h.record(updated('a'));
    h.record(updated('a', {}, 'a-new-registration'));
    expect(lines(h)).toEqual(['updated a', 'updated a', 'updated a', 'updated b', 'updated a', 'updated a']);
    expect(h.folded).toBe(0);
  });

  it('folds across the ring boundary without losing the lines before it', () => {
    const h = new ActivityHistory(3);
    h.record(registered('x'));
    h.record(registered('y'));
    h.record(updated('a'));
    h.record(updated('a'));
    expect(lines(h)).toEqual(['registered x', 'registered y', 'updated a']);
    h.record(ended('a'));
    expect(lines(h)).toEqual(['registered y', 'updated a', 'ended a']);
  });

  it('answers a registry event recorded while no console watched as the wire line it would have been, built once', () => {
    const h = new ActivityHistory(10);
    const registration = fakeRegistration('quiet', { id: 'id-quiet' }, clock);
    const raw: RegistrationEvent = { type: 'ended', at: tick(), registration, reason: 'expired' };
    h.record(raw);
    h.record(registered('watched'));
    const first = h.recent();
    expect(first[0]).toEqual(toFleetEvent(raw));
    expect(lines(h)).toEqual(['ended quiet', 'registered watched']);
    // A second console asking gets the same object: it was summarized once.
    expect(h.recent()[0]).toBe(first[0]);
  });

  it('folds a run of no-change Updates whether they were recorded as registry events or wire lines', () => {
    const h = new ActivityHistory(10);
    const registration = fakeRegistration('mixed', { id: 'id-mixed' }, clock);
    h.record({ type: 'updated', at: tick(), registration, changes: {} });
    h.record(updated('mixed', {}, 'id-mixed'));
    h.record({ type: 'updated', at: tick(), registration, changes: {} });
    expect(lines(h)).toEqual(['updated mixed']);
    expect(h.folded).toBe(2);
  });

  it('serializes the same lines once until something new is recorded', () => {
    const h = new ActivityHistory(10);
    h.record(registered('a'));
    h.record(registered('b'));
    const stringify = vi.spyOn(JSON, 'stringify');
    try {
      const text = h.recentJson();
      expect(JSON.parse(text)).toEqual(h.recent());
      expect(h.recentJson()).toBe(text);
      expect(stringify).toHaveBeenCalledTimes(1);
      expect(JSON.parse(h.recentJson(1))).toHaveLength(1);
      expect(stringify).toHaveBeenCalledTimes(2);
      h.record(updated('a'));
      h.record(updated('a'));
      const before = h.recentJson();
      // A fold changes the newest line's time without adding one: the text is made again.
      h.record(updated('a'));
      const after = h.recentJson();
      expect(stringify).toHaveBeenCalledTimes(4);
      expect(JSON.parse(after)[2].at).toBe(clock);
      expect(JSON.parse(before)[2].at).toBe(clock - 1);
    } finally {
      stringify.mockRestore();
    }
  });

  it('keeps notes in line with events', () => {
    const h = new ActivityHistory(10);
    h.note({ kind: 'note', at: tick(), detail: '3 registrations kept across a restart of the bridge' });
    h.record(registered('a'));
    expect(lines(h)).toEqual(['note 3 registrations kept across a restart of the bridge', 'registered a']);
  });

  it('refuses a capacity that is not a positive whole number', () => {
    expect(() => new ActivityHistory(0)).toThrow(RangeError);
    expect(() => new ActivityHistory(1.5)).toThrow(RangeError);
  });
});

describe('restart note', () => {
  it('says how many registrations were kept and how many expired while the bridge was down', () => {
    expect(restartNote({ restored: 12_345, expired: 2 }, 5)).toEqual({
      kind: 'note',
      at: 5,
      detail: '12,345 registrations kept across a restart of the bridge; 2 registrations expired while it was down',
    });
    expect(restartNote({ restored: 1, expired: 0 }, 5)?.detail).toBe('1 registration kept across a restart of the bridge');
  });

  it('makes no line when nothing was saved', () => {
    expect(restartNote(undefined, 5)).toBeUndefined();
    expect(restartNote({ restored: 0, expired: 0 }, 5)).toBeUndefined();
  });
});
