/**
 * Cryptographically random bytes served from a 4 KiB block: one CSPRNG call per ~100 handshakes
 * instead of three per handshake (randomBytes has a high fixed cost per call). Each caller gets
 * its own copy, so no two users share a buffer.
 */
import { randomFillSync } from 'node:crypto';

const POOL_SIZE = 4096;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let used = POOL_SIZE;

export function randomBytesFromPool(n: number): Buffer {
  if (n > POOL_SIZE) return randomFillSync(Buffer.alloc(n));
  if (used + n > POOL_SIZE) {
    randomFillSync(pool);
    used = 0;
  }
  const out = Buffer.from(pool.subarray(used, used + n));
  pool.fill(0, used, used + n); // handed-out bytes are not kept
  used += n;
  return out;
}
