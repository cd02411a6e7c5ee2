/**
 * One peer's DTLS association: epochs, sequence numbers, the replay window, record protection,
 * flights and their retransmission state. It holds no timers and no closures (the server's single
 * timer heap drives it), so an idle session costs only its fields.
 */
import type { SessionSecurity } from '@lwm2m-console/shared';
import type { CipherSuite, DirectionKeys } from './cipher-suites.js';
import type { DtlsRecord } from './record.js';
import { encodeRecord, innerPlaintext, MAX_SEQUENCE, parseInnerPlaintext } from './record.js';
import { minFragmentLength, open, sealRecord } from './record-protection.js';
import { ReplayWindow } from './replay-window.js';
import type { FlightItem, ServerHandshake } from './server-handshake.js';
import type { TimerOwner } from './timer-heap.js';
import { AlertLevel, ContentType } from './wire.js';

export type ConnectionState = 'handshake' | 'established' | 'closed';

/** What a connection needs from its server: one reference, not a closure per connection. */
export interface ConnectionHost {
  transmit(datagram: Buffer, address: string, port: number): void;
  readonly maxDatagram: number;
}

/** Result of unprotecting one record. */
export type Opened =
  | { readonly ok: true; readonly type: number; readonly content: Buffer }
  | { readonly ok: false; readonly reason: 'replay' | 'short' | 'auth' | 'epoch' };

/**
 * Decoded record keys of recently active connections. A session keeps its key block as a latin1
 * string (below: no native allocation per idle session); decoding it and slicing both directions
 * out of it on every record cost ≈ 0.4 µs and three short-lived Buffers. A handshake + request
 * uses each direction twice within milliseconds, so a small direct-mapped table (slot = connection
 * number modulo its size) catches nearly all of it, with a fixed memory bound and nothing per
 * idle session. A slot is cleared when its connection re-keys or goes away.
 */
const KEY_SLOTS = 512;
interface DecodedKeys {
  readonly owner: Connection;
  readonly client: DirectionKeys;
  readonly server: DirectionKeys;
}
const keySlots: Array<DecodedKeys | undefined> = new Array<DecodedKeys | undefined>(KEY_SLOTS).fill(undefined);
let nextSlot = 0;

export class Connection implements TimerOwner {
  state: ConnectionState = 'handshake';
  security: SessionSecurity = { mode: 'psk' };
  hs: ServerHandshake | undefined;
  suite: CipherSuite | undefined;
  /**
   * The key block as a latin1 string: it lives in the V8 heap. A Buffer per session would be a
   * separate native allocation, and thousands of those interleaved with short-lived handshake
   * allocations fragment the C heap (measured: ~4 KB RSS per session instead of < 1 KB).
   */
  private keys: string | undefined;
  readEpoch = 0;
  writeEpoch = 0;
  private seq0 = 0;
  private seq1 = 0;
  private window = new ReplayWindow();
  /** RFC 9146: map key of the CID we issued (latin1 string), when negotiated. */
  cidKey: string | undefined;
  /** RFC 9146: CID to put in records we send; undefined = plain records. */
  peerCid: Buffer | undefined;
  /**
   * Records of the next epoch that arrived before the handshake completed (bounded, copied): an
   * abbreviated handshake's client sends data right after its Finished, and when that flight is
   * lost the data would be too. RFC 6347 §4.1 lets them be buffered and processed once the
   * handshake completes.
   */
  early: DtlsRecord[] | undefined;
  /**
   * 48 bits folded from the client random of the handshake that made this session: a late copy of that
   * ClientHello is recognised as stale, not taken for a new handshake (RFC 6347 §4.2.8).
   */
  helloTag: number | undefined;
  /** Our last flight, kept to answer a retransmitted peer flight (RFC 6347 §4.2.4). */
  lastFlight: readonly FlightItem[] | undefined;
  retransmits = 0;
  rtoMs = 0;
  timerGen = 0;
  timerArmed = false;
  lastActivity: number;
  private readonly slot = nextSlot++ % KEY_SLOTS;

  constructor(
    readonly id: string,
    public address: string,
    public port: number,
    private readonly host: ConnectionHost,
    now: number,
    initialSeq: number,
  ) {
    this.lastActivity = now;
    this.seq0 = initialSeq;
  }

  get key(): string {
    return addressKey(this.address, this.port);
  }

  get hasKeys(): boolean {
    return this.keys !== undefined;
  }

  installKeys(suite: CipherSuite, block: Buffer): void {
    this.forgetKeys();
    this.suite = suite;
    this.keys = block.toString('latin1');
  }

  /** Drops this connection's decoded keys from the shared table (on re-key and on close). */
  forgetKeys(): void {
    if (keySlots[this.slot]?.owner === this) keySlots[this.slot] = undefined;
  }

  /** Keys written by `writer` (RFC 5246 §6.3 client_write_* / server_write_*). */
  private directionKeys(writer: 'client' | 'server'): DirectionKeys {
    let d = keySlots[this.slot];
    if (d?.owner !== this) {
      d = { owner: this, client: decodeKeys(this.suite!, this.keys!, 'client'), server: decodeKeys(this.suite!, this.keys!, 'server') };
      keySlots[this.slot] = d;
    }
    return writer === 'client' ? d.client : d.server;
  }

  /** Highest authenticated sequence number in the current read epoch (RFC 9146 §6 address update rule). */
  get highestReadSeq(): number {
    return this.window.highest;
  }

  /** Advances the read epoch after the peer's ChangeCipherSpec; a fresh replay window per epoch. */
  advanceReadEpoch(): void {
    this.readEpoch = 1;
    this.window = new ReplayWindow();
  }

  /**
   * RFC 6347 §4.1.2.6 / §4.1.2.7: replay check before authentication, window update after it;
   * records that fail are reported, never thrown, and the caller drops them silently.
   */
  unprotect(r: DtlsRecord): Opened {
    if (r.epoch !== this.readEpoch) return { ok: false, reason: 'epoch' };
    if (this.window.isReplay(r.seq)) return { ok: false, reason: 'replay' };
    if (r.epoch === 0) {
      if (r.type === ContentType.tls12Cid) return { ok: false, reason: 'epoch' };
      this.window.accept(r.seq);
      return { ok: true, type: r.type, content: r.fragment };
    }
    const suite = this.suite!;
    if (r.fragment.length < minFragmentLength(suite)) return { ok: false, reason: 'short' };
    const plain = open(suite, this.directionKeys('client'), r, r.fragment);
    if (!plain) return { ok: false, reason: 'auth' };
    let type = r.type;
    let content = plain;
    if (r.type === ContentType.tls12Cid) {
      const inner = parseInnerPlaintext(plain);
      if (!inner) return { ok: false, reason: 'auth' };
      type = inner.type;
      content = inner.content;
    } else if (this.cidKey !== undefined && r.type === ContentType.applicationData) {
      // RFC 9146 §6: once negotiated, the peer MUST use the CID record format; plain records are refused.
      return { ok: false, reason: 'auth' };
    }
    this.window.accept(r.seq);
    return { ok: true, type, content };
  }

  /** Encodes one record in `epoch` (protected when epoch > 0). Undefined once the sequence space is exhausted. */
  protect(type: number, epoch: number, content: Buffer): Buffer | undefined {
    const seq = epoch === 0 ? this.seq0++ : this.seq1++;
    if (seq > MAX_SEQUENCE) return undefined; // RFC 6347 §4.1: sequence numbers MUST NOT wrap
    if (epoch === 0) return encodeRecord(type, 0, seq, content);
    const suite = this.suite!;
    const keys = this.directionKeys('server');
    const cid = this.peerCid;
    return cid ? sealRecord(suite, keys, type, epoch, seq, innerPlaintext(type, content), cid) : sealRecord(suite, keys, type, epoch, seq, content);
  }

  /** Sends a flight, packing records into as few datagrams as the MTU allows. */
  sendFlight(flight: readonly FlightItem[]): void {
    let batch: Buffer[] = [];
    let size = 0;
    for (const item of flight) {
      const rec = this.protect(item.contentType, item.epoch, item.payload);
      if (!rec) return;
      if (size + rec.length > this.host.maxDatagram && batch.length > 0) {
        this.host.transmit(batch.length === 1 ? batch[0]! : Buffer.concat(batch), this.address, this.port);
        batch = [];
        size = 0;
      }
      batch.push(rec);
      size += rec.length;
    }
    if (batch.length > 0) this.host.transmit(batch.length === 1 ? batch[0]! : Buffer.concat(batch), this.address, this.port);
  }

  sendAlert(level: number, description: number): void {
    const rec = this.protect(ContentType.alert, this.writeEpoch, Buffer.from([level, description]));
    if (rec) this.host.transmit(rec, this.address, this.port);
  }

  sendApplicationData(plaintext: Buffer): boolean {
    if (this.state !== 'established') return false;
    const rec = this.protect(ContentType.applicationData, this.writeEpoch, plaintext);
    if (!rec) return false;
    this.host.transmit(rec, this.address, this.port);
    return true;
  }

  /** RFC 5246 §7.2.1: close_notify is a warning-level alert. */
  sendCloseNotify(): void {
    this.sendAlert(AlertLevel.warning, 0);
  }
}

/**
 * One direction's keys out of the key block string (RFC 5246 §6.3 order), each in its own small
 * allocation: ≤ 64 bytes V8 keeps them in its heap, where views of a pooled Buffer would pin an
 * 8 KiB pool slab per table slot.
 */
function decodeKeys(suite: CipherSuite, block: string, writer: 'client' | 'server'): DirectionKeys {
  const m = suite.macKeyLength;
  const k = suite.encKeyLength;
  const i = suite.fixedIvLength;
  const c = writer === 'client';
  return {
    macKey: bytesOf(block, c ? 0 : m, m),
    key: bytesOf(block, 2 * m + (c ? 0 : k), k),
    iv: bytesOf(block, 2 * m + 2 * k + (c ? 0 : i), i),
  };
}

function bytesOf(s: string, from: number, length: number): Buffer {
  const out = Buffer.allocUnsafeSlow(length);
  for (let j = 0; j < length; j++) out[j] = s.charCodeAt(from + j);
  return out;
}

/** A copy in its own allocation: a slice of Node's shared 8 KiB pool would pin the whole slab. */
export function ownCopy(b: Buffer): Buffer {
  const out = Buffer.alloc(b.length);
  b.copy(out);
  return out;
}

export function addressKey(address: string, port: number): string {
  return `${address}|${port}`;
}
