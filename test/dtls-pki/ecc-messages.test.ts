import { createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CERT_TYPE, SIG_ECDSA_SHA256, encodeCertificateRaw, encodeCertificateRequest, encodeCertificateVerify, encodeCertificateX509,
  encodeClientKeyExchange, encodeServerKeyExchange, parseCertificateBody, parseCertificateRequest, parseClientKeyExchange,
  parseServerKeyExchange, verifyCertificateVerify,
} from '../../bridge/src/dtls/pki/ecc-messages.js';
import { createEphemeralKey } from '../../bridge/src/dtls/pki/ecdhe.js';
import { ALERT } from '../../bridge/src/dtls/pki/outcome.js';
import { run, tempDir } from './tools.js';

const dir = tempDir();
afterAll(() => dir.remove());
const key = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const keyFile = dir.write('k.pem', key.privateKey.export({ type: 'pkcs8', format: 'pem' }));
const pubFile = dir.write('k.pub', key.publicKey.export({ type: 'spki', format: 'pem' }));

describe('Certificate message', () => {
  it('round-trips an X.509 chain with 24-bit length prefixes (RFC 5246 §7.4.2)', () => {
    const chain = [Buffer.from('3003020101', 'hex'), Buffer.from('300302010200', 'hex')];
    const body = encodeCertificateX509(chain);
    expect(body.subarray(0, 6).toString('hex')).toBe('000011000005');
    expect(parseCertificateBody(body, CERT_TYPE.X509)).toEqual({ ok: true, value: { type: 'x509', chain } });
  });

  it('round-trips an RFC 7250 raw public key as one SubjectPublicKeyInfo', () => {
    const spki = key.publicKey.export({ type: 'spki', format: 'der' });
    const body = encodeCertificateRaw(spki);
    expect(body.readUIntBE(0, 3)).toBe(91);
    expect(parseCertificateBody(body, CERT_TYPE.RawPublicKey)).toEqual({ ok: true, value: { type: 'raw', spki } });
  });

  it('reads an empty list as a client without a certificate', () => {
    expect(parseCertificateBody(Buffer.from('000000', 'hex'), CERT_TYPE.X509)).toEqual({ ok: true, value: { type: 'x509', chain: [] } });
    expect(parseCertificateBody(Buffer.from('000000', 'hex'), CERT_TYPE.RawPublicKey)).toEqual({ ok: true, value: { type: 'raw', spki: undefined } });
  });

  it('answers inconsistent lengths with decode_error and too many certificates with bad_certificate', () => {
    expect(parseCertificateBody(Buffer.from('000005000001aa', 'hex'), CERT_TYPE.X509)).toMatchObject({ ok: false, alert: ALERT.decode_error });
    expect(parseCertificateBody(Buffer.from('000004000001aaff', 'hex'), CERT_TYPE.X509)).toMatchObject({ ok: false, alert: ALERT.decode_error });
    expect(parseCertificateBody(Buffer.from('000003000000', 'hex'), CERT_TYPE.X509)).toMatchObject({ ok: false, alert: ALERT.decode_error });
    expect(parseCertificateBody(Buffer.from('0000', 'hex'), CERT_TYPE.RawPublicKey)).toMatchObject({ ok: false, alert: ALERT.decode_error });
    const many = encodeCertificateX509(Array(11).fill(Buffer.from('3000', 'hex')));
    expect(parseCertificateBody(many, CERT_TYPE.X509)).toMatchObject({ ok: false, alert: ALERT.bad_certificate });
  });
});

describe('ServerKeyExchange', () => {
  const clientRandom = randomBytes(32);
  const serverRandom = randomBytes(32);
  const eph = createEphemeralKey();
  const body = encodeServerKeyExchange({ clientRandom, serverRandom, point: eph.publicPoint, key: key.privateKey });

  it('carries named_curve secp256r1, the 65-octet point and an ecdsa_secp256r1_sha256 signature (RFC 8422 §5.4)', () => {
    expect(body.subarray(0, 5).toString('hex')).toBe('03001741' + '04');
    expect(body.subarray(4, 69).equals(eph.publicPoint)).toBe(true);
    expect(body.readUInt16BE(69)).toBe(SIG_ECDSA_SHA256);
    const parsed = parseServerKeyExchange(body);
    expect(parsed.ok && parsed.value.point.equals(eph.publicPoint)).toBe(true);
  });

  it('is signed over client_random + server_random + params so that openssl dgst verifies it', () => {
    const parsed = parseServerKeyExchange(body);
    if (!parsed.ok) throw new Error(parsed.reason);
    const data = dir.write('ske.data', Buffer.concat([clientRandom, serverRandom, parsed.value.params]));
    const sig = dir.write('ske.sig', parsed.value.signature);
    const r = run('openssl', ['dgst', '-sha256', '-verify', pubFile, '-signature', sig, data]);
    expect(r.out).toContain('Verified OK');
    const swapped = dir.write('ske.bad', Buffer.concat([serverRandom, clientRandom, parsed.value.params]));
    expect(run('openssl', ['dgst', '-sha256', '-verify', pubFile, '-signature', sig, swapped]).out).toContain('Verification failure');
  });
});

describe('CertificateRequest', () => {
  it('asks for ecdsa_sign with ecdsa+sha256 and any CA (RFC 5246 §7.4.4, RFC 8422 §5.5)', () => {
    expect(encodeCertificateRequest().toString('hex')).toBe('0140' + '00020403' + '0000');
    expect(parseCertificateRequest(encodeCertificateRequest())).toEqual({ ok: true, value: { types: [64], algorithms: [0x0403] } });
  });
});

describe('ClientKeyExchange', () => {
  it('accepts an uncompressed P-256 point', () => {
    const p = createEphemeralKey().publicPoint;
    expect(parseClientKeyExchange(encodeClientKeyExchange(p))).toEqual({ ok: true, value: p });
  });

  it('refuses compressed or wrong-size points with illegal_parameter and bad framing with decode_error', () => {
    const p = createEphemeralKey().publicPoint;
    const compressed = Buffer.concat([Buffer.from([0x02 | (p[64]! & 1)]), p.subarray(1, 33)]);
    expect(parseClientKeyExchange(encodeClientKeyExchange(compressed))).toMatchObject({ ok: false, alert: ALERT.illegal_parameter });
    expect(parseClientKeyExchange(Buffer.concat([Buffer.from([66]), p, Buffer.from([0])]))).toMatchObject({ ok: false, alert: ALERT.illegal_parameter });
    expect(parseClientKeyExchange(Buffer.concat([Buffer.from([65]), p.subarray(0, 60)]))).toMatchObject({ ok: false, alert: ALERT.decode_error });
    expect(parseClientKeyExchange(Buffer.alloc(0))).toMatchObject({ ok: false, alert: ALERT.decode_error });
  });
});

describe('CertificateVerify', () => {
  const transcript = randomBytes(700);
  const transcriptFile = dir.write('transcript', transcript);

  it('accepts a signature OpenSSL made over the handshake messages', () => {
    const sig = run('openssl', ['dgst', '-sha256', '-sign', keyFile, transcriptFile]).stdout;
    const body = Buffer.concat([Buffer.from([4, 3, 0, sig.length]), sig]);
    expect(verifyCertificateVerify(body, transcript, key.publicKey)).toEqual({ ok: true, value: undefined });
  });

  it('refuses a signature over other messages, or by another key, with decrypt_error', () => {
    const body = encodeCertificateVerify(transcript, key.privateKey);
    const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey;
    expect(verifyCertificateVerify(body, Buffer.concat([transcript, Buffer.from([0])]), key.publicKey)).toMatchObject({ ok: false, alert: ALERT.decrypt_error });
    expect(verifyCertificateVerify(body, transcript, other)).toMatchObject({ ok: false, alert: ALERT.decrypt_error });
    expect(verifyCertificateVerify(body, transcript, createPublicKey(key.privateKey))).toMatchObject({ ok: true });
  });

  it('refuses an algorithm the CertificateRequest did not offer (RFC 5246 §7.4.8)', () => {
    const body = encodeCertificateVerify(transcript, key.privateKey);
    body.writeUInt16BE(0x0203, 0); // sha1+ecdsa
    expect(verifyCertificateVerify(body, transcript, key.publicKey)).toMatchObject({ ok: false, alert: ALERT.illegal_parameter });
  });

  it('refuses malformed signatures and framing without throwing', () => {
    expect(verifyCertificateVerify(Buffer.from('0403000430020100', 'hex'), transcript, key.publicKey)).toMatchObject({ ok: false, alert: ALERT.decrypt_error });
    expect(verifyCertificateVerify(Buffer.from('040300ff00', 'hex'), transcript, key.publicKey)).toMatchObject({ ok: false, alert: ALERT.decode_error });
    expect(verifyCertificateVerify(Buffer.from('04', 'hex'), transcript, key.publicKey)).toMatchObject({ ok: false, alert: ALERT.decode_error });
  });
});
