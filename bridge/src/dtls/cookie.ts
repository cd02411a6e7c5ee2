/**
 * Stateless HelloVerifyRequest cookies (RFC 6347 §4.2.1): Cookie = HMAC(Secret, Client-IP,
 * Client-Parameters). The secret rotates every `rotateMs`; a cookie made with the current or the
 * previous secret is accepted, so a client caught by a rotation still completes. Nothing is stored
 * per peer: verification recomputes the HMAC.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { HmacSha256 } from './prf.js';

export const COOKIE_LENGTH = 32;

/** `address|port|` bytes; HMAC input only, overwritten on every call (all synchronous). */
const peerScratch = Buffer.alloc(128);

export class CookieJar {
  // Secrets kept only as HMAC key pads (prf.ts): no HMAC object to create per ClientHello.
  private current: HmacSha256;
  private previous: HmacSha256;
  private rotatedAt: number;

  constructor(
    private readonly now: () => number,
    private readonly rotateMs: number,
  ) {
    this.current = new HmacSha256(randomBytes(32));
    this.previous = new HmacSha256(randomBytes(32));
    this.rotatedAt = now();
  }

  make(address: string, port: number, cookieInput: Buffer): Buffer {
    this.rotate();
    return mac(this.current, address, port, cookieInput);
  }

  verify(address: string, port: number, cookieInput: Buffer, cookie: Buffer): boolean {
    if (cookie.length !== COOKIE_LENGTH) return false;
    this.rotate();
    return (
      timingSafeEqual(mac(this.current, address, port, cookieInput), cookie) ||
      timingSafeEqual(mac(this.previous, address, port, cookieInput), cookie)
    );
  }

  private rotate(): void {
    const t = this.now();
    if (t - this.rotatedAt < this.rotateMs) return;
    // After a long pause both secrets are stale: replace both so old cookies die.
    this.previous = t - this.rotatedAt < 2 * this.rotateMs ? this.current : new HmacSha256(randomBytes(32));
    this.current = new HmacSha256(randomBytes(32));
    this.rotatedAt = t;
  }
}

function mac(secret: HmacSha256, address: string, port: number, input: Buffer): Buffer {
  const peer = `${address}|${port}|`;
  const n = peerScratch.write(peer, 0, 'latin1');
  // an address too long for the scratch (never, for IP literals) is still MACed whole
  return secret.digest(n === peer.length ? peerScratch.subarray(0, n) : Buffer.from(peer, 'latin1'), input);
}
