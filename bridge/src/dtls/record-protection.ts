/**
 * Record protection for the two record ciphers (RFC 5246 §6.2.3):
 * - AES-128-CCM with an 8-byte tag (RFC 6655 §3, RFC 7251 §2): nonce = 4-byte implicit IV from the
 *   key block + 8-byte explicit nonce sent in the record, which we set to epoch + sequence number.
 * - AES-128-CBC with HMAC-SHA256, MAC-then-encrypt (RFC 5246 §6.2.3.2), explicit random IV per record.
 * With a Connection ID (RFC 9146 §5) the additional data takes the tls12_cid form and the plaintext is
 * the DTLSInnerPlaintext (content, real type, zero padding), built by the caller.
 *
 * `open` returns undefined for every failure, without saying which: RFC 6347 §4.1.2.7 drops invalid
 * records silently, and a uniform failure denies a padding oracle (RFC 5246 §6.2.3.2 note).
 */
import { createCipheriv, createDecipheriv, hash, randomBytes, timingSafeEqual } from 'node:crypto';
import { HmacSha256 } from './prf.js';
import type { CipherSuite, DirectionKeys } from './cipher-suites.js';
import { encodeRecord, RECORD_HEADER_LENGTH } from './record.js';
import { ContentType, DTLS_1_2 } from './wire.js';

export interface ProtectedHeader {
  /** Record content type on the wire (tls12_cid when `cid` is set). */
  readonly type: number;
  readonly version: number;
  readonly epoch: number;
  readonly seq: number;
  /** RFC 9146: the CID carried in this record, if any. */
  readonly cid?: Buffer | undefined;
}

const CCM_EXPLICIT_NONCE = 8;
const CCM_TAG = 8;
const CBC_BLOCK = 16;
const SHA256_LEN = 32;
const SHA256_BLOCK = 64;

/**
 * Smallest valid protected fragment. Records shorter than this are dropped BEFORE they reach the
 * cipher (OpenSSL issue 25389: a short spoofed record killed a session).
 */
export function minFragmentLength(suite: CipherSuite): number {
  return suite.cipher === 'aes-128-ccm8'
    ? CCM_EXPLICIT_NONCE + CCM_TAG
    : CBC_BLOCK + Math.ceil((SHA256_LEN + 1) / CBC_BLOCK) * CBC_BLOCK; // IV + at least MAC + pad length byte
}

/** Largest expansion `seal` adds to a plaintext. */
export function maxOverhead(suite: CipherSuite): number {
  return suite.cipher === 'aes-128-ccm8' ? CCM_EXPLICIT_NONCE + CCM_TAG : CBC_BLOCK + SHA256_LEN + CBC_BLOCK;
}

/**
 * RFC 5246 §6.2.3.3 additional_data = seq_num + type + version + length, or with a CID
 * RFC 9146 §5: seq_num_placeholder + tls12_cid + cid_length + tls12_cid + version + epoch + seq + cid + length.
 */
export function additionalData(h: ProtectedHeader, length: number): Buffer {
  if (h.cid) {
    const cl = h.cid.length;
    const out = Buffer.allocUnsafe(8 + 3 + 2 + 2 + 6 + cl + 2);
    out.fill(0xff, 0, 8);
    out[8] = ContentType.tls12Cid;
    out[9] = cl;
    out[10] = ContentType.tls12Cid;
    out.writeUInt16BE(h.version, 11);
    out.writeUInt16BE(h.epoch, 13);
    out.writeUIntBE(h.seq, 15, 6);
    h.cid.copy(out, 21);
    out.writeUInt16BE(length, 21 + cl);
    return out;
  }
  const out = Buffer.allocUnsafe(13);
  out.writeUInt16BE(h.epoch, 0);
  out.writeUIntBE(h.seq, 2, 6);
  out[8] = h.type;
  out.writeUInt16BE(h.version, 9);
  out.writeUInt16BE(length, 11);
  return out;
}

/**
 * The 12-byte CCM nonce (RFC 6655 §3: 4-byte implicit IV + 8-byte explicit nonce), assembled in one
 * scratch buffer: `createCipheriv` copies it, and everything here runs synchronously.
 */
const nonceScratch = Buffer.alloc(12);

function ccmNonce(iv: Buffer, explicit: Buffer, at: number): Buffer {
  nonceScratch.set(iv, 0);
  for (let i = 0; i < CCM_EXPLICIT_NONCE; i++) nonceScratch[4 + i] = explicit[at + i]!;
  return nonceScratch;
}

/**
 * Protects `plaintext` into a complete record, header included, in one allocation (the CCM path
 * writes nonce, ciphertext and tag straight after the header instead of concatenating a fragment
 * and copying it again into a record). With `cid` the record takes the RFC 9146 tls12_cid form and
 * `plaintext` must already be the DTLSInnerPlaintext.
 */
export function sealRecord(suite: CipherSuite, k: DirectionKeys, type: number, epoch: number, seq: number, plaintext: Buffer, cid?: Buffer): Buffer {
  const wireType = cid ? ContentType.tls12Cid : type;
  const h: ProtectedHeader = cid ? { type: wireType, version: DTLS_1_2, epoch, seq, cid } : { type, version: DTLS_1_2, epoch, seq };
  if (suite.cipher !== 'aes-128-ccm8') return encodeRecord(wireType, epoch, seq, seal(suite, k, h, plaintext), cid);
  const cl = cid ? cid.length : 0;
  const at = RECORD_HEADER_LENGTH + cl;
  const fragmentLength = CCM_EXPLICIT_NONCE + plaintext.length + CCM_TAG;
  const out = Buffer.allocUnsafe(at + fragmentLength);
  out[0] = wireType;
  out.writeUInt16BE(DTLS_1_2, 1);
  out.writeUInt16BE(epoch, 3);
  out.writeUIntBE(seq, 5, 6);
  if (cid) out.set(cid, 11);
  out.writeUInt16BE(fragmentLength, 11 + cl);
  // RFC 6655 §3: the explicit nonce is epoch + sequence number, the same 8 bytes as in the header.
  out.copyWithin(at, 3, 11);
  const c = createCipheriv('aes-128-ccm', k.key, ccmNonce(k.iv, out, at), { authTagLength: CCM_TAG });
  c.setAAD(additionalData(h, plaintext.length), { plaintextLength: plaintext.length });
  out.set(c.update(plaintext), at + CCM_EXPLICIT_NONCE);
  c.final();
  out.set(c.getAuthTag(), at + CCM_EXPLICIT_NONCE + plaintext.length);
  return out;
}

/** Protects `plaintext` into a record fragment (what follows the record header). */
export function seal(suite: CipherSuite, k: DirectionKeys, h: ProtectedHeader, plaintext: Buffer): Buffer {
  const aad = additionalData(h, plaintext.length);
  if (suite.cipher === 'aes-128-ccm8') {
    const nonce = Buffer.allocUnsafe(12);
    k.iv.copy(nonce, 0, 0, 4);
    nonce.writeUInt16BE(h.epoch, 4);
    nonce.writeUIntBE(h.seq, 6, 6);
    const c = createCipheriv('aes-128-ccm', k.key, nonce, { authTagLength: CCM_TAG });
    c.setAAD(aad, { plaintextLength: plaintext.length });
    const body = c.update(plaintext);
    c.final();
    return Buffer.concat([nonce.subarray(4), body, c.getAuthTag()]);
  }
  const mac = new HmacSha256(k.macKey).digest(aad, plaintext);
  // padding_length p in 0..15 so that content + MAC + p + 1 fills whole blocks; every pad byte is p.
  const p = (CBC_BLOCK - ((plaintext.length + SHA256_LEN + 1) % CBC_BLOCK)) % CBC_BLOCK;
  const padded = Buffer.allocUnsafe(plaintext.length + SHA256_LEN + p + 1);
  plaintext.copy(padded, 0);
  mac.copy(padded, plaintext.length);
  padded.fill(p, plaintext.length + SHA256_LEN);
  const iv = randomBytes(CBC_BLOCK);
  const c = createCipheriv('aes-128-cbc', k.key, iv).setAutoPadding(false);
  return Buffer.concat([iv, c.update(padded), c.final()]);
}

/** Authenticates and decrypts a record fragment; undefined if it is not authentic. */
export function open(suite: CipherSuite, k: DirectionKeys, h: ProtectedHeader, fragment: Buffer): Buffer | undefined {
  if (fragment.length < minFragmentLength(suite)) return undefined;
  return suite.cipher === 'aes-128-ccm8' ? openCcm8(k, h, fragment) : openCbc(k, h, fragment);
}

function openCcm8(k: DirectionKeys, h: ProtectedHeader, fragment: Buffer): Buffer | undefined {
  const length = fragment.length - CCM_EXPLICIT_NONCE - CCM_TAG;
  try {
    const d = createDecipheriv('aes-128-ccm', k.key, ccmNonce(k.iv, fragment, 0), { authTagLength: CCM_TAG });
    d.setAuthTag(fragment.subarray(fragment.length - CCM_TAG));
    d.setAAD(additionalData(h, length), { plaintextLength: length });
    const plain = d.update(fragment.subarray(CCM_EXPLICIT_NONCE, fragment.length - CCM_TAG));
    d.final(); // throws when the tag does not verify
    return plain;
  } catch {
    return undefined;
  }
}

function openCbc(k: DirectionKeys, h: ProtectedHeader, fragment: Buffer): Buffer | undefined {
  if ((fragment.length - CBC_BLOCK) % CBC_BLOCK !== 0) return undefined;
  let plain: Buffer;
  try {
    const d = createDecipheriv('aes-128-cbc', k.key, fragment.subarray(0, CBC_BLOCK)).setAutoPadding(false);
    plain = Buffer.concat([d.update(fragment.subarray(CBC_BLOCK)), d.final()]);
  } catch {
    return undefined;
  }
  // RFC 5246 §6.2.3.2: check padding and MAC without an early exit; on bad padding compute the MAC
  // as if there were no padding, so both failures take the same path.
  const n = plain.length;
  const padLen = plain[n - 1] ?? 0;
  let good = padLen + 1 + SHA256_LEN <= n ? 1 : 0;
  const scan = Math.min(256, n);
  for (let i = 1; i <= scan; i++) {
    const inPad = i <= padLen + 1 ? 1 : 0;
    good &= 1 - (inPad & (plain[n - i] === padLen ? 0 : 1));
  }
  const contentLen = good ? n - padLen - 1 - SHA256_LEN : n - 1 - SHA256_LEN;
  const content = plain.subarray(0, contentLen);
  const aad = additionalData(h, contentLen);
  const expected = new HmacSha256(k.macKey).digest(aad, content);
  // Lucky Thirteen (AlFardan & Paterson 2013): the MAC over fewer bytes (a longer pad) can take
  // fewer SHA-256 compressions, and that time difference is a padding oracle across many records,
  // the "small timing channel" RFC 5246 §6.2.3.2 accepted. Equalise: hash as many extra blocks
  // as the MAC saved against the longest content this record could hold, so every record of a
  // given length costs the same number of compressions whatever its padding (+1 block always).
  const longest = n - 1 - SHA256_LEN;
  sha256Blocks(1 + innerMacBlocks(aad.length, longest) - innerMacBlocks(aad.length, contentLen));
  const macOk = timingSafeEqual(expected, plain.subarray(contentLen, contentLen + SHA256_LEN));
  return good && macOk ? content : undefined;
}

/** SHA-256 compression-function calls for the inner HMAC hash: ipad block + aad + content + padding (FIPS 180-4 §5.1.1). */
function innerMacBlocks(aadLength: number, contentLength: number): number {
  return Math.floor((SHA256_BLOCK + aadLength + contentLength + 8) / SHA256_BLOCK) + 1;
}

/** Zeroes hashed only for their cost: `blocks` × 64 − 9 bytes take exactly `blocks` compressions. */
const dummy = Buffer.alloc(8 * SHA256_BLOCK);
function sha256Blocks(blocks: number): void {
  hash('sha256', dummy.subarray(0, blocks * SHA256_BLOCK - 9), 'binary');
}
