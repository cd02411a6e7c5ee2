/**
 * Server side of Block1 (RFC 7959 §2.5): reassembles a request body sent in blocks, strictly
 * in order, with bounded memory. The `coap` package's own Block1 handling trusts block numbers
 * (one datagram can make it allocate any size) and reports gaps by throwing, so requests with
 * Block1 are reassembled here and only the complete request reaches the package.
 *
 * Pure: the caller passes time in and turns the verdict into datagrams.
 */
import type { Block1 } from './message-header.js';

export type Block1Verdict =
  /** RFC 7959 §2.3: ask for the next block with 2.31 Continue. */
  | { kind: 'continue' }
  /** The last block arrived: the whole body. */
  | { kind: 'complete'; body: Buffer }
  | { kind: 'refuse'; code: '4.00' | '4.08' | '4.13' | '5.03'; reason: string };

interface Transfer {
  chunks: Buffer[];
  bytes: number;
  nextNum: number;
  szx: number;
  touchedAt: number;
}

export interface Block1Limits {
  maxBodyBytes: number;
  maxTransfers: number;
  /** A transfer idle this long is forgotten (RFC 7959 §2.4 leaves it to the server). */
  idleMs: number;
}

export class Block1Assembler {
  private readonly transfers = new Map<string, Transfer>();

  constructor(private readonly limits: Block1Limits) {}

  get inProgress(): number {
    return this.transfers.size;
  }

  /**
   * `key` identifies the transfer: peer plus the request's method, path and query
   * (RFC 7959 §2.5 matches blocks by endpoint and options, not by token).
   */
  accept(key: string, block: Block1, payload: Buffer, now: number): Block1Verdict {
    if (block.szx === 7) return { kind: 'refuse', code: '4.00', reason: 'reserved block size (SZX 7)' };
    const size = 1 << (block.szx + 4);
    if (block.num * size + payload.length > this.limits.maxBodyBytes) {
      this.transfers.delete(key);
      return { kind: 'refuse', code: '4.13', reason: `request body over ${this.limits.maxBodyBytes} bytes` };
    }
    // RFC 7959 §2.2: every block but the last carries exactly the block size.
    if (block.more && payload.length !== size) return { kind: 'refuse', code: '4.00', reason: 'block payload does not match its size' };
    if (payload.length > size) return { kind: 'refuse', code: '4.00', reason: 'block payload larger than its size' };
    let transfer = this.transfers.get(key);
    if (block.num === 0) {
      if (!transfer && this.transfers.size >= this.limits.maxTransfers) this.evictIdle(now);
      if (!transfer && this.transfers.size >= this.limits.maxTransfers) {
        return { kind: 'refuse', code: '5.03', reason: 'too many block transfers in progress' };
      }
      transfer = { chunks: [], bytes: 0, nextNum: 0, szx: block.szx, touchedAt: now };
      this.transfers.set(key, transfer);
    }
    // RFC 7959 §2.9.2: 4.08 Request Entity Incomplete when a block is missing.
    if (!transfer || block.num !== transfer.nextNum || block.szx !== transfer.szx) {
      this.transfers.delete(key);
      return { kind: 'refuse', code: '4.08', reason: 'blocks missing or out of order' };
    }
    transfer.chunks.push(payload);
    transfer.bytes += payload.length;
    transfer.nextNum++;
    transfer.touchedAt = now;
    if (block.more) return { kind: 'continue' };
    this.transfers.delete(key);
    return { kind: 'complete', body: Buffer.concat(transfer.chunks, transfer.bytes) };
  }

  evictIdle(now: number): void {
    for (const [key, t] of this.transfers) if (now - t.touchedAt > this.limits.idleMs) this.transfers.delete(key);
  }
}
