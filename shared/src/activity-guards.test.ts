import { describe, expect, it } from 'vitest';
import { parseClientMessage, parseServerMessage } from './guards.js';
import { MAX_ACTIVITY_LIMIT } from './protocol.js';

const ask = (extra: Record<string, unknown>) => parseClientMessage(JSON.stringify({ type: 'getActivity', v: 1, requestId: 'a1', ...extra }));

describe('getActivity request', () => {
  it('accepts a request without a limit, and one with a whole-number limit', () => {
    expect(ask({})).toEqual({ ok: true, value: { type: 'getActivity', v: 1, requestId: 'a1' } });
    expect(ask({ limit: 50 })).toEqual({ ok: true, value: { type: 'getActivity', v: 1, requestId: 'a1', limit: 50 } });
    expect(ask({ limit: MAX_ACTIVITY_LIMIT })).toMatchObject({ ok: true });
  });

  it('refuses a hostile limit with BAD_MESSAGE and the request id', () => {
    for (const limit of [0, -1, 1.5, MAX_ACTIVITY_LIMIT + 1, 1e308, 'all', null, [10], { n: 1 }, true]) {
      expect(ask({ limit }), JSON.stringify(limit)).toMatchObject({ ok: false, code: 'BAD_MESSAGE', requestId: 'a1' });
    }
  });

  it('refuses a request without a usable requestId', () => {
    expect(parseClientMessage('{"type":"getActivity","v":1}')).toMatchObject({ ok: false, code: 'BAD_MESSAGE', error: 'getActivity needs a requestId' });
    expect(parseClientMessage(JSON.stringify({ type: 'getActivity', v: 1, requestId: 'x'.repeat(65) }))).toMatchObject({ ok: false, code: 'BAD_MESSAGE' });
  });

  it('drops unknown fields instead of passing them on', () => {
    const r = ask({ __proto__: { polluted: true }, extra: 'x' });
    expect(r).toEqual({ ok: true, value: { type: 'getActivity', v: 1, requestId: 'a1' } });
  });
});

describe('activity answer', () => {
  const summary = { id: 'r1', endpoint: 'dev1' };
  const answer = (events: unknown, extra: Record<string, unknown> = {}) =>
    parseServerMessage(JSON.stringify({ type: 'activity', v: 1, requestId: 'a1', seq: 3, capacity: 1000, recorded: 2, events, ...extra }));

  it('accepts fleet events and notes', () => {
    expect(answer([{ kind: 'registered', at: 1, registration: summary }, { kind: 'note', at: 2, detail: 'kept' }])).toMatchObject({ ok: true });
  });

  it('refuses lines the feed cannot place: no time, unknown kind, no registration, a note without text', () => {
    for (const line of [{ kind: 'registered', registration: summary }, { kind: 'exploded', at: 1, registration: summary }, { kind: 'ended', at: 1 }, { kind: 'note', at: 1 }, null, 'x']) {
      expect(answer([line]), JSON.stringify(line)).toMatchObject({ ok: false, code: 'BAD_MESSAGE' });
    }
  });

  it('refuses an answer without seq, counts or a list', () => {
    expect(answer([], { seq: -1 })).toMatchObject({ ok: false });
    expect(answer({})).toMatchObject({ ok: false });
    expect(answer([], { recorded: 'many' })).toMatchObject({ ok: false });
    expect(answer([], { requestId: 5 })).toMatchObject({ ok: false });
  });
});
