/**
 * Audit: Lucky Thirteen (AlFardan & Paterson, 2013) against TLS_PSK_WITH_AES_128_CBC_SHA256.
 * The MAC of a CBC record covers content whose length depends on the padding length, so a record
 * with a long pad (or bad padding) can cost fewer SHA-256 compressions than one with a short pad:
 * a timing difference that works as a padding oracle over many records (RFC 5246 §6.2.3.2 note).
 * No timed assertion: every SHA-256 call that `open` makes is counted in compression blocks
 * (FIPS 180-4 §5.1.1 padding: m bytes take floor((m + 8) / 64) + 1 blocks).
 */
import { createCipheriv, createHmac } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';

const counted = vi.hoisted(() => ({ blocks: 0 }));
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  const hash = (algorithm: string, data: Buffer | string, encoding?: string) => {
    counted.blocks += Math.floor((Buffer.byteLength(data) + 8) / 64) + 1;
    return (real.hash as (a: string, d: Buffer | string, e?: string) => string | Buffer)(algorithm, data, encoding);
  };
  return { ...real, hash, default: { ...real, hash } };
});

const { directionKeys, suiteById } = await import('../../bridge/src/dtls/cipher-suites.js');
const { additionalData, open } = await import('../../bridge/src/dtls/record-protection.js');

const CBC = suiteById(0x00ae)!;
const keys = directionKeys(CBC, Buffer.from(Array.from({ length: 96 }, (_, i) => (0x20 + i) & 0xff)), 'client');
const header = { type: 23, version: 0xfefd, epoch: 1, seq: 7, cid: undefined };
/** Every record below decrypts to 320 bytes: content + 32-byte MAC + padding + padding_length. */
const PLAIN = 320;

/** A CBC record with `padLen` bytes of padding, built from node:crypto primitives; `spoil` damages it after the MAC. */
function record(padLen: number, spoil?: (padded: Buffer) => void): { fragment: Buffer; content: Buffer } {
  const content = Buffer.alloc(PLAIN - 32 - padLen - 1, 0x61);
  const mac = createHmac('sha256', keys.macKey).update(additionalData(header, content.length)).update(content).digest();
  const padded = Buffer.concat([content, mac, Buffer.alloc(padLen + 1, padLen)]);
  spoil?.(padded);
  const iv = Buffer.alloc(16, 0x77);
  const c = createCipheriv('aes-128-cbc', keys.key, iv).setAutoPadding(false);
  return { fragment: Buffer.concat([iv, c.update(padded), c.final()]), content };
}

function blocksToOpen(fragment: Buffer): { blocks: number; opened: Buffer | undefined } {
  counted.blocks = 0;
  const opened = open(CBC, keys, header, fragment);
  return { blocks: counted.blocks, opened };
}

describe('CBC-SHA256 record decryption against Lucky Thirteen (RFC 5246 §6.2.3.2)', () => {
  it('hashes the same number of SHA-256 blocks for every padding length, bad padding and a bad MAC', () => {
    const cases = {
      'padding 0': record(0),
      'padding 15': record(15),
      'padding 255': record(255),
      'bad padding': record(200, (p) => (p[p.length - 2] = 7)),
      'bad MAC': record(15, (p) => (p[PLAIN - 16 - 1 - 10]! ^= 1)),
    };
    const results = Object.fromEntries(Object.entries(cases).map(([name, r]) => [name, blocksToOpen(r.fragment)]));
    expect(results['padding 0']!.opened).toEqual(cases['padding 0'].content);
    expect(results['padding 255']!.opened).toEqual(cases['padding 255'].content);
    expect(results['bad padding']!.opened).toBeUndefined();
    expect(results['bad MAC']!.opened).toBeUndefined();
    const blocks = Object.fromEntries(Object.entries(results).map(([name, r]) => [name, r.blocks]));
    const first = blocks['padding 0']!;
    expect(blocks).toEqual(Object.fromEntries(Object.keys(cases).map((name) => [name, first])));
  });
});
