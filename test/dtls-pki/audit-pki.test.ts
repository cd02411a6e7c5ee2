/**
 * Audit: client certificate purpose (RFC 5280 §4.2.1.12 extendedKeyUsage) and the strictness of
 * RFC 7250 raw public keys (one SubjectPublicKeyInfo encoding per key, RFC 5280 §4.1.1.2), checked
 * against certificates made by OpenSSL and, for the purpose, against OpenSSL's s_client.
 */
import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bitString, oid, sequence, tlv, TAG } from '../../bridge/src/dtls/pki/der.js';
import { ALERT } from '../../bridge/src/dtls/pki/outcome.js';
import { generateServerIdentity, serverIdentityToPem } from '../../bridge/src/dtls/pki/server-identity.js';
import { rawPublicKeyIdentity, spkiFingerprint, verifyClientChain } from '../../bridge/src/dtls/pki/verify.js';
import { OID } from '../../bridge/src/dtls/pki/x509.js';
import { runPeer, startServer, type TestServer } from './interop-harness.js';
import { run, tempDir } from './tools.js';

const dir = tempDir();
afterAll(() => dir.remove());
const der = (pemText: string) => new X509Certificate(pemText).raw;

/** An OpenSSL CA and a P-256 device certificate carrying `extra` extension lines. */
const caKey = dir.path('ca.key');
const caCert = dir.path('ca.pem');
expect(run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', caKey, '-out', caCert, '-subj', '/CN=Audit CA', '-days', '30']).status).toBe(0);
const ca = der(dir.read('ca.pem').toString());
function deviceCert(name: string, extra: string): { der: Buffer; certFile: string; keyFile: string } {
  const keyFile = dir.path(`${name}.key`);
  const csr = dir.path(`${name}.csr`);
  expect(run('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', keyFile, '-out', csr, '-subj', `/CN=${name}`]).status).toBe(0);
  const ext = dir.write(`${name}.cnf`, `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n${extra}\n`);
  const leaf = run('openssl', ['x509', '-req', '-in', csr, '-CA', caCert, '-CAkey', caKey, '-CAcreateserial', '-days', '10', '-extfile', ext]);
  expect(leaf.status).toBe(0);
  return { der: der(leaf.out), certFile: dir.write(`${name}.pem`, leaf.out), keyFile };
}
const serverOnly = deviceCert('dev-server-auth', 'extendedKeyUsage=serverAuth');
const clientAuth = deviceCert('dev-client-auth', 'extendedKeyUsage=critical,clientAuth');
const anyPurpose = deviceCert('dev-any', 'extendedKeyUsage=anyExtendedKeyUsage');

describe('client certificate purpose (RFC 5280 §4.2.1.12)', () => {
  it('refuses a certificate whose extendedKeyUsage allows only TLS servers, as openssl verify -purpose sslclient does', () => {
    expect(verifyClientChain([serverOnly.der], [ca], new Date())).toMatchObject({ ok: false, alert: ALERT.unsupported_certificate });
    const v = run('openssl', ['verify', '-purpose', 'sslclient', '-CAfile', caCert, serverOnly.certFile]);
    expect(v.status).not.toBe(0);
  });

  it('accepts clientAuth (also critical) and anyExtendedKeyUsage', () => {
    expect(verifyClientChain([clientAuth.der], [ca], new Date())).toMatchObject({ ok: true, commonName: 'dev-client-auth' });
    expect(verifyClientChain([anyPurpose.der], [ca], new Date())).toMatchObject({ ok: true, commonName: 'dev-any' });
  });
});

describe('client certificate purpose against openssl s_client', () => {
  const identity = generateServerIdentity('lwm2m-server');
  const serverCert = dir.write('server.pem', serverIdentityToPem(identity).certPem);
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ identity, trustAnchors: [ca] });
  });
  afterAll(async () => {
    await server.close();
  });
  const sClient = (c: { certFile: string; keyFile: string }) =>
    ['s_client', '-dtls1_2', '-cipher', 'ECDHE-ECDSA-AES128-CCM8', '-cert', c.certFile, '-key', c.keyFile, '-CAfile', serverCert, '-verify_return_error', '-connect', `127.0.0.1:${server.port}`];

  it('ends the handshake with unsupported_certificate for a server-only certificate, and opens no session', async () => {
    const r = await runPeer('openssl', sClient(serverOnly), { timeoutMs: 8_000 });
    expect(r.out).toMatch(/alert unsupported certificate/);
    expect(server.sessions).toHaveLength(0);
    expect(server.failures).toEqual([{ alert: 43, reason: 'client certificate extendedKeyUsage does not allow TLS client authentication' }]);
  });

  it('completes the handshake for a certificate marked for TLS clients', async () => {
    const before = server.sessions.length;
    await runPeer('openssl', sClient(clientAuth), { until: () => server.sessions.length > before, stdin: 'x\n' });
    expect(server.sessions.at(-1)?.security).toMatchObject({ mode: 'x509', identity: 'dev-client-auth' });
  });
});

describe('raw public key encoding (RFC 7250 §3, RFC 5280 §4.1.1.2)', () => {
  const spki = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'der' });
  const point = spki.subarray(spki.length - 65);
  const withAlgorithm = (...fields: Buffer[]) => sequence(sequence(...fields), bitString(point));

  it('accepts the one DER form of a P-256 key and fingerprints it like its exported SPKI', () => {
    const canonical = withAlgorithm(oid(OID.ecPublicKey), oid(OID.prime256v1));
    expect(canonical).toEqual(spki);
    expect(rawPublicKeyIdentity(canonical)).toMatchObject({ ok: true, fingerprint: spkiFingerprint(spki) });
  });

  it('refuses an AlgorithmIdentifier with a field after the curve, which would give the same key a second fingerprint', () => {
    const padded = withAlgorithm(oid(OID.ecPublicKey), oid(OID.prime256v1), tlv(TAG.NULL, Buffer.alloc(0)));
    expect(rawPublicKeyIdentity(padded).ok).toBe(false);
  });
});

describe('certificate signature algorithms', () => {
  it('refuses a device certificate signed with ECDSA-SHA1, as openssl verify -auth_level 2 does, and accepts the SHA-256 one', () => {
    const d = tempDir();
    try {
      const csr = d.path('dev.csr');
      expect(run('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', d.path('dev.key'), '-out', csr, '-subj', '/CN=dev-sha']).status).toBe(0);
      const ext = d.write('ext.cnf', 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n');
      const signed = (digest: string) => {
        const leaf = run('openssl', ['x509', '-req', `-${digest}`, '-in', csr, '-CA', caCert, '-CAkey', caKey, '-CAcreateserial', '-days', '3', '-extfile', ext]);
        expect(leaf.status).toBe(0);
        return { der: der(leaf.out), file: d.write(`${digest}.pem`, leaf.out) };
      };
      const sha1 = signed('sha1');
      const sha256 = signed('sha256');
      expect(verifyClientChain([sha1.der], [ca], new Date())).toMatchObject({ ok: false, alert: ALERT.bad_certificate, reason: 'certificate 0 is signed with 1.2.840.10045.4.1, not a SHA-2 signature' });
      expect(run('openssl', ['verify', '-auth_level', '2', '-CAfile', caCert, sha1.file]).out).toMatch(/digest algorithm too weak/);
      expect(verifyClientChain([sha256.der], [ca], new Date())).toMatchObject({ ok: true, commonName: 'dev-sha' });
    } finally {
      d.remove();
    }
  });
});

describe('RSA-PSS certificate signatures (RFC 4055 §3.1)', () => {
  it('refuses an RSA-PSS signature over SHA-1 (the RSASSA-PSS-params default hash), as openssl verify -auth_level 2 does, and accepts RSA-PSS over SHA-256', () => {
    const d = tempDir();
    try {
      const caKeyFile = d.path('pss-ca.key');
      const caFile = d.path('pss-ca.pem');
      expect(run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', caKeyFile, '-out', caFile, '-subj', '/CN=PSS CA', '-days', '5']).status).toBe(0);
      const csr = d.path('dev.csr');
      expect(run('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', d.path('dev.key'), '-out', csr, '-subj', '/CN=dev-pss']).status).toBe(0);
      const ext = d.write('ext.cnf', 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n');
      const signed = (digest: string) => {
        const leaf = run('openssl', ['x509', '-req', `-${digest}`, '-sigopt', 'rsa_padding_mode:pss', '-in', csr, '-CA', caFile, '-CAkey', caKeyFile, '-CAcreateserial', '-days', '3', '-extfile', ext]);
        expect(leaf.status).toBe(0);
        return { der: der(leaf.out), file: d.write(`pss-${digest}.pem`, leaf.out) };
      };
      const pssCa = der(d.read('pss-ca.pem').toString());
      const sha1 = signed('sha1');
      const sha256 = signed('sha256');
      expect(run('openssl', ['verify', '-auth_level', '2', '-CAfile', caFile, sha1.file]).out).toMatch(/digest algorithm too weak/);
      expect(verifyClientChain([sha1.der], [pssCa], new Date())).toMatchObject({ ok: false, alert: ALERT.bad_certificate, reason: expect.stringMatching(/RSASSA-PSS with hash 1\.3\.14\.3\.2\.26/) });
      expect(verifyClientChain([sha256.der], [pssCa], new Date())).toMatchObject({ ok: true, commonName: 'dev-pss' });
    } finally {
      d.remove();
    }
  });
});

describe('issuer key strength', () => {
  it('refuses a chain whose CA key is RSA-1024, as openssl verify -auth_level 2 does; RSA-2048 is accepted', () => {
    const d = tempDir();
    try {
      const csr = d.path('dev.csr');
      expect(run('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', d.path('dev.key'), '-out', csr, '-subj', '/CN=dev-rsa']).status).toBe(0);
      const ext = d.write('ext.cnf', 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n');
      const chain = (bits: number) => {
        const key = d.path(`ca${bits}.key`);
        const cert = d.path(`ca${bits}.pem`);
        expect(run('openssl', ['req', '-x509', '-newkey', `rsa:${bits}`, '-nodes', '-keyout', key, '-out', cert, '-subj', `/CN=RSA ${bits} CA`, '-days', '5']).status).toBe(0);
        const leaf = run('openssl', ['x509', '-req', '-sha256', '-in', csr, '-CA', cert, '-CAkey', key, '-CAcreateserial', '-days', '3', '-extfile', ext]);
        expect(leaf.status).toBe(0);
        return { ca: der(d.read(`ca${bits}.pem`).toString()), caFile: cert, leaf: der(leaf.out), leafFile: d.write(`leaf${bits}.pem`, leaf.out) };
      };
      const weak = chain(1024);
      const strong = chain(2048);
      expect(verifyClientChain([weak.leaf], [weak.ca], new Date())).toMatchObject({ ok: false, reason: expect.stringMatching(/issuer key is too weak/) });
      expect(run('openssl', ['verify', '-auth_level', '2', '-CAfile', weak.caFile, weak.leafFile]).out).toMatch(/key too weak|too small/i);
      expect(verifyClientChain([strong.leaf], [strong.ca], new Date())).toMatchObject({ ok: true, commonName: 'dev-rsa' });
    } finally {
      d.remove();
    }
  });
});
