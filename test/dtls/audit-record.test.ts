/**
 * Audit: handshake reassembly with conflicting overlaps (RFC 6347 §4.2.3) and the Connection ID
 * as the key of exactly one association (RFC 9146 §6). In memory, fake clock.
 */
import { describe, expect, it } from 'vitest';
import { encodeHandshake, fragmentHandshake, parseFragments, Reassembler } from '../../bridge/src/dtls/handshake-message.js';
import { encodeRecord, parseRecords } from '../../bridge/src/dtls/record.js';
import { Reader, vec } from '../../bridge/src/dtls/wire.js';
import { connected, memoryServer, settle, until } from './memory-harness.js';

describe('handshake reassembly: overlapping fragments (RFC 6347 §4.2.3)', () => {
  const body = Buffer.from(Array.from({ length: 1000 }, (_, i) => i & 0xff));
  const raw = encodeHandshake(11, 3, body);
  const [head, tail] = fragmentHandshake(raw, 600).map((x) => parseFragments(x, 16384)![0]!);
  const middle = (patch?: (b: Buffer) => void) => {
    const b = Buffer.from(body.subarray(500, 700));
    patch?.(b);
    return { ...head!, offset: 500, body: b };
  };

  it('accepts an overlap that repeats the bytes already received', () => {
    const r = new Reassembler(16);
    expect(r.add(head!).kind).toBe('pending');
    expect(r.add(middle()).kind).toBe('pending');
    const done = r.add(tail!);
    expect(done.kind === 'complete' && done.message.raw.equals(raw)).toBe(true);
  });

  it('refuses an overlap that rewrites bytes already received, instead of keeping the last copy', () => {
    const r = new Reassembler(16);
    r.add(head!);
    expect(r.add(middle((b) => (b[50]! ^= 0xff))).kind).toBe('invalid'); // byte 550, inside the first fragment
    const s = new Reassembler(16);
    s.add(tail!);
    expect(s.add(middle((b) => (b[150]! ^= 0xff))).kind).toBe('invalid'); // byte 650, inside the second
  });
});

/** The CID the server put in its ServerHello (RFC 9146 §3, extension 54), from the datagrams it sent. */
function serverCid(sent: ReadonlyArray<{ datagram: Buffer }>): Buffer {
  for (const { datagram } of sent) {
    for (const rec of parseRecords(datagram, 0)) {
      if (rec.type !== 22 || rec.epoch !== 0) continue;
      for (const f of parseFragments(rec.fragment, 16384) ?? []) {
        if (f.type !== 2) continue;
        const r = new Reader(f.body);
        r.bytes(34);
        r.vector(1, 32);
        r.bytes(3);
        const er = new Reader(r.vector(2, 0xffff)!);
        while (er.remaining > 0) {
          const type = er.u16();
          const data = er.vector(2, 0xffff)!;
          if (type === 54) return new Reader(data).vector(1, 255)!;
        }
      }
    }
  }
  throw new Error('no ServerHello with a connection_id');
}

describe('Connection ID: one CID, one association (RFC 9146 §6)', () => {
  it("does not let records that follow another session's CID into its handshake from another address", async () => {
    const h = memoryServer();
    const peer = h.client(41100, { connectionId: Buffer.alloc(0) });
    peer.c.start();
    await until(() => h.sent.length === 1); // our HelloVerifyRequest, delivered
    h.blackhole.add(41100); // our ServerHello flight is lost: the handshake waits, the CID is issued
    await until(() => h.server.stats().handshakes === 1 && h.sent.length === 2);
    const cid = serverCid(h.sent);
    // From elsewhere: a junk record with that CID, then an epoch-0 ClientKeyExchange naming an unknown identity.
    const junk = encodeRecord(25, 1, 9, Buffer.alloc(24, 0x55), cid);
    const cke = encodeRecord(22, 0, 9, encodeHandshake(16, 2, vec(2, Buffer.from('nobody'))));
    h.server.handleDatagram(Buffer.concat([junk, cke]), { address: '10.6.6.6', port: 666 });
    await settle();
    expect(h.server.stats()).toMatchObject({ handshakes: 1, handshakesFailed: 0, alertsSent: 0 });
    // The device's own handshake still completes once our flight is resent.
    h.blackhole.delete(41100);
    h.clock.now += 1000;
    h.server.tick();
    await connected(peer.c);
    expect(h.server.sessionFor('10.0.0.1', 41100)?.security).toMatchObject({ identity: 'dev1', connectionId: true });
  });

  it("does not decrypt one session's record with another's keys when a datagram carries both CIDs", async () => {
    const h = memoryServer();
    const got: string[] = [];
    h.server.on('data', (_s: unknown, d: Buffer) => got.push(d.toString()));
    const a = h.client(41101, { connectionId: Buffer.alloc(0) }).c;
    const b = h.client(41102, { connectionId: Buffer.alloc(0) }).c;
    a.start();
    b.start();
    await connected(a);
    await connected(b);
    for (let i = 0; i < 3; i++) b.record(23, 1, Buffer.alloc(0)); // b's next record is newer than a's: no replay check saves it
    h.server.handleDatagram(Buffer.concat([a.record(23, 1, Buffer.from('from a')), b.record(23, 1, Buffer.from('from b'))]), { address: '10.0.0.1', port: 41101 });
    await settle();
    expect(got).toEqual(['from a']);
    expect(h.server.stats()).toMatchObject({ authFailures: 0, replays: 0, noAssociation: 1, sessions: 2 });
  });
});

describe('epochs and sequence numbers (RFC 6347 §4.1)', () => {
  it('drops records of an epoch the session never entered, and still takes the next genuine one', async () => {
    const h = memoryServer();
    const got: string[] = [];
    h.server.on('data', (_s: unknown, d: Buffer) => got.push(d.toString()));
    const peer = h.client(41110).c;
    peer.start();
    await connected(peer);
    const genuine = peer.record(23, 1, Buffer.from('genuine'));
    const future = Buffer.from(genuine);
    future.writeUInt16BE(2, 3); // the same record claiming epoch 2
    h.server.handleDatagram(future, { address: '10.0.0.1', port: 41110 });
    h.server.handleDatagram(genuine, { address: '10.0.0.1', port: 41110 });
    await settle();
    expect(got).toEqual(['genuine']);
    expect(h.server.stats()).toMatchObject({ wrongEpoch: 1, authFailures: 0, sessions: 1 });
  });

  it('stops sending on a session whose 48-bit sequence numbers are used up, instead of wrapping', async () => {
    const h = memoryServer();
    const peer = h.client(41111).c;
    peer.start();
    await connected(peer);
    const session = h.server.sessionFor('10.0.0.1', 41111)!;
    // Reaching 2^48 records takes years; jump there. (A private field: there is no other way in.)
    (session as unknown as { seq1: number }).seq1 = 2 ** 48 - 1;
    expect(h.server.send(session, Buffer.from('last'))).toBe(true);
    expect(parseRecords(h.sent.at(-1)!.datagram, 0)[0]!.seq).toBe(2 ** 48 - 1);
    const sent = h.sent.length;
    expect(h.server.send(session, Buffer.from('one too many'))).toBe(false);
    expect(h.sent.length).toBe(sent);
  });
});
