/**
 * TLS 1.2 key schedule (RFC 5246 §5, §6.3, §7.4.9, §8.1) with the SHA-256 PRF that every
 * suite this server offers uses, and the extended master secret of RFC 7627 §4.
 */
import { hash } from 'node:crypto';

const SHA256_BLOCK = 64;
const SHA256_LEN = 32;

/**
 * HMAC-SHA256 (RFC 2104) on node:crypto's one-shot `hash`. On this Node (OpenSSL 3.0) every
 * `createHmac`/`createHash` object fetches its algorithm afresh (about 3.5 µs each, measured); the
 * one-shot path costs about 0.25 µs per digest, and a handshake makes a dozen HMACs (PRF, cookie).
 * The key pads are computed once per key; the message is assembled behind the inner pad in a
 * scratch buffer shared by all instances (everything here is synchronous, one call at a time).
 *
 * The byte shuffling is what costs here, not SHA-256: copies use `TypedArray#set` (a V8 builtin;
 * `Buffer#copy` validates its arguments in JavaScript first), digests come back as latin1 strings
 * ('binary': the binding makes a string far faster than a Buffer, 0.25 vs 0.8 µs measured) and are
 * written back as latin1.
 */
export class HmacSha256 {
  /** K ^ ipad, K ^ opad (RFC 2104 §2) */
  private readonly ipad = Buffer.allocUnsafeSlow(SHA256_BLOCK);
  private readonly opad = Buffer.allocUnsafeSlow(SHA256_BLOCK);

  constructor(key: Buffer) {
    this.setKey(key);
  }

  /** Re-keys this instance (the PRF reuses one instead of allocating per call). */
  setKey(key: Buffer): void {
    // RFC 2104 §2: keys longer than the block are hashed first.
    const k = key.length > SHA256_BLOCK ? sha256(key) : key;
    const { ipad, opad } = this;
    for (let i = 0; i < SHA256_BLOCK; i++) {
      const b = i < k.length ? k[i]! : 0;
      ipad[i] = b ^ 0x36;
      opad[i] = b ^ 0x5c;
    }
  }

  /** HMAC over the concatenation of `parts`, written to `out` at `offset` (32 bytes). */
  digestInto(parts: readonly Buffer[], out: Buffer, offset: number): void {
    let n = SHA256_BLOCK;
    for (let i = 0; i < parts.length; i++) n += parts[i]!.length;
    if (n > scratch.length) growScratch(n);
    scratch.set(this.ipad, 0);
    let at = SHA256_BLOCK;
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      scratch.set(p, at);
      at += p.length;
    }
    const inner = hash('sha256', scratchView(n), 'binary');
    outerScratch.set(this.opad, 0);
    outerScratch.write(inner, SHA256_BLOCK, SHA256_LEN, 'latin1');
    out.write(hash('sha256', outerScratch, 'binary'), offset, SHA256_LEN, 'latin1');
  }

  digest(...parts: Buffer[]): Buffer {
    const out = Buffer.allocUnsafe(SHA256_LEN);
    this.digestInto(parts, out, 0);
    return out;
  }

  /** Overwrites the key pads (for instances holding a secret-derived key). */
  clear(): void {
    this.ipad.fill(0);
    this.opad.fill(0);
  }
}

/** SHA-256 of `data` ('binary' output converted back: cheaper than `hash(…, 'buffer')` here). */
export function sha256(data: Buffer): Buffer {
  return Buffer.from(hash('sha256', data, 'binary'), 'latin1');
}

let scratch = Buffer.allocUnsafeSlow(1024);
/** Views of `scratch` by length: the PRF hashes the same few lengths over and over. */
let scratchViews: Buffer[] = [];
const outerScratch = Buffer.allocUnsafeSlow(SHA256_BLOCK + SHA256_LEN);

function growScratch(n: number): void {
  scratch = Buffer.allocUnsafeSlow(Math.max(n, 2 * scratch.length));
  scratchViews = [];
}

function scratchView(n: number): Buffer {
  if (n > 512) return scratch.subarray(0, n);
  return (scratchViews[n] ??= scratch.subarray(0, n));
}

/**
 * RFC 5246 §5: P_SHA256(secret, label + seed), truncated to `length` bytes.
 * The output is allocated outside Node's 8 KiB pool on purpose: with pooled slices the memory phase of the benchmark measured ~100 MiB more resident
 * memory after 100 000 handshakes (446 vs 344 MiB at 50 000 sessions), pool slabs kept alive by a
 * few bytes each.
 */
export function prf(secret: Buffer, label: string, seed: Buffer, length: number): Buffer {
  return prfParts(secret, label, seed, EMPTY, length);
}

/** `prf` with the seed given in two parts (the two randoms), so callers need not concatenate them. */
function prfParts(secret: Buffer, label: string, seed1: Buffer, seed2: Buffer, length: number): Buffer {
  const n = label.length + seed1.length + seed2.length;
  if (n > prfSeed.length) prfSeed = Buffer.allocUnsafeSlow(2 * n);
  const labelSeed = prfSeed.subarray(0, n);
  labelSeed.write(label, 0, 'latin1');
  labelSeed.set(seed1, label.length);
  labelSeed.set(seed2, label.length + seed1.length);
  prfMac.setKey(secret);
  const blocks = Math.ceil(length / SHA256_LEN);
  if (blocks * SHA256_LEN > prfBlocks.length) prfBlocks = Buffer.allocUnsafeSlow(2 * blocks * SHA256_LEN);
  // a = A(i) (RFC 5246 §5: A(0) = seed, A(i) = HMAC(secret, A(i-1))); prfBlocks collects whole blocks.
  const a = prfA;
  prfMac.digestInto([labelSeed], a, 0);
  for (let i = 0; i < blocks; i++) {
    prfMac.digestInto([a, labelSeed], prfBlocks, i * SHA256_LEN);
    if (i + 1 < blocks) prfMac.digestInto([a], a, 0);
  }
  // Exactly `length` bytes in their own allocation, never a pool slice. Up to 64 bytes V8 keeps a
  // typed array inside its own heap (cheap, collected like any object) as long as nothing asks for
  // its ArrayBuffer: a `subarray` of it would move it out (≈ 0.4 µs), hence the copy loop.
  const out = Buffer.allocUnsafeSlow(length);
  for (let i = 0; i < length; i++) out[i] = prfBlocks[i]!;
  // the pads, A(i) and the blocks are secret-derived: do not leave them in the shared scratch
  prfMac.clear();
  a.fill(0);
  prfBlocks.fill(0, 0, blocks * SHA256_LEN);
  scratch.fill(0, 0, SHA256_BLOCK);
  outerScratch.fill(0, 0, SHA256_BLOCK);
  return out;
}

const EMPTY = Buffer.alloc(0);
const prfMac = new HmacSha256(EMPTY);
const prfA = Buffer.allocUnsafeSlow(SHA256_LEN);
let prfSeed = Buffer.allocUnsafeSlow(256);
let prfBlocks = Buffer.allocUnsafeSlow(256);

export const MASTER_SECRET_LENGTH = 48;
/** RFC 5246 §7.4.9: verify_data_length is 12 for all suites here. */
export const VERIFY_DATA_LENGTH = 12;

/** RFC 5246 §8.1: the classic master secret, bound to both randoms. */
export function masterSecret(premaster: Buffer, clientRandom: Buffer, serverRandom: Buffer): Buffer {
  return prfParts(premaster, 'master secret', clientRandom, serverRandom, MASTER_SECRET_LENGTH);
}

/** RFC 7627 §4: the extended master secret, bound to the hash of the handshake up to ClientKeyExchange. */
export function extendedMasterSecret(premaster: Buffer, sessionHash: Buffer): Buffer {
  return prf(premaster, 'extended master secret', sessionHash, MASTER_SECRET_LENGTH);
}

/** RFC 5246 §6.3: key_block = PRF(master, "key expansion", server_random + client_random). */
export function keyBlock(master: Buffer, serverRandom: Buffer, clientRandom: Buffer, length: number): Buffer {
  return prfParts(master, 'key expansion', serverRandom, clientRandom, length);
}

/** RFC 5246 §7.4.9: verify_data = PRF(master, finished_label, Hash(handshake_messages))[0..11]. */
export function finishedVerifyData(master: Buffer, sender: 'client' | 'server', transcriptHash: Buffer): Buffer {
  return prf(master, `${sender} finished`, transcriptHash, VERIFY_DATA_LENGTH);
}

/** SHA-256 over a list of handshake messages (the PRF hash of every suite here). */
export function transcriptHash(messages: readonly Buffer[]): Buffer {
  return sha256(messages.length === 1 ? messages[0]! : Buffer.concat(messages));
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
