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

/** An OpenSSL-made CA: its certificate (DER and file) and key file. */
interface Issuer { der: Buffer; certFile: string; keyFile: string }
/** A self-signed CA made by OpenSSL; `newkey` is its `-newkey` argument (`ec` with P-256, or `rsa:BITS`). */
function opensslCa(name: string, newkey: string): Issuer {
  const keyFile = dir.path(`${name}.key`);
  const certFile = dir.path(`${name}.pem`);
  const curve = newkey === 'ec' ? ['-pkeyopt', 'ec_paramgen_curve:P-256'] : [];
  expect(run('openssl', ['req', '-x509', '-newkey', newkey, ...curve, '-nodes', '-keyout', keyFile, '-out', certFile, '-subj', `/CN=${name}`, '-days', '30']).status).toBe(0);
  return { der: der(dir.read(`${name}.pem`).toString()), certFile, keyFile };
}
const auditCa = opensslCa('Audit CA', 'ec');
const { certFile: caCert, der: ca } = auditCa;
/** A P-256 device certificate (CN `name`) from `issuer`, carrying `extra` extension lines; `sign` are extra `openssl x509` options (digest, -sigopt). */
function deviceCert(name: string, extra: string, issuer: Issuer = auditCa, sign: string[] = []): { der: Buffer; certFile: string; keyFile: string } {
  const keyFile = dir.path(`${name}.key`);
  const csr = dir.path(`${name}.csr`);
  expect(run('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', keyFile, '-out', csr, '-subj', `/CN=${name}`]).status).toBe(0);
  const ext = dir.write(`${name}.cnf`, `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n${extra}\n`);
  const leaf = run('openssl', ['x509', '-req', ...sign, '-in', csr, '-CA', issuer.certFile, '-CAkey', issuer.keyFile, '-CAcreateserial', '-days', '10', '-extfile', ext]);
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
    const sha1 = deviceCert('dev-sha1', '', auditCa, ['-sha1']);
    const sha256 = deviceCert('dev-sha256', '', auditCa, ['-sha256']);
    expect(verifyClientChain([sha1.der], [ca], new Date())).toMatchObject({ ok: false, alert: ALERT.bad_certificate, reason: 'certificate 0 is signed with 1.2.840.10045.4.1, not a SHA-2 signature' });
    expect(run('openssl', ['verify', '-auth_level', '2', '-CAfile', caCert, sha1.certFile]).out).toMatch(/digest algorithm too weak/);
    expect(verifyClientChain([sha256.der], [ca], new Date())).toMatchObject({ ok: true, commonName: 'dev-sha256' });
  });

  it('refuses an RSA-PSS signature over SHA-1 (the RSASSA-PSS-params default hash, RFC 4055 §3.1), as openssl verify -auth_level 2 does, and accepts RSA-PSS over SHA-256', () => {
    const pssCa = opensslCa('PSS CA', 'rsa:2048');
    const sha1 = deviceCert('dev-pss-sha1', '', pssCa, ['-sha1', '-sigopt', 'rsa_padding_mode:pss']);
    const sha256 = deviceCert('dev-pss-sha256', '', pssCa, ['-sha256', '-sigopt', 'rsa_padding_mode:pss']);
    expect(run('openssl', ['verify', '-auth_level', '2', '-CAfile', pssCa.certFile, sha1.certFile]).out).toMatch(/digest algorithm too weak/);
    expect(verifyClientChain([sha1.der], [pssCa.der], new Date())).toMatchObject({ ok: false, alert: ALERT.bad_certificate, reason: expect.stringMatching(/RSASSA-PSS with hash 1\.3\.14\.3\.2\.26/) });
    expect(verifyClientChain([sha256.der], [pssCa.der], new Date())).toMatchObject({ ok: true, commonName: 'dev-pss-sha256' });
  });
});

describe('issuer key strength', () => {
  it('refuses a chain whose CA key is RSA-1024, as openssl verify -auth_level 2 does; RSA-2048 is accepted', () => {
    const weakCa = opensslCa('RSA 1024 CA', 'rsa:1024');
    const strongCa = opensslCa('RSA 2048 CA', 'rsa:2048');
    const weak = deviceCert('dev-rsa1024', '', weakCa, ['-sha256']);
    const strong = deviceCert('dev-rsa2048', '', strongCa, ['-sha256']);
    expect(verifyClientChain([weak.der], [weakCa.der], new Date())).toMatchObject({ ok: false, reason: expect.stringMatching(/issuer key is too weak/) });
    expect(run('openssl', ['verify', '-auth_level', '2', '-CAfile', weakCa.certFile, weak.certFile]).out).toMatch(/key too weak|too small/i);
    expect(verifyClientChain([strong.der], [strongCa.der], new Date())).toMatchObject({ ok: true, commonName: 'dev-rsa2048' });
  });
});
