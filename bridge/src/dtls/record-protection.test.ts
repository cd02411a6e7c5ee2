import { describe, expect, it } from 'vitest';
import { directionKeys, suiteById } from './cipher-suites.js';
import { encodeRecord, innerPlaintext, parseRecords } from './record.js';
import { open, seal, sealRecord } from './record-protection.js';
import { ContentType, DTLS_1_2 } from './wire.js';

const CCM8 = suiteById(0xc0a8)!;
const CBC = suiteById(0x00ae)!;
const block = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => (0x30 + 7 * i) & 0xff));

describe('sealRecord (a whole protected record in one allocation)', () => {
  const plaintext = Buffer.from('</1/0>,</3/0> — a Register payload');

  it('produces exactly the record that seal + encodeRecord produce, for CCM_8', () => {
    const keys = directionKeys(CCM8, block(40), 'server');
    const header = { type: ContentType.applicationData, version: DTLS_1_2, epoch: 1, seq: 0x010203040506 };
    const expected = encodeRecord(header.type, 1, header.seq, seal(CCM8, keys, header, plaintext));
    expect(sealRecord(CCM8, keys, header.type, 1, header.seq, plaintext)).toEqual(expected);
  });

  it('produces the RFC 9146 tls12_cid record that seal + encodeRecord produce', () => {
    const keys = directionKeys(CCM8, block(40), 'client');
    const cid = Buffer.from([9, 8, 7, 6, 5, 4]);
    const inner = innerPlaintext(ContentType.applicationData, plaintext);
    const header = { type: ContentType.tls12Cid, version: DTLS_1_2, epoch: 1, seq: 77, cid };
    const expected = encodeRecord(ContentType.tls12Cid, 1, 77, seal(CCM8, keys, header, inner), cid);
    const record = sealRecord(CCM8, keys, ContentType.applicationData, 1, 77, inner, cid);
    expect(record).toEqual(expected);
    const [parsed] = parseRecords(record, cid.length);
    expect(open(CCM8, keys, parsed!, parsed!.fragment)).toEqual(inner);
  });

  it('produces a CBC-SHA256 record the receiving side opens', () => {
    const keys = directionKeys(CBC, block(96), 'server');
    const record = sealRecord(CBC, keys, ContentType.applicationData, 1, 5, plaintext);
    const [parsed] = parseRecords(record, 0);
    expect(parsed).toMatchObject({ type: ContentType.applicationData, epoch: 1, seq: 5 });
    expect(open(CBC, keys, parsed!, parsed!.fragment)).toEqual(plaintext);
  });

  it('does not let one record’s nonce leak into the next (scratch reuse)', () => {
    const keys = directionKeys(CCM8, block(40), 'server');
    const a = sealRecord(CCM8, keys, ContentType.applicationData, 1, 1, plaintext);
    const b = sealRecord(CCM8, keys, ContentType.applicationData, 1, 2, plaintext);
    const [ra] = parseRecords(a, 0);
    const [rb] = parseRecords(b, 0);
    expect(open(CCM8, keys, rb!, rb!.fragment)).toEqual(plaintext);
    expect(open(CCM8, keys, ra!, ra!.fragment)).toEqual(plaintext);
    expect(open(CCM8, keys, ra!, rb!.fragment)).toBeUndefined();
  });
});
