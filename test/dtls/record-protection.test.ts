import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { directionKeys, suiteById } from '../../bridge/src/dtls/cipher-suites.js';
import { additionalData, minFragmentLength, open, seal } from '../../bridge/src/dtls/record-protection.js';

const hex = (s: string) => Buffer.from(s, 'hex');
const range = (from: number, n: number) => Buffer.from(Array.from({ length: n }, (_, i) => (from + i) & 0xff));
const CCM8 = suiteById(0xc0a8)!;
const CBC = suiteById(0x00ae)!;

/**
 * AES-CCM written from RFC 3610 §2 on top of raw AES-ECB: CBC-MAC over B0 | encoded AAD | message,
 * then CTR encryption. Independent of the code under test, which uses OpenSSL's CCM mode.
 */
function referenceCcm(key: Buffer, nonce: Buffer, aad: Buffer, msg: Buffer, tagLen: number): Buffer {
  const L = 15 - nonce.length;
  const aes = (block: Buffer) => {
    const c = createCipheriv('aes-128-ecb', key, null).setAutoPadding(false);
    return Buffer.concat([c.update(block), c.final()]);
  };
  const b0 = Buffer.alloc(16);
  b0[0] = (aad.length > 0 ? 64 : 0) | (((tagLen - 2) / 2) << 3) | (L - 1);
  nonce.copy(b0, 1);
  b0.writeUIntBE(msg.length, 16 - L, L);
  const pad16 = (b: Buffer) => Buffer.concat([b, Buffer.alloc((16 - (b.length % 16)) % 16)]);
  const aadEncoded = aad.length > 0 ? pad16(Buffer.concat([Buffer.from([aad.length >> 8, aad.length & 0xff]), aad])) : Buffer.alloc(0);
  const macInput = Buffer.concat([b0, aadEncoded, pad16(msg)]);
  let x = Buffer.alloc(16);
  for (let i = 0; i < macInput.length; i += 16) {
    const blk = Buffer.from(macInput.subarray(i, i + 16));
    for (let j = 0; j < 16; j++) blk[j]! ^= x[j]!;
    x = aes(blk);
  }
  const ctr = (i: number) => {
    const a = Buffer.alloc(16);
    a[0] = L - 1;
    nonce.copy(a, 1);
    a.writeUIntBE(i, 16 - L, L);
    return aes(a);
  };
  const out = Buffer.alloc(msg.length + tagLen);
  for (let i = 0; i < msg.length; i++) out[i] = msg[i]! ^ ctr(1 + Math.floor(i / 16))[i % 16]!;
  const s0 = ctr(0);
  for (let j = 0; j < tagLen; j++) out[msg.length + j] = x[j]! ^ s0[j]!;
  return out;
}

describe('reference AES-CCM used by these tests', () => {
  it('reproduces RFC 3610 packet vector #1', () => {
    const out = referenceCcm(range(0xc0, 16), hex('00000003020100a0a1a2a3a4a5'), range(0, 8), range(8, 23), 8);
    expect(out.toString('hex')).toBe('588c979a61c663d2f066d0c2c0f989806d5f6b61dac38417e8d12cfdf926e0');
  });
});

describe('TLS_PSK_WITH_AES_128_CCM_8 record protection (RFC 6655 §3)', () => {
  const block = range(0x10, 40);
  const keys = directionKeys(CCM8, block, 'server');
  const header = { type: 23, version: 0xfefd, epoch: 1, seq: 0x0102030405, cid: undefined };

  it('seals as explicit nonce (epoch + seq) | CCM ciphertext | 8-byte tag, over the RFC 5246 additional data', () => {
    const plaintext = Buffer.from('hello, lwm2m');
    const fragment = seal(CCM8, keys, header, plaintext);
    const explicit = hex('0001000102030405');
    expect(fragment.subarray(0, 8)).toEqual(explicit);
    const aad = Buffer.concat([explicit, Buffer.from([23, 0xfe, 0xfd, 0, plaintext.length])]);
    const expected = referenceCcm(keys.key, Buffer.concat([keys.iv, explicit]), aad, plaintext, 8);
    expect(fragment.subarray(8)).toEqual(expected);
    expect(fragment.length).toBe(plaintext.length + 16);
  });

  it('opens what it sealed and rejects any flipped bit', () => {
    const fragment = seal(CCM8, keys, header, Buffer.from('data'));
    expect(open(CCM8, keys, header, fragment)).toEqual(Buffer.from('data'));
    for (let i = 0; i < fragment.length; i++) {
      const bad = Buffer.from(fragment);
      bad[i]! ^= 0x01;
      expect(open(CCM8, keys, header, bad)).toBeUndefined();
    }
    expect(open(CCM8, keys, { ...header, seq: header.seq + 1 }, fragment)).toBeUndefined();
  });

  it('rejects fragments shorter than nonce + tag before decrypting (OpenSSL issue 25389)', () => {
    expect(minFragmentLength(CCM8)).toBe(16);
    for (let n = 0; n < 16; n++) expect(open(CCM8, keys, header, Buffer.alloc(n))).toBeUndefined();
  });

  it('uses the RFC 9146 tls12_cid additional data when a CID is present', () => {
    const cid = hex('a1a2a3');
    const aad = additionalData({ ...header, type: 25, cid }, 5);
    expect(aad.toString('hex')).toBe('ffffffffffffffff' + '19' + '03' + '19' + 'fefd' + '0001' + '000102030405' + 'a1a2a3' + '0005');
    const h = { ...header, type: 25, cid };
    const fragment = seal(CCM8, keys, h, Buffer.from('inner'));
    expect(open(CCM8, keys, h, fragment)).toEqual(Buffer.from('inner'));
    expect(open(CCM8, keys, { ...h, cid: hex('a1a2a4') }, fragment)).toBeUndefined();
  });
});

describe('TLS_PSK_WITH_AES_128_CBC_SHA256 record protection (RFC 5246 §6.2.3.2)', () => {
  const block = range(0x20, 96);
  const keys = directionKeys(CBC, block, 'client');
  const header = { type: 23, version: 0xfefd, epoch: 1, seq: 7, cid: undefined };

  it('seals as IV | AES-CBC(content | HMAC-SHA256 | padding), MAC-then-encrypt', () => {
    const plaintext = Buffer.from('0123456789');
    const fragment = seal(CBC, keys, header, plaintext);
    expect((fragment.length - 16) % 16).toBe(0);
    const d = createDecipheriv('aes-128-cbc', keys.key, fragment.subarray(0, 16)).setAutoPadding(false);
    const inner = Buffer.concat([d.update(fragment.subarray(16)), d.final()]);
    const pad = inner[inner.length - 1]!;
    expect(inner.subarray(inner.length - pad - 1).every((b) => b === pad)).toBe(true);
    expect(inner.subarray(0, 10)).toEqual(plaintext);
    const mac = createHmac('sha256', keys.macKey)
      .update(Buffer.concat([hex('0001000000000007'), Buffer.from([23, 0xfe, 0xfd, 0, 10]), plaintext]))
      .digest();
    expect(inner.subarray(10, 42)).toEqual(mac);
  });

  it('opens a record built independently with node:crypto primitives', () => {
    const content = Buffer.from('independent');
    const mac = createHmac('sha256', keys.macKey).update(additionalData(header, content.length)).update(content).digest();
    const padLen = 16 - ((content.length + 32 + 1) % 16);
    const padded = Buffer.concat([content, mac, Buffer.alloc(padLen + 1, padLen)]);
    const iv = range(0x77, 16);
    const c = createCipheriv('aes-128-cbc', keys.key, iv).setAutoPadding(false);
    const fragment = Buffer.concat([iv, c.update(padded), c.final()]);
    expect(open(CBC, keys, header, fragment)).toEqual(content);
  });

  it('rejects bad padding, a bad MAC, bad lengths and short records the same way', () => {
    const fragment = seal(CBC, keys, header, Buffer.from('payload'));
    expect(open(CBC, keys, header, fragment)).toEqual(Buffer.from('payload'));
    for (let i = 0; i < fragment.length; i += 7) {
      const bad = Buffer.from(fragment);
      bad[i]! ^= 0x80;
      expect(open(CBC, keys, header, bad)).toBeUndefined();
    }
    expect(open(CBC, keys, header, fragment.subarray(0, fragment.length - 1))).toBeUndefined();
    expect(open(CBC, keys, header, Buffer.alloc(63))).toBeUndefined();
  });
});
