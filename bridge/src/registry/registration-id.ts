import { randomFillSync } from 'node:crypto';

/**
 * Registration ids: 64 random bits, base64url (11 characters). Unguessable, so a plain-CoAP
 * peer cannot update or delete another device's registration by guessing its Location-Path.
 * Random bytes are drawn in batches: one syscall per 512 ids, not per Register.
 */
const BATCH = 512;
const pool = Buffer.alloc(8 * BATCH);
let next = BATCH;

export function newRegistrationId(): string {
  if (next === BATCH) {
    randomFillSync(pool);
    next = 0;
  }
  const id = pool.toString('base64url', next * 8, next * 8 + 8);
  next++;
  return id;
}
