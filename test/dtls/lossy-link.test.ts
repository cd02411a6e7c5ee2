/**
 * DTLS over a link that loses datagrams, against peers nobody here wrote (OpenSSL 3.0 s_client,
 * GnuTLS 3.7 gnutls-cli). Each test plans a loss with the lossy relay (test/support/lossy-relay.ts),
 * checks that the loss really happened, and checks what a device relies on: the handshake still
 * completes through retransmission (RFC 6347 §4.2.4), into exactly one session, and data flows.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { carries, Handshake, type LossRule, type LossyRelay, startLossyRelay } from '../support/lossy-relay.js';
import { runPeer as runPeerUntil } from '../dtls-pki/interop-harness.js';
import { PSK_HEX, runPeer, startServer, type TestServer } from './peers.js';

// The tests run concurrently: each mostly waits for a peer's 1 s retransmission timer.
const running: Array<{ stop(): void }> = [];
afterAll(() => {
  for (const r of running.splice(0)) r.stop();
});

const openssl = (port: number, extra: string[] = []) => ['s_client', '-dtls1_2', '-psk_identity', 'dev1', '-psk', PSK_HEX, '-cipher', 'PSK-AES128-CCM8', '-connect', `127.0.0.1:${port}`, ...extra];
const gnutls = (port: number) => [
  '--udp', '--pskusername', 'dev1', '--pskkey', PSK_HEX,
  '--priority', 'NORMAL:-VERS-ALL:+VERS-DTLS1.2:-KX-ALL:+PSK:-CIPHER-ALL:+AES-128-CCM-8', '-p', String(port), '127.0.0.1',
];
const PEERS = { 'openssl s_client': ['openssl', openssl], 'gnutls-cli --udp': ['gnutls-cli', gnutls] } as const;

/** Server and relay with `plan`; the client is pointed at the relay. */
async function lossyLink(plan: LossRule[], server?: TestServer): Promise<{ t: TestServer; relay: LossyRelay }> {
  const t = server ?? (await startServer());
  const relay = await startLossyRelay({ serverPort: t.port, plan });
  running.push(relay, t);
  return { t, relay };
}

/** Waits (bounded) for what the peer's last datagrams do on the server after the peer exited. */
async function settled(cond: () => boolean, ms = 2_000): Promise<void> {
  for (const end = Date.now() + ms; !cond() && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20));
}

/** What every lossy handshake must end in: the loss happened, one handshake, one session, data once. */
async function expectOneCleanSession(t: TestServer, relay: LossyRelay, output: string, labels: string[]): Promise<void> {
  await settled(() => t.closed.length > 0);
  expect(relay.unfired(), relay.describe()).toEqual([]);
  expect(relay.events.map((e) => e.label)).toEqual(labels);
  expect(output).toContain('echo:hello');
  expect(t.received.map(String)).toEqual(['hello\n']);
  expect(t.sessions).toHaveLength(1);
  expect(t.server.stats()).toMatchObject({ handshakesStarted: 1, handshakesCompleted: 1, handshakesFailed: 0, handshakeTimeouts: 0, internalErrors: 0 });
  expect(t.closed).toEqual(['close_notify']);
}

const toClientAfterDrop = (relay: LossyRelay, match: (d: (typeof relay.trace)[number]) => boolean) => {
  const dropAt = relay.trace.findIndex((d) => d.action === 'drop');
  return relay.trace.slice(dropAt + 1).filter((d) => d.direction === 'toClient' && d.action === 'pass' && match(d)).length;
};

/** After the planned drop, did the client's application data reach us before its resent CCS + Finished? */
function dataBeforeResentFinished(relay: LossyRelay): boolean {
  const after = relay.trace.slice(relay.trace.findIndex((d) => d.action === 'drop') + 1).filter((d) => d.direction === 'toServer');
  const data = after.findIndex(carries.applicationData);
  const finished = after.findIndex(carries.encryptedHandshake);
  return data >= 0 && finished >= 0 && data < finished;
}

const LOSE_HVR: LossRule = { label: 'our HelloVerifyRequest', direction: 'toClient', match: carries.handshake(Handshake.helloVerifyRequest) };
const LOSE_SERVER_HELLO: LossRule = { label: 'our ServerHello flight', direction: 'toClient', match: carries.handshake(Handshake.serverHello) };
const LOSE_FINAL: LossRule = { label: 'our ChangeCipherSpec + Finished flight', direction: 'toClient', match: carries.changeCipherSpec };

describe.concurrent.each(Object.entries(PEERS))('%s (PSK, CCM_8) over a lossy link', (_name, [cmd, args]) => {
  it('completes the handshake when our HelloVerifyRequest is lost: the resent ClientHello gets a new cookie', async () => {
    const { t, relay } = await lossyLink([LOSE_HVR]);
    const r = await runPeer(cmd, args(relay.port), { input: ['hello\n'], until: /echo:hello/ });
    await expectOneCleanSession(t, relay, r.output, ['our HelloVerifyRequest']);
    expect(t.server.stats().cookiesSent).toBe(2);
  });

  it('completes the handshake when our ServerHello flight is lost, without starting a second handshake for the resent ClientHello', async () => {
    const { t, relay } = await lossyLink([LOSE_SERVER_HELLO]);
    const r = await runPeer(cmd, args(relay.port), { input: ['hello\n'], until: /echo:hello/ });
    await expectOneCleanSession(t, relay, r.output, ['our ServerHello flight']);
    expect(toClientAfterDrop(relay, carries.handshake(Handshake.serverHello))).toBeGreaterThanOrEqual(1);
  });

  it('answers the resent Finished flight with our last flight when our final flight is lost, keeping the one session (RFC 6347 §4.2.4)', async () => {
    const { t, relay } = await lossyLink([LOSE_FINAL]);
    const r = await runPeer(cmd, args(relay.port), { input: ['hello\n'], until: /echo:hello/ });
    await expectOneCleanSession(t, relay, r.output, ['our ChangeCipherSpec + Finished flight']);
    // The client resent its flight (ClientKeyExchange again) and we resent ours.
    const clientResent = relay.trace.filter((d) => d.direction === 'toServer' && carries.handshake(Handshake.clientKeyExchange)(d)).length;
    expect(clientResent).toBeGreaterThanOrEqual(2);
    expect(toClientAfterDrop(relay, carries.changeCipherSpec)).toBeGreaterThanOrEqual(1);
  });

  it("completes the handshake when the client's Finished flight is lost: our timer resends the ServerHello flight and the client its flight", async () => {
    const { t, relay } = await lossyLink([{ label: "the client's Finished flight", direction: 'toServer', match: carries.encryptedHandshake }]);
    const r = await runPeer(cmd, args(relay.port), { input: ['hello\n'], until: /echo:hello/ });
    await expectOneCleanSession(t, relay, r.output, ["the client's Finished flight"]);
  });
});

describe.concurrent('openssl s_client over a link that duplicates or loses more', () => {
  // Not duplicated: our final flight. OpenSSL 3.0 s_client stalls after the handshake when that
  // datagram arrives twice with the same record numbers, against OpenSSL's own s_server too
  // (checked through this relay); GnuTLS does not. A resent flight has new record numbers and is fine.
  it('gets one handshake, one session and each record once when the link delivers datagrams twice', async () => {
    const { t, relay } = await lossyLink([
      { label: 'every datagram to the server', direction: 'toServer', match: carries.any, occurrences: 'every', action: 'duplicate' },
      { label: 'our HelloVerifyRequest', direction: 'toClient', match: carries.handshake(Handshake.helloVerifyRequest), action: 'duplicate' },
      { label: 'our ServerHello flight', direction: 'toClient', match: carries.handshake(Handshake.serverHello), action: 'duplicate' },
    ]);
    const r = await runPeer('openssl', openssl(relay.port), { input: ['hello\n'], until: /echo:hello/ });
    expect(relay.unfired(), relay.describe()).toEqual([]);
    expect(r.output).toContain('echo:hello');
    // The duplicated ClientHellos and ClientKeyExchange flight did not start or break a handshake,
    // and the duplicated application record was dropped as a replay (RFC 6347 §4.1.2.6).
    expect(t.server.stats()).toMatchObject({ handshakesStarted: 1, handshakesCompleted: 1, handshakesFailed: 0, internalErrors: 0 });
    expect(t.server.stats().replays).toBeGreaterThanOrEqual(1);
    expect(t.received.map(String)).toEqual(['hello\n']);
    expect(t.sessions).toHaveLength(1);
    await settled(() => t.closed.length > 0);
    expect(t.closed).toEqual(['close_notify']);
  });

  it('completes when the same flight of ours is lost twice in a row (timer backoff, then the second retransmission)', async () => {
    const { t, relay } = await lossyLink([{ label: 'our ServerHello flight, twice', direction: 'toClient', match: carries.handshake(Handshake.serverHello), occurrences: [1, 2] }]);
    const r = await runPeer('openssl', openssl(relay.port), { input: ['hello\n'], until: /echo:hello/, timeoutMs: 12_000 });
    await expectOneCleanSession(t, relay, r.output, ['our ServerHello flight, twice', 'our ServerHello flight, twice']);
  });

  it("resumes a session when the client's final flight of the abbreviated handshake is lost: our timer resends ServerHello, CCS, Finished", async () => {
    const server = await startServer();
    const file = join(mkdtempSync(join(tmpdir(), 'dtls-lossy-')), 'session.pem');
    const first = await runPeer('openssl', openssl(server.port, ['-sess_out', file]), { input: ['one\n'], until: /echo:one/ });
    expect(first.output).toMatch(/^New, TLSv1.2/m);
    const { t, relay } = await lossyLink([{ label: "the client's CCS + Finished", direction: 'toServer', match: carries.changeCipherSpec }], server);
    const again = await runPeer('openssl', openssl(relay.port, ['-sess_in', file]), { input: ['two\n'], until: /echo:two/ });
    expect(relay.unfired(), relay.describe()).toEqual([]);
    expect(again.output).toMatch(/^Reused, TLSv1.2/m);
    expect(again.output).toContain('echo:two');
    expect(dataBeforeResentFinished(relay), relay.describe()).toBe(true);
    expect(t.server.stats()).toMatchObject({ resumptions: 1, handshakesStarted: 2, handshakesCompleted: 2, handshakesFailed: 0 });
    expect(t.received.map(String)).toEqual(['one\n', 'two\n']);
  });

  it("gnutls-cli -r: resumes when the client's final flight of the abbreviated handshake is lost, and the data it sent at once arrives", async () => {
    // Occurrence 1 is the full handshake's ClientKeyExchange + CCS + Finished; 2 is the resumed one's CCS + Finished.
    const { t, relay } = await lossyLink([{ label: "the resuming client's CCS + Finished", direction: 'toServer', match: carries.changeCipherSpec, occurrences: [2] }]);
    const r = await runPeer('gnutls-cli', ['-r', ...gnutls(relay.port)], { input: ['hello\n'], until: /echo:hello/ });
    expect(relay.unfired(), relay.describe()).toEqual([]);
    expect(r.output).toContain('Resume Handshake was completed');
    expect(r.output).toContain('echo:hello');
    // The data overtook the resent CCS + Finished: it was held until the handshake completed (RFC 6347 §4.1).
    expect(dataBeforeResentFinished(relay), relay.describe()).toBe(true);
    expect(t.server.stats()).toMatchObject({ resumptions: 1, handshakesStarted: 2, handshakesCompleted: 2, handshakesFailed: 0 });
    expect(t.received.map(String)).toEqual(['hello\n']);
  });
});

describe.concurrent('stale handshake datagrams arriving after the session is up', () => {
  /** Runs `cmd` through a relay with a late datagram; the client sends its data only once the late one is in. */
  async function lateDatagram(cmd: string, args: string[], relay: LossyRelay, t: TestServer) {
    const r = await runPeerUntil(cmd, args, { until: () => t.sessions.length === 1 && relay.pending() === 0, stdin: 'hello\n', timeoutMs: 8_000 });
    return r.out;
  }

  it('keeps the session when a copy of the cookie-bearing ClientHello arrives after the handshake completed (RFC 6347 §4.2.8)', async () => {
    const { t, relay } = await lossyLink([
      { label: 'a late copy of the ClientHello with the cookie', direction: 'toServer', match: carries.handshake(Handshake.clientHello), occurrences: [2], action: 'duplicate', delayMs: 300 },
    ]);
    const output = await lateDatagram('openssl', openssl(relay.port), relay, t);
    await expectOneCleanSession(t, relay, output, ['a late copy of the ClientHello with the cookie']);
  });

  for (const [name, [cmd, args]] of Object.entries(PEERS)) {
    it(`keeps the session when the ${name} Finished flight arrives late, after its retransmission completed the handshake`, async () => {
      const { t, relay } = await lossyLink([
        { label: "the client's first Finished flight, 1.5 s late", direction: 'toServer', match: carries.handshake(Handshake.clientKeyExchange), action: 'delay', delayMs: 1_500 },
      ]);
      const output = await lateDatagram(cmd, args(relay.port), relay, t);
      await expectOneCleanSession(t, relay, output, ["the client's first Finished flight, 1.5 s late"]);
    });
  }
});
