/**
 * Bounded reading of TLS presentation-language vectors (RFC 5246 §4.3) from untrusted bytes.
 * Every read checks the remaining length; a short or overlong field is a decode_error
 * (RFC 5246 §7.2.2), reported as a value.
 */
import { ALERT, fatal, ok, type Outcome } from './outcome.js';

export class TlsReader {
  private offset = 0;
  constructor(private readonly data: Buffer) {}

  get remaining(): number {
    return this.data.length - this.offset;
  }

  u8(): number | undefined {
    if (this.remaining < 1) return undefined;
    return this.data[this.offset++]!;
  }

  u16(): number | undefined {
    if (this.remaining < 2) return undefined;
    const v = this.data.readUInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  bytes(n: number): Buffer | undefined {
    if (n < 0 || this.remaining < n) return undefined;
    const out = this.data.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  /** A vector with a 1-, 2- or 3-octet length prefix whose length lies in [min, max]. */
  vector(lengthBytes: 1 | 2 | 3, min: number, max: number, what: string): Outcome<Buffer> {
    if (this.remaining < lengthBytes) return fatal(ALERT.decode_error, `${what}: truncated length`);
    const n = this.data.readUIntBE(this.offset, lengthBytes);
    this.offset += lengthBytes;
    if (n < min || n > max) return fatal(ALERT.decode_error, `${what}: length ${n} outside ${min}..${max}`);
    const body = this.bytes(n);
    return body ? ok(body) : fatal(ALERT.decode_error, `${what}: truncated`);
  }

  /** RFC 5246 §7.4: a handshake message body carries nothing after its last field. */
  end(what: string): Outcome<void> {
    return this.remaining === 0 ? ok(undefined) : fatal(ALERT.decode_error, `${what}: ${this.remaining} trailing bytes`);
  }
}

/** Concatenates a length prefix of `lengthBytes` octets and the body. */
export function withLength(lengthBytes: 1 | 2 | 3, body: Buffer): Buffer {
  const prefix = Buffer.alloc(lengthBytes);
  prefix.writeUIntBE(body.length, 0, lengthBytes);
  return Buffer.concat([prefix, body]);
}

/** A list of big-endian u16 values from a vector body of even length. */
export function u16List(body: Buffer, what: string): Outcome<number[]> {
  if (body.length % 2 !== 0) return fatal(ALERT.decode_error, `${what}: odd length`);
  const out: number[] = [];
  for (let i = 0; i < body.length; i += 2) out.push(body.readUInt16BE(i));
  return ok(out);
}
