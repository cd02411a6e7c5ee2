/**
 * The ECDHE_ECDSA plug-in driven at the handshake-message level by a client written here from
 * the RFCs (no sockets): both sides must derive the same premaster secret, the server's
 * signatures must verify with its published key, and every refusal must name its alert.
 */
import { X509Certificate, createECDH, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { DtlsCredentialResolver } from '../../bridge/src/dtls/credentials.js';
import type { ClientHello } from '../../bridge/src/dtls/hello.js';
import type { KeyExchangeStep } from '../../bridge/src/dtls/key-exchange.js';
import { CIPHER_SUITES } from '../../bridge/src/dtls/cipher-suites.js';
import { HandshakeType } from '../../bridge/src/dtls/wire.js';
import { generateCertificateAuthority, issueCertificate } from '../../bridge/src/dtls/pki/certificate-authority.js';
import { EXT } from '../../bridge/src/dtls/pki/ecc-extensions.js';
import {
  encodeCertificateRaw, encodeCertificateVerify, encodeCertificateX509, encodeClientKeyExchange, parseCertificateBody,
  parseCertificateRequest, parseServerKeyExchange, CERT_TYPE,
} from '../../bridge/src/dtls/pki/ecc-messages.js';
import { createEcdheEcdsaKeyExchange, type EcdheEcdsaOptions } from '../../bridge/src/dtls/pki/ecdhe-ecdsa-key-exchange.js';
import { ALERT } from '../../bridge/src/dtls/pki/outcome.js';
import { generateServerIdentity } from '../../bridge/src/dtls/pki/server-identity.js';
import { spkiFingerprint } from '../../bridge/src/dtls/pki/verify.js';
import { verify } from 'node:crypto';

const now = new Date('2026-11-29T04:00:00Z');
const server = generateServerIdentity('lwm2m-server', now);
const ca = generateCertificateAuthority('Fleet CA', now);
const p256 = () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const suite = CIPHER_SUITES.find((s) => s.id === 0xc0ae)!;
const hex = (s: string) => Buffer.from(s, 'hex');

function hello(extra: Array<[number, Buffer]> = []): ClientHello {
  const extensions = new Map<number, Buffer>([
    [EXT.supported_groups, hex('00020017')],
    [EXT.ec_point_formats, hex('0100')],
    [EXT.signature_algorithms, hex('00020403')],
    ...extra,
  ]);
  return { clientVersion: 0xfefd, random: randomBytes(32), sessionId: Buffer.alloc(0), cookie: Buffer.alloc(0), cipherSuites: [0xc0ae], extensions, cookieInput: Buffer.alloc(0) };
}

const header = (type: number, seq: number, body: Buffer) => {
  const h = Buffer.alloc(12);
  h[0] = type;
  h.writeUIntBE(body.length, 1, 3);
  h.writeUInt16BE(seq, 4);
  h.writeUIntBE(body.length, 9, 3);
  return Buffer.concat([h, body]);
};

type ClientCredential = { type: 'x509'; chain: Buffer[]; key: KeyObject } | { type: 'raw'; key: KeyObject; publicKey: KeyObject } | { type: 'none' };

interface Run {
  steps: KeyExchangeStep[];
  serverAlert?: { alert: number; reason: string };
  clientPremaster?: Buffer;
  serverCertificate?: ReturnType<typeof parseCertificateBody>;
  serverHelloExtensions: ReadonlyArray<readonly [number, Buffer]>;
  skeVerifies?: boolean;
}

/** Plays the client (RFC 5246 §7.3 order) against the key exchange, stopping at the first refusal. */
function handshake(opts: Partial<EcdheEcdsaOptions>, resolver: DtlsCredentialResolver, cred: ClientCredential, ch = hello(), tamper: { cv?: boolean; point?: Buffer } = {}): Run {
  const kx = createEcdheEcdsaKeyExchange({ serverIdentity: server, now: () => now, ...opts });
  const transcript: Buffer[] = [header(HandshakeType.clientHello, 0, Buffer.from('client hello'))];
  const serverRandom = randomBytes(32);
  const run = kx.start({ clientHello: ch, clientRandom: ch.random, serverRandom, suite, credentials: resolver, transcript: () => Buffer.concat(transcript) });
  const result: Run = { steps: [], serverHelloExtensions: run.serverHelloExtensions() };
  transcript.push(header(HandshakeType.serverHello, 1, Buffer.from('server hello')));
  const flight = run.serverMessages();
  if (!Array.isArray(flight)) {
    result.serverAlert = flight as { alert: number; reason: string };
    return result;
  }
  let seq = 2;
  for (const m of flight as Array<{ type: number; body: Buffer }>) transcript.push(header(m.type, seq++, m.body));
  const [certMsg, skeMsg, crMsg] = flight as Array<{ type: number; body: Buffer }>;
  expect([certMsg!.type, skeMsg!.type, crMsg!.type]).toEqual([HandshakeType.certificate, HandshakeType.serverKeyExchange, HandshakeType.certificateRequest]);
  expect(parseCertificateRequest(crMsg!.body)).toEqual({ ok: true, value: { types: [64], algorithms: [0x0403] } });
  const srvType = result.serverHelloExtensions.find(([t]) => t === EXT.server_certificate_type)?.[1][0] ?? CERT_TYPE.X509;
  result.serverCertificate = parseCertificateBody(certMsg!.body, srvType as 0 | 2);
  const ske = parseServerKeyExchange(skeMsg!.body);
  if (!ske.ok) throw new Error(ske.reason);
  // The client checks the server's signature with the key the server published (RFC 8422 §5.4).
  result.skeVerifies = verify('sha256', Buffer.concat([ch.random, serverRandom, ske.value.params]), createPublicKey({ key: server.publicKeySpki, format: 'der', type: 'spki' }), ske.value.signature);
  transcript.push(header(HandshakeType.serverHelloDone, seq++, Buffer.alloc(0)));

  const send = (type: number, body: Buffer): boolean => {
    // as the engine does (key-exchange.ts step 5): the message is handed over, then appended
    const step = run.clientMessage(type, body);
    transcript.push(header(type, seq++, body));
    result.steps.push(step);
    return step.ok;
  };
  const certBody =
    cred.type === 'x509' ? encodeCertificateX509(cred.chain) : cred.type === 'raw' ? encodeCertificateRaw(cred.publicKey.export({ type: 'spki', format: 'der' })) : Buffer.from([0, 0, 0]);
  if (!send(HandshakeType.certificate, certBody)) return result;
  const ecdh = createECDH('prime256v1');
  const clientPoint = ecdh.generateKeys();
  result.clientPremaster = ecdh.computeSecret(ske.value.point);
  if (!send(HandshakeType.clientKeyExchange, encodeClientKeyExchange(tamper.point ?? clientPoint))) return result;
  if (cred.type === 'none') return result;
  const signed = Buffer.concat(transcript);
  const cv = encodeCertificateVerify(tamper.cv ? Buffer.concat([signed, Buffer.from([1])]) : signed, cred.key);
  send(HandshakeType.certificateVerify, cv);
  return result;
}

const device = p256();
const deviceCert = issueCertificate({ subjectCN: 'dev1', subjectPublicKey: device.publicKey, issuerKey: ca.privateKey, issuerCertDer: ca.certificateDer, validDays: 30, now });
const x509Client: ClientCredential = { type: 'x509', chain: [deviceCert], key: device.privateKey };
const rawDevice = p256();
const rawClient: ClientCredential = { type: 'raw', key: rawDevice.privateKey, publicKey: rawDevice.publicKey };
const rawFingerprint = spkiFingerprint(rawDevice.publicKey.export({ type: 'spki', format: 'der' }));
const resolver: DtlsCredentialResolver = {
  pskKeyFor: () => undefined,
  verifyRawPublicKey: (spki) => (spkiFingerprint(spki) === rawFingerprint ? 'dev-rpk' : undefined),
};
const rpkHello = () => hello([[EXT.client_certificate_type, hex('0102')], [EXT.server_certificate_type, hex('0102')]]);
const last = (r: Run) => r.steps[r.steps.length - 1];

describe('ECDHE_ECDSA key exchange', () => {
  it('authenticates an X.509 client to its certificate CN and agrees on the premaster secret', () => {
    const r = handshake({ trustAnchors: [ca.certificateDer] }, resolver, x509Client);
    expect(r.skeVerifies).toBe(true);
    expect(r.serverCertificate).toEqual({ ok: true, value: { type: 'x509', chain: [server.certificateDer] } });
    expect(r.steps.map((s) => s.ok)).toEqual([true, true, true]);
    const premaster = r.steps[1]!.ok ? r.steps[1]!.premaster : undefined;
    expect(premaster?.equals(r.clientPremaster!)).toBe(true);
    // the chain it checked comes back for re-checking on resumption (RFC 5246 §7.3)
    expect(last(r)).toEqual({ ok: true, peer: { mode: 'x509', identity: 'dev1' }, credential: { kind: 'x509', chain: [deviceCert] }, complete: true });
  });

  it('authenticates a raw-public-key client through the credential resolver and sends its own key raw (RFC 7250)', () => {
    const r = handshake({ trustAnchors: [ca.certificateDer] }, resolver, rawClient, rpkHello());
    expect(r.serverHelloExtensions).toContainEqual([EXT.server_certificate_type, hex('02')]);
    expect(r.serverHelloExtensions).toContainEqual([EXT.client_certificate_type, hex('02')]);
    expect(r.serverCertificate).toEqual({ ok: true, value: { type: 'raw', spki: server.publicKeySpki } });
    expect(last(r)).toEqual({
      ok: true,
      peer: { mode: 'rpk', identity: 'dev-rpk' },
      credential: { kind: 'rpk', spki: rawClient.type === 'raw' ? rawClient.publicKey.export({ type: 'spki', format: 'der' }) : undefined },
      complete: true,
    });
  });

  it('refuses an unknown raw public key at its Certificate message', () => {
    const stranger = p256();
    const r = handshake({}, resolver, { type: 'raw', key: stranger.privateKey, publicKey: stranger.publicKey }, rpkHello());
    expect(r.steps).toHaveLength(1);
    expect(last(r)).toMatchObject({ ok: false, alert: ALERT.certificate_unknown });
  });

  it('refuses a certificate from another CA with unknown_ca', () => {
    const other = generateCertificateAuthority('Other', now);
    const cert = issueCertificate({ subjectCN: 'dev1', subjectPublicKey: device.publicKey, issuerKey: other.privateKey, issuerCertDer: other.certificateDer, validDays: 30, now });
    const r = handshake({ trustAnchors: [ca.certificateDer] }, resolver, { type: 'x509', chain: [cert], key: device.privateKey });
    expect(last(r)).toMatchObject({ ok: false, alert: ALERT.unknown_ca });
  });

  it('refuses an expired certificate', () => {
    const r = handshake({ trustAnchors: [ca.certificateDer], now: () => new Date(now.getTime() + 40 * 86_400_000) }, resolver, x509Client);
    expect(last(r)).toMatchObject({ ok: false, reason: 'client certificate has expired' });
  });

  it('refuses a CertificateVerify that does not sign this handshake with decrypt_error', () => {
    const r = handshake({ trustAnchors: [ca.certificateDer] }, resolver, x509Client, hello(), { cv: true });
    expect(r.steps.map((s) => s.ok)).toEqual([true, true, false]);
    expect(last(r)).toMatchObject({ ok: false, alert: ALERT.decrypt_error });
  });

  it('refuses a CertificateVerify by a key other than the certificate\'s', () => {
    const r = handshake({ trustAnchors: [ca.certificateDer] }, resolver, { type: 'x509', chain: [deviceCert], key: p256().privateKey });
    expect(last(r)).toMatchObject({ ok: false, alert: ALERT.decrypt_error });
  });

  it('refuses a client without a certificate with handshake_failure (RFC 5246 §7.4.6)', () => {
    const r = handshake({ trustAnchors: [ca.certificateDer] }, resolver, { type: 'none' });
    expect(last(r)).toMatchObject({ ok: false, alert: ALERT.handshake_failure });
  });

  it('refuses an ECDH point off the curve with illegal_parameter', () => {
    const bad = Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 1)]);
    const r = handshake({ trustAnchors: [ca.certificateDer] }, resolver, x509Client, hello(), { point: bad });
    expect(r.steps.map((s) => s.ok)).toEqual([true, false]);
    expect(last(r)).toMatchObject({ ok: false, alert: ALERT.illegal_parameter });
  });

  it('lets the credential store refuse a well-chained endpoint with access_denied', () => {
    const r = handshake({ trustAnchors: [ca.certificateDer] }, { ...resolver, verifyCertificateChain: () => undefined }, x509Client);
    expect(last(r)).toMatchObject({ ok: false, alert: ALERT.access_denied });
  });

  it('refuses messages out of the RFC 5246 §7.3 order with unexpected_message', () => {
    const kx = createEcdheEcdsaKeyExchange({ serverIdentity: server, trustAnchors: [ca.certificateDer] });
    const ch = hello();
    const run = kx.start({ clientHello: ch, clientRandom: ch.random, serverRandom: randomBytes(32), suite, credentials: resolver, transcript: () => Buffer.alloc(0) });
    expect(run.clientMessage(HandshakeType.certificate, Buffer.from([0, 0, 0]))).toMatchObject({ ok: false, alert: ALERT.unexpected_message });
    run.serverMessages();
    expect(run.clientMessage(HandshakeType.clientKeyExchange, Buffer.alloc(66))).toMatchObject({ ok: false, alert: ALERT.unexpected_message });
  });

  it('reports a negotiation failure from serverMessages so the engine sends that alert', () => {
    const kx = createEcdheEcdsaKeyExchange({ serverIdentity: server, trustAnchors: [ca.certificateDer], rawPublicKeys: false });
    const ch = rpkHello();
    expect(kx.accepts(ch)).toBe(true);
    const run = kx.start({ clientHello: ch, clientRandom: ch.random, serverRandom: randomBytes(32), suite, credentials: resolver, transcript: () => Buffer.alloc(0) });
    expect(run.serverMessages()).toMatchObject({ alert: ALERT.unsupported_certificate });
  });

  it('leaves a client with no common certificate type to its PSK suites when it offers some', () => {
    const kx = createEcdheEcdsaKeyExchange({ serverIdentity: server, trustAnchors: [ca.certificateDer], rawPublicKeys: false });
    const ch = { ...rpkHello(), cipherSuites: [0xc0ae, 0xc0a8] };
    expect(kx.accepts(ch)).toBe(false);
  });

  it('is not offered to clients without secp256r1, so another suite can be chosen', () => {
    const kx = createEcdheEcdsaKeyExchange({ serverIdentity: server, trustAnchors: [ca.certificateDer] });
    expect(kx.accepts(hello([[EXT.supported_groups, hex('0002001d')]]))).toBe(false);
    expect(kx.accepts(hello())).toBe(true);
  });

  it('reports the identity the credential store gives a verified chain', () => {
    const r = handshake({ trustAnchors: [ca.certificateDer] }, { ...resolver, verifyCertificateChain: (chain) => (new X509Certificate(chain[0]!).subject === 'CN=dev1' ? 'endpoint-1' : undefined) }, x509Client);
    expect(last(r)).toMatchObject({ ok: true, peer: { mode: 'x509', identity: 'endpoint-1' }, complete: true });
  });

  it('does not take X.509 clients without trust anchors, even if the credential store could check chains', () => {
    const kx = createEcdheEcdsaKeyExchange({ serverIdentity: server });
    expect(kx.accepts(hello())).toBe(false);
    expect(kx.accepts(rpkHello())).toBe(true);
  });

  it('follows replaced trust anchors from the next handshake on', () => {
    const kxOpts = { trustAnchors: [ca.certificateDer] };
    const first = handshake(kxOpts, resolver, x509Client);
    expect(last(first)).toMatchObject({ ok: true });
    const kx = createEcdheEcdsaKeyExchange({ serverIdentity: server, now: () => now, trustAnchors: [ca.certificateDer] });
    kx.setTrustAnchors([generateCertificateAuthority('Next CA', now).certificateDer]);
    const ch = hello();
    const run = kx.start({ clientHello: ch, clientRandom: ch.random, serverRandom: randomBytes(32), suite, credentials: resolver, transcript: () => Buffer.alloc(0) });
    run.serverMessages();
    expect(run.clientMessage(HandshakeType.certificate, encodeCertificateX509([deviceCert]))).toMatchObject({ ok: false, alert: ALERT.unknown_ca });
  });
});
