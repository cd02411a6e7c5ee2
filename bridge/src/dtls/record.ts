/**
 * DTLS 1.2 record framing (RFC 6347 §4.1) with the RFC 9146 §4 tls12_cid header form.
 * A datagram may carry several records (RFC 6347 §4.1.1); parsing stops at the first malformed
 * one and the rest of the datagram is discarded (RFC 6347 §4.1.2.7: invalid records are dropped).
 */
import { ContentType, DTLS_1_0, DTLS_1_2, Reader } from './wire.js';

export const RECORD_HEADER_LENGTH = 13;
/** RFC 6347 §4.1 / RFC 5246 §6.2.3: a protected fragment is at most 2^14 + 2048 bytes. */
export const MAX_FRAGMENT_LENGTH = 16384 + 2048;
/** RFC 6347 §4.1: sequence numbers are 48 bits and MUST NOT wrap. */
export const MAX_SEQUENCE = 2 ** 48 - 1;

export interface DtlsRecord {
  readonly type: number;
  readonly version: number;
  readonly epoch: number;
  readonly seq: number;
  /** Present on tls12_cid records. */
  readonly cid?: Buffer;
  readonly fragment: Buffer;
}

/**
 * Splits a datagram into records. `cidLength` is the length of the CIDs this server issues, needed
 * because the tls12_cid header carries no CID length (RFC 9146 §4); 0 when none are issued.
 */
export function parseRecords(datagram: Buffer, cidLength: number, maxRecords = 32): DtlsRecord[] {
  const out: DtlsRecord[] = [];
  const r = new Reader(datagram);
  while (r.remaining > 0 && out.length < maxRecords) {
    const type = r.u8();
    const version = r.u16();
    const epoch = r.u16();
    const seq = r.u48();
    if (type === undefined || version === undefined || epoch === undefined || seq === undefined) break;
    let cid: Buffer | undefined;
    if (type === ContentType.tls12Cid) {
      if (cidLength === 0) break;
      cid = r.bytes(cidLength);
      if (!cid) break;
    }
    const fragment = r.vector(2, MAX_FRAGMENT_LENGTH);
    if (!fragment) break;
    // The initial ClientHello may carry the DTLS 1.0 record version (RFC 6347 §4.1, record version note).
    if (version !== DTLS_1_2 && !(version === DTLS_1_0 && epoch === 0)) break;
    out.push(cid ? { type, version, epoch, seq, cid, fragment } : { type, version, epoch, seq, fragment });
  }
  return out;
}

/** Encodes one record; `cid` selects the tls12_cid header (the caller passes the inner plaintext). */
export function encodeRecord(type: number, epoch: number, seq: number, fragment: Buffer, cid?: Buffer): Buffer {
  const cl = cid ? cid.length : 0;
  const out = Buffer.allocUnsafe(RECORD_HEADER_LENGTH + cl + fragment.length);
  out[0] = type;
  out.writeUInt16BE(DTLS_1_2, 1);
  out.writeUInt16BE(epoch, 3);
  out.writeUIntBE(seq, 5, 6);
  if (cid) cid.copy(out, 11);
  out.writeUInt16BE(fragment.length, 11 + cl);
  fragment.copy(out, 13 + cl);
  return out;
}

/** RFC 9146 §4 DTLSInnerPlaintext: content, real type, no padding (we add none). */
export function innerPlaintext(type: number, content: Buffer): Buffer {
  const out = Buffer.allocUnsafe(content.length + 1);
  content.copy(out, 0);
  out[content.length] = type;
  return out;
}

/**
 * Recovers content and real type from a DTLSInnerPlaintext: the real type is the last non-zero byte
 * (RFC 9146 §4); all-zero plaintext is invalid.
 */
export function parseInnerPlaintext(inner: Buffer): { type: number; content: Buffer } | undefined {
  let i = inner.length - 1;
  while (i >= 0 && inner[i] === 0) i--;
  if (i < 0) return undefined;
  return { type: inner[i]!, content: inner.subarray(0, i) };
}
