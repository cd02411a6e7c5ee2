/**
 * Our own ECDHE-ECDSA client (used by the benchmark) against the DtlsServer over loopback UDP:
 * it must connect with raw keys and certificates, and a CertificateVerify over the wrong bytes
 * must end the handshake with decrypt_error and no session.
 */
import dgram from 'node:dgram';
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCertificateAuthority, issueCertificate } from '../../bridge/src/dtls/pki/certificate-authority.js';
import { DtlsEcdheClient, type EcdheClientEvent, type EcdheClientOptions } from '../../bridge/src/dtls/pki/ecdhe-client.js';
import { generateServerIdentity } from '../../bridge/src/dtls/pki/server-identity.js';
import { spkiFingerprint } from '../../bridge/src/dtls/pki/verify.js';
import { startServer, type TestServer } from './interop-harness.js';

const identity = generateServerIdentity('lwm2m-server');
const ca = generateCertificateAuthority('Fleet CA');
const device = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const spki = device.publicKey.export({ type: 'spki', format: 'der' });
const cert = issueCertificate({ subjectCN: 'dev-x509', subjectPublicKey: device.publicKey, issuerKey: ca.privateKey, issuerCertDer: ca.certificateDer, validDays: 30 });
let server: TestServer;
beforeAll(async () => {
  server = await startServer({ identity, trustAnchors: [ca.certificateDer], rawKeys: new Map([[spkiFingerprint(spki), 'dev-rpk']]) });
});
afterAll(() => server.close());

async function connect(o: Omit<EcdheClientOptions, 'send'>): Promise<EcdheClientEvent> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  const client = new DtlsEcdheClient({ ...o, send: (d) => socket.send(d, server.port, '127.0.0.1') });
  socket.on('message', (m) => client.handleDatagram(m));
  const result = await new Promise<EcdheClientEvent>((resolve) => {
    client.onEvent = resolve;
    setTimeout(() => resolve({ kind: 'failed', reason: 'timeout' }), 5_000);
    client.start();
  });
  client.close();
  socket.close();
  return result;
}

describe('DtlsEcdheClient against the server', () => {
  it('connects with a raw public key', async () => {
    const n = server.sessions.length;
    expect(await connect({ credential: { type: 'raw', privateKey: device.privateKey, spki } })).toEqual({ kind: 'connected' });
    expect(server.sessions.slice(n).map((s) => s.security)).toMatchObject([{ mode: 'rpk', identity: 'dev-rpk' }]);
  });

  it('connects with the ClientHello tinydtls sends (no signature_algorithms, no extended master secret)', async () => {
    const n = server.sessions.length;
    expect(await connect({ credential: { type: 'raw', privateKey: device.privateKey, spki }, tinydtlsHello: true })).toEqual({ kind: 'connected' });
    expect(server.sessions.slice(n).map((s) => s.security)).toMatchObject([{ mode: 'rpk', identity: 'dev-rpk' }]);
  });

  it('connects with an X.509 certificate', async () => {
    const n = server.sessions.length;
    expect(await connect({ credential: { type: 'x509', privateKey: device.privateKey, chain: [cert] } })).toEqual({ kind: 'connected' });
    expect(server.sessions.slice(n).map((s) => s.security)).toMatchObject([{ mode: 'x509', identity: 'dev-x509' }]);
  });

  it('gets decrypt_error and no session when its CertificateVerify signs the wrong bytes', async () => {
    const n = server.sessions.length;
    const f = server.failures.length;
    const r = await connect({ credential: { type: 'x509', privateKey: device.privateKey, chain: [cert] }, corruptCertificateVerify: true });
    expect(r).toEqual({ kind: 'alert', description: 51 });
    expect(server.sessions.length).toBe(n);
    expect(server.failures.slice(f)).toEqual([{ alert: 51, reason: 'CertificateVerify: signature does not verify' }]);
  });
});
