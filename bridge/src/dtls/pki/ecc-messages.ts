/**
 * Handshake message bodies of the ECDHE_ECDSA key exchange (RFC 8422 §5, RFC 5246 §7.4),
 * without the DTLS handshake header: Certificate (X.509 chain or RFC 7250 raw public key),
 * ServerKeyExchange, CertificateRequest, ClientKeyExchange and CertificateVerify.
 * Parsers take untrusted bytes and return outcomes; serializers take trusted values.
 */
import { sign, verify, type KeyObject } from 'node:crypto';
import { ALERT, fatal, ok, type Outcome } from './outcome.js';
import { TlsReader, withLength } from './tls-reader.js';

/** RFC 8422 §5.4 ECCurveType named_curve. */
export const CURVE_TYPE_NAMED = 3;
/** RFC 8422 §5.1.1 NamedCurve secp256r1. */
export const NAMED_CURVE_SECP256R1 = 23;
/** RFC 8422 §5.1.2 ECPointFormat uncompressed. */
export const POINT_FORMAT_UNCOMPRESSED = 0;
/** RFC 5246 §7.4.1.4.1 SignatureAndHashAlgorithm {sha256(4), ecdsa(3)} (TLS 1.3 name ecdsa_secp256r1_sha256). */
export const SIG_ECDSA_SHA256 = 0x0403;
/** RFC 8422 §5.5 ClientCertificateType ecdsa_sign. */
export const CLIENT_CERT_TYPE_ECDSA_SIGN = 64;
/** RFC 7250 §3 / IANA TLS Certificate Types. */
export const CERT_TYPE = { X509: 0, RawPublicKey: 2 } as const;
export type CertificateType = (typeof CERT_TYPE)[keyof typeof CERT_TYPE];

/** SEC 1 §2.3.3 uncompressed P-256 point: 0x04 || X(32) || Y(32). */
export const P256_POINT_LENGTH = 65;
/** Upper bounds so that a hostile peer cannot make us parse or verify without limit. */
export const MAX_CERTIFICATE_LIST = 10;
const MAX_CERT_BYTES = 8192;

// ---------------------------------------------------------------------------------------------
// Certificate (RFC 5246 §7.4.2; RFC 7250 §3 for the RawPublicKey form)

export type CertificateBody = { type: 'x509'; chain: Buffer[] } | { type: 'raw'; spki: Buffer | undefined };

export function encodeCertificateX509(chain: Buffer[]): Buffer {
  return withLength(3, Buffer.concat(chain.map((c) => withLength(3, c))));
}

/** RFC 7250 §3: the Certificate payload is one opaque ASN.1_subjectPublicKeyInfo<1..2^24-1>. */
export function encodeCertificateRaw(spki: Buffer): Buffer {
  return withLength(3, spki);
}

/**
 * Parses a Certificate body of the negotiated type. An empty list (length 0) is a client that
 * has no certificate (RFC 5246 §7.4.6); for RawPublicKey the same zero length is accepted with
 * that meaning, since clients send it when they lack a key.
 */
export function parseCertificateBody(body: Buffer, type: CertificateType): Outcome<CertificateBody> {
  const r = new TlsReader(body);
  if (type === CERT_TYPE.RawPublicKey) {
    const spki = r.vector(3, 0, MAX_CERT_BYTES, 'RawPublicKey');
    if (!spki.ok) return spki;
    const end = r.end('Certificate');
    if (!end.ok) return end;
    return ok({ type: 'raw', spki: spki.value.length > 0 ? spki.value : undefined });
  }
  const list = r.vector(3, 0, MAX_CERTIFICATE_LIST * MAX_CERT_BYTES, 'certificate_list');
  if (!list.ok) return list;
  const end = r.end('Certificate');
  if (!end.ok) return end;
  const lr = new TlsReader(list.value);
  const chain: Buffer[] = [];
  while (lr.remaining > 0) {
    if (chain.length === MAX_CERTIFICATE_LIST) return fatal(ALERT.bad_certificate, 'too many certificates');
    const cert = lr.vector(3, 1, MAX_CERT_BYTES, 'ASN.1Cert'); // RFC 5246 §7.4.2: ASN.1Cert<1..2^24-1>
    if (!cert.ok) return cert;
    chain.push(cert.value);
  }
  return ok({ type: 'x509', chain });
}

// ---------------------------------------------------------------------------------------------
// ServerKeyExchange (RFC 8422 §5.4)

/** ServerECDHParams: ECParameters {named_curve, secp256r1} followed by ECPoint public. */
export function encodeServerEcdhParams(point: Buffer): Buffer {
  const head = Buffer.from([CURVE_TYPE_NAMED, 0, NAMED_CURVE_SECP256R1]);
  return Buffer.concat([head, withLength(1, point)]);
}

/** RFC 5246 §4.7 digitally-signed: SignatureAndHashAlgorithm then opaque signature<0..2^16-1>. */
function digitallySigned(algorithm: number, signature: Buffer): Buffer {
  const alg = Buffer.alloc(2);
  alg.writeUInt16BE(algorithm);
  return Buffer.concat([alg, withLength(2, signature)]);
}

/**
 * RFC 8422 §5.4: signed_params is a signature over ClientHello.random + ServerHello.random +
 * ServerECDHParams, here ECDSA with SHA-256 and DER-encoded (RFC 8422 §5.4 Ecdsa-Sig-Value).
 */
export function encodeServerKeyExchange(p: { clientRandom: Buffer; serverRandom: Buffer; point: Buffer; key: KeyObject }): Buffer {
  const params = encodeServerEcdhParams(p.point);
  const signature = sign('sha256', Buffer.concat([p.clientRandom, p.serverRandom, params]), { key: p.key, dsaEncoding: 'der' });
  return Buffer.concat([params, digitallySigned(SIG_ECDSA_SHA256, signature)]);
}

export interface ServerKeyExchangeBody { point: Buffer; params: Buffer; algorithm: number; signature: Buffer }

/** Client-side parse; used by tests that act as the client, and as the mirror of the encoder. */
export function parseServerKeyExchange(body: Buffer): Outcome<ServerKeyExchangeBody> {
  const r = new TlsReader(body);
  const curveType = r.u8();
  const curve = r.u16();
  if (curveType !== CURVE_TYPE_NAMED || curve !== NAMED_CURVE_SECP256R1) return fatal(ALERT.illegal_parameter, 'ServerKeyExchange: not named_curve secp256r1');
  const point = r.vector(1, 1, 255, 'ECPoint');
  if (!point.ok) return point;
  const params = body.subarray(0, 4 + point.value.length);
  const algorithm = r.u16();
  if (algorithm === undefined) return fatal(ALERT.decode_error, 'ServerKeyExchange: truncated');
  const signature = r.vector(2, 1, 255, 'signature');
  if (!signature.ok) return signature;
  const end = r.end('ServerKeyExchange');
  if (!end.ok) return end;
  return ok({ point: point.value, params, algorithm, signature: signature.value });
}

// ---------------------------------------------------------------------------------------------
// CertificateRequest (RFC 5246 §7.4.4, RFC 8422 §5.5)

/**
 * certificate_types {ecdsa_sign}, supported_signature_algorithms {ecdsa+sha256} and an empty
 * certificate_authorities list (RFC 5246 §7.4.4 allows it: "any certificate").
 */
export function encodeCertificateRequest(): Buffer {
  return Buffer.concat([
    withLength(1, Buffer.from([CLIENT_CERT_TYPE_ECDSA_SIGN])),
    withLength(2, Buffer.from([SIG_ECDSA_SHA256 >> 8, SIG_ECDSA_SHA256 & 0xff])),
    withLength(2, Buffer.alloc(0)),
  ]);
}

export function parseCertificateRequest(body: Buffer): Outcome<{ types: number[]; algorithms: number[] }> {
  const r = new TlsReader(body);
  const types = r.vector(1, 1, 255, 'certificate_types');
  if (!types.ok) return types;
  const algs = r.vector(2, 2, 0xfffe, 'supported_signature_algorithms');
  if (!algs.ok || algs.value.length % 2) return fatal(ALERT.decode_error, 'CertificateRequest: bad signature algorithms');
  const cas = r.vector(2, 0, 0xffff, 'certificate_authorities');
  if (!cas.ok) return cas;
  const end = r.end('CertificateRequest');
  if (!end.ok) return end;
  const algorithms: number[] = [];
  for (let i = 0; i < algs.value.length; i += 2) algorithms.push(algs.value.readUInt16BE(i));
  return ok({ types: [...types.value], algorithms });
}

// ---------------------------------------------------------------------------------------------
// ClientKeyExchange (RFC 8422 §5.7)

export function encodeClientKeyExchange(point: Buffer): Buffer {
  return withLength(1, point);
}

/**
 * ClientECDiffieHellmanPublic ecdh_Yc<1..2^8-1>. RFC 8422 §5.1.2 leaves only the uncompressed
 * format, so anything but 65 octets starting 0x04 is illegal_parameter; whether the point lies
 * on the curve is checked when the shared secret is computed.
 */
export function parseClientKeyExchange(body: Buffer): Outcome<Buffer> {
  const r = new TlsReader(body);
  const point = r.vector(1, 1, 255, 'ecdh_Yc');
  if (!point.ok) return point;
  const end = r.end('ClientKeyExchange');
  if (!end.ok) return end;
  if (point.value.length !== P256_POINT_LENGTH || point.value[0] !== 0x04) return fatal(ALERT.illegal_parameter, 'ClientKeyExchange: not an uncompressed P-256 point');
  return ok(point.value);
}

// ---------------------------------------------------------------------------------------------
// CertificateVerify (RFC 5246 §7.4.8)

/** Client-side: signs the handshake messages so far (used by tests acting as the client). */
export function encodeCertificateVerify(handshakeMessages: Buffer, key: KeyObject): Buffer {
  return digitallySigned(SIG_ECDSA_SHA256, sign('sha256', handshakeMessages, { key, dsaEncoding: 'der' }));
}

/**
 * Verifies CertificateVerify over `handshakeMessages` (every handshake message from ClientHello
 * up to, not including, this one; RFC 6347 §4.2.6 defines their DTLS form). RFC 5246 §7.4.8:
 * the algorithm MUST be one offered in CertificateRequest, which offered only ecdsa+sha256.
 */
export function verifyCertificateVerify(body: Buffer, handshakeMessages: Buffer, publicKey: KeyObject): Outcome<void> {
  const r = new TlsReader(body);
  const algorithm = r.u16();
  if (algorithm === undefined) return fatal(ALERT.decode_error, 'CertificateVerify: truncated');
  const signature = r.vector(2, 1, 255, 'signature');
  if (!signature.ok) return signature;
  const end = r.end('CertificateVerify');
  if (!end.ok) return end;
  if (algorithm !== SIG_ECDSA_SHA256) return fatal(ALERT.illegal_parameter, `CertificateVerify: algorithm 0x${algorithm.toString(16)} was not offered`);
  let valid = false;
  try {
    valid = verify('sha256', handshakeMessages, { key: publicKey, dsaEncoding: 'der' }, signature.value);
  } catch {
    valid = false; // malformed DER signature
  }
  // RFC 5246 §7.2.2: decrypt_error covers "unable to correctly verify a signature".
  return valid ? ok(undefined) : fatal(ALERT.decrypt_error, 'CertificateVerify: signature does not verify');
}
