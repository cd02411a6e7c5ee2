/**
 * ClientHello parsing and ServerHello / HelloVerifyRequest encoding
 * (RFC 5246 §7.4.1, RFC 6347 §4.2.1, §4.3.2).
 */
import { AlertDescription, type AlertDescriptionCode, DTLS_1_0, DTLS_1_2, Reader } from './wire.js';

export interface ClientHello {
  readonly clientVersion: number;
  readonly random: Buffer;
  readonly sessionId: Buffer;
  readonly cookie: Buffer;
  readonly cipherSuites: readonly number[];
  /** Extension type -> extension_data, at most one of each (RFC 5246 §7.4.1.4). */
  readonly extensions: ReadonlyMap<number, Buffer>;
  /** The parameters bound into the cookie: client_version .. cipher_suites, without the cookie. */
  readonly cookieInput: Buffer;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; alert: AlertDescriptionCode; reason: string };

/**
 * A ClientHello refused for what it says rather than how it is framed (no DTLS 1.2, no null
 * compression, a duplicate extension) still carries its fields in `hello`: the stateless cookie
 * exchange needs them to let the refusal reach a verified address only (stateless-hello.ts).
 */
export type ParsedClientHello = Parsed<ClientHello> | { ok: false; alert: AlertDescriptionCode; reason: string; hello: ClientHello };

const fail = (reason: string, alert: AlertDescriptionCode = AlertDescription.decodeError): Parsed<never> => ({
  ok: false,
  alert,
  reason,
});

export function parseClientHello(body: Buffer): ParsedClientHello {
  const r = new Reader(body);
  const clientVersion = r.u16();
  const random = r.bytes(32);
  const sessionId = r.vector(1, 32);
  const cookieAt = r.offset;
  const cookie = r.vector(1, 255); // RFC 6347 §4.3.2: cookie<0..2^8-1>
  const suitesAt = r.offset;
  const suites = r.vector(2, 0xfffe);
  const compression = r.vector(1, 255);
  if (clientVersion === undefined || !random || !sessionId || !cookie || !suites || !compression) {
    return fail('truncated ClientHello');
  }
  if (suites.length < 2 || suites.length % 2 !== 0 || compression.length < 1) return fail('malformed ClientHello vectors');
  const cipherSuites: number[] = [];
  for (let i = 0; i < suites.length; i += 2) cipherSuites.push(suites.readUInt16BE(i));
  const extensions = new Map<number, Buffer>();
  let duplicate = false;
  if (r.remaining > 0) {
    const all = r.vector(2, 0xffff);
    if (!all || r.remaining !== 0) return fail('malformed extensions');
    const er = new Reader(all);
    while (er.remaining > 0) {
      const type = er.u16();
      const data = er.vector(2, 0xffff);
      if (type === undefined || !data) return fail('malformed extension');
      if (extensions.has(type)) duplicate = true;
      else extensions.set(type, data);
    }
  }
  const cookieInput = Buffer.concat([body.subarray(0, cookieAt), body.subarray(suitesAt, suitesAt + 2 + suites.length)]);
  const hello: ClientHello = { clientVersion, random, sessionId, cookie, cipherSuites, extensions, cookieInput };
  const refuse = (reason: string, alert: AlertDescriptionCode): ParsedClientHello => ({ ok: false, alert, reason, hello });
  // RFC 5246 §E.1 (RFC 6347 §4.1): DTLS versions count down; a client_version "older" than 1.2
  // (numerically larger, e.g. DTLS 1.0 = 0xfeff) MUST get a protocol_version alert.
  if (clientVersion > DTLS_1_2) return refuse('client does not offer DTLS 1.2', AlertDescription.protocolVersion);
  // RFC 5246 §7.4.1.2: the null compression method MUST be offered.
  if (!compression.includes(0)) return refuse('null compression not offered', AlertDescription.illegalParameter);
  // RFC 5246 §7.4.1.4: "There MUST NOT be more than one extension of the same type."
  if (duplicate) return refuse('duplicate extension', AlertDescription.illegalParameter);
  return { ok: true, value: hello };
}

/** RFC 6347 §4.2.1: HelloVerifyRequest.server_version SHOULD be DTLS 1.0 whatever is negotiated. */
export function encodeHelloVerifyRequest(cookie: Buffer): Buffer {
  const out = Buffer.allocUnsafe(3 + cookie.length);
  out.writeUInt16BE(DTLS_1_0, 0);
  out[2] = cookie.length;
  cookie.copy(out, 3);
  return out;
}

export type Extension = readonly [type: number, data: Buffer];

/** RFC 5246 §7.4.1.3 ServerHello body, written in one allocation (it is built once per handshake). */
export function encodeServerHello(random: Buffer, sessionId: Buffer, suite: number, extensions: readonly Extension[]): Buffer {
  let extLength = 0;
  for (const [, data] of extensions) extLength += 4 + data.length;
  const out = Buffer.allocUnsafe(2 + 32 + 1 + sessionId.length + 3 + (extensions.length > 0 ? 2 + extLength : 0));
  out.writeUInt16BE(DTLS_1_2, 0);
  out.set(random, 2);
  out[34] = sessionId.length;
  out.set(sessionId, 35);
  let at = 35 + sessionId.length;
  out.writeUInt16BE(suite, at); // cipher_suite
  out[at + 2] = 0; // compression_method null
  at += 3;
  if (extensions.length > 0) {
    out.writeUInt16BE(extLength, at);
    at += 2;
    for (const [type, data] of extensions) {
      out.writeUInt16BE(type, at);
      out.writeUInt16BE(data.length, at + 2);
      out.set(data, at + 4);
      at += 4 + data.length;
    }
  }
  return out;
}
