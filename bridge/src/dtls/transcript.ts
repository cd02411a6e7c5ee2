/**
 * The handshake transcript (RFC 5246 §7.4.9 handshake_messages, RFC 7627 §3 session_hash): raw
 * handshake messages appended into one growing buffer, so hashing it and handing it to a key
 * exchange (CertificateVerify, RFC 5246 §7.4.8) needs no concatenation. Bytes once written never
 * change, so views handed out stay valid when the buffer grows.
 */
import { sha256 } from './prf.js';

export class Transcript {
  private buf: Buffer;
  private length = 0;

  constructor(initialCapacity = 512) {
    this.buf = Buffer.allocUnsafe(initialCapacity);
  }

  append(message: Buffer): void {
    const need = this.length + message.length;
    if (need > this.buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(need, 2 * this.buf.length));
      this.buf.copy(grown, 0, 0, this.length);
      this.buf = grown;
    }
    message.copy(this.buf, this.length);
    this.length = need;
  }

  /** Every message so far, concatenated (a view, not a copy). */
  bytes(): Buffer {
    return this.buf.subarray(0, this.length);
  }

  /** SHA-256 of every message so far (the PRF hash of every suite here). */
  hash(): Buffer {
    return sha256(this.bytes());
  }
}
