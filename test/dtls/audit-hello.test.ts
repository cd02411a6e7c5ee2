/**
 * Audit: ClientHello rules checked after the cookie exchange (RFC 5246 §E.1, §7.4.1.2, §7.4.1.4)
 * and the RFC 7627 §5.3 rules for resuming with and without the extended master secret, in memory
 * with a fake clock and against OpenSSL 3.0 s_client.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DtlsPskClient } from '../../bridge/src/dtls/dtls-client.js';
import type { HandshakeFailure } from '../../bridge/src/dtls/dtls-server.js';
import { encodeHandshake, parseFragments } from '../../bridge/src/dtls/handshake-message.js';
import { encodeRecord, parseRecords } from '../../bridge/src/dtls/record.js';
import { connected, memoryServer, until } from './memory-harness.js';
import { PSK_HEX, runPeer, startServer, type TestServer } from './peers.js';

const alertsOf = (c: DtlsPskClient) => c.events.flatMap((e) => (e.kind === 'alert' ? [[e.level, e.description]] : []));

/** A ClientHello record: version, cookie, suites, compression methods and raw extensions as given. */
function clientHello(o: { version?: number; cookie?: Buffer; compression?: number[]; extensions?: Array<[number, Buffer]>; seq?: number }): Buffer {
  const exts = Buffer.concat((o.extensions ?? []).map(([t, d]) => Buffer.concat([Buffer.from([t >> 8, t & 0xff, d.length >> 8, d.length & 0xff]), d])));
  const cookie = o.cookie ?? Buffer.alloc(0);
  const compression = o.compression ?? [0];
  const body = Buffer.concat([
    Buffer.from([(o.version ?? 0xfefd) >> 8, (o.version ?? 0xfefd) & 0xff]),
    Buffer.alloc(32, 0x42), // random
    Buffer.from([0]), // session_id
    Buffer.from([cookie.length]), cookie,
    Buffer.from([0, 2, 0xc0, 0xa8]), // TLS_PSK_WITH_AES_128_CCM_8
    Buffer.from([compression.length, ...compression]),
    ...(exts.length > 0 ? [Buffer.from([exts.length >> 8, exts.length & 0xff]), exts] : []),
  ]);
  return encodeRecord(22, 0, o.seq ?? 0, encodeHandshake(1, o.seq ?? 0, body));
}

/** Sends a ClientHello, reads the cookie from our HelloVerifyRequest, sends it again with the cookie; returns what came back. */
function withCookie(h: ReturnType<typeof memoryServer>, hello: Parameters<typeof clientHello>[0]) {
  const from = { address: '10.0.0.9', port: 40900 };
  h.server.handleDatagram(clientHello(hello), from);
  const hvr = parseRecords(h.sent.at(-1)!.datagram, 0)[0]!;
  const f = parseFragments(hvr.fragment, 1000)![0]!;
  expect(f.type).toBe(3); // HelloVerifyRequest: the cookie exchange comes first whatever the hello says
  const cookie = f.body.subarray(3, 3 + f.body[2]!);
  const before = h.sent.length;
  h.server.handleDatagram(clientHello({ ...hello, cookie, seq: 1 }), from);
  return h.sent.slice(before).flatMap((s) => parseRecords(s.datagram, 0));
}

describe('ClientHellos refused after the cookie exchange', () => {
  it('answers a client offering only DTLS 1.0 with a fatal protocol_version alert and keeps nothing (RFC 5246 §E.1)', () => {
    const h = memoryServer();
    const failures: HandshakeFailure[] = [];
    h.server.on('handshakeFailed', (f: HandshakeFailure) => failures.push(f));
    const answer = withCookie(h, { version: 0xfeff });
    expect(answer.map((r) => [r.type, r.epoch, [...r.fragment]])).toEqual([[21, 0, [2, 70]]]);
    expect(h.server.stats()).toMatchObject({ handshakes: 0, sessions: 0, handshakesStarted: 0, alertsSent: 1 });
    expect(failures).toMatchObject([{ endedBy: 'server', alert: 70, address: '10.0.0.9' }]);
  });

  it('answers a ClientHello without the null compression method with illegal_parameter (RFC 5246 §7.4.1.2)', () => {
    const answer = withCookie(memoryServer(), { compression: [1] });
    expect(answer.map((r) => [...r.fragment])).toEqual([[2, 47]]);
  });

  it('answers a ClientHello carrying one extension twice with illegal_parameter (RFC 5246 §7.4.1.4)', () => {
    const ems: [number, Buffer] = [23, Buffer.alloc(0)];
    const answer = withCookie(memoryServer(), { extensions: [ems, ems] });
    expect(answer.map((r) => [...r.fragment])).toEqual([[2, 47]]);
  });

  it('answers an extended_master_secret extension that carries data with decode_error (RFC 7627 §5.1)', () => {
    const h = memoryServer();
    const answer = withCookie(h, { extensions: [[23, Buffer.from([0])]] });
    expect(answer.map((r) => [...r.fragment])).toEqual([[2, 50]]);
    expect(h.server.stats()).toMatchObject({ handshakes: 0, sessions: 0 });
  });

  it('sends no alert for such a ClientHello without a valid cookie: only a HelloVerifyRequest', () => {
    const h = memoryServer();
    h.server.handleDatagram(clientHello({ version: 0xfeff, cookie: Buffer.alloc(32, 1) }), { address: '10.0.0.9', port: 40901 });
    expect(h.sent.map((s) => parseRecords(s.datagram, 0)[0]!.type)).toEqual([22]);
    expect(h.server.stats()).toMatchObject({ alertsSent: 0, badCookies: 1 });
  });
});

describe('resumption and the extended master secret (RFC 7627 §5.3)', () => {
  it('runs a full handshake with a new session id when a session made without EMS is offered with EMS', async () => {
    const { server, client } = memoryServer();
    const first = client(40910, { extendedMasterSecret: false }).c;
    first.start();
    await connected(first);
    expect(first.usedExtendedMasterSecret).toBe(false);
    const resume = { sessionId: first.sessionId, masterSecret: first.master!, suiteId: first.suite!.id, extendedMasterSecret: false };
    const again = client(40911, { resume, extendedMasterSecret: true }).c;
    again.start();
    await connected(again);
    expect(again.resumed).toBe(false);
    expect(again.usedExtendedMasterSecret).toBe(true);
    expect(again.sessionId.equals(first.sessionId)).toBe(false);
    expect(server.stats()).toMatchObject({ resumptions: 0, handshakesCompleted: 2 });
  });

  it('gives a session made without EMS a full handshake, then handshake_failure, when EMS is required', async () => {
    const lax = memoryServer();
    const first = lax.client(40912, { extendedMasterSecret: false }).c;
    first.start();
    await connected(first);
    const strict = memoryServer({ requireExtendedMasterSecret: true });
    strict.server.restoreSessions(lax.server.resumableSessions());
    const resume = { sessionId: first.sessionId, masterSecret: first.master!, suiteId: first.suite!.id, extendedMasterSecret: false };
    const again = strict.client(40913, { resume, extendedMasterSecret: false }).c;
    again.start();
    await until(() => alertsOf(again).length > 0);
    expect(alertsOf(again)).toEqual([[2, 40]]);
    expect(strict.server.stats()).toMatchObject({ resumptions: 0, sessions: 0 });
  });
});

describe('RFC 7627 §5.3 against OpenSSL 3.0 s_client (-sess_out / -sess_in)', () => {
  let t: TestServer | undefined;
  afterEach(() => {
    t?.stop();
    t = undefined;
  });
  const dir = mkdtempSync(join(tmpdir(), 'dtls-audit-'));
  // OpenSSL 3.0's s_client has no -no_ems; its SSL_CONF "Options = -ExtendedMasterSecret" turns EMS off.
  const noEms = join(dir, 'no-ems.cnf');
  writeFileSync(noEms, 'openssl_conf = init\n[init]\nssl_conf = ssl\n[ssl]\nsystem_default = sys\n[sys]\nOptions = -ExtendedMasterSecret\n');
  const args = (port: number, extra: string[]) => ['s_client', '-dtls1_2', '-psk_identity', 'dev1', '-psk', PSK_HEX, '-cipher', 'PSK-AES128-CCM8', '-connect', `127.0.0.1:${port}`, ...extra];
  async function openssl(port: number, extra: string[], ems: boolean, line: string) {
    const saved = process.env.OPENSSL_CONF;
    if (!ems) process.env.OPENSSL_CONF = noEms; // read by the child when it is spawned
    try {
      return await runPeer('openssl', args(port, extra), { input: [`${line}\n`], until: new RegExp(`echo:${line}|alert`), timeoutMs: 8000 });
    } finally {
      if (saved === undefined) delete process.env.OPENSSL_CONF;
      else process.env.OPENSSL_CONF = saved;
    }
  }

  it('gives a session made without EMS a full handshake (New, with EMS) when the client offers EMS', async () => {
    t = await startServer();
    const file = join(dir, 'no-ems-session.pem');
    const first = await openssl(t.port, ['-sess_out', file], false, 'one');
    expect(first.output).toContain('Extended master secret: no');
    const again = await openssl(t.port, ['-sess_in', file], true, 'two');
    expect(again.output).toMatch(/^New, TLSv1.2/m);
    expect(again.output).toContain('Extended master secret: yes');
    expect(again.output).toContain('echo:two');
    expect(t.server.stats()).toMatchObject({ resumptions: 0, handshakesCompleted: 2 });
  });

  it('aborts with handshake_failure when a session made with EMS is offered without it', async () => {
    t = await startServer();
    const file = join(dir, 'ems-session.pem');
    const first = await openssl(t.port, ['-sess_out', file], true, 'one');
    expect(first.output).toContain('Extended master secret: yes');
    const again = await openssl(t.port, ['-sess_in', file], false, 'two');
    expect(again.output).toMatch(/alert handshake failure/);
    expect(t.server.stats()).toMatchObject({ resumptions: 0, handshakesCompleted: 1, handshakesFailed: 1 });
  });
});

describe('protocol_version against DTLS 1.0 clients (OpenSSL s_client -dtls1, GnuTLS +VERS-DTLS1.0)', () => {
  it('tells a DTLS 1.0 client protocol_version instead of leaving it to time out', async () => {
    const t = await startServer();
    try {
      const r = await runPeer('openssl', ['s_client', '-dtls1', '-psk_identity', 'dev1', '-psk', PSK_HEX, '-cipher', 'PSK-AES128-CBC-SHA:@SECLEVEL=0', '-connect', `127.0.0.1:${t.port}`], { until: /alert|error/, timeoutMs: 8000 });
      expect(r.output).toMatch(/alert protocol version/);
      expect(t.server.stats()).toMatchObject({ handshakes: 0, sessions: 0, cookiesSent: 1, alertsSent: 1 });
    } finally {
      t.stop();
    }
  });

  it('tells a GnuTLS client limited to DTLS 1.0 protocol_version (alert 70)', async () => {
    const t = await startServer();
    try {
      const priority = 'NORMAL:-VERS-ALL:+VERS-DTLS1.0:-KX-ALL:+PSK:-CIPHER-ALL:+AES-128-CBC:-MAC-ALL:+SHA1';
      const r = await runPeer('gnutls-cli', ['--udp', '--pskusername', 'dev1', '--pskkey', PSK_HEX, '--priority', priority, '-p', String(t.port), '127.0.0.1'], { until: /alert|rror/i, timeoutMs: 8000 });
      expect(r.output).toContain('Received alert [70]');
      // GnuTLS may resend its cookie-bearing ClientHello before the alert arrives: each copy gets one.
      expect(t.server.stats()).toMatchObject({ handshakes: 0, sessions: 0, handshakesStarted: 0 });
      expect(t.server.stats().alertsSent).toBeGreaterThanOrEqual(1);
    } finally {
      t.stop();
    }
  });
});
