/**
 * One peer's DTLS association: epochs, sequence numbers, the replay window, record protection,
 * flights and their retransmission state. It holds no timers and no closures (the server's single
 * timer heap drives it), so an idle session costs only its fields.
 */
import type { SessionSecurity } from '@lwm2m-console/shared';
import { type CipherSuite, directionKeys } from './cipher-suites.js';
import type { DtlsRecord } from './record.js';
import { encodeRecord, innerPlaintext, MAX_SEQUENCE, parseInnerPlaintext } from './record.js';
import { minFragmentLength, open, seal } from './record-protection.js';
import { ReplayWindow } from './replay-window.js';
import type { FlightItem, ServerHandshake } from './server-handshake.js';
import type { TimerOwner } from './timer-heap.js';
import { AlertLevel, ContentType, DTLS_1_2 } from './wire.js';

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
  /** Our last flight, kept to answer a retransmitted peer flight (RFC 6347 §4.2.4). */
  lastFlight: readonly FlightItem[] | undefined;
  retransmits = 0;
  rtoMs = 0;
  timerGen = 0;
  timerArmed = false;
  lastActivity: number;

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
    this.suite = suite;
    this.keys = block.toString('latin1');
  }

  private keyBlock(): Buffer {
    return Buffer.from(this.keys!, 'latin1');
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
    const plain = open(suite, directionKeys(suite, this.keyBlock(), 'client'), r, r.fragment);
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
    const keys = directionKeys(suite, this.keyBlock(), 'server');
    const cid = this.peerCid;
    if (cid) {
      const header = { type: ContentType.tls12Cid, version: DTLS_1_2, epoch, seq, cid };
      return encodeRecord(ContentType.tls12Cid, epoch, seq, seal(suite, keys, header, innerPlaintext(type, content)), cid);
    }
    return encodeRecord(type, epoch, seq, seal(suite, keys, { type, version: DTLS_1_2, epoch, seq }, content));
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

/** A copy in its own allocation: a slice of Node's shared 8 KiB pool would pin the whole slab. */
export function ownCopy(b: Buffer): Buffer {
  const out = Buffer.alloc(b.length);
  b.copy(out);
  return out;
}

export function addressKey(address: string, port: number): string {
  return `${address}|${port}`;
}
