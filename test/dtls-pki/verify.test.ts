import { X509Certificate, createHash, generateKeyPairSync } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { generateCertificateAuthority, issueCertificate } from '../../bridge/src/dtls/pki/certificate-authority.js';
import { ALERT } from '../../bridge/src/dtls/pki/outcome.js';
import { rawPublicKeyIdentity, verifyClientChain } from '../../bridge/src/dtls/pki/verify.js';
import { pem, run, tempDir } from './tools.js';

const dir = tempDir();
afterAll(() => dir.remove());
const now = new Date('2026-11-29T04:00:00Z');
const DAY = 86_400_000;
const p256 = () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const der = (pemText: string) => new X509Certificate(pemText).raw;

const ca = generateCertificateAuthority('Fleet CA', now);
const device = p256();
const deviceCert = issueCertificate({ subjectCN: 'urn:imei:490154203237518', subjectPublicKey: device.publicKey, issuerKey: ca.privateKey, issuerCertDer: ca.certificateDer, validDays: 365, now });

/** A CA and device certificates made by OpenSSL alone, so the verifier is checked on chains it did not build. */
function opensslChain(leafArgs: string[], keyAlg: string[] = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']) {
  const caKey = dir.path('o-ca.key');
  const caCert = dir.path('o-ca.pem');
  expect(run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', caKey, '-out', caCert, '-subj', '/CN=OpenSSL CA', '-days', '30']).status).toBe(0);
  const csr = dir.path('o-dev.csr');
  expect(run('openssl', ['req', '-new', ...keyAlg, '-nodes', '-keyout', dir.path('o-dev.key'), '-out', csr, ...leafArgs]).status).toBe(0);
  const ext = dir.write('o-ext.cnf', 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n');
  const leaf = run('openssl', ['x509', '-req', '-in', csr, '-CA', caCert, '-CAkey', caKey, '-CAcreateserial', '-days', '10', '-extfile', ext]);
  expect(leaf.status).toBe(0);
  return { ca: der(dir.read('o-ca.pem').toString()), leaf: der(leaf.out) };
}

describe('verifyClientChain', () => {
  it('accepts a device certificate issued by the configured CA and returns its CN as the endpoint name', () => {
    expect(verifyClientChain([deviceCert], [ca.certificateDer], now)).toMatchObject({ ok: true, commonName: 'urn:imei:490154203237518' });
  });

  it('agrees with openssl verify on the chain the CA helper issued', () => {
    const caFile = dir.write('ca.pem', pem('CERTIFICATE', ca.certificateDer));
    const devFile = dir.write('dev.pem', pem('CERTIFICATE', deviceCert));
    const r = run('openssl', ['verify', '-attime', String(now.getTime() / 1000), '-purpose', 'sslclient', '-CAfile', caFile, devFile]);
    expect(r.out).toContain(': OK');
  });

  it('accepts a chain made entirely by OpenSSL', () => {
    const chain = opensslChain(['-subj', '/CN=dev-openssl']);
    expect(verifyClientChain([chain.leaf], [chain.ca], new Date())).toMatchObject({ ok: true, commonName: 'dev-openssl' });
  });

  it('accepts a leaf sent with its intermediate CA, and with the root appended', () => {
    const inter = p256();
    const interCert = issueCertificate({ subjectCN: 'Site CA', subjectPublicKey: inter.publicKey, issuerKey: ca.privateKey, issuerCertDer: ca.certificateDer, validDays: 365, now, isCa: true });
    const leaf = issueCertificate({ subjectCN: 'dev-site', subjectPublicKey: p256().publicKey, issuerKey: inter.privateKey, issuerCertDer: interCert, validDays: 30, now });
    expect(verifyClientChain([leaf, interCert], [ca.certificateDer], now)).toMatchObject({ ok: true, commonName: 'dev-site' });
    expect(verifyClientChain([leaf, interCert, ca.certificateDer], [ca.certificateDer], now)).toMatchObject({ ok: true });
    expect(verifyClientChain([leaf], [ca.certificateDer], now)).toMatchObject({ ok: false, reason: 'client certificate does not chain to a trust anchor' });
  });

  it('refuses an end-entity certificate used as an intermediate', () => {
    const notCa = p256();
    const notCaCert = issueCertificate({ subjectCN: 'not-a-ca', subjectPublicKey: notCa.publicKey, issuerKey: ca.privateKey, issuerCertDer: ca.certificateDer, validDays: 30, now });
    const leaf = issueCertificate({ subjectCN: 'dev-x', subjectPublicKey: p256().publicKey, issuerKey: notCa.privateKey, issuerCertDer: notCaCert, validDays: 30, now });
    expect(verifyClientChain([leaf, notCaCert], [ca.certificateDer], now)).toMatchObject({ ok: false, reason: 'issuer is not a CA' });
  });

  it('enforces a root pathLenConstraint of 0 on an OpenSSL-made three-level chain (RFC 5280 §4.2.1.9)', () => {
    const mk = (name: string, pathlen: string, signer?: string) => {
      const key = dir.path(`${name}.key`);
      const ext = dir.write(`${name}.cnf`, `[v3]\nbasicConstraints=critical,CA:TRUE${pathlen}\nkeyUsage=critical,keyCertSign,digitalSignature\n`);
      if (!signer) {
        expect(run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', dir.path(`${name}.pem`), '-subj', `/CN=${name}`, '-days', '5', '-config', ext, '-extensions', 'v3']).status).toBe(0);
      } else {
        run('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', dir.path(`${name}.csr`), '-subj', `/CN=${name}`]);
        const r = run('openssl', ['x509', '-req', '-in', dir.path(`${name}.csr`), '-CA', dir.path(`${signer}.pem`), '-CAkey', dir.path(`${signer}.key`), '-CAcreateserial', '-days', '5', '-extfile', ext, '-extensions', 'v3', '-out', dir.path(`${name}.pem`)]);
        expect(r.status).toBe(0);
      }
      return der(dir.read(`${name}.pem`).toString());
    };
    const root = mk('pl-root', ',pathlen:0');
    const inter = mk('pl-inter', '', 'pl-root');
    run('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', dir.path('pl-leaf.key'), '-out', dir.path('pl-leaf.csr'), '-subj', '/CN=dev-pl']);
    const leaf = run('openssl', ['x509', '-req', '-in', dir.path('pl-leaf.csr'), '-CA', dir.path('pl-inter.pem'), '-CAkey', dir.path('pl-inter.key'), '-CAcreateserial', '-days', '5']);
    expect(verifyClientChain([der(leaf.out), inter], [root], new Date())).toMatchObject({ ok: false, reason: 'issuer pathLenConstraint exceeded' });
    // OpenSSL agrees that the path is invalid.
    const v = run('openssl', ['verify', '-CAfile', dir.path('pl-root.pem'), '-untrusted', dir.path('pl-inter.pem'), dir.write('pl-leaf.pem', leaf.out)]);
    expect(v.status).not.toBe(0);
    expect(v.out).toMatch(/path length/);
  });

  it('refuses a certificate from another CA', () => {
    const other = generateCertificateAuthority('Other CA', now);
    const leaf = issueCertificate({ subjectCN: 'dev1', subjectPublicKey: p256().publicKey, issuerKey: other.privateKey, issuerCertDer: other.certificateDer, validDays: 30, now });
    expect(verifyClientChain([leaf], [ca.certificateDer], now)).toMatchObject({ ok: false, reason: 'client certificate does not chain to a trust anchor', alert: ALERT.unknown_ca });
  });

  it('refuses a certificate whose issuer name matches but whose signature does not', () => {
    const impostor = generateCertificateAuthority('Fleet CA', now); // same name, different key
    const leaf = issueCertificate({ subjectCN: 'dev1', subjectPublicKey: p256().publicKey, issuerKey: impostor.privateKey, issuerCertDer: impostor.certificateDer, validDays: 30, now });
    expect(verifyClientChain([leaf], [ca.certificateDer], now)).toMatchObject({ ok: false });
    const tampered = Buffer.from(deviceCert);
    tampered[tampered.length - 5]! ^= 0x01;
    expect(verifyClientChain([tampered], [ca.certificateDer], now).ok).toBe(false);
  });

  it('refuses an expired certificate and one not yet valid, by the injected clock', () => {
    expect(verifyClientChain([deviceCert], [ca.certificateDer], new Date(now.getTime() + 366 * DAY))).toMatchObject({ ok: false, reason: 'client certificate has expired', alert: ALERT.certificate_expired });
    expect(verifyClientChain([deviceCert], [ca.certificateDer], new Date(now.getTime() - 2 * 3_600_000))).toMatchObject({ ok: false, reason: 'client certificate is not yet valid' });
  });

  it('refuses a chain whose trust anchor has expired', () => {
    const shortCa = generateCertificateAuthority('Short CA', new Date(now.getTime() - 3651 * DAY));
    const leaf = issueCertificate({ subjectCN: 'dev1', subjectPublicKey: p256().publicKey, issuerKey: shortCa.privateKey, issuerCertDer: shortCa.certificateDer, validDays: 30, now });
    expect(verifyClientChain([leaf], [shortCa.certificateDer], now)).toMatchObject({ ok: false, reason: 'trust anchor has expired' });
  });

  it('refuses a leaf whose key usage does not allow signatures', () => {
    const caKey = dir.path('ku-ca.key');
    const caCert = dir.write('ku-ca.pem', pem('CERTIFICATE', ca.certificateDer));
    dir.write('ku-ca.key', ca.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    run('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', dir.path('ku.key'), '-out', dir.path('ku.csr'), '-subj', '/CN=dev-ku']);
    const ext = dir.write('ku.cnf', 'keyUsage=critical,keyAgreement\n');
    const leaf = run('openssl', ['x509', '-req', '-in', dir.path('ku.csr'), '-CA', caCert, '-CAkey', caKey, '-CAcreateserial', '-days', '5', '-extfile', ext]);
    expect(leaf.status).toBe(0);
    expect(verifyClientChain([der(leaf.out)], [ca.certificateDer], new Date())).toMatchObject({ ok: false, reason: 'client certificate key usage forbids digitalSignature' });
  });

  it('refuses an RSA client certificate, since the suite signs with ECDSA', () => {
    const chain = opensslChain(['-subj', '/CN=dev-rsa'], ['-newkey', 'rsa:2048']);
    expect(verifyClientChain([chain.leaf], [chain.ca], new Date())).toMatchObject({ ok: false, reason: 'client certificate key is not ECDSA P-256' });
  });

  it('refuses a subject with two CNs, since the endpoint name would be ambiguous', () => {
    const chain = opensslChain(['-subj', '/CN=dev-a/CN=dev-b']);
    expect(verifyClientChain([chain.leaf], [chain.ca], new Date())).toMatchObject({ ok: false, reason: 'client certificate must carry exactly one subject CN' });
  });

  it('answers garbage, empty and overlong chains with a reason instead of throwing', () => {
    expect(verifyClientChain([], [ca.certificateDer], now)).toMatchObject({ ok: false, reason: 'no client certificate' });
    expect(verifyClientChain([Buffer.from('30030201ff', 'hex')], [ca.certificateDer], now).ok).toBe(false);
    expect(verifyClientChain([Buffer.from('hello')], [ca.certificateDer], now).ok).toBe(false);
    expect(verifyClientChain(Array(6).fill(deviceCert), [ca.certificateDer], now)).toMatchObject({ ok: false, reason: 'client certificate chain too long' });
    expect(verifyClientChain([deviceCert], [], now)).toMatchObject({ ok: false, reason: 'no usable trust anchor configured' });
  });
});

describe('rawPublicKeyIdentity', () => {
  it('fingerprints a P-256 SubjectPublicKeyInfo as the SHA-256 that OpenSSL computes over its DER', () => {
    const keyFile = dir.path('rpk.key');
    expect(run('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', keyFile]).status).toBe(0);
    const spki = run('openssl', ['pkey', '-in', keyFile, '-pubout', '-outform', 'DER']).stdout;
    const digest = run('openssl', ['dgst', '-sha256', '-r'], spki).out.split(' ')[0];
    expect(rawPublicKeyIdentity(spki)).toMatchObject({ ok: true, fingerprint: digest });
  });

  it('gives the same key the same identity every time', () => {
    const spki = device.publicKey.export({ type: 'spki', format: 'der' });
    const a = rawPublicKeyIdentity(spki);
    const b = rawPublicKeyIdentity(Buffer.from(spki));
    expect(a.ok && b.ok && a.fingerprint === b.fingerprint).toBe(true);
    expect(a.ok && a.fingerprint).toBe(createHash('sha256').update(spki).digest('hex'));
  });

  it('refuses keys on other curves and of other types', () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey.export({ type: 'spki', format: 'der' });
    const ed = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'der' });
    expect(rawPublicKeyIdentity(p384)).toMatchObject({ ok: false, reason: 'raw public key is not ECDSA P-256' });
    expect(rawPublicKeyIdentity(ed)).toMatchObject({ ok: false, reason: 'raw public key is not ECDSA P-256' });
  });

  it('refuses a point that is not on the curve', () => {
    const spki = Buffer.from(device.publicKey.export({ type: 'spki', format: 'der' }));
    spki[spki.length - 1]! ^= 0x01; // flip a bit of Y
    expect(rawPublicKeyIdentity(spki)).toMatchObject({ ok: false, reason: 'raw public key is not a valid P-256 point' });
  });

  it('refuses truncated, padded and compressed encodings', () => {
    const spki = device.publicKey.export({ type: 'spki', format: 'der' });
    expect(rawPublicKeyIdentity(spki.subarray(0, spki.length - 1)).ok).toBe(false);
    expect(rawPublicKeyIdentity(Buffer.concat([spki, Buffer.from([0])])).ok).toBe(false);
    const compressed = device.publicKey.export({ type: 'spki', format: 'der' }); // build a compressed form by hand
    const x = compressed.subarray(compressed.length - 64, compressed.length - 32);
    const head = Buffer.from('3039301306072a8648ce3d020106082a8648ce3d030107032200', 'hex');
    expect(rawPublicKeyIdentity(Buffer.concat([head, Buffer.from([0x02]), x]))).toMatchObject({ ok: false, reason: 'raw public key is not an uncompressed P-256 point' });
  });
});
