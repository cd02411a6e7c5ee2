/**
 * RFC 5246 §7.3 resumption of ECDHE_ECDSA sessions re-checks the cached peer credential: the
 * certificate chain against the clock and today's trust anchors, the raw public key against the
 * credential store. A session that fails is forgotten and the client gets a full handshake.
 * First the plug-in's `mayResume` with a fake clock (no sockets), then real peers: OpenSSL
 * (-sess_out / -sess_in) with certificates, GnuTLS (-r) with raw public keys.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { DtlsCredentialResolver, PeerCredential } from '../../bridge/src/dtls/credentials.js';
import type { DtlsSession } from '../../bridge/src/dtls/dtls-server.js';
import { generateCertificateAuthority, issueCertificate } from '../../bridge/src/dtls/pki/certificate-authority.js';
import { createEcdheEcdsaKeyExchange } from '../../bridge/src/dtls/pki/ecdhe-ecdsa-key-exchange.js';
import { generateServerIdentity, serverIdentityToPem } from '../../bridge/src/dtls/pki/server-identity.js';
import { spkiFingerprint } from '../../bridge/src/dtls/pki/verify.js';
import { pem, tempDir } from './tools.js';
import { runPeer, startServer, waitFor, type TestServer } from './interop-harness.js';

const DAY = 86_400_000;
const identity = generateServerIdentity('lwm2m-server');
const ca = generateCertificateAuthority('Fleet CA');
const otherCa = generateCertificateAuthority('Other CA');
const device = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const deviceSpki = device.publicKey.export({ type: 'spki', format: 'der' });
const deviceCert = issueCertificate({ subjectCN: 'dev1', subjectPublicKey: device.publicKey, issuerKey: ca.privateKey, issuerCertDer: ca.certificateDer, validDays: 30 });

describe('ECDHE_ECDSA mayResume (fake clock, no sockets)', () => {
  const clock = { now: new Date() };
  const kx = createEcdheEcdsaKeyExchange({ serverIdentity: identity, trustAnchors: [ca.certificateDer], now: () => clock.now });
  const x509: PeerCredential = { kind: 'x509', chain: [deviceCert] };
  const rpk: PeerCredential = { kind: 'rpk', spki: deviceSpki };
  const keys = new Map([[spkiFingerprint(deviceSpki), 'dev-rpk']]);
  const resolver: DtlsCredentialResolver = { pskKeyFor: () => undefined, verifyRawPublicKey: (spki) => keys.get(spkiFingerprint(spki)) };

  it('accepts a cached certificate chain that is still valid and still chains to the anchors', () => {
    clock.now = new Date();
    expect(kx.mayResume!({ mode: 'x509', identity: 'dev1' }, x509, resolver)).toEqual({ ok: true });
  });

  it('refuses a cached certificate once the clock passes its notAfter', () => {
    clock.now = new Date(Date.now() + 31 * DAY);
    expect(kx.mayResume!({ mode: 'x509', identity: 'dev1' }, x509, resolver)).toEqual({ ok: false, reason: 'client certificate chain has expired' });
    clock.now = new Date();
  });

  it('refuses a cached certificate that no longer chains to the trust anchors as they are now', () => {
    const own = createEcdheEcdsaKeyExchange({ serverIdentity: identity, trustAnchors: [ca.certificateDer] });
    expect(own.mayResume!({ mode: 'x509', identity: 'dev1' }, x509, resolver).ok).toBe(true);
    own.setTrustAnchors([otherCa.certificateDer]);
    expect(own.mayResume!({ mode: 'x509', identity: 'dev1' }, x509, resolver)).toMatchObject({ ok: false });
  });

  it('asks verifyCertificateChain again and requires the same endpoint', () => {
    const peer = { mode: 'x509' as const, identity: 'dev1' };
    expect(kx.mayResume!(peer, x509, { ...resolver, verifyCertificateChain: () => undefined })).toEqual({ ok: false, reason: 'certificate refused by the credential store' });
    expect(kx.mayResume!(peer, x509, { ...resolver, verifyCertificateChain: () => 'someone-else' })).toEqual({ ok: false, reason: 'certificate now maps to another endpoint' });
    expect(kx.mayResume!(peer, x509, { ...resolver, verifyCertificateChain: () => 'dev1' })).toEqual({ ok: true });
  });

  it('asks verifyRawPublicKey again: a withdrawn key or one now mapped to another endpoint is refused', () => {
    const peer = { mode: 'rpk' as const, identity: 'dev-rpk' };
    expect(kx.mayResume!(peer, rpk, resolver)).toEqual({ ok: true });
    keys.set(spkiFingerprint(deviceSpki), 'other-endpoint');
    expect(kx.mayResume!(peer, rpk, resolver)).toEqual({ ok: false, reason: 'raw public key now maps to another endpoint' });
    keys.delete(spkiFingerprint(deviceSpki));
    expect(kx.mayResume!(peer, rpk, resolver)).toEqual({ ok: false, reason: 'raw public key withdrawn' });
    expect(kx.mayResume!(peer, rpk, { pskKeyFor: () => undefined })).toEqual({ ok: false, reason: 'raw public key withdrawn' });
  });

  it('refuses a credential that does not match the session mode', () => {
    expect(kx.mayResume!({ mode: 'x509', identity: 'dev1' }, rpk, resolver)).toMatchObject({ ok: false });
    expect(kx.mayResume!({ mode: 'psk', identity: 'dev1' }, { kind: 'psk', keyDigest: Buffer.alloc(32) }, resolver)).toMatchObject({ ok: false });
  });
});

describe('resumption against real peers after credentials changed', () => {
  const dir = tempDir();
  const files = {
    serverCert: dir.write('server.pem', serverIdentityToPem(identity).certPem),
    devCert: dir.write('dev.pem', pem('CERTIFICATE', deviceCert)),
    devKey: dir.write('dev.key', device.privateKey.export({ type: 'pkcs8', format: 'pem' })),
    devPub: dir.write('dev.pub', device.publicKey.export({ type: 'spki', format: 'pem' })),
  };
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const sClient = (port: number, session: string) => [
    's_client', '-dtls1_2', '-cipher', 'ECDHE-ECDSA-AES128-CCM8', '-cert', files.devCert, '-key', files.devKey,
    '-CAfile', files.serverCert, '-verify_return_error', '-connect', `127.0.0.1:${port}`, ...session.split(' '),
  ];

  /** One s_client run that saves its session, then one that offers it; returns the second run's output. */
  async function resumeWithOpenssl(s: TestServer, between: () => void) {
    const session = dir.path(`session-${s.port}.pem`);
    const first = await runPeer('openssl', sClient(s.port, `-sess_out ${session}`), { until: () => s.sessions.length === 1 });
    expect(first.out).toMatch(/^New, TLSv1.2, Cipher is ECDHE-ECDSA-AES128-CCM8/m);
    between();
    return runPeer('openssl', sClient(s.port, `-sess_in ${session}`), { until: () => s.sessions.length === 2, timeoutMs: 8_000 });
  }

  it('OpenSSL resumes an X.509 session while the certificate is valid', async () => {
    const s = (server = await startServer({ identity, trustAnchors: [ca.certificateDer] }));
    const again = await resumeWithOpenssl(s, () => {});
    expect(again.out).toMatch(/^Reused, TLSv1.2, Cipher is ECDHE-ECDSA-AES128-CCM8/m);
    expect(s.server.stats()).toMatchObject({ resumptions: 1, resumptionsRefused: 0 });
    expect(s.sessions[1]!.security).toEqual(s.sessions[0]!.security);
  });

  it('OpenSSL gets a full handshake ending in certificate_expired, not a resumption, once its certificate expired', async () => {
    const clock = { now: new Date() };
    const s = (server = await startServer({ identity, trustAnchors: [ca.certificateDer], now: () => clock.now }));
    const again = await resumeWithOpenssl(s, () => (clock.now = new Date(Date.now() + 31 * DAY)));
    expect(again.out).not.toMatch(/^Reused/m);
    expect(again.out).toMatch(/alert certificate expired/);
    expect(s.sessions).toHaveLength(1);
    expect(s.server.stats()).toMatchObject({ resumptions: 0, resumptionsRefused: 1 });
    expect(s.failures).toEqual([{ alert: 45, reason: 'client certificate chain has expired' }]);
  });

  it('OpenSSL gets a full handshake ending in unknown_ca once its CA is no longer a trust anchor', async () => {
    const s = (server = await startServer({ identity, trustAnchors: [ca.certificateDer] }));
    const again = await resumeWithOpenssl(s, () => s.kx.setTrustAnchors([otherCa.certificateDer]));
    expect(again.out).not.toMatch(/^Reused/m);
    expect(again.out).toMatch(/alert unknown ca/);
    expect(s.sessions).toHaveLength(1);
    expect(s.server.stats()).toMatchObject({ resumptions: 0, resumptionsRefused: 1 });
  });

  const RPK = 'NORMAL:-VERS-ALL:+VERS-DTLS1.2:-KX-ALL:+ECDHE-ECDSA:-CIPHER-ALL:+AES-128-CCM-8:-CTYPE-ALL:+CTYPE-CLI-RAWPK:+CTYPE-SRV-RAWPK';
  const gnutlsResume = (port: number) =>
    ['--udp', '-r', '-p', String(port), '127.0.0.1', '--priority', RPK, '--rawpkkeyfile', files.devKey, '--rawpkfile', files.devPub, '--insecure'];

  it('GnuTLS resumes a raw-public-key session while the key is in the credential store', async () => {
    const s = (server = await startServer({ identity, rawKeys: new Map([[spkiFingerprint(deviceSpki), 'dev-rpk']]) }));
    const r = await runPeer('gnutls-cli', gnutlsResume(s.port), { until: () => s.sessions.length === 2 });
    expect(r.out).toContain('This is a resumed session');
    expect(s.server.stats()).toMatchObject({ resumptions: 1, resumptionsRefused: 0 });
    expect(s.sessions.map((x) => x.security.identity)).toEqual(['dev-rpk', 'dev-rpk']);
  });

  it('GnuTLS cannot resume a raw-public-key session after the key was removed from the credential store', async () => {
    const rawKeys = new Map([[spkiFingerprint(deviceSpki), 'dev-rpk']]);
    const s = (server = await startServer({ identity, rawKeys }));
    // withdrawn the moment the first session exists, before gnutls-cli reconnects to resume it
    s.server.once('session', (_x: DtlsSession) => rawKeys.clear());
    const r = await runPeer('gnutls-cli', gnutlsResume(s.port), { timeoutMs: 8_000, until: () => s.failures.length > 0 });
    expect(r.out).not.toContain('This is a resumed session');
    expect(s.sessions).toHaveLength(1);
    expect(await waitFor(() => s.server.stats().resumptionsRefused === 1)).toBe(true);
    expect(s.server.stats().resumptions).toBe(0);
    expect(s.failures).toMatchObject([{ alert: 46 }]);
  });

  afterAll(() => dir.remove());
});
