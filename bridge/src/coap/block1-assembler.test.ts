import { describe, expect, it } from 'vitest';
import { Block1Assembler } from './block1-assembler.js';

const limits = { maxBodyBytes: 4096, maxTransfers: 2, idleMs: 1000 };
const block = (num: number, more: boolean, szx = 2) => ({ num, more, szx });
const bytes = (n: number, fill = 0x61) => Buffer.alloc(n, fill);

describe('Block1Assembler', () => {
  it('reassembles blocks sent in order', () => {
    const a = new Block1Assembler(limits);
    expect(a.accept('k', block(0, true), bytes(64, 0x61), 0)).toEqual({ kind: 'continue' });
    expect(a.accept('k', block(1, true), bytes(64, 0x62), 0)).toEqual({ kind: 'continue' });
    const last = a.accept('k', block(2, false), bytes(10, 0x63), 0);
    expect(last.kind).toBe('complete');
    if (last.kind === 'complete') expect(last.body.toString()).toBe('a'.repeat(64) + 'b'.repeat(64) + 'c'.repeat(10));
    expect(a.inProgress).toBe(0);
  });

  it('answers a gap with 4.08 and forgets the transfer', () => {
    const a = new Block1Assembler(limits);
    a.accept('k', block(0, true), bytes(64), 0);
    expect(a.accept('k', block(2, false), bytes(5), 0)).toMatchObject({ kind: 'refuse', code: '4.08' });
    expect(a.accept('k', block(1, false), bytes(5), 0)).toMatchObject({ kind: 'refuse', code: '4.08' });
  });

  it('restarts a transfer that begins again at block 0', () => {
    const a = new Block1Assembler(limits);
    a.accept('k', block(0, true), bytes(64, 0x78), 0);
    a.accept('k', block(0, true), bytes(64, 0x61), 0);
    const last = a.accept('k', block(1, false), bytes(1, 0x62), 0);
    expect(last.kind === 'complete' && last.body.toString()).toBe('a'.repeat(64) + 'b');
  });

  it('refuses bodies over the limit with 4.13 without allocating them', () => {
    const a = new Block1Assembler(limits);
    expect(a.accept('k', block(100_000, true), bytes(64), 0)).toMatchObject({ code: '4.13' });
  });

  it('refuses reserved SZX and blocks whose size does not match', () => {
    const a = new Block1Assembler(limits);
    expect(a.accept('k', block(0, true, 7), bytes(64), 0)).toMatchObject({ code: '4.00' });
    expect(a.accept('k', block(0, true), bytes(10), 0)).toMatchObject({ code: '4.00' });
  });

  it('bounds transfers in progress and frees idle ones', () => {
    const a = new Block1Assembler(limits);
    a.accept('a', block(0, true), bytes(64), 0);
    a.accept('b', block(0, true), bytes(64), 0);
    expect(a.accept('c', block(0, true), bytes(64), 10)).toMatchObject({ code: '5.03' });
    expect(a.accept('c', block(0, true), bytes(64), 5000)).toEqual({ kind: 'continue' });
  });
});
