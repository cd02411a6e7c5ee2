import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { DtlsSession } from '../../bridge/src/dtls/dtls-server.js';
import { encodeHandshake } from '../../bridge/src/dtls/handshake-message.js';
import { encodeRecord, parseRecords } from '../../bridge/src/dtls/record.js';
import { connected, memoryServer, settle, until } from './memory-harness.js';

describe('DtlsServer timers (fake clock)', () => {
  it('retransmits its flight with a doubling timer and gives up after maxRetransmits (RFC 6347 §4.2.4)', async () => {
    const { server, clock, sent, client, blackhole } = memoryServer({ maxRetransmits: 3 });
    const { c } = client(41000);
    c.start();
    await until(() => server.stats().handshakes === 1);
    blackhole.add(41000); // the client never hears our ServerHello flight
    const flightsAt: number[] = [];
    const count = () => sent.filter((s) => s.port === 41000).length;
    let last = count();
    for (let t = 0; t <= 20_000; t += 250) {
      clock.now += 250;
      server.tick();
      if (count() > last) flightsAt.push(t + 250);
      last = count();
    }
    expect(flightsAt).toEqual([1000, 3000, 7000]); // 1 s, then 2 s, then 4 s later
    expect(server.stats()).toMatchObject({ handshakes: 0, handshakeTimeouts: 1 });
  });

  it('resends its final flight when the client resends its Finished flight, for twice the TCP MSL (RFC 6347 §4.2.4), then stops', async () => {
    const { server, clock, sent, client } = memoryServer();
    const { c } = client(41001);
    c.start();
    await until(() => server.stats().sessions === 1);
    const from = { address: '10.0.0.1', port: 41001 };
    const toClient = () => sent.filter((s) => s.port === 41001);
    const before = toClient().length;
    // the client's retransmitted final flight: ClientKeyExchange (epoch 0), then Finished (epoch 1)
    server.handleDatagram(encodeRecord(22, 0, 90, encodeHandshake(16, 2, Buffer.from([0, 4, 100, 101, 118, 49]))), from);
    server.handleDatagram(c.record(22, 1, encodeHandshake(20, 3, Buffer.alloc(12))), from);
    const resent = toClient().slice(before);
    expect(resent).toHaveLength(2);
    for (const r of resent) expect(parseRecords(r.datagram, 0).map((x) => [x.type, x.epoch])).toEqual([[20, 0], [22, 1]]);
    // a device whose resends at 1, 3, 7, 15 and 31 s were all lost still gets an answer at 63 s
    clock.now += 63_000;
    server.tick();
    server.handleDatagram(c.record(22, 1, encodeHandshake(20, 3, Buffer.alloc(12))), from);
    expect(toClient().length).toBe(before + 3);
    clock.now += 240_000 - 63_000 + 1;
    server.tick();
    server.handleDatagram(c.record(22, 1, encodeHandshake(20, 3, Buffer.alloc(12))), from);
    expect(toClient().length).toBe(before + 3);
    expect(server.stats().sessions).toBe(1);
  });

  it('evicts sessions idle longer than idleTimeoutMs and reports why', async () => {
    const { server, clock, client } = memoryServer({ idleTimeoutMs: 60_000 });
    const closed: string[] = [];
    server.on('sessionClosed', (_s: DtlsSession, reason: string) => closed.push(reason));
    const a = client(41002).c;
    const b = client(41003).c;
    a.start();
    b.start();
    await until(() => server.stats().sessions === 2);
    clock.now += 40_000;
    b.write(Buffer.from('keepalive'));
    await settle();
    clock.now += 30_000;
    server.tick();
    expect(closed).toEqual(['idle']);
    expect(server.sessionFor('10.0.0.1', 41002)).toBeUndefined();
    expect(server.sessionFor('10.0.0.1', 41003)).toBeDefined();
    expect(server.stats().idleEvicted).toBe(1);
  });
});

describe('DtlsServer limits', () => {
  it('refuses handshakes past maxHandshakes half-open ones', async () => {
    const { server, client, blackhole } = memoryServer({ maxHandshakes: 2 });
    for (const port of [41010, 41011, 41012]) {
      const { c } = client(port);
      c.start();
      await until(() => server.stats().cookiesSent >= port - 41009);
      blackhole.add(port); // each stalls after sending its cookie-bearing ClientHello
    }
    await settle();
    expect(server.stats()).toMatchObject({ handshakes: 2, capacityRefused: 1 });
  });

  it('gives the slot of a handshake stalled for stalledHandshakeMs to a new device when the table is full', async () => {
    const { server, client, clock, blackhole } = memoryServer({ maxHandshakes: 2, stalledHandshakeMs: 5_000 });
    const ended: unknown[] = [];
    server.on('handshakeFailed', (f: unknown) => ended.push(f));
    for (const port of [41040, 41041]) {
      client(port).c.start();
      await until(() => server.stats().cookiesSent >= port - 41039);
      blackhole.add(port); // passes the cookie exchange, then silence
    }
    await until(() => server.stats().handshakes === 2);
    // still young: a newcomer is turned away
    const early = client(41042).c;
    early.start();
    await until(() => server.stats().capacityRefused === 1);
    clock.now += 5_000;
    const late = client(41043).c;
    late.start();
    await until(() => late.connected);
    expect(server.stats()).toMatchObject({ handshakesEvicted: 1, handshakes: 1, sessions: 1 });
    expect(ended).toContainEqual(expect.objectContaining({ port: 41040, endedBy: 'capacity' }));
  });

  it('refuses new sessions past maxSessions', async () => {
    const { server, client } = memoryServer({ maxSessions: 1 });
    const a = client(41020).c;
    a.start();
    await connected(a);
    const b = client(41021).c;
    b.start();
    await settle(100);
    expect(b.connected).toBe(false);
    expect(server.stats()).toMatchObject({ sessions: 1, capacityRefused: 1 });
  });

  it('survives random datagrams and mangled records without errors or state', () => {
    const { server } = memoryServer();
    for (let i = 0; i < 20_000; i++) {
      const n = i % 3 === 0 ? 13 + (i % 60) : 1 + (i % 300);
      const d = randomBytes(n);
      if (i % 2 === 0) {
        d[0] = [20, 21, 22, 23, 25][i % 5]!; // plausible content types
        d.writeUInt16BE(0xfefd, 1);
        if (n >= 13) d.writeUInt16BE(n - 13, 11);
      }
      server.handleDatagram(d, { address: '10.9.9.9', port: 1 + (i % 2000) });
    }
    expect(server.stats()).toMatchObject({ sessions: 0, handshakes: 0, internalErrors: 0 });
  });

  it('drops oversized and truncated handshake fragments in the handshake and fails it cleanly', async () => {
    const { server, client } = memoryServer({ maxHandshakeMessageLength: 4096 });
    const { c } = client(41030);
    c.start();
    await until(() => server.stats().handshakes === 1);
    const from = { address: '10.0.0.1', port: 41030 };
    // a ClientKeyExchange claiming 1 MiB, and one whose header is cut short
    const huge = encodeHandshake(16, 2, Buffer.alloc(10));
    huge.writeUIntBE(1 << 20, 1, 3);
    server.handleDatagram(encodeRecord(22, 0, 50, huge), from);
    expect(server.stats()).toMatchObject({ handshakes: 0, handshakesFailed: 1, internalErrors: 0 });
    // a fresh stateless path: truncated and fragmented ClientHellos are dropped without state
    const hello = encodeHandshake(1, 0, randomBytes(60));
    server.handleDatagram(encodeRecord(22, 0, 1, hello.subarray(0, 20)), { address: '10.0.0.2', port: 1 });
    const frag = Buffer.from(hello);
    frag.writeUIntBE(30, 9, 3); // claims a 30-byte fragment of a 60-byte message
    server.handleDatagram(encodeRecord(22, 0, 2, frag.subarray(0, 42)), { address: '10.0.0.2', port: 2 });
    expect(server.stats()).toMatchObject({ handshakes: 0, sessions: 0, cookiesSent: 1 });
  });
});

describe('Connection ID (RFC 9146)', () => {
  it('negotiates a CID and follows the client to a new address after an authentic record', async () => {
    const { server, client } = memoryServer();
    const moves: Array<[string, number, number]> = [];
    server.on('addressChanged', (s: DtlsSession, oldAddress: string, oldPort: number) => moves.push([oldAddress, oldPort, s.port]));
    server.on('data', (s: DtlsSession, d: Buffer) => server.send(s, Buffer.from(`echo:${d}`)));
    const peer = client(41040, { connectionId: Buffer.alloc(0) });
    peer.c.start();
    await connected(peer.c);
    expect(peer.c.serverCid?.length).toBe(6);
    const session = server.sessionFor('10.0.0.1', 41040)!;
    expect(session.security.connectionId).toBe(true);

    // a forged record with our CID from elsewhere does not move the session
    const forged = Buffer.from(peer.c.record(23, 1, Buffer.from('forged')));
    forged[forged.length - 1]! ^= 1;
    server.handleDatagram(forged, { address: '10.6.6.6', port: 666 });
    expect(session.port).toBe(41040);

    peer.rebind(41041); // NAT rebinding
    peer.c.write(Buffer.from('after move'));
    await until(() => peer.c.events.some((e) => e.kind === 'data'));
    expect(moves).toEqual([['10.0.0.1', 41040, 41041]]);
    expect(session.port).toBe(41041);
    expect(server.sessionFor('10.0.0.1', 41041)).toBe(session);
    expect(server.sessionFor('10.0.0.1', 41040)).toBeUndefined();
    expect(server.stats()).toMatchObject({ sessions: 1, addressChanges: 1, authFailures: 1 });
  });

  it('puts the client CID in the records it sends when the client asks for one', async () => {
    const { server, client, sent } = memoryServer();
    const cid = Buffer.from('c1c2c3c4c5c6', 'hex'); // same length as the server's, so the client can parse them
    const peer = client(41042, { connectionId: cid });
    peer.c.start();
    await connected(peer.c);
    const session = server.sessionFor('10.0.0.1', 41042)!;
    server.send(session, Buffer.from('to device'));
    const last = sent[sent.length - 1]!.datagram;
    const rec = parseRecords(last, 6)[0]!;
    expect(rec.type).toBe(25);
    expect(rec.cid).toEqual(cid);
    await until(() => peer.c.events.some((e) => e.kind === 'data'));
  });
});

describe('DtlsServer resilience', () => {
  it('keeps running when an event listener throws, counting the error', async () => {
    const { server, client, clock } = memoryServer({ idleTimeoutMs: 1000 });
    server.on('session', () => {
      throw new Error('listener bug');
    });
    server.on('sessionClosed', () => {
      throw new Error('listener bug');
    });
    const { c } = client(41050);
    c.start();
    await until(() => server.stats().internalErrors === 1);
    clock.now += 2000;
    expect(() => server.tick()).not.toThrow();
    expect(server.stats()).toMatchObject({ internalErrors: 2, sessions: 0 });
  });
});
