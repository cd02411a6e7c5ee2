/**
 * Wire constants of TLS 1.2 (RFC 5246) as used by DTLS 1.2 (RFC 6347), and a bounds-checked
 * reader for untrusted bytes. Every parse in this folder goes through `Reader`: a short or
 * malformed input yields `undefined`, never an exception and never an out-of-bounds read.
 */

/** RFC 6347 §4.1: DTLS 1.2 is {254, 253}; {254, 255} is DTLS 1.0 (still used in ClientHello records). */
export const DTLS_1_2 = 0xfefd;
export const DTLS_1_0 = 0xfeff;

/** RFC 5246 §6.2.1 ContentType, plus RFC 9146 §4 tls12_cid. */
export const ContentType = {
  changeCipherSpec: 20,
  alert: 21,
  handshake: 22,
  applicationData: 23,
  tls12Cid: 25,
} as const;

/** RFC 5246 §7.4 HandshakeType, plus RFC 6347 §4.2.1 hello_verify_request. */
export const HandshakeType = {
  helloRequest: 0,
  clientHello: 1,
  serverHello: 2,
  helloVerifyRequest: 3,
  certificate: 11,
  serverKeyExchange: 12,
  certificateRequest: 13,
  serverHelloDone: 14,
  certificateVerify: 15,
  clientKeyExchange: 16,
  finished: 20,
} as const;

/** RFC 5246 §7.2 AlertLevel. */
export const AlertLevel = { warning: 1, fatal: 2 } as const;

/** RFC 5246 §7.2 AlertDescription, plus RFC 4279 §2 unknown_psk_identity. */
export const AlertDescription = {
  closeNotify: 0,
  unexpectedMessage: 10,
  badRecordMac: 20,
  recordOverflow: 22,
  handshakeFailure: 40,
  badCertificate: 42,
  unsupportedCertificate: 43,
  /** RFC 5246 §7.2.2: a certificate has expired or is not yet valid (mapped from pki/outcome.ts). */
  certificateExpired: 45,
  certificateUnknown: 46,
  illegalParameter: 47,
  unknownCa: 48,
  accessDenied: 49,
  decodeError: 50,
  decryptError: 51,
  protocolVersion: 70,
  insufficientSecurity: 71,
  internalError: 80,
  noRenegotiation: 100,
  unsupportedExtension: 110,
  unknownPskIdentity: 115,
} as const;
export type AlertDescriptionCode = (typeof AlertDescription)[keyof typeof AlertDescription];

const ALERT_NAMES = new Map<number, string>(Object.entries(AlertDescription).map(([name, code]) => [code, name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)]));

/** The RFC name of an alert (`bad_record_mac`), or `alert 123` for one this server does not know. */
export function alertName(code: number): string {
  return ALERT_NAMES.get(code) ?? `alert ${code}`;
}

/** TLS ExtensionType values this server reads or writes. */
export const ExtensionType = {
  supportedGroups: 10,
  ecPointFormats: 11,
  signatureAlgorithms: 13,
  /** RFC 7250 §3 */
  clientCertificateType: 19,
  serverCertificateType: 20,
  encryptThenMac: 22,
  /** RFC 7627 §5.1 */
  extendedMasterSecret: 23,
  /** RFC 9146 §3 (final code point 54; drafts used 53) */
  connectionId: 54,
  /** RFC 5746 §3.2 */
  renegotiationInfo: 0xff01,
} as const;

/** RFC 5746 §3.3: TLS_EMPTY_RENEGOTIATION_INFO_SCSV in the cipher suite list. */
export const EMPTY_RENEGOTIATION_INFO_SCSV = 0x00ff;

/** Sequential reader over untrusted bytes; every read returns undefined past the end. */
export class Reader {
  private pos: number;
  constructor(
    private readonly buf: Buffer,
    start = 0,
    private readonly end = buf.length,
  ) {
    this.pos = start;
  }
  get offset(): number {
    return this.pos;
  }
  get remaining(): number {
    return this.end - this.pos;
  }
  u8(): number | undefined {
    if (this.pos + 1 > this.end) return undefined;
    return this.buf[this.pos++];
  }
  u16(): number | undefined {
    if (this.pos + 2 > this.end) return undefined;
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  u24(): number | undefined {
    if (this.pos + 3 > this.end) return undefined;
    const v = this.buf.readUIntBE(this.pos, 3);
    this.pos += 3;
    return v;
  }
  u48(): number | undefined {
    if (this.pos + 6 > this.end) return undefined;
    const v = this.buf.readUIntBE(this.pos, 6);
    this.pos += 6;
    return v;
  }
  bytes(n: number): Buffer | undefined {
    if (n < 0 || this.pos + n > this.end) return undefined;
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
  /** A length-prefixed vector (prefix of 1 or 2 bytes), bounded by `max`. */
  vector(prefix: 1 | 2, max: number): Buffer | undefined {
    const n = prefix === 1 ? this.u8() : this.u16();
    if (n === undefined || n > max) return undefined;
    return this.bytes(n);
  }
}

/** Encodes a length-prefixed vector. */
export function vec(prefix: 1 | 2 | 3, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(prefix + body.length);
  out.writeUIntBE(body.length, 0, prefix);
  body.copy(out, prefix);
  return out;
}
