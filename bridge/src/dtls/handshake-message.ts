/**
 * DTLS handshake message framing (RFC 6347 §4.2.2): a 12-byte header (type, length, message_seq,
 * fragment_offset, fragment_length), fragmentation of outgoing messages to fit the path MTU, and
 * bounded reassembly of incoming fragments (RFC 6347 §4.2.3).
 */
import { Reader } from './wire.js';

export const HANDSHAKE_HEADER_LENGTH = 12;

export interface HandshakeFragment {
  readonly type: number;
  /** Length of the whole message body. */
  readonly length: number;
  readonly messageSeq: number;
  readonly offset: number;
  readonly body: Buffer;
}

/** A complete handshake message; `raw` is the unfragmented encoding that enters the transcript. */
export interface HandshakeMessage {
  readonly type: number;
  readonly messageSeq: number;
  readonly body: Buffer;
  readonly raw: Buffer;
}

/** Parses every fragment in a handshake record; undefined if any header is inconsistent. */
export function parseFragments(fragment: Buffer, maxMessageLength: number): HandshakeFragment[] | undefined {
  const out: HandshakeFragment[] = [];
  const r = new Reader(fragment);
  while (r.remaining > 0) {
    const type = r.u8();
    const length = r.u24();
    const messageSeq = r.u16();
    const offset = r.u24();
    const fragLen = r.u24();
    if (type === undefined || length === undefined || messageSeq === undefined || offset === undefined || fragLen === undefined) {
      return undefined;
    }
    // RFC 6347 §4.2.3: a fragment lies within its message; we also bound the message size we accept.
    if (length > maxMessageLength || offset + fragLen > length) return undefined;
    const body = r.bytes(fragLen);
    if (!body) return undefined;
    out.push({ type, length, messageSeq, offset, body });
  }
  return out;
}

/** Encodes an unfragmented handshake message (also its transcript form, RFC 6347 §4.2.6). */
export function encodeHandshake(type: number, messageSeq: number, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(HANDSHAKE_HEADER_LENGTH + body.length);
  out[0] = type;
  out.writeUIntBE(body.length, 1, 3);
  out.writeUInt16BE(messageSeq, 4);
  out.writeUIntBE(0, 6, 3);
  out.writeUIntBE(body.length, 9, 3);
  body.copy(out, HANDSHAKE_HEADER_LENGTH);
  return out;
}

/** Splits an encoded message into fragments whose handshake payload fits `maxFragmentBody` bytes. */
export function fragmentHandshake(raw: Buffer, maxFragmentBody: number): Buffer[] {
  const bodyLen = raw.length - HANDSHAKE_HEADER_LENGTH;
  if (bodyLen <= maxFragmentBody) return [raw];
  const out: Buffer[] = [];
  for (let off = 0; off < bodyLen; off += maxFragmentBody) {
    const n = Math.min(maxFragmentBody, bodyLen - off);
    const f = Buffer.allocUnsafe(HANDSHAKE_HEADER_LENGTH + n);
    raw.copy(f, 0, 0, 6); // type, length, message_seq
    f.writeUIntBE(off, 6, 3);
    f.writeUIntBE(n, 9, 3);
    raw.copy(f, HANDSHAKE_HEADER_LENGTH, HANDSHAKE_HEADER_LENGTH + off, HANDSHAKE_HEADER_LENGTH + off + n);
    out.push(f);
  }
  return out;
}

export type ReassemblyResult = { kind: 'complete'; message: HandshakeMessage } | { kind: 'pending' } | { kind: 'invalid' };

/**
 * Reassembles ONE message (the next expected message_seq) from fragments. Bounded: the message
 * length is capped at parse time and the number of fragments by `maxFragments`, so a peer sending
 * tiny overlapping fragments cannot make us do unbounded work or hold unbounded memory.
 */
export class Reassembler {
  private seq = -1;
  private type = 0;
  private buf: Buffer | undefined;
  /** Sorted, merged [start, end) ranges received so far. */
  private ranges: number[] = [];
  private fragments = 0;

  constructor(private readonly maxFragments: number) {}

  add(f: HandshakeFragment): ReassemblyResult {
    if (f.offset === 0 && f.body.length === f.length && this.seq !== f.messageSeq) {
      return { kind: 'complete', message: whole(f.type, f.messageSeq, f.body) }; // the common, unfragmented case
    }
    if (this.seq !== f.messageSeq || !this.buf) {
      this.seq = f.messageSeq;
      this.type = f.type;
      this.buf = Buffer.alloc(f.length);
      this.ranges = [];
      this.fragments = 0;
    } else if (f.type !== this.type || f.length !== this.buf.length) {
      return { kind: 'invalid' }; // RFC 6347 §4.2.3: all fragments of a message agree on type and length
    }
    if (++this.fragments > this.maxFragments) return { kind: 'invalid' };
    // RFC 6347 §4.2.3 lets fragments overlap; the overlap must repeat the same bytes. A fragment that
    // rewrites bytes already received is refused, not taken silently (last writer wins would let a
    // spoofed fragment change a message under the peer's feet, and hide it until Finished).
    if (this.conflicts(f)) return { kind: 'invalid' };
    f.body.copy(this.buf, f.offset);
    this.ranges = mergeRange(this.ranges, f.offset, f.offset + f.body.length);
    if (this.ranges.length === 2 && this.ranges[0] === 0 && this.ranges[1] === this.buf.length) {
      const message = whole(this.type, this.seq, this.buf);
      this.reset();
      return { kind: 'complete', message };
    }
    return { kind: 'pending' };
  }

  /** Whether `f` disagrees with bytes already received in the ranges it overlaps. */
  private conflicts(f: HandshakeFragment): boolean {
    const buf = this.buf!;
    const start = f.offset;
    const end = f.offset + f.body.length;
    for (let i = 0; i < this.ranges.length; i += 2) {
      const a = Math.max(start, this.ranges[i]!);
      const b = Math.min(end, this.ranges[i + 1]!);
      if (a < b && buf.compare(f.body, a - start, b - start, a, b) !== 0) return true;
    }
    return false;
  }

  reset(): void {
    this.seq = -1;
    this.buf = undefined;
    this.ranges = [];
    this.fragments = 0;
  }
}

function whole(type: number, messageSeq: number, body: Buffer): HandshakeMessage {
  const raw = encodeHandshake(type, messageSeq, body);
  return { type, messageSeq, body: raw.subarray(HANDSHAKE_HEADER_LENGTH), raw };
}

function mergeRange(ranges: number[], start: number, end: number): number[] {
  if (end <= start) return ranges;
  const out: number[] = [];
  let s = start;
  let e = end;
  let placed = false;
  for (let i = 0; i < ranges.length; i += 2) {
    const a = ranges[i]!;
    const b = ranges[i + 1]!;
    if (b < s) out.push(a, b);
    else if (a > e) {
      if (!placed) {
        out.push(s, e);
        placed = true;
      }
      out.push(a, b);
    } else {
      s = Math.min(s, a);
      e = Math.max(e, b);
    }
  }
  if (!placed) out.push(s, e);
  return out;
}

/**
 * A client's receive side of the handshake: each message from the peer delivered once, in
 * message_seq order (RFC 6347 §4.2.2); retransmitted or out-of-order fragments are dropped and
 * the peer's retransmission brings them again.
 */
export class InOrderHandshake {
  private next = 0;
  private readonly reassembler: Reassembler;

  constructor(maxFragments = 64) {
    this.reassembler = new Reassembler(maxFragments);
  }

  /** Feeds the content of one handshake record; `onMessage` gets each message it completes. */
  receive(content: Buffer, onMessage: (message: HandshakeMessage) => void): void {
    for (const f of parseFragments(content, 16384) ?? []) {
      if (f.messageSeq !== this.next) continue;
      const res = this.reassembler.add(f);
      if (res.kind !== 'complete') continue;
      this.next++;
      onMessage(res.message);
    }
  }
}
