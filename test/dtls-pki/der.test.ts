import { describe, expect, it } from 'vitest';
import { TAG, decodeOid, decodeTime, integer, oid, readChildren, readDer, readTlv, sequence, time, tlv, utf8String } from '../../bridge/src/dtls/pki/der.js';

describe('DER reader and writer', () => {
  it('encodes the prime256v1 OID exactly as RFC 5480 lists it', () => {
    expect(oid('1.2.840.10045.3.1.7').toString('hex')).toBe('06082a8648ce3d030107');
    expect(decodeOid(Buffer.from('2a8648ce3d030107', 'hex'))).toEqual({ ok: true, value: '1.2.840.10045.3.1.7' });
  });

  it('encodes INTEGERs in minimal two\'s complement', () => {
    expect(integer(0n).toString('hex')).toBe('020100');
    expect(integer(127n).toString('hex')).toBe('02017f');
    expect(integer(128n).toString('hex')).toBe('02020080');
    expect(integer(Buffer.from('0000ff', 'hex')).toString('hex')).toBe('020200ff');
  });

  it('uses the long length form only past 127 octets', () => {
    expect(tlv(TAG.OCTET_STRING, Buffer.alloc(127)).subarray(0, 2).toString('hex')).toBe('047f');
    expect(tlv(TAG.OCTET_STRING, Buffer.alloc(128)).subarray(0, 3).toString('hex')).toBe('048180');
    expect(tlv(TAG.OCTET_STRING, Buffer.alloc(300)).subarray(0, 4).toString('hex')).toBe('0482012c');
  });

  it('reads back what it writes, children included', () => {
    const der = sequence(integer(5n), utf8String('dev1'), oid('2.5.4.3'));
    const root = readDer(der);
    expect(root.ok).toBe(true);
    if (!root.ok) return;
    const kids = readChildren(root.value);
    expect(kids.ok && kids.value.map((k) => k.tag)).toEqual([TAG.INTEGER, TAG.UTF8_STRING, TAG.OID]);
  });

  it('rejects non-minimal lengths, indefinite lengths and truncation', () => {
    expect(readTlv(Buffer.from('04810100', 'hex')).ok).toBe(false); // 1 encoded in long form
    expect(readTlv(Buffer.from('30800000', 'hex')).ok).toBe(false); // indefinite
    expect(readTlv(Buffer.from('0405aabb', 'hex')).ok).toBe(false); // runs past the end
    expect(readTlv(Buffer.from('04', 'hex')).ok).toBe(false);
    expect(readDer(Buffer.from('040100ff', 'hex')).ok).toBe(false); // trailing byte
    expect(readTlv(Buffer.from('1f0100', 'hex')).ok).toBe(false); // high tag number
  });

  it('rejects OIDs with padded or truncated arcs', () => {
    expect(decodeOid(Buffer.from('2a80', 'hex')).ok).toBe(false);
    expect(decodeOid(Buffer.from('2a8086', 'hex')).ok).toBe(false);
    expect(decodeOid(Buffer.alloc(0)).ok).toBe(false);
  });

  it('writes UTCTime before 2050 and GeneralizedTime from 2050 (RFC 5280 §4.1.2.5)', () => {
    const t1 = time(new Date(Date.UTC(2026, 10, 29, 4, 5, 6)));
    expect(t1[0]).toBe(TAG.UTC_TIME);
    expect(t1.subarray(2).toString()).toBe('261129040506Z');
    const t2 = time(new Date(Date.UTC(2050, 0, 1)));
    expect(t2[0]).toBe(TAG.GENERALIZED_TIME);
    expect(t2.subarray(2).toString()).toBe('20500101000000Z');
    for (const t of [t1, t2]) {
      const node = readDer(t);
      expect(node.ok && decodeTime(node.value)).toMatchObject({ ok: true });
    }
  });

  it('reads UTCTime years 50..99 as 19xx and refuses impossible dates', () => {
    const node = (s: string, tag: number = TAG.UTC_TIME) => ({ tag, contents: Buffer.from(s), der: Buffer.alloc(0) });
    expect(decodeTime(node('500101000000Z'))).toEqual({ ok: true, value: new Date(Date.UTC(1950, 0, 1)) });
    expect(decodeTime(node('491231235959Z'))).toEqual({ ok: true, value: new Date(Date.UTC(2049, 11, 31, 23, 59, 59)) });
    expect(decodeTime(node('260230000000Z')).ok).toBe(false);
    expect(decodeTime(node('2601010000Z')).ok).toBe(false);
    expect(decodeTime(node('20260101000000+0100', TAG.GENERALIZED_TIME)).ok).toBe(false);
  });
});
