import { readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { SERVER_CERT_FILE, SERVER_KEY_FILE, loadOrCreateServerIdentity } from '../../bridge/src/dtls/pki/server-identity-store.js';
import { run, tempDir } from './tools.js';

const dir = tempDir();
afterAll(() => dir.remove());

describe('loadOrCreateServerIdentity', () => {
  it('generates the identity on first start and returns the same one afterwards', () => {
    const first = loadOrCreateServerIdentity(dir.path('data'), 'lwm2m-console');
    expect(first.created).toBe(true);
    const again = loadOrCreateServerIdentity(dir.path('data'), 'ignored-now');
    expect(again.created).toBe(false);
    expect(again.identity.certificateDer.equals(first.identity.certificateDer)).toBe(true);
    expect(again.identity.publicKeySpki.equals(first.identity.publicKeySpki)).toBe(true);
  });

  it('keeps the private key readable by its owner only, in a form openssl reads', () => {
    const keyPath = dir.path(`data/${SERVER_KEY_FILE}`);
    expect(statSync(keyPath).mode & 0o077).toBe(0);
    expect(run('openssl', ['pkey', '-in', keyPath, '-noout']).status).toBe(0);
    expect(run('openssl', ['verify', '-CAfile', dir.path(`data/${SERVER_CERT_FILE}`), dir.path(`data/${SERVER_CERT_FILE}`)]).out).toContain(': OK');
  });

  it('refuses to invent a new key when the certificate is missing, and says what to do', () => {
    loadOrCreateServerIdentity(dir.path('half'), 'x');
    unlinkSync(dir.path(`half/${SERVER_CERT_FILE}`));
    expect(() => loadOrCreateServerIdentity(dir.path('half'), 'x')).toThrow(/is missing; remove .* to generate a new server identity/);
  });

  it('reports a damaged key file instead of replacing it', () => {
    loadOrCreateServerIdentity(dir.path('bad'), 'x');
    const keyPath = dir.path(`bad/${SERVER_KEY_FILE}`);
    writeFileSync(keyPath, '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n');
    expect(() => loadOrCreateServerIdentity(dir.path('bad'), 'x')).toThrow(/cannot use the DTLS server identity/);
    expect(readFileSync(keyPath, 'utf8')).toContain('AAAA');
  });
});
