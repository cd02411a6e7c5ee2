/**
 * libcoap clients (Debian libcoap3-bin) registering over CoAPS with TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8:
 * coap-client-gnutls with a raw public key (-M), coap-client-gnutls and coap-client-openssl with
 * certificates (-c/-j, server pinned with -C).
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCertificateAuthority, issueCertificate } from '../../bridge/src/dtls/pki/certificate-authority.js';
import { generateServerIdentity, serverIdentityToPem } from '../../bridge/src/dtls/pki/server-identity.js';
import { spkiFingerprint } from '../../bridge/src/dtls/pki/verify.js';
import { pem, tempDir } from './tools.js';
import { runPeer, startServer, type TestServer } from './interop-harness.js';

const dir = tempDir();
const identity = generateServerIdentity('localhost', new Date(), { dnsNames: ['localhost'] });
const ca = generateCertificateAuthority('Fleet CA');
const other = generateCertificateAuthority('Other CA');
const device = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const issue = (cn: string, issuer = ca) =>
  pem('CERTIFICATE', issueCertificate({ subjectCN: cn, subjectPublicKey: device.publicKey, issuerKey: issuer.privateKey, issuerCertDer: issuer.certificateDer, validDays: 30 }));
const files = {
  // libcoap -M takes an "EC PRIVATE KEY" PEM (SEC 1), from which it derives the public key.
  rpk: dir.write('rpk.pem', device.privateKey.export({ type: 'sec1', format: 'pem' })),
  key: dir.write('dev.key', device.privateKey.export({ type: 'pkcs8', format: 'pem' })),
  cert: dir.write('dev.pem', issue('dev-cert')),
  strangerCert: dir.write('stranger.pem', issue('dev-cert', other)),
  serverCert: dir.write('server.pem', serverIdentityToPem(identity).certPem),
};
let server: TestServer;
beforeAll(async () => {
  const rawKeys = new Map([[spkiFingerprint(device.publicKey.export({ type: 'spki', format: 'der' })), 'dev-rpk']]);
  server = await startServer({ identity, trustAnchors: [ca.certificateDer], rawKeys });
});
afterAll(async () => {
  await server.close();
  dir.remove();
});

const register = (ep: string, ...security: string[]) => ['-m', 'post', '-t', '40', '-e', '</1/0>,</3/0>', '-B', '5', ...security, `coaps://127.0.0.1:${server.port}/rd?ep=${ep}&lt=60`];

async function registerWith(cmd: string, args: string[]) {
  const sessions = server.sessions.length;
  const received = server.received.length;
  const r = await runPeer(cmd, args, { timeoutMs: 9_000 });
  return { ...r, newSessions: server.sessions.slice(sessions), requests: server.received.slice(received) };
}

describe('libcoap clients over ECDHE-ECDSA', () => {
  it('coap-client-gnutls registers with a raw public key (-M) and gets 2.01', async () => {
    const r = await registerWith('coap-client-gnutls', register('dev-rpk', '-M', files.rpk));
    expect(r.code).toBe(0);
    expect(r.newSessions.map((s) => s.security)).toMatchObject([{ mode: 'rpk', identity: 'dev-rpk', cipherSuite: 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8' }]);
    expect(r.requests.some((q) => q.includes('ep=dev-rpk'))).toBe(true);
  });

  it('coap-client-gnutls registers with a certificate (-c/-j) and verifies the server with -C', async () => {
    const r = await registerWith('coap-client-gnutls', register('dev-cert', '-c', files.cert, '-j', files.key, '-C', files.serverCert));
    expect(r.code).toBe(0);
    expect(r.newSessions.map((s) => s.security)).toMatchObject([{ mode: 'x509', identity: 'dev-cert' }]);
    expect(r.requests.some((q) => q.includes('ep=dev-cert'))).toBe(true);
  });

  it('coap-client-openssl registers with a certificate (-c/-j) and verifies the server with -C', async () => {
    const r = await registerWith('coap-client-openssl', register('dev-cert', '-c', files.cert, '-j', files.key, '-C', files.serverCert));
    expect(r.code).toBe(0);
    expect(r.newSessions.map((s) => s.security)).toMatchObject([{ mode: 'x509', identity: 'dev-cert' }]);
    expect(r.requests.some((q) => q.includes('ep=dev-cert'))).toBe(true);
  });

  it('coap-client-openssl with a certificate from another CA gets no session and its request never arrives', async () => {
    const failures = server.failures.length;
    const r = await registerWith('coap-client-openssl', register('dev-cert', '-c', files.strangerCert, '-j', files.key, '-C', files.serverCert));
    expect(r.newSessions).toEqual([]);
    expect(r.requests).toEqual([]);
    expect(server.failures.slice(failures)).toMatchObject([{ alert: 48 }]);
  });
});
