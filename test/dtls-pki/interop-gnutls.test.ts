/**
 * RFC 7250 raw public keys with TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 against GnuTLS's gnutls-cli,
 * both ways raw (LwM2M Security Mode 1) and raw client with an X.509 server.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateServerIdentity } from '../../bridge/src/dtls/pki/server-identity.js';
import { spkiFingerprint } from '../../bridge/src/dtls/pki/verify.js';
import { tempDir } from './tools.js';
import { runPeer, startServer, waitFor, type TestServer } from './interop-harness.js';

const dir = tempDir();
const identity = generateServerIdentity('lwm2m-server');
const device = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const stranger = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const files = {
  key: dir.write('dev.key', device.privateKey.export({ type: 'pkcs8', format: 'pem' })),
  pub: dir.write('dev.pub', device.publicKey.export({ type: 'spki', format: 'pem' })),
  strangerKey: dir.write('stranger.key', stranger.privateKey.export({ type: 'pkcs8', format: 'pem' })),
  strangerPub: dir.write('stranger.pub', stranger.publicKey.export({ type: 'spki', format: 'pem' })),
};
let server: TestServer;
beforeAll(async () => {
  const rawKeys = new Map([[spkiFingerprint(device.publicKey.export({ type: 'spki', format: 'der' })), 'dev-rpk']]);
  server = await startServer({ identity, rawKeys });
});
afterAll(async () => {
  await server.close();
  dir.remove();
});

const SUITE = 'NORMAL:-VERS-ALL:+VERS-DTLS1.2:-KX-ALL:+ECDHE-ECDSA:-CIPHER-ALL:+AES-128-CCM-8';
/** --insecure: gnutls-cli has no way to pin a server raw key; it still checks the ServerKeyExchange signature with it. */
const gnutlsCli = (priority: string, key: string, pub: string) =>
  ['--udp', '-p', String(server.port), '127.0.0.1', '--priority', priority, '--rawpkkeyfile', key, '--rawpkfile', pub, '--insecure'];

describe('gnutls-cli --udp with raw public keys', () => {
  it('completes a handshake with raw public keys both ways and maps the key to its endpoint', async () => {
    const before = server.sessions.length;
    const r = await runPeer('gnutls-cli', gnutlsCli(`${SUITE}:-CTYPE-ALL:+CTYPE-CLI-RAWPK:+CTYPE-SRV-RAWPK`, files.key, files.pub), {
      until: () => server.sessions.length > before,
      stdin: 'hello rpk\n',
    });
    expect(r.out).toContain('- Certificate type: Raw Public Key');
    expect(r.out).toContain('(DTLS1.2-Raw Public Key)-(ECDHE-SECP256R1)-(ECDSA-SHA256)-(AES-128-CCM-8)');
    expect(r.out).toContain('- Handshake was completed');
    expect(server.sessions.at(-1)?.security).toMatchObject({ mode: 'rpk', identity: 'dev-rpk', cipherSuite: 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8' });
    expect(await waitFor(() => server.received.map(String).includes('hello rpk\n'))).toBe(true);
  });

  it('sends its X.509 certificate to a raw-key client that accepts only X.509 from the server, and GnuTLS reports the same key id we fingerprint', async () => {
    const before = server.sessions.length;
    const r = await runPeer('gnutls-cli', gnutlsCli(`${SUITE}:-CTYPE-ALL:+CTYPE-CLI-RAWPK:+CTYPE-SRV-X509`, files.key, files.pub), {
      until: () => server.sessions.length > before,
    });
    expect(r.out).toContain('(DTLS1.2-Raw Public Key-X.509)');
    expect(r.out).toContain(`sha256:${spkiFingerprint(identity.publicKeySpki)}`);
    expect(server.sessions.at(-1)?.security).toMatchObject({ mode: 'rpk', identity: 'dev-rpk' });
  });

  it('refuses an unknown raw public key with a fatal alert and opens no session', async () => {
    const sessions = server.sessions.length;
    const failures = server.failures.length;
    const r = await runPeer('gnutls-cli', gnutlsCli(`${SUITE}:-CTYPE-ALL:+CTYPE-CLI-RAWPK:+CTYPE-SRV-RAWPK`, files.strangerKey, files.strangerPub), { timeoutMs: 8_000 });
    expect(r.out).toMatch(/Received alert \[46\]/);
    expect(r.out).not.toContain('Handshake was completed');
    expect(server.sessions.length).toBe(sessions);
    expect(server.failures.slice(failures)).toEqual([
      { alert: 46, reason: `unknown raw public key ${spkiFingerprint(stranger.publicKey.export({ type: 'spki', format: 'der' }))}` },
    ]);
  });
});
