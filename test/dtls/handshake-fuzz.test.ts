/**
 * Mutation fuzzing of the stateful part of the DTLS server: real PSK handshakes in memory, with
 * one of the client's datagrams changed on the way (after the cookie exchange too, where the
 * server holds state). Whatever the change, the server must not hit an internal error, must not
 * keep half-open state once its timers have run, and must not establish a session the client
 * does not have. Seeded, so a failure reproduces.
 */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DtlsPskClient } from '../../bridge/src/dtls/dtls-client.js';
import { DtlsServer, type DtlsServerOptions } from '../../bridge/src/dtls/dtls-server.js';
import { pskKeyExchange } from '../../bridge/src/dtls/key-exchange.js';
import { generateCertificateAuthority, issueCertificate } from '../../bridge/src/dtls/pki/certificate-authority.js';
import { DtlsEcdheClient } from '../../bridge/src/dtls/pki/ecdhe-client.js';
import { createEcdheEcdsaKeyExchange } from '../../bridge/src/dtls/pki/ecdhe-ecdsa-key-exchange.js';
import { generateServerIdentity } from '../../bridge/src/dtls/pki/server-identity.js';
import { spkiFingerprint } from '../../bridge/src/dtls/pki/verify.js';
import { credentials, PSK } from './memory-harness.js';
import { seededRandom } from '../support/seeded-random.js';

/** One of the changes a broken or hostile peer (or a bad network) makes to a datagram. */
function mutate(d: Buffer, r: (n: number) => number): Buffer {
  const out = Buffer.from(d);
  switch (r(8)) {
    case 0: // flip one bit anywhere
      out[r(out.length)]! ^= 1 << r(8);
      return out;
    case 1: // overwrite a byte in a header (record 0–12 or handshake 13–24) with an extreme value
      out[r(Math.min(25, out.length))] = [0x00, 0xff, 0x7f, 0x80][r(4)]!;
      return out;
    case 2: // cut it short
      return out.subarray(0, r(out.length));
    case 3: // trailing garbage
      return Buffer.concat([out, Buffer.from(Array.from({ length: 1 + r(40) }, () => r(256)))]);
    case 4: // the datagram twice in one
      return Buffer.concat([out, out]);
    case 5: // a length field (record length at 11, handshake length at 14, fragment length at 22) rewritten
      if (out.length > 24) out.writeUInt16BE(r(0x10000), [11, 15, 23][r(3)]!);
      return out;
    case 6: // randomise a run of bytes
      for (let i = r(out.length), n = 1 + r(16); n > 0 && i < out.length; i++, n--) out[i] = r(256);
      return out;
    default: // the epoch rewritten (0, 1 or an unknown one)
      if (out.length > 4) out.writeUInt16BE([0, 1, 2, 0xffff][r(4)]!, 3);
      return out;
  }
}

interface Run {
  clientConnected: boolean;
  echoed: boolean;
}

/** What the fuzzer needs of a client: both of the project's test clients have this shape. */
interface FuzzClient {
  readonly connected: boolean;
  onEvent: ((e: { kind: string; data?: Buffer }) => void) | undefined;
  start(): void;
  write(data: Buffer): void;
  handleDatagram(d: Buffer): void;
}

/**
 * Drives one handshake and one application record synchronously: client datagram number
 * `target` (0 ClientHello, 1 ClientHello with cookie, 2 key exchange + Finished, 3 application
 * data, for the flights that fit one datagram each) is delivered mutated, everything else as sent.
 */
function handshake(server: DtlsServer, port: number, target: number, makeClient: (send: (d: Buffer) => void) => FuzzClient, r: (n: number) => number, toClient: Map<number, Buffer[]>): Run {
  const fromClient: Buffer[] = [];
  const c = makeClient((d) => fromClient.push(d));
  const received: Buffer[] = [];
  c.onEvent = (e) => {
    if (e.kind === 'data' && e.data) received.push(e.data);
  };
  const from = { address: '10.1.0.1', port };
  const inbox: Buffer[] = [];
  toClient.set(port, inbox);
  c.start();
  let sent = 0;
  let wroteData = false;
  for (let turn = 0; turn < 20; turn++) {
    while (fromClient.length > 0) {
      const d = fromClient.shift()!;
      server.handleDatagram(sent++ === target ? mutate(d, r) : d, from);
    }
    while (inbox.length > 0) c.handleDatagram(inbox.shift()!);
    if (c.connected && !wroteData) {
      wroteData = true;
      c.write(Buffer.from('ping'));
    }
    if (fromClient.length === 0 && inbox.length === 0) break;
  }
  return { clientConnected: c.connected, echoed: received.some((d) => d.toString() === 'ping') };
}

/**
 * `runs` mutated handshakes from `clientFor(i)`; returns after checking the server's invariants.
 * Every fourth run mutates the application record instead, which must leave the session up but
 * never deliver altered data.
 */
function fuzz(options: Partial<DtlsServerOptions>, runs: number, clientFor: (i: number) => (send: (d: Buffer) => void) => FuzzClient): void {
  const clock = { now: 1_000_000 };
  const toClient = new Map<number, Buffer[]>();
  const server = new DtlsServer({
    credentials,
    now: () => clock.now,
    tickMs: 3_600_000,
    send: (d, _address, port) => toClient.get(port)?.push(d),
    ...options,
  });
  server.on('data', (session: Parameters<DtlsServer['send']>[0], data: Buffer) => server.send(session, data));
  const r = seededRandom(0x5eed);
  let established = 0;
  let echoed = 0;
  for (let i = 0; i < runs; i++) {
    const run = handshake(server, 20_000 + i, i % 4, clientFor(i), r, toClient);
    if (run.clientConnected) established++;
    if (run.echoed) echoed++;
    expect(server.stats().internalErrors).toBe(0);
  }
  // Let every retransmission schedule run out: nothing half-open may remain.
  for (let t = 0; t < 12; t++) {
    clock.now += 60_000;
    server.tick();
  }
  const stats = server.stats();
  expect(stats).toMatchObject({ handshakes: 0, internalErrors: 0 });
  // A session exists only where the client finished too.
  expect(stats.sessions).toBeLessThanOrEqual(established);
  expect(echoed).toBeLessThanOrEqual(established);
  // The fuzzer must actually reach the stateful paths: some handshakes complete, others fail.
  expect(established).toBeGreaterThan(runs / 4);
  expect(stats.handshakesFailed + stats.handshakeTimeouts).toBeGreaterThan(0);
}

describe('DtlsServer under mutated handshake flights', () => {
  it('PSK (CCM_8 and CBC-SHA256): never errs, never keeps a half-open handshake past its timers, and only establishes sessions the client also has', () => {
    fuzz({}, 3_000, (i) => {
      // both record protections: CCM_8 and CBC-SHA256 (MAC-then-encrypt, padding checks)
      const suite = Math.floor(i / 4) % 2 === 0 ? 0xc0a8 : 0x00ae;
      return (send) => new DtlsPskClient({ identity: 'dev1', key: PSK, cipherSuites: [suite], retransmitMs: 0, send }) as FuzzClient;
    });
  });

  it('ECDHE-ECDSA (raw public key and X.509): the same, through Certificate, ClientKeyExchange and CertificateVerify', () => {
    const ca = generateCertificateAuthority('Fuzz CA');
    const device = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const spki = device.publicKey.export({ type: 'spki', format: 'der' });
    const chain = [issueCertificate({ subjectCN: 'dev-x509', subjectPublicKey: device.publicKey, issuerKey: ca.privateKey, issuerCertDer: ca.certificateDer, validDays: 30 })];
    const rawKeys = new Map([[spkiFingerprint(spki), 'dev-rpk']]);
    const ecdhe = createEcdheEcdsaKeyExchange({ serverIdentity: generateServerIdentity('fuzz-server'), trustAnchors: [ca.certificateDer] });
    fuzz(
      { credentials: { ...credentials, verifyRawPublicKey: (k: Buffer) => rawKeys.get(spkiFingerprint(k)) }, keyExchanges: [pskKeyExchange, ecdhe] },
      600,
      (i) => {
        const credential = Math.floor(i / 4) % 2 === 0 ? { type: 'raw' as const, privateKey: device.privateKey, spki } : { type: 'x509' as const, privateKey: device.privateKey, chain };
        return (send) => new DtlsEcdheClient({ credential, retransmitMs: 0, send }) as FuzzClient;
      },
    );
  });
});
