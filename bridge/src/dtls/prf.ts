/**
 * TLS 1.2 key schedule (RFC 5246 §5, §6.3, §7.4.9, §8.1) with the SHA-256 PRF that every
 * suite this server offers uses, and the extended master secret of RFC 7627 §4.
 */
import { createHash, createHmac } from 'node:crypto';

/** RFC 5246 §5: P_SHA256(secret, label + seed), truncated to `length` bytes. */
export function prf(secret: Buffer, label: string, seed: Buffer, length: number): Buffer {
  const labelSeed = Buffer.concat([Buffer.from(label, 'latin1'), seed]);
  const out = Buffer.allocUnsafe(length);
  let a = labelSeed;
  let written = 0;
  while (written < length) {
    a = createHmac('sha256', secret).update(a).digest(); // A(i) = HMAC(secret, A(i-1))
    const block = createHmac('sha256', secret).update(a).update(labelSeed).digest();
    written += block.copy(out, written);
  }
  return out;
}

export const MASTER_SECRET_LENGTH = 48;
/** RFC 5246 §7.4.9: verify_data_length is 12 for all suites here. */
export const VERIFY_DATA_LENGTH = 12;

/** RFC 5246 §8.1: the classic master secret, bound to both randoms. */
export function masterSecret(premaster: Buffer, clientRandom: Buffer, serverRandom: Buffer): Buffer {
  return prf(premaster, 'master secret', Buffer.concat([clientRandom, serverRandom]), MASTER_SECRET_LENGTH);
}

/** RFC 7627 §4: the extended master secret, bound to the hash of the handshake up to ClientKeyExchange. */
export function extendedMasterSecret(premaster: Buffer, sessionHash: Buffer): Buffer {
  return prf(premaster, 'extended master secret', sessionHash, MASTER_SECRET_LENGTH);
}

/** RFC 5246 §6.3: key_block = PRF(master, "key expansion", server_random + client_random). */
export function keyBlock(master: Buffer, serverRandom: Buffer, clientRandom: Buffer, length: number): Buffer {
  return prf(master, 'key expansion', Buffer.concat([serverRandom, clientRandom]), length);
}

/** RFC 5246 §7.4.9: verify_data = PRF(master, finished_label, Hash(handshake_messages))[0..11]. */
export function finishedVerifyData(master: Buffer, sender: 'client' | 'server', transcriptHash: Buffer): Buffer {
  return prf(master, `${sender} finished`, transcriptHash, VERIFY_DATA_LENGTH);
}

/** SHA-256 over a list of handshake messages (the PRF hash of every suite here). */
export function transcriptHash(messages: readonly Buffer[]): Buffer {
  const h = createHash('sha256');
  for (const m of messages) h.update(m);
  return h.digest();
}

/** RFC 4279 §2: PSK premaster = uint16 N, N zero bytes, uint16 N, psk. */
export function pskPremaster(psk: Buffer): Buffer {
  const n = psk.length;
  const out = Buffer.alloc(4 + 2 * n);
  out.writeUInt16BE(n, 0);
  out.writeUInt16BE(n, 2 + n);
  psk.copy(out, 4 + n);
  return out;
}
