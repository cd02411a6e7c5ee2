/**
 * The DtlsServer on a lossy link, with the fake clock and no sockets: what reaches it late, twice
 * or out of order.
 *
 * Application data ahead of the Finished flight: after an abbreviated handshake (RFC 5246 §7.3)
 * the client sends its CCS + Finished and then its data at once; on a lossy link the data can
 * arrive and the final flight not. RFC 6347 §4.1 lets the server buffer such records and process
 * them once the handshake completes: we hold a few, bounded.
 *
 * A late copy of the ClientHello that started the session must not replace it (RFC 6347 §4.2.8).
 */
import { describe, expect, it } from 'vitest';
import type { DtlsSession } from '../../bridge/src/dtls/dtls-server.js';
import { connected, memoryServer, until } from './memory-harness.js';

const isFinalFlight = (d: Buffer) => d[0] === 20; // starts with ChangeCipherSpec

/** A resumed client whose CCS + Finished flight is held back by the "link" until `release()`. */
async function resumedClientWithLateFinished(t: ReturnType<typeof memoryServer>, port: number) {
  const first = t.client(port).c;
  first.start();
  await connected(first);
  const resume = { sessionId: first.sessionId, masterSecret: first.master!, suiteId: first.suite!.id, extendedMasterSecret: true };
  const from = { address: '10.0.0.1', port: port + 1 };
  let held: Buffer | undefined;
  const { c } = t.client(from.port, {
    resume,
    send: (d) => {
      if (!held && isFinalFlight(d)) held = d;
      else setImmediate(() => t.server.handleDatagram(d, from));
    },
  });
  c.start();
  await connected(c);
  expect(held).toBeDefined();
  return { c, release: () => t.server.handleDatagram(held!, from) };
}

function record(t: ReturnType<typeof memoryServer>) {
  const events: string[] = [];
  t.server.on('session', () => events.push('session'));
  t.server.on('data', (_s: DtlsSession, d: Buffer) => events.push(`data:${d}`));
  return events;
}

describe('DtlsServer: data ahead of the Finished flight (RFC 6347 §4.1)', () => {
  it('delivers data sent right after a resumed handshake once the late CCS + Finished completes it', async () => {
    const t = memoryServer();
    const events = record(t);
    const { c, release } = await resumedClientWithLateFinished(t, 42000);
    c.write(Buffer.from('register'));
    await until(() => t.server.stats().datagrams >= 6);
    expect(events).toEqual(['session']); // only the first session so far: the data waits
    release();
    expect(events).toEqual(['session', 'session', 'data:register']);
    expect(t.server.stats()).toMatchObject({ resumptions: 1, wrongEpoch: 0, authFailures: 0 });
  });

  it('holds at most 4 such records and authenticates them only when the handshake completes', async () => {
    const t = memoryServer();
    const events = record(t);
    const { c, release } = await resumedClientWithLateFinished(t, 42010);
    const forged = c.record(23, 1, Buffer.from('forged'));
    forged[forged.length - 1]! ^= 1;
    t.server.handleDatagram(forged, { address: '10.0.0.1', port: 42011 });
    for (const n of [1, 2, 3, 4, 5]) c.write(Buffer.from(`m${n}`));
    await until(() => t.server.stats().datagrams >= 10);
    release();
    // the forged record took a slot and failed authentication; m4 and m5 did not fit and were dropped
    expect(events).toEqual(['session', 'session', 'data:m1', 'data:m2', 'data:m3']);
    expect(t.server.stats()).toMatchObject({ authFailures: 1, wrongEpoch: 2 });
  });

  it('drops held records with a handshake that never completes', async () => {
    const t = memoryServer({ maxRetransmits: 1 });
    const events = record(t);
    const { c } = await resumedClientWithLateFinished(t, 42020);
    c.write(Buffer.from('lost'));
    await until(() => t.server.stats().datagrams >= 6);
    for (let i = 0; i < 10; i++) {
      t.clock.now += 1_000;
      t.server.tick();
    }
    expect(t.server.stats()).toMatchObject({ handshakes: 0, handshakeTimeouts: 1 });
    expect(events).toEqual(['session']);
  });
});

/** An established session whose client's ClientHello datagrams (without, then with the cookie) are kept. */
async function sessionKeepingHellos(t: ReturnType<typeof memoryServer>, port: number) {
  const from = { address: '10.0.0.1', port };
  const hellos: Buffer[] = [];
  const { c } = t.client(port, {
    send: (d) => {
      if (d[0] === 22 && d[13] === 1) hellos.push(d); // epoch-0 handshake record carrying a ClientHello
      setImmediate(() => t.server.handleDatagram(d, from));
    },
  });
  c.start();
  await connected(c);
  await until(() => t.server.stats().sessions === 1);
  return { c, from, hellos };
}

describe('DtlsServer: a late copy of the ClientHello that made the session (RFC 6347 §4.2.8)', () => {
  it('keeps the session and answers nothing when the cookie-bearing ClientHello arrives again after the handshake', async () => {
    const t = memoryServer();
    const closed: string[] = [];
    t.server.on('sessionClosed', (_s: DtlsSession, reason: string) => closed.push(reason));
    const { c, from, hellos } = await sessionKeepingHellos(t, 42100);
    expect(hellos).toHaveLength(2); // without and with the cookie
    const sentBefore = t.sent.length;
    for (const hello of hellos) t.server.handleDatagram(hello, from);
    expect(t.sent.length).toBe(sentBefore); // stale: neither a HelloVerifyRequest nor a resent flight
    expect(closed).toEqual([]);
    expect(t.server.sessionFor(from.address, from.port)).toBeDefined();
    expect(t.server.stats()).toMatchObject({ sessions: 1, handshakes: 0, handshakesStarted: 1 });
    c.write(Buffer.from('still here'));
    const data: string[] = [];
    t.server.on('data', (_s: DtlsSession, d: Buffer) => data.push(String(d)));
    await until(() => data.length === 1);
    expect(data).toEqual(['still here']);
  });

  it('forgets the random after flightRetentionMs (twice the MSL): a ClientHello repeating it later is a new one (RFC 6347 §4.2.4)', async () => {
    // No late copy outlives the network's 2 × MSL; a device repeating its whole random after a
    // reboot must not be shut out until its old session idles out.
    const t = memoryServer();
    const { from, hellos } = await sessionKeepingHellos(t, 42130);
    t.clock.now += 239_000;
    t.server.handleDatagram(hellos[0]!, from);
    expect(t.server.stats()).toMatchObject({ cookiesSent: 1 }); // still a late copy: nothing sent
    t.clock.now += 2_000;
    t.server.handleDatagram(hellos[0]!, from);
    expect(t.server.stats()).toMatchObject({ cookiesSent: 2, sessions: 1 }); // a new ClientHello: its cookie exchange starts
  });

  it('takes a ClientHello whose random differs only in gmt_unix_time for a new handshake (RFC 5246 §7.4.1.2: the whole Random)', async () => {
    // A device without a good entropy source after a reboot can repeat its random_bytes while its
    // clock moved on: that is a new ClientHello, not a late copy, and must not be shut out.
    const t = memoryServer();
    const { from, hellos } = await sessionKeepingHellos(t, 42120);
    const rebooted = Buffer.from(hellos[1]!); // record header 13 + handshake header 12 + client_version 2: the Random
    rebooted.writeUInt32BE((rebooted.readUInt32BE(27) + 3600) >>> 0, 27);
    t.server.handleDatagram(rebooted, from);
    // A new ClientHello: its cookie no longer matches (the cookie covers the random), so a new one comes.
    expect(t.server.stats()).toMatchObject({ badCookies: 1, cookiesSent: 2, sessions: 1 });
  });

  it('still lets a new ClientHello (new random) from the same address replace the session after its cookie', async () => {
    const t = memoryServer();
    const closed: string[] = [];
    t.server.on('sessionClosed', (_s: DtlsSession, reason: string) => closed.push(reason));
    const first = t.client(42110).c;
    first.start();
    await connected(first);
    const again = t.client(42110).c; // the device restarted behind the same address and port
    again.start();
    await connected(again);
    expect(closed).toEqual(['replaced by new handshake']);
    expect(t.server.stats()).toMatchObject({ sessions: 1, handshakesStarted: 2, handshakesCompleted: 2 });
  });
});
