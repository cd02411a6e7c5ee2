import { describe, expect, it } from 'vitest';
import { CookieJar } from '../../bridge/src/dtls/cookie.js';
import { encodeHandshake, fragmentHandshake, parseFragments, Reassembler } from '../../bridge/src/dtls/handshake-message.js';
import { parseClientHello } from '../../bridge/src/dtls/hello.js';
import { encodeRecord, parseInnerPlaintext, parseRecords } from '../../bridge/src/dtls/record.js';
import { ReplayWindow } from '../../bridge/src/dtls/replay-window.js';

describe('anti-replay window (RFC 6347 §4.1.2.6)', () => {
  it('accepts new sequence numbers, rejects repeats and anything left of a 64-record window', () => {
    const w = new ReplayWindow();
    expect(w.isReplay(0)).toBe(false);
    w.accept(0);
    expect(w.isReplay(0)).toBe(true);
    w.accept(5);
    expect(w.isReplay(3)).toBe(false); // reordered but inside the window
    w.accept(3);
    expect(w.isReplay(3)).toBe(true);
    w.accept(100);
    expect(w.isReplay(36)).toBe(true); // 100 - 64: outside the window
    expect(w.isReplay(37)).toBe(false);
    expect(w.isReplay(5)).toBe(true);
    w.accept(37);
    expect(w.isReplay(37)).toBe(true);
    w.accept(2 ** 48 - 1);
    expect(w.isReplay(2 ** 48 - 1)).toBe(true);
    expect(w.isReplay(2 ** 48 - 2)).toBe(false);
  });

  it('keeps bits across shifts of 1 to 63 positions', () => {
    for (let shift = 1; shift < 64; shift++) {
      const w = new ReplayWindow();
      w.accept(1000);
      w.accept(1000 + shift);
      expect(w.isReplay(1000)).toBe(true);
      expect(w.isReplay(1001)).toBe(shift === 1);
    }
  });
});

describe('record framing (RFC 6347 §4.1, RFC 9146 §4)', () => {
  it('splits a datagram into records and stops at a truncated one', () => {
    const a = encodeRecord(22, 0, 1, Buffer.from('abc'));
    const b = encodeRecord(23, 1, 2, Buffer.from('defg'));
    const recs = parseRecords(Buffer.concat([a, b, b.subarray(0, 9)]), 0);
    expect(recs.map((r) => [r.type, r.epoch, r.seq, r.fragment.toString()])).toEqual([
      [22, 0, 1, 'abc'],
      [23, 1, 2, 'defg'],
    ]);
  });

  it('reads tls12_cid records with the CID length this server issues', () => {
    const cid = Buffer.from('cid123');
    const recs = parseRecords(encodeRecord(25, 1, 9, Buffer.from('x'), cid), 6);
    expect(recs[0]!.cid).toEqual(cid);
    expect(parseRecords(encodeRecord(25, 1, 9, Buffer.from('x'), cid), 0)).toEqual([]);
  });

  it('refuses record versions other than DTLS 1.2 (and 1.0 in epoch 0)', () => {
    const r = encodeRecord(23, 1, 0, Buffer.from('x'));
    r.writeUInt16BE(0x0303, 1);
    expect(parseRecords(r, 0)).toEqual([]);
  });

  it('recovers the real content type from a DTLSInnerPlaintext with zero padding', () => {
    expect(parseInnerPlaintext(Buffer.from([1, 2, 23, 0, 0]))).toEqual({ type: 23, content: Buffer.from([1, 2]) });
    expect(parseInnerPlaintext(Buffer.alloc(4))).toBeUndefined();
  });
});

describe('handshake fragmentation and reassembly (RFC 6347 §4.2.3)', () => {
  const body = Buffer.from(Array.from({ length: 1000 }, (_, i) => i & 0xff));
  const raw = encodeHandshake(11, 3, body);

  it('reassembles fragments arriving out of order and overlapping', () => {
    const frags = fragmentHandshake(raw, 300).flatMap((f) => parseFragments(f, 16384)!);
    expect(frags).toHaveLength(4);
    const r = new Reassembler(16);
    expect(r.add(frags[2]!).kind).toBe('pending');
    expect(r.add(frags[0]!).kind).toBe('pending');
    expect(r.add(frags[0]!).kind).toBe('pending');
    expect(r.add(frags[3]!).kind).toBe('pending');
    const done = r.add(frags[1]!);
    expect(done.kind).toBe('complete');
    if (done.kind === 'complete') expect(done.message.raw).toEqual(raw);
  });

  it('rejects fragments beyond the message, messages over the size cap, and too many fragments', () => {
    const f = fragmentHandshake(raw, 300)[0]!;
    const outside = Buffer.from(f);
    outside.writeUIntBE(900, 6, 3); // offset 900 + 300 > 1000
    expect(parseFragments(outside, 16384)).toBeUndefined();
    expect(parseFragments(f, 999)).toBeUndefined();
    expect(parseFragments(f.subarray(0, 20), 16384)).toBeUndefined(); // truncated
    const r = new Reassembler(3);
    const one = parseFragments(fragmentHandshake(raw, 10)[0]!, 16384)![0]!;
    expect([r.add(one).kind, r.add(one).kind, r.add(one).kind, r.add(one).kind]).toEqual(['pending', 'pending', 'pending', 'invalid']);
  });

  it('rejects fragments that disagree on the message length', () => {
    const r = new Reassembler(16);
    const [a, b] = fragmentHandshake(raw, 600).map((x) => parseFragments(x, 16384)![0]!);
    r.add(a!);
    expect(r.add({ ...b!, length: 999 }).kind).toBe('invalid');
  });
});

describe('stateless cookies (RFC 6347 §4.2.1)', () => {
  const hello = Buffer.from('client parameters');
  it('accepts a cookie for the same address and parameters, from the current or the previous secret only', () => {
    let t = 0;
    const jar = new CookieJar(() => t, 1000);
    const c = jar.make('10.0.0.1', 5000, hello);
    expect(jar.verify('10.0.0.1', 5000, hello, c)).toBe(true);
    expect(jar.verify('10.0.0.1', 5001, hello, c)).toBe(false);
    expect(jar.verify('10.0.0.2', 5000, hello, c)).toBe(false);
    expect(jar.verify('10.0.0.1', 5000, Buffer.from('other'), c)).toBe(false);
    t = 1500; // one rotation: previous secret still accepted
    expect(jar.verify('10.0.0.1', 5000, hello, c)).toBe(true);
    t = 2600; // two rotations: gone
    expect(jar.verify('10.0.0.1', 5000, hello, c)).toBe(false);
  });
});

describe('ClientHello parsing (RFC 5246 §7.4.1.2)', () => {
  it('returns a decode error for every truncation instead of throwing', () => {
    const body = Buffer.concat([
      Buffer.from([0xfe, 0xfd]), Buffer.alloc(32, 1), Buffer.from([0]), Buffer.from([0]),
      Buffer.from([0, 2, 0xc0, 0xa8]), Buffer.from([1, 0]), Buffer.from([0, 4, 0, 23, 0, 0]),
    ]);
    const ok = parseClientHello(body);
    expect(ok.ok && ok.value.cipherSuites).toEqual([0xc0a8]);
    // Every prefix is malformed except the one that ends before the (optional) extensions block.
    for (let n = 0; n < body.length; n++) expect(parseClientHello(body.subarray(0, n)).ok).toBe(n === body.length - 6);
  });

  it('refuses duplicate extensions and clients without DTLS 1.2', () => {
    const base = [Buffer.from([0xfe, 0xfd]), Buffer.alloc(32, 1), Buffer.from([0, 0, 0, 2, 0xc0, 0xa8, 1, 0])];
    const dup = parseClientHello(Buffer.concat([...base, Buffer.from([0, 8, 0, 23, 0, 0, 0, 23, 0, 0])]));
    expect(dup.ok).toBe(false);
    const old = Buffer.concat([Buffer.from([0xfe, 0xff]), ...base.slice(1)]);
    const res = parseClientHello(old);
    expect(res.ok === false && res.alert).toBe(70);
  });
});
