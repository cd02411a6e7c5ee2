import { describe, expect, it } from 'vitest';
import { formatDiscover, parseDiscover } from './discover.js';

describe('Discover link format', () => {
  it('parses object, instance and resource links with dim, ver and attributes', () => {
    // LwM2M 1.0 TS §5.4.2 example shape.
    const r = parseDiscover('</3>;ver=1.1,</3/0>;pmin=10,</3/0/1>,</3/0/7>;dim=2, </3/0/8>;dim=2;gt=50');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.links).toHaveLength(5);
    expect(r.links[0]).toMatchObject({ path: { objectId: 3 }, version: '1.1' });
    expect(r.links[1]).toMatchObject({ path: { objectId: 3, instanceId: 0 }, attributes: { pmin: '10' } });
    expect(r.links[3]).toMatchObject({ path: { objectId: 3, instanceId: 0, resourceId: 7 }, dim: 2 });
    expect(r.links[4]?.attributes).toEqual({ dim: '2', gt: '50' });
  });

  it('round-trips what the simulator formats', () => {
    const text = formatDiscover([
      { path: { objectId: 1, instanceId: 0 }, attributes: {} },
      { path: { objectId: 1, instanceId: 0, resourceId: 4 }, attributes: {} },
      { path: { objectId: 3, instanceId: 0, resourceId: 6 }, attributes: {}, dim: 2 },
      { path: { objectId: 3 }, attributes: { title: 'a, b' }, version: '1.0' },
    ]);
    expect(text).toBe('</1/0>,</1/0/4>,</3/0/6>;dim=2,</3>;title="a, b";ver=1.0');
    const back = parseDiscover(text);
    expect(back.ok && back.links[3]?.attributes.title).toBe('a, b');
  });

  it('returns errors for malformed links instead of guessing', () => {
    expect(parseDiscover('</3/0').ok).toBe(false);
    expect(parseDiscover('</3/x>')).toMatchObject({ ok: false, error: expect.stringMatching(/not an id/) });
    expect(parseDiscover('</3/0/7>;dim=two')).toMatchObject({ ok: false, error: expect.stringMatching(/not a count/) });
    expect(parseDiscover('</3>;title="open')).toMatchObject({ ok: false });
    expect(parseDiscover('</3> </4>')).toMatchObject({ ok: false, error: expect.stringMatching(/expected ','/) });
    expect(parseDiscover('')).toEqual({ ok: true, links: [] });
  });
});
