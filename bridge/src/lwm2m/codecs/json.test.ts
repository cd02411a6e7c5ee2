import { describe, expect, it } from 'vitest';
import type { LwM2MNode } from '@lwm2m-console/shared';
import { ContentFormat, decodePayload, encodeValue } from './index.js';
import { publishedModel as model } from './test-model.js';

const json = (v: unknown) => Buffer.from(JSON.stringify(v));
const device = { objectId: 3, instanceId: 0 };

// LwM2M 1.1 TS §7.4.5 example: Read /3/0 in SenML JSON.
const senmlDevice = [
  { bn: '/3/0/', n: '0', vs: 'Open Mobile Alliance' },
  { n: '1', vs: 'Lightweight M2M Client' },
  { n: '2', vs: '345000123' },
  { n: '3', vs: '1.0' },
  { n: '6/0', v: 1 },
  { n: '6/1', v: 5 },
  { n: '7/0', v: 3800 },
  { n: '7/1', v: 5000 },
  { n: '8/0', v: 125 },
  { n: '8/1', v: 900 },
  { n: '9', v: 100 },
  { n: '10', v: 15 },
  { n: '11/0', v: 0 },
  { n: '13', v: 1367491215 },
  { n: '14', vs: '+02:00' },
  { n: '16', vs: 'U' },
];

// LwM2M 1.0 TS §6.4.4 example: the same Read in OMA JSON.
const omaDevice = {
  bn: '/3/0/',
  e: senmlDevice.map((r) => {
    const { bn: _bn, vs, ...rest } = r as { bn?: string; vs?: string; n: string; v?: number };
    return vs !== undefined ? { ...rest, sv: vs } : rest;
  }),
};

describe('SenML JSON codec', () => {
  it('decodes the spec Device example with base name resolution and model types', () => {
    const r = decodePayload(ContentFormat.SENML_JSON, device, json(senmlDevice), model);
    expect(r.ok).toBe(true);
    if (!r.ok || r.node.kind !== 'instance') return;
    const byId = new Map(r.node.resources.map((x) => [x.id, x]));
    expect(byId.get(0)).toEqual({ kind: 'resource', id: 0, value: { type: 'string', value: 'Open Mobile Alliance' } });
    expect(byId.get(7)).toEqual({
      kind: 'multipleResource',
      id: 7,
      instances: [
        { kind: 'resourceInstance', id: 0, value: { type: 'integer', value: 3800 } },
        { kind: 'resourceInstance', id: 1, value: { type: 'integer', value: 5000 } },
      ],
    });
    expect(byId.get(13)).toEqual({ kind: 'resource', id: 13, value: { type: 'time', value: 1367491215 } });
  });

  it('encodes an instance back to the spec records', () => {
    const r = decodePayload(ContentFormat.SENML_JSON, device, json(senmlDevice), model);
    if (!r.ok) throw new Error(r.error);
    const e = encodeValue(ContentFormat.SENML_JSON, device, r.node, model);
    expect(e.ok && JSON.parse(e.payload.toString())).toEqual(senmlDevice);
  });

  it('follows a base name that changes between records (RFC 8428 §4.5.1)', () => {
    const recs = [
      { bn: '/3/', n: '0/9', v: 80 },
      { bn: '/3/0/', n: '14', vs: '+01:00' },
      { n: '6/0', v: 1 },
    ];
    const r = decodePayload(ContentFormat.SENML_JSON, device, json(recs), model);
    expect(r.ok && r.node.kind === 'instance' && r.node.resources.map((x) => x.id)).toEqual([6, 9, 14]);
  });

  it('carries opaque as base64url vd, booleans as vb and object links as vlo', () => {
    const node: LwM2MNode = {
      kind: 'instance',
      id: 0,
      resources: [
        { kind: 'resource', id: 6, value: { type: 'boolean', value: false } },
        { kind: 'resource', id: 10, value: { type: 'objlnk', value: { objectId: 11, instanceId: 0 } } },
      ],
    };
    const e = encodeValue(ContentFormat.SENML_JSON, { objectId: 1, instanceId: 0 }, node, model);
    // Resource 10 (APN Link, Objlnk) is in the 1.1 Server object only; the 1.0 model does not
    // know it, so the value goes out with its own type.
    expect(e.ok && JSON.parse(e.payload.toString())).toEqual([
      { bn: '/1/0/', n: '6', vb: false },
      { n: '10', vlo: '11:0' },
    ]);
    const pkg = encodeValue(ContentFormat.SENML_JSON, { objectId: 5, instanceId: 0, resourceId: 0 }, { type: 'opaque', value: '+/+/AA==' }, model);
    expect(pkg.ok && JSON.parse(pkg.payload.toString())).toEqual([{ bn: '/5/0/', n: '0', vd: '-_-_AA' }]);
    const back = decodePayload(ContentFormat.SENML_JSON, { objectId: 5, instanceId: 0, resourceId: 0 }, pkg.ok ? pkg.payload : Buffer.alloc(0), model);
    expect(back).toEqual({ ok: true, node: { kind: 'resource', id: 0, value: { type: 'opaque', value: '+/+/AA==' } } });
    const lnk = decodePayload(ContentFormat.SENML_JSON, { objectId: 3, instanceId: 0, resourceId: 22 }, json([{ n: '/3/0/22/0', vlo: '33:1' }]), model);
    expect(lnk.ok && lnk.node).toEqual({
      kind: 'multipleResource',
      id: 22,
      instances: [{ kind: 'resourceInstance', id: 0, value: { type: 'objlnk', value: { objectId: 33, instanceId: 1 } } }],
    });
  });

  it('returns a clear error for malformed SenML', () => {
    const err = (payload: unknown, path: { objectId: number; instanceId?: number; resourceId?: number } = device) => {
      const r = decodePayload(ContentFormat.SENML_JSON, path, typeof payload === 'string' ? Buffer.from(payload) : json(payload), model);
      return r.ok ? 'ok' : r.error;
    };
    expect(err('[{"bn":')).toMatch(/^malformed JSON/);
    expect(err({ bn: '/3/0/' })).toMatch(/must be an array of records/);
    expect(err([{ bn: '/3/0/', n: '9' }])).toBe('record 0: no value (v, vs, vb, vd or vlo)');
    expect(err([{ bn: '/3/0/', n: '9', v: 1, vs: '1' }])).toMatch(/more than one value field/);
    expect(err([{ bn: '/3/0/', n: '9', v: 1, ver_: 2 }])).toMatch(/must-understand field "ver_"/);
    expect(err([{ bn: '/3/0/', n: '9', vb: true }])).toBe('record 0: /3/0/9: cannot use a boolean value as Integer');
    expect(err([{ bn: '/3/0/', n: '9', v: 1.5 }])).toMatch(/1.5 is not an integer|cannot use a float/);
    expect(err([{ bn: '/4/0/', n: '9', v: 1 }])).toMatch(/\/4\/0\/9 is outside the requested \/3\/0/);
    expect(err([{ bn: '/3/zero/', n: '9', v: 1 }])).toMatch(/is not an LwM2M path/);
    expect(err([{ bn: '/3/0/', n: '9', vd: '***' }])).toMatch(/vd must be base64url/);
    expect(err([{ bn: '/3/0/', n: '6', v: 1 }])).toMatch(/needs a resource instance id/);
    expect(err([42])).toBe('record 0 is not an object');
  });
});

describe('OMA JSON codec', () => {
  it('decodes the LwM2M 1.0 spec Device example the same as SenML', () => {
    const a = decodePayload(ContentFormat.OMA_JSON, device, json(omaDevice), model);
    const b = decodePayload(ContentFormat.SENML_JSON, device, json(senmlDevice), model);
    expect(a.ok).toBe(true);
    expect(a).toEqual(b);
  });

  it('encodes bn and e entries with sv, v, bv and ov', () => {
    const node: LwM2MNode = {
      kind: 'instance',
      id: 0,
      resources: [
        { kind: 'resource', id: 1, value: { type: 'integer', value: 300 } },
        { kind: 'resource', id: 6, value: { type: 'boolean', value: true } },
        { kind: 'resource', id: 7, value: { type: 'string', value: 'UQ' } },
      ],
    };
    const e = encodeValue(ContentFormat.OMA_JSON, { objectId: 1, instanceId: 0 }, node, model);
    expect(e.ok && JSON.parse(e.payload.toString())).toEqual({
      bn: '/1/0/',
      e: [
        { n: '1', v: 300 },
        { n: '6', bv: true },
        { n: '7', sv: 'UQ' },
      ],
    });
  });

  it('takes names relative to the request when bn is absent, and ignores bt/t', () => {
    const r = decodePayload(ContentFormat.OMA_JSON, { objectId: 3, instanceId: 0, resourceId: 9 }, json({ bt: 25462634, e: [{ n: '', v: 42, t: -5 }] }), model);
    expect(r).toEqual({ ok: true, node: { kind: 'resource', id: 9, value: { type: 'integer', value: 42 } } });
    // Older clients name the resource relative to its instance even on a resource Read.
    const rel = decodePayload(ContentFormat.OMA_JSON, { objectId: 3, instanceId: 0, resourceId: 9 }, json({ e: [{ n: '9', v: 95 }] }), model);
    expect(rel).toEqual({ ok: true, node: { kind: 'resource', id: 9, value: { type: 'integer', value: 95 } } });
    const multi = decodePayload(ContentFormat.OMA_JSON, { objectId: 3, instanceId: 0, resourceId: 6 }, json({ e: [{ n: '6/0', v: 1 }, { n: '6/1', v: 5 }] }), model);
    expect(multi.ok && multi.node.kind === 'multipleResource' && multi.node.instances.map((i) => i.value.value)).toEqual([1, 5]);
  });

  it('returns a clear error for malformed OMA JSON', () => {
    const err = (payload: unknown) => {
      const r = decodePayload(ContentFormat.OMA_JSON, device, typeof payload === 'string' ? Buffer.from(payload) : json(payload), model);
      return r.ok ? 'ok' : r.error;
    };
    expect(err('{')).toMatch(/^malformed JSON/);
    expect(err([])).toMatch(/must be an object/);
    expect(err({ bn: '/3/0/' })).toBe('OMA JSON needs an "e" array');
    expect(err({ bn: 3, e: [] })).toBe('bn must be a string');
    expect(err({ bn: '/3/0/', e: [{ n: '13', sv: 'yesterday' }] })).toMatch(/"yesterday" is not a 64-bit integer/);
    expect(err({ bn: '/3/0/', e: [{ n: '16', ov: 'a:b' }] })).toMatch(/not an object link/);
  });
});
