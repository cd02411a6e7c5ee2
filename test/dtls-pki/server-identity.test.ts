import { X509Certificate, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { generateServerIdentity, serverIdentityFromPem, serverIdentityToPem } from '../../bridge/src/dtls/pki/server-identity.js';
import { parseCertificate } from '../../bridge/src/dtls/pki/x509.js';
import { run, tempDir } from './tools.js';

const dir = tempDir();
afterAll(() => dir.remove());
const now = new Date('2026-11-29T04:00:00Z');

describe('server identity', () => {
  const id = generateServerIdentity('lwm2m-server', now, { dnsNames: ['localhost'] });
  const { keyPem, certPem } = serverIdentityToPem(id);
  const certFile = dir.write('server.pem', certPem);
  const keyFile = dir.write('server.key', keyPem);

  it('is a P-256 self-signed certificate that node verifies with its own key', () => {
    const cert = new X509Certificate(id.certificateDer);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(cert.checkPrivateKey(id.privateKey)).toBe(true);
    expect(cert.publicKey.export({ type: 'spki', format: 'der' }).equals(id.publicKeySpki)).toBe(true);
  });

  it('is parsed by openssl x509 with the fields it was built with', () => {
    const r = run('openssl', ['x509', '-in', certFile, '-noout', '-text']);
    expect(r.status).toBe(0);
    expect(r.out).toContain('Version: 3 (0x2)');
    expect(r.out).toContain('Signature Algorithm: ecdsa-with-SHA256');
    expect(r.out).toContain('Subject: CN = lwm2m-server');
    expect(r.out).toContain('Issuer: CN = lwm2m-server');
    expect(r.out).toContain('NIST CURVE: P-256');
    expect(r.out).toMatch(/Basic Constraints: critical\s+CA:TRUE/);
    expect(r.out).toMatch(/Key Usage: critical\s+Digital Signature, Certificate Sign/);
    expect(r.out).toContain('DNS:localhost');
    expect(r.out).toContain('Not Before: Nov 29 03:00:00 2026 GMT');
    expect(r.out).toContain('Not After : Nov 26 04:00:00 2036 GMT');
  });

  it('is accepted by openssl verify and GnuTLS certtool as its own trust anchor', () => {
    const v = run('openssl', ['verify', '-attime', String(now.getTime() / 1000), '-CAfile', certFile, certFile]);
    expect(v.out).toContain(': OK');
    expect(v.status).toBe(0);
    const g = run('certtool', ['--verify', '--verify-profile', 'medium', '--load-ca-certificate', certFile, '--infile', certFile]);
    expect(g.out).toContain('Verified');
  });

  it('has a key that openssl reads and that matches the certificate', () => {
    const a = run('openssl', ['pkey', '-in', keyFile, '-pubout', '-outform', 'DER']);
    expect(a.status).toBe(0);
    expect(a.stdout.equals(id.publicKeySpki)).toBe(true);
  });

  it('survives a PEM round trip unchanged', () => {
    const back = serverIdentityFromPem(keyPem, certPem);
    expect(back.certificateDer.equals(id.certificateDer)).toBe(true);
    expect(back.publicKeySpki.equals(id.publicKeySpki)).toBe(true);
    expect(back.privateKey.export({ type: 'pkcs8', format: 'der' }).equals(id.privateKey.export({ type: 'pkcs8', format: 'der' }))).toBe(true);
  });

  it('refuses to load a key that does not belong to the certificate', () => {
    const other = generateServerIdentity('other', now);
    expect(() => serverIdentityFromPem(serverIdentityToPem(other).keyPem, certPem)).toThrow(/does not match/);
  });

  it('refuses a kept identity whose key is not P-256', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const rsaKeyFile = dir.write('rsa.key', rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const rsaCert = run('openssl', ['req', '-x509', '-key', rsaKeyFile, '-subj', '/CN=rsa', '-days', '1', '-out', '-']);
    expect(rsaCert.status).toBe(0);
    expect(() => serverIdentityFromPem(rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), rsaCert.out)).toThrow(/P-256/);
  });

  it('generates a different key and serial each time', () => {
    const a = parseCertificate(generateServerIdentity('x', now).certificateDer);
    const b = generateServerIdentity('x', now);
    expect(a.ok).toBe(true);
    expect(createPublicKey(b.privateKey).export({ type: 'spki', format: 'der' }).equals(id.publicKeySpki)).toBe(false);
    expect(new X509Certificate(b.certificateDer).serialNumber).not.toBe(new X509Certificate(id.certificateDer).serialNumber);
  });
});
