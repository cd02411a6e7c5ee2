import { describe, expect, it } from 'vitest';
import type { LwM2MNode } from '@lwm2m-console/shared';
import { ContentFormat, decodePayload, encodeValue } from './index.js';
import { publishedModel as model } from './test-model.js';
import { readTlvs, writeTlv, TlvKind } from './tlv.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// LwM2M 1.0 TS §6.4.3.1, Read /3/0 of the Device object, single instance.
const deviceTlv = hex(`
  C8 00 14 4F 70 65 6E 20 4D 6F 62 69 6C 65 20 41 6C 6C 69 61 6E 63 65
  C8 01 16 4C 69 67 68 74 77 65 69 67 68 74 20 4D 32 4D 20 43 6C 69 65 6E 74
  C8 02 09 33 34 35 30 30 30 31 32 33
  C3 03 31 2E 30
  86 06 41 00 01 41 01 05
  88 07 08 42 00 0E D8 42 01 13 88
  87 08 41 00 7D 42 01 03 84
  C1 09 64
  C1 0A 0F
  83 0B 41 00 00
  C4 0D 51 82 42 8F
  C6 0E 2B 30 32 3A 30 30
  C1 10 55`);

const deviceNode: LwM2MNode = {
  kind: 'instance',
  id: 0,
  resources: [
    { kind: 'resource', id: 0, value: { type: 'string', value: 'Open Mobile Alliance' } },
    { kind: 'resource', id: 1, value: { type: 'string', value: 'Lightweight M2M Client' } },
    { kind: 'resource', id: 2, value: { type: 'string', value: '345000123' } },
    { kind: 'resource', id: 3, value: { type: 'string', value: '1.0' } },
    {
      kind: 'multipleResource',
      id: 6,
      instances: [
        { kind: 'resourceInstance', id: 0, value: { type: 'integer', value: 1 } },
        { kind: 'resourceInstance', id: 1, value: { type: 'integer', value: 5 } },
      ],
    },
    {
      kind: 'multipleResource',
      id: 7,
      instances: [
        { kind: 'resourceInstance', id: 0, value: { type: 'integer', value: 3800 } },
        { kind: 'resourceInstance', id: 1, value: { type: 'integer', value: 5000 } },
      ],
    },
    {
      kind: 'multipleResource',
      id: 8,
      instances: [
        { kind: 'resourceInstance', id: 0, value: { type: 'integer', value: 125 } },
        { kind: 'resourceInstance', id: 1, value: { type: 'integer', value: 900 } },
      ],
    },
    { kind: 'resource', id: 9, value: { type: 'integer', value: 100 } },
    { kind: 'resource', id: 10, value: { type: 'integer', value: 15 } },
    { kind: 'multipleResource', id: 11, instances: [{ kind: 'resourceInstance', id: 0, value: { type: 'integer', value: 0 } }] },
    { kind: 'resource', id: 13, value: { type: 'time', value: 1367491215 } },
    { kind: 'resource', id: 14, value: { type: 'string', value: '+02:00' } },
    { kind: 'resource', id: 16, value: { type: 'string', value: 'U' } },
  ],
};

// LwM2M 1.0 TS §6.4.3.2: two Access Control instances, one with a 16-bit resource instance id.
const aclTlv = hex(`
  08 00 0E C1 00 01 C1 01 00 83 02 41 7F 07 C1 03 7F
  08 02 12 C1 00 03 C1 01 00 87 02 41 7F 07 61 01 36 01 C1 03 7F`);

describe('TLV codec', () => {
  it('decodes the spec example Device object instance with the model types', () => {
    expect(decodePayload(ContentFormat.TLV, { objectId: 3, instanceId: 0 }, deviceTlv, model)).toEqual({ ok: true, node: deviceNode });
  });

  it('encodes the Device object instance to exactly the spec bytes', () => {
    const r = encodeValue(ContentFormat.TLV, { objectId: 3, instanceId: 0 }, deviceNode, model);
    expect(r.ok && r.payload.toString('hex')).toBe(deviceTlv.toString('hex'));
  });

  it('decodes object-instance TLVs with a 16-bit resource instance id and re-encodes them', () => {
    const r = decodePayload(ContentFormat.TLV, { objectId: 2 }, aclTlv, model);
    expect(r.ok).toBe(true);
    if (!r.ok || r.node.kind !== 'object') return;
    expect(r.node.instances.map((i) => i.id)).toEqual([0, 2]);
    expect(r.node.instances[1]?.resources[2]).toEqual({
      kind: 'multipleResource',
      id: 2,
      instances: [
        { kind: 'resourceInstance', id: 127, value: { type: 'integer', value: 7 } },
        { kind: 'resourceInstance', id: 310, value: { type: 'integer', value: 1 } },
      ],
    });
    const back = encodeValue(ContentFormat.TLV, { objectId: 2 }, r.node, model);
    expect(back.ok && back.payload.toString('hex')).toBe(aclTlv.toString('hex'));
  });

  it('accepts an instance Read answered inside an object-instance TLV', () => {
    const wrapped = writeTlv(TlvKind.ObjectInstance, 0, deviceTlv);
    expect(decodePayload(ContentFormat.TLV, { objectId: 3, instanceId: 0 }, wrapped, model)).toEqual({ ok: true, node: deviceNode });
  });

  it('encodes integers in 1, 2, 4 or 8 bytes and floats in 4 or 8', () => {
    const enc = (v: number | string, type: 'integer' | 'float' = 'integer') =>
      encodeValue(ContentFormat.TLV, { objectId: 3, instanceId: 0, resourceId: type === 'float' ? 99 : 9 }, { type, value: v } as never, model);
    const bytes = (v: number | string, type?: 'integer' | 'float') => {
      const r = enc(v, type);
      return r.ok ? r.payload.toString('hex') : r.error;
    };
    expect(bytes(127)).toBe('c1097f');
    expect(bytes(-128)).toBe('c10980');
    expect(bytes(128)).toBe('c2090080');
    expect(bytes(-32769)).toBe('c409ffff7fff');
    expect(bytes('9223372036854775807')).toBe('c8090' + '87fffffffffffffff');
    expect(bytes(1.5, 'float')).toBe('c4633fc00000');
    expect(bytes(0.1, 'float')).toBe('c863083fb999999999999a');
  });

  it('decodes a 64-bit integer beyond 2^53 exactly as text, and booleans, objlnks, unsigned values', () => {
    const big = decodePayload(ContentFormat.TLV, { objectId: 3, instanceId: 0, resourceId: 9 }, hex('C8 09 08 7F FF FF FF FF FF FF FF'), model);
    expect(big).toEqual({ ok: true, node: { kind: 'resource', id: 9, value: { type: 'integer', value: '9223372036854775807' } } });
    const bool = decodePayload(ContentFormat.TLV, { objectId: 1, instanceId: 0, resourceId: 6 }, hex('C1 06 01'), model);
    expect(bool).toEqual({ ok: true, node: { kind: 'resource', id: 6, value: { type: 'boolean', value: true } } });
    const ext = decodePayload(ContentFormat.TLV, { objectId: 3, instanceId: 0, resourceId: 22 }, hex('86 16 44 00 00 21 00 01'), model);
    expect(ext.ok && ext.node).toEqual({
      kind: 'multipleResource',
      id: 22,
      instances: [{ kind: 'resourceInstance', id: 0, value: { type: 'objlnk', value: { objectId: 0x21, instanceId: 1 } } }],
    });
  });

  it('decodes a resource the model does not know as opaque bytes', () => {
    const r = decodePayload(ContentFormat.TLV, { objectId: 3, instanceId: 0, resourceId: 99 }, hex('C2 63 AB CD'), model);
    expect(r).toEqual({ ok: true, node: { kind: 'resource', id: 99, value: { type: 'opaque', value: 'q80=' } } });
  });

  it('uses a 16-bit identifier and 16/24-bit lengths when needed', () => {
    const long = Buffer.alloc(70000, 0x61);
    const t = writeTlv(TlvKind.ResourceValue, 300, long);
    expect(t.subarray(0, 6).toString('hex')).toBe('f8012c011170');
    const back = readTlvs(t);
    expect(back.ok && back.tlvs[0]?.id).toBe(300);
    expect(back.ok && back.tlvs[0]?.value.length).toBe(70000);
  });

  it('returns an error for truncated, overlong and ill-typed TLVs', () => {
    const err = (path: { objectId: number; instanceId?: number; resourceId?: number }, bytes: string) => {
      const r = decodePayload(ContentFormat.TLV, path, hex(bytes), model);
      return r.ok ? 'ok' : r.error;
    };
    expect(err({ objectId: 3, instanceId: 0 }, 'C8')).toMatch(/header truncated/);
    expect(err({ objectId: 3, instanceId: 0 }, 'C8 00 14 4F 70')).toMatch(/length 20 exceeds the 2 bytes left/);
    expect(err({ objectId: 3, instanceId: 0, resourceId: 9 }, 'C3 09 00 00 01')).toMatch(/integer of 3 bytes/);
    expect(err({ objectId: 1, instanceId: 0, resourceId: 6 }, 'C1 06 02')).toMatch(/boolean must be one byte 0 or 1/);
    expect(err({ objectId: 6, instanceId: 0, resourceId: 0 }, 'C3 00 00 00 00')).toMatch(/float of 3 bytes/);
    expect(err({ objectId: 3, instanceId: 0, resourceId: 9 }, 'C1 0A 0F')).toMatch(/does not match \/3\/0\/9/);
    expect(err({ objectId: 3, instanceId: 0 }, '83 06 C1 00 01')).toMatch(/may only hold resource instances/);
    expect(err({ objectId: 3, instanceId: 0 }, 'C1 09 64 C1 09 64')).toMatch(/resource 9 appears twice/);
    expect(err({ objectId: 3 }, '41 00 01')).toMatch(/expected object instance TLVs/);
  });

  it('refuses to encode a value that does not fit the resource type', () => {
    const r = encodeValue(ContentFormat.TLV, { objectId: 3, instanceId: 0, resourceId: 9 }, { type: 'string', value: 'full' }, model);
    expect(r).toEqual({ ok: false, error: '/3/0/9: "full" is not a 64-bit integer' });
  });
});
