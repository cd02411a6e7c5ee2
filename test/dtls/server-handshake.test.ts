import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DtlsPskClient, type DtlsPskClientOptions } from '../../bridge/src/dtls/dtls-client.js';
import type { DtlsSession } from '../../bridge/src/dtls/dtls-server.js';
import { encodeRecord, parseRecords } from '../../bridge/src/dtls/record.js';
import { connected, memoryServer, settle, until } from './memory-harness.js';

const alertsOf = (c: DtlsPskClient) => c.events.flatMap((e) => (e.kind === 'alert' ? [[e.level, e.description]] : []));
const dataOf = (c: DtlsPskClient) => c.events.flatMap((e) => (e.kind === 'data' ? [e.data.toString()] : []));

/** The first ClientHello (no cookie) a client would send, as raw bytes. */
function firstClientHello(opts: Partial<DtlsPskClientOptions> = {}): Buffer {
  let out: Buffer = Buffer.alloc(0);
  new DtlsPskClient({ identity: 'dev1', key: Buffer.from('x'), retransmitMs: 0, send: (d) => (out = d), ...opts }).start();
  return out;
}

describe('DtlsServer handshake (in memory, fake clock)', () => {
  it('completes a PSK handshake with CCM_8 and carries application data both ways', async () => {
    const { server, client } = memoryServer();
    const sessions: DtlsSession[] = [];
    server.on('session', (s: DtlsSession) => sessions.push(s));
    server.on('data', (s: DtlsSession, d: Buffer) => server.send(s, Buffer.from(`echo:${d}`)));
    const { c } = client(40000);
    c.start();
    await connected(c);
    c.write(Buffer.from('ping'));
    await until(() => dataOf(c).length === 1);
    expect(dataOf(c)).toEqual(['echo:ping']);
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.security).toEqual({ mode: 'psk', identity: 'dev1', cipherSuite: 'TLS_PSK_WITH_AES_128_CCM_8', connectionId: false });
    expect(server.sessionFor('10.0.0.1', 40000)).toBe(sessions[0]);
    expect(c.usedExtendedMasterSecret).toBe(true);
    expect(server.stats()).toMatchObject({ sessions: 1, handshakes: 0, cookiesSent: 1, handshakesCompleted: 1 });
  });

  it('picks CCM_8 over CBC whatever the client order, and CBC when it is all the client has', async () => {
    const { server, client } = memoryServer();
    const a = client(40001, { cipherSuites: [0x00ae, 0xc0a8] }).c;
    const b = client(40002, { cipherSuites: [0x00ae] }).c;
    a.start();
    b.start();
    await connected(a);
    await connected(b);
    expect(a.suite?.name).toBe('TLS_PSK_WITH_AES_128_CCM_8');
    expect(b.suite?.name).toBe('TLS_PSK_WITH_AES_128_CBC_SHA256');
    const got: string[] = [];
    server.on('data', (_s: DtlsSession, d: Buffer) => got.push(d.toString()));
    b.write(Buffer.from('over cbc'));
    await until(() => got.length === 1);
    expect(got).toEqual(['over cbc']);
  });

  it('works without the extended master secret when the client lacks it, unless required', async () => {
    const { client } = memoryServer();
    const c = client(40003, { extendedMasterSecret: false }).c;
    c.start();
    await connected(c);
    expect(c.usedExtendedMasterSecret).toBe(false);

    const strict = memoryServer({ requireExtendedMasterSecret: true });
    const d = strict.client(40004, { extendedMasterSecret: false }).c;
    d.start();
    await until(() => alertsOf(d).length > 0);
    expect(alertsOf(d)).toEqual([[2, 40]]); // fatal handshake_failure
    expect(strict.server.stats().sessions).toBe(0);
  });

  it('answers a wrong PSK with a fatal bad_record_mac alert and creates no session', async () => {
    const { server, client } = memoryServer();
    const c = client(40010, { key: Buffer.from('wrongkey') }).c;
    c.start();
    await until(() => alertsOf(c).length > 0);
    expect(alertsOf(c)).toEqual([[2, 20]]);
    expect(c.connected).toBe(false);
    expect(server.stats()).toMatchObject({ sessions: 0, handshakes: 0, handshakesFailed: 1 });
  });

  it('answers an unknown identity with unknown_psk_identity (RFC 4279 §2)', async () => {
    const { server, client } = memoryServer();
    const c = client(40011, { identity: 'nobody' }).c;
    c.start();
    await until(() => alertsOf(c).length > 0);
    expect(alertsOf(c)).toEqual([[2, 115]]);
    expect(server.stats()).toMatchObject({ sessions: 0, handshakes: 0 });
  });

  it('answers a ClientHello with no common suite with handshake_failure', async () => {
    const { server, client } = memoryServer();
    const c = client(40012, { cipherSuites: [0x1301, 0xc02b] }).c;
    c.start();
    await until(() => alertsOf(c).length > 0);
    expect(alertsOf(c)).toEqual([[2, 40]]);
    expect(server.stats().handshakes).toBe(0);
  });

  it('keeps no per-peer state for a flood of ClientHellos without cookies', () => {
    const { server, sent } = memoryServer();
    const hello = firstClientHello();
    for (let i = 0; i < 5000; i++) server.handleDatagram(hello, { address: `10.1.${i >> 8}.${i & 0xff}`, port: 1024 + i });
    const forged = firstClientHello();
    // a ClientHello carrying a made-up cookie is answered with a new HelloVerifyRequest, nothing more
    for (let i = 0; i < 100; i++) server.handleDatagram(Buffer.concat([forged]), { address: '10.2.0.1', port: 2000 + i });
    expect(server.stats()).toMatchObject({ sessions: 0, handshakes: 0, cookiesSent: 5100, handshakesStarted: 0 });
    // every answer is one HelloVerifyRequest no larger than the ClientHello (no amplification)
    expect(sent.every((s) => s.datagram.length <= hello.length)).toBe(true);
  });

  it('resumes a cached session with an abbreviated handshake (RFC 5246 §7.3)', async () => {
    const { server, client } = memoryServer();
    const first = client(40020).c;
    first.start();
    await connected(first);
    const resume = { sessionId: first.sessionId, masterSecret: first.master!, suiteId: first.suite!.id, extendedMasterSecret: true };
    const again = client(40021, { resume }).c;
    again.start();
    await connected(again);
    expect(again.resumed).toBe(true);
    await until(() => server.stats().sessions === 2);
    expect(server.stats()).toMatchObject({ resumptions: 1, sessions: 2 });
    const got: string[] = [];
    server.on('data', (_s: DtlsSession, d: Buffer) => got.push(d.toString()));
    again.write(Buffer.from('resumed'));
    await until(() => got.length === 1);
    // RFC 7627 §5.3: an EMS session offered without EMS is refused, not silently resumed
    const downgrade = client(40022, { resume, extendedMasterSecret: false }).c;
    downgrade.start();
    await until(() => alertsOf(downgrade).length > 0);
    expect(alertsOf(downgrade)).toEqual([[2, 40]]);
  });

  it('refuses renegotiation with a no_renegotiation warning and keeps the session', async () => {
    const { server, client } = memoryServer();
    const { c } = client(40030);
    c.start();
    await connected(c);
    const hello = parseRecords(firstClientHello(), 0)[0]!.fragment;
    server.handleDatagram(c.record(22, 1, hello), { address: '10.0.0.1', port: 40030 });
    await until(() => alertsOf(c).length > 0);
    expect(alertsOf(c)).toEqual([[1, 100]]);
    expect(server.stats().sessions).toBe(1);
  });

  it('answers close_notify with close_notify and reports the session closed', async () => {
    const { server, client } = memoryServer();
    const closed: string[] = [];
    server.on('sessionClosed', (_s: DtlsSession, reason: string) => closed.push(reason));
    const { c } = client(40031);
    c.start();
    await connected(c);
    c.close();
    await until(() => closed.length === 1);
    expect(closed).toEqual(['close_notify']);
    expect(server.stats().sessions).toBe(0);

    const other = client(40032).c;
    other.start();
    await connected(other);
    server.closeSession(server.sessionFor('10.0.0.1', 40032)!, 'deregistered');
    await until(() => alertsOf(other).length > 0);
    expect(alertsOf(other)).toEqual([[1, 0]]);
  });

  it('starts over when a known address sends a fresh ClientHello with a valid cookie (RFC 6347 §4.2.8)', async () => {
    const { server, client } = memoryServer();
    const closed: string[] = [];
    server.on('sessionClosed', (_s: DtlsSession, reason: string) => closed.push(reason));
    const first = client(40033).c;
    first.start();
    await connected(first);
    // the device reboots and handshakes again from the same address and port
    const reborn = client(40033).c;
    reborn.start();
    await connected(reborn);
    expect(closed).toEqual(['replaced by new handshake']);
    expect(server.stats()).toMatchObject({ sessions: 1, handshakesCompleted: 2 });
  });
});

describe('DtlsServer record defences', () => {
  async function established(port: number) {
    const h = memoryServer();
    const got: string[] = [];
    h.server.on('data', (_s: DtlsSession, d: Buffer) => got.push(d.toString()));
    const peer = h.client(port);
    peer.c.start();
    await connected(peer.c);
    const send = (d: Buffer) => h.server.handleDatagram(d, { address: '10.0.0.1', port });
    return { ...h, got, c: peer.c, send };
  }

  it('drops a tampered record silently and keeps the session', async () => {
    const { server, got, c, send } = await established(40040);
    const rec = c.record(23, 1, Buffer.from('genuine'));
    const bad = Buffer.from(rec);
    bad[bad.length - 3]! ^= 0x40;
    send(bad);
    send(rec);
    await settle();
    expect(got).toEqual(['genuine']);
    expect(server.stats()).toMatchObject({ authFailures: 1, sessions: 1, alertsSent: 0 });
  });

  it('drops a replayed record (RFC 6347 §4.1.2.6)', async () => {
    const { server, got, c, send } = await established(40041);
    const rec = c.record(23, 1, Buffer.from('once'));
    send(rec);
    send(rec);
    send(Buffer.concat([rec, c.record(23, 1, Buffer.from('twice'))]));
    await settle();
    expect(got).toEqual(['once', 'twice']);
    expect(server.stats().replays).toBe(2);
  });

  it('drops records shorter than the cipher overhead before decrypting them', async () => {
    const { server, got, c, send } = await established(40042);
    for (let n = 0; n < 16; n++) send(encodeRecord(23, 1, 1000 + n, randomBytes(n)));
    c.write(Buffer.from('still here'));
    await until(() => got.length === 1);
    expect(server.stats()).toMatchObject({ shortRecords: 16, authFailures: 0, sessions: 1 });
  });

  it('ignores application data in epoch 0 and unauthenticated alerts after the handshake', async () => {
    const { server, send } = await established(40043);
    send(encodeRecord(23, 0, 77, Buffer.from('plaintext')));
    send(encodeRecord(21, 0, 78, Buffer.from([2, 40])));
    await settle();
    expect(server.stats().sessions).toBe(1);
  });
});
