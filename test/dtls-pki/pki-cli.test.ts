import { readFileSync, statSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { runPkiCli } from '../../bridge/src/dtls/pki/pki-cli.js';
import { loadOrCreateServerIdentity } from '../../bridge/src/dtls/pki/server-identity-store.js';
import { spkiFingerprint } from '../../bridge/src/dtls/pki/verify.js';
import { run, tempDir } from './tools.js';

const dir = tempDir();
afterAll(() => dir.remove());

describe('pki-cli', () => {
  it('creates a CA and issues a device certificate that openssl verifies against it', () => {
    runPkiCli(['ca', '--cn', 'Fleet CA', '--out', dir.path('ca')]);
    const lines = runPkiCli(['issue', '--ca', dir.path('ca'), '--cn', 'urn:imei:490154203237518', '--days', '30', '--out', dir.path('dev')]);
    expect(lines.at(-1)).toContain('CN=urn:imei:490154203237518, 30 days');
    const cert = dir.path('dev/urn_imei_490154203237518.pem');
    expect(run('openssl', ['verify', '-CAfile', dir.path('ca/ca.pem'), cert]).out).toContain(': OK');
    expect(run('openssl', ['x509', '-in', cert, '-noout', '-subject']).out).toContain('subject=CN = urn:imei:490154203237518');
    // The key pairs with the certificate, and private keys are not world-readable.
    const pub1 = run('openssl', ['x509', '-in', cert, '-noout', '-pubkey']).out;
    const pub2 = run('openssl', ['pkey', '-in', dir.path('dev/urn_imei_490154203237518.key'), '-pubout']).out;
    expect(pub1).toBe(pub2);
    expect(statSync(dir.path('dev/urn_imei_490154203237518.key')).mode & 0o077).toBe(0);
    expect(statSync(dir.path('ca/ca.key')).mode & 0o077).toBe(0);
  });

  it('certifies a key the device generated itself (--key) without writing a private key', () => {
    run('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', dir.path('own.key')]);
    run('openssl', ['pkey', '-in', dir.path('own.key'), '-pubout', '-out', dir.path('own.pub')]);
    const lines = runPkiCli(['issue', '--ca', dir.path('ca'), '--cn', 'dev2', '--key', dir.path('own.pub'), '--out', dir.path('own')]);
    expect(lines).toHaveLength(1);
    expect(run('openssl', ['x509', '-in', dir.path('own/dev2.pem'), '-noout', '-pubkey']).out).toBe(readFileSync(dir.path('own.pub'), 'utf8'));
  });

  it('prints the raw-public-key fingerprint GnuTLS and OpenSSL agree on', () => {
    const der = run('openssl', ['pkey', '-in', dir.path('own.key'), '-pubout', '-outform', 'DER']).stdout;
    const expected = run('openssl', ['dgst', '-sha256', '-r'], der).out.split(' ')[0];
    expect(runPkiCli(['fingerprint', '--key', dir.path('own.key')])).toEqual([expected]);
    expect(runPkiCli(['fingerprint', '--key', dir.path('own.pub')])).toEqual([expected]);
  });

  it('prints the bridge\'s own public key for devices that pin it in raw-public-key mode', () => {
    const { identity } = loadOrCreateServerIdentity(dir.path('bridge-data'), 'lwm2m-console');
    const [pemKey, hexLine, fpLine] = runPkiCli(['server-key', '--data-dir', dir.path('bridge-data')]);
    expect(pemKey).toContain('-----BEGIN PUBLIC KEY-----');
    expect(hexLine).toBe(`spki-der-hex ${identity.publicKeySpki.toString('hex')}`);
    expect(fpLine).toBe(`fingerprint ${spkiFingerprint(identity.publicKeySpki)}`);
    const viaOpenssl = run('openssl', ['pkey', '-pubin', '-outform', 'DER'], Buffer.from(pemKey! + '\n')).stdout;
    expect(viaOpenssl.equals(identity.publicKeySpki)).toBe(true);
  });

  it('refuses unknown commands, missing flags and non-P-256 keys with a usage message', () => {
    expect(() => runPkiCli(['frobnicate'])).toThrow(/commands:/);
    expect(() => runPkiCli(['ca', '--out'])).toThrow(/--flag value/);
    expect(() => runPkiCli(['issue', '--ca', dir.path('ca'), '--out', dir.path('x')])).toThrow(/--cn is required/);
    expect(() => runPkiCli(['issue', '--ca', dir.path('ca'), '--cn', 'd', '--days', '0', '--out', dir.path('x')])).toThrow(/--days/);
    run('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384', '-out', dir.path('p384.key')]);
    expect(() => runPkiCli(['issue', '--ca', dir.path('ca'), '--cn', 'd', '--key', dir.path('p384.key'), '--out', dir.path('x')])).toThrow(/P-256/);
  });
});
