import { describe, expect, it } from 'vitest';
import { ContentFormat, decodePayload, encodeValue, formatForPath, preferredFormats } from './index.js';
import { publishedModel as model } from './test-model.js';

const text = (format: number, path: { objectId: number; instanceId: number; resourceId: number; resourceInstanceId?: number }, s: string | Buffer) => {
  const r = decodePayload(format, path, typeof s === 'string' ? Buffer.from(s) : s, model);
  return r.ok ? r.node : r.error;
};

describe('plain text and opaque codecs', () => {
  it('decodes each resource type from its text form (LwM2M 1.1 §7.4.1)', () => {
    expect(text(0, { objectId: 1, instanceId: 0, resourceId: 1 }, '300')).toEqual({ kind: 'resource', id: 1, value: { type: 'integer', value: 300 } });
    expect(text(0, { objectId: 1, instanceId: 0, resourceId: 6 }, '0')).toEqual({ kind: 'resource', id: 6, value: { type: 'boolean', value: false } });
    expect(text(0, { objectId: 6, instanceId: 0, resourceId: 0 }, '-43.5723')).toEqual({ kind: 'resource', id: 0, value: { type: 'float', value: -43.5723 } });
    expect(text(0, { objectId: 3, instanceId: 0, resourceId: 13 }, '1367491215')).toEqual({ kind: 'resource', id: 13, value: { type: 'time', value: 1367491215 } });
    expect(text(0, { objectId: 3, instanceId: 0, resourceId: 0 }, 'Open Mobile Alliance')).toEqual({ kind: 'resource', id: 0, value: { type: 'string', value: 'Open Mobile Alliance' } });
    expect(text(0, { objectId: 3, instanceId: 0, resourceId: 22, resourceInstanceId: 0 }, '33:1')).toEqual({
      kind: 'resourceInstance',
      id: 0,
      value: { type: 'objlnk', value: { objectId: 33, instanceId: 1 } },
    });
  });

  it('encodes booleans as 1/0 and integers in decimal', () => {
    const enc = (path: { objectId: number; instanceId: number; resourceId: number }, value: never) => {
      const r = encodeValue(ContentFormat.TEXT, path, value, model);
      return r.ok ? r.payload.toString() : r.error;
    };
    expect(enc({ objectId: 1, instanceId: 0, resourceId: 6 }, { type: 'boolean', value: true } as never)).toBe('1');
    expect(enc({ objectId: 1, instanceId: 0, resourceId: 1 }, { type: 'integer', value: 86400 } as never)).toBe('86400');
    // Text typed into the console is converted to the resource's type first.
    expect(enc({ objectId: 1, instanceId: 0, resourceId: 1 }, { type: 'string', value: '60' } as never)).toBe('60');
    expect(enc({ objectId: 1, instanceId: 0, resourceId: 1 }, { type: 'string', value: 'soon' } as never)).toBe('/1/0/1: "soon" is not a 64-bit integer');
  });

  it('returns errors for text that is not of the resource type, and for non-resource paths', () => {
    expect(text(0, { objectId: 1, instanceId: 0, resourceId: 1 }, '12abc')).toBe('/1/0/1: "12abc" is not a 64-bit integer');
    expect(text(0, { objectId: 1, instanceId: 0, resourceId: 1 }, '99999999999999999999')).toMatch(/not a 64-bit integer/);
    expect(text(0, { objectId: 1, instanceId: 0, resourceId: 6 }, 'yes')).toMatch(/not a boolean/);
    expect(text(0, { objectId: 6, instanceId: 0, resourceId: 0 }, '0x10')).toMatch(/not a float/);
    expect(text(0, { objectId: 3, instanceId: 0, resourceId: 6 }, '1')).toMatch(/multiple-instance resource/);
    const inst = decodePayload(ContentFormat.TEXT, { objectId: 3, instanceId: 0 }, Buffer.from('x'), model);
    expect(inst.ok).toBe(false);
  });

  it('carries opaque resources as raw bytes and refuses other types', () => {
    expect(text(42, { objectId: 5, instanceId: 0, resourceId: 0 }, Buffer.from([0, 255, 1]))).toEqual({
      kind: 'resource',
      id: 0,
      value: { type: 'opaque', value: 'AP8B' },
    });
    expect(text(42, { objectId: 3, instanceId: 0, resourceId: 0 }, Buffer.from([1]))).toBe('/3/0/0 is String, not Opaque');
    const e = encodeValue(ContentFormat.OPAQUE, { objectId: 5, instanceId: 0, resourceId: 0 }, { type: 'opaque', value: 'AP8B' }, model);
    expect(e.ok && [...e.payload]).toEqual([0, 255, 1]);
  });
});

describe('format selection', () => {
  it('prefers TLV and OMA JSON for LwM2M 1.0, SenML JSON then TLV for 1.1 and later', () => {
    expect(preferredFormats('1.0')).toEqual([11542, 11543, 0]);
    expect(preferredFormats('1.1')).toEqual([110, 11542, 0]);
    expect(preferredFormats('1.2')).toEqual([110, 11542, 0]);
  });

  it('uses plain text for a single resource and the preferred format for instances', () => {
    expect(formatForPath('1.0', { objectId: 1, instanceId: 0, resourceId: 1 }, model)).toBe(0);
    expect(formatForPath('1.0', { objectId: 5, instanceId: 0, resourceId: 0 }, model)).toBe(42);
    expect(formatForPath('1.0', { objectId: 3, instanceId: 0, resourceId: 6 }, model)).toBe(11542);
    expect(formatForPath('1.1', { objectId: 3, instanceId: 0 }, model)).toBe(110);
  });
});

describe('decodePayload on hostile input', () => {
  it('never throws on random bytes in any format and rejects unknown formats', () => {
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const paths = [{ objectId: 3 }, { objectId: 3, instanceId: 0 }, { objectId: 3, instanceId: 0, resourceId: 9 }, { objectId: 3, instanceId: 0, resourceId: 6, resourceInstanceId: 0 }];
    for (let n = 0; n < 3000; n++) {
      const len = Math.floor(rand() * 40);
      const bytes = Buffer.from(Array.from({ length: len }, () => Math.floor(rand() * 256)));
      for (const f of [0, 42, 110, 11542, 11543]) {
        const r = decodePayload(f, paths[n % paths.length] as { objectId: number }, bytes, model);
        expect(typeof r.ok).toBe('boolean');
      }
    }
    expect(decodePayload(9999, { objectId: 3 }, Buffer.alloc(0), model)).toEqual({ ok: false, error: 'unsupported content format 9999' });
  });
});
