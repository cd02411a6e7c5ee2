/**
 * TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 with X.509 certificates both ways, against OpenSSL's
 * s_client (an implementation nobody here wrote).
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCertificateAuthority, issueCertificate } from '../../bridge/src/dtls/pki/certificate-authority.js';
import { generateServerIdentity, serverIdentityToPem } from '../../bridge/src/dtls/pki/server-identity.js';
import { pem, tempDir } from './tools.js';
import { runPeer, startServer, waitFor, type TestServer } from './interop-harness.js';

const dir = tempDir();
const identity = generateServerIdentity('lwm2m-server');
const ca = generateCertificateAuthority('Fleet CA');
const device = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const other = generateCertificateAuthority('Other CA');
const DAY = 86_400_000;
const files = {
  serverCert: dir.write('server.pem', serverIdentityToPem(identity).certPem),
  devCert: dir.write('dev.pem', pem('CERTIFICATE', issueCertificate({ subjectCN: 'dev1', subjectPublicKey: device.publicKey, issuerKey: ca.privateKey, issuerCertDer: ca.certificateDer, validDays: 30 }))),
  devKey: dir.write('dev.key', device.privateKey.export({ type: 'pkcs8', format: 'pem' })),
  strangerCert: dir.write('stranger.pem', pem('CERTIFICATE', issueCertificate({ subjectCN: 'dev1', subjectPublicKey: device.publicKey, issuerKey: other.privateKey, issuerCertDer: other.certificateDer, validDays: 30 }))),
  expiredCert: dir.write('expired.pem', pem('CERTIFICATE', issueCertificate({ subjectCN: 'dev1', subjectPublicKey: device.publicKey, issuerKey: ca.privateKey, issuerCertDer: ca.certificateDer, validDays: 30, now: new Date(Date.now() - 60 * DAY) }))),
};
let server: TestServer;
beforeAll(async () => {
  server = await startServer({ identity, trustAnchors: [ca.certificateDer] });
});
afterAll(async () => {
  await server.close();
  dir.remove();
});

const sClient = (cert: string, key: string) =>
  ['s_client', '-dtls1_2', '-cipher', 'ECDHE-ECDSA-AES128-CCM8', '-cert', cert, '-key', key, '-CAfile', files.serverCert, '-verify_return_error', '-connect', `127.0.0.1:${server.port}`];

describe('openssl s_client -dtls1_2 with ECDHE-ECDSA-AES128-CCM8', () => {
  it('completes a mutually authenticated handshake, verifies our self-signed certificate and exchanges data', async () => {
    const before = server.sessions.length;
    const r = await runPeer('openssl', sClient(files.devCert, files.devKey), { until: () => server.sessions.length > before, stdin: 'hello over dtls\n' });
    expect(r.out).toContain('Cipher is ECDHE-ECDSA-AES128-CCM8');
    expect(r.out).toContain('Verify return code: 0 (ok)');
    expect(r.out).toContain('subject=CN = lwm2m-server');
    expect(server.sessions.at(-1)?.security).toMatchObject({ mode: 'x509', identity: 'dev1', cipherSuite: 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8' });
    expect(await waitFor(() => server.received.map(String).includes('hello over dtls\n'))).toBe(true);
  });

  it('ends the handshake with unknown_ca and opens no session for a certificate from another CA', async () => {
    const sessions = server.sessions.length;
    const failures = server.failures.length;
    const r = await runPeer('openssl', sClient(files.strangerCert, files.devKey), { timeoutMs: 8_000 });
    expect(r.out).toMatch(/alert unknown ca|alert number 48/);
    expect(server.sessions.length).toBe(sessions);
    expect(server.failures.slice(failures)).toEqual([{ alert: 48, reason: 'client certificate does not chain to a trust anchor' }]);
  });

  it('ends the handshake with certificate_expired (45) and opens no session for an expired certificate', async () => {
    const sessions = server.sessions.length;
    const failures = server.failures.length;
    const r = await runPeer('openssl', sClient(files.expiredCert, files.devKey), { timeoutMs: 8_000 });
    expect(r.out).toMatch(/alert certificate expired/);
    expect(server.sessions.length).toBe(sessions);
    expect(server.failures.slice(failures)).toEqual([{ alert: 45, reason: 'client certificate has expired' }]);
  });

  it('completes when the server must fragment its certificate flight into 300-byte datagrams (RFC 6347 §4.2.3)', async () => {
    const small = await startServer({ identity, trustAnchors: [ca.certificateDer], maxDatagram: 300 });
    try {
      const args = sClient(files.devCert, files.devKey).map((a) => (a === `127.0.0.1:${server.port}` ? `127.0.0.1:${small.port}` : a));
      const r = await runPeer('openssl', args, { until: () => small.sessions.length > 0 });
      expect(r.out).toContain('Verify return code: 0 (ok)');
      expect(small.sessions.map((s) => s.security)).toMatchObject([{ mode: 'x509', identity: 'dev1' }]);
    } finally {
      await small.close();
    }
  });
});
