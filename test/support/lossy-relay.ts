/**
 * A deterministic lossy link for tests: a UDP relay on loopback between real DTLS clients and a
 * server that drops (or duplicates, or delays) datagrams by a plan, and records what it did.
 *
 * Datagrams are classified by their DTLS record headers only (RFC 6347 §4.1: content type, epoch,
 * sequence number; for plaintext epoch-0 handshake records also the handshake header of
 * RFC 6347 §4.2.2): no keys, no decryption. The parser here is its own, not the server's, so a bug
 * in the server's record layer cannot hide in the test's view of the wire.
 *
 * A plan is a list of rules. Each rule names a direction and a predicate over the datagram, and
 * which of the matching datagrams (1st, 2nd, … per rule) it acts on: drop, duplicate or delay.
 * Tests assert `unfired()` is empty, so a test whose planned loss never happened fails instead of
 * passing vacuously.
 */
import dgram from 'node:dgram';
import { ContentType as RecordType, HandshakeType as Handshake } from '../../bridge/src/dtls/wire.js';

export type Direction = 'toServer' | 'toClient';

/** RFC 5246 §6.2.1 ContentType and §7.4 HandshakeType: the RFC numbers the server uses too (the relay only reads headers). */
export { RecordType, Handshake };

export interface RecordInfo {
  readonly contentType: number;
  readonly epoch: number;
  readonly seq: number;
  readonly length: number;
  /** Epoch-0 handshake records only (the header is readable): RFC 6347 §4.2.2. */
  readonly handshake?: { readonly type: number; readonly messageSeq: number; readonly fragmentOffset: number; readonly fragmentLength: number };
}

export interface DatagramInfo {
  readonly direction: Direction;
  /** 1-based position among the datagrams relayed in this direction. */
  readonly n: number;
  readonly length: number;
  readonly records: readonly RecordInfo[];
}

export interface LossRule {
  /** Shown in `dropped` / `unfired()`: say what is lost, e.g. "our HelloVerifyRequest". */
  readonly label: string;
  readonly direction: Direction;
  readonly match: (d: DatagramInfo) => boolean;
  /** Which matching datagrams to act on (1-based, counted per rule), or 'every' one. Default [1]. */
  readonly occurrences?: readonly number[] | 'every';
  /**
   * 'drop' (default) loses the datagram; 'duplicate' delivers it twice, the copy `delayMs` later;
   * 'delay' delivers it once, `delayMs` later (reordering it behind what follows).
   */
  readonly action?: Action;
  readonly delayMs?: number;
}

export type Action = 'drop' | 'duplicate' | 'delay';

export interface RelayEvent {
  readonly label: string;
  readonly action: Action;
  readonly datagram: DatagramInfo;
}

export interface LossyRelay {
  /** Port the client should connect to (on `host`). */
  readonly port: number;
  /** Every action taken, in order. */
  readonly events: readonly RelayEvent[];
  /** Every datagram seen, with what happened to it (for failure messages). */
  readonly trace: ReadonlyArray<DatagramInfo & { readonly action: 'pass' | Action }>;
  /** Delayed datagrams not delivered yet. */
  pending(): number;
  /** Labels of rules with a planned occurrence that never happened ('every': none happened). */
  unfired(): string[];
  /** The trace in one line per datagram, e.g. `toClient#2 drop [22/0 hs2 seq1, 22/0 hs14]`. */
  describe(): string;
  stop(): void;
}

/** Parses the record headers of one datagram; stops at the first truncated record. */
export function classify(datagram: Buffer, direction: Direction, n: number): DatagramInfo {
  const records: RecordInfo[] = [];
  let at = 0;
  while (at + 13 <= datagram.length) {
    const contentType = datagram[at]!;
    const epoch = datagram.readUInt16BE(at + 3);
    const seq = datagram.readUIntBE(at + 5, 6);
    const length = datagram.readUInt16BE(at + 11);
    if (contentType === RecordType.tls12Cid || at + 13 + length > datagram.length) break; // CID length is not self-describing
    const body = at + 13;
    let handshake: RecordInfo['handshake'];
    if (contentType === RecordType.handshake && epoch === 0 && length >= 12) {
      handshake = {
        type: datagram[body]!,
        messageSeq: datagram.readUInt16BE(body + 4),
        fragmentOffset: datagram.readUIntBE(body + 6, 3),
        fragmentLength: datagram.readUIntBE(body + 9, 3),
      };
    }
    records.push(handshake ? { contentType, epoch, seq, length, handshake } : { contentType, epoch, seq, length });
    at = body + length;
  }
  return { direction, n, length: datagram.length, records };
}

/** Predicates for plans. */
export const carries = {
  /** A plaintext (epoch 0) handshake fragment of this type. */
  handshake: (type: number) => (d: DatagramInfo) => d.records.some((r) => r.handshake?.type === type),
  /** A ChangeCipherSpec record: the start of a final flight (RFC 5246 §7.1). */
  changeCipherSpec: (d: DatagramInfo) => d.records.some((r) => r.contentType === RecordType.changeCipherSpec),
  /** An encrypted handshake record: a Finished (RFC 5246 §7.4.9). */
  encryptedHandshake: (d: DatagramInfo) => d.records.some((r) => r.contentType === RecordType.handshake && r.epoch > 0),
  /** Application data in an epoch > 0: for CoAPS, one CoAP message. */
  applicationData: (d: DatagramInfo) => d.records.some((r) => r.contentType === RecordType.applicationData && r.epoch > 0),
  any: () => true,
};

function describeDatagram(d: DatagramInfo & { action: string }): string {
  const recs = d.records.map((r) => {
    const hs = r.handshake ? ` hs${r.handshake.type}${r.handshake.fragmentOffset || r.handshake.fragmentLength < r.length - 12 ? `@${r.handshake.fragmentOffset}+${r.handshake.fragmentLength}` : ''}` : '';
    return `${r.contentType}/${r.epoch}${hs} seq${r.seq}`;
  });
  return `${d.direction}#${d.n} ${d.action} [${recs.join(', ')}]`;
}

/**
 * Starts a relay to `serverPort` on `host` (loopback). Each client address gets its own socket
 * toward the server, so several clients through one relay stay apart, as behind a NAT.
 */
export async function startLossyRelay(o: { serverPort: number; host?: string; plan: readonly LossRule[] }): Promise<LossyRelay> {
  const host = o.host ?? '127.0.0.1';
  const type = host.includes(':') ? 'udp6' : 'udp4';
  const front = dgram.createSocket(type);
  front.on('error', () => {});
  await new Promise<void>((r) => front.bind(0, host, r));
  const backs = new Map<string, dgram.Socket>();
  const counts = { toServer: 0, toClient: 0 };
  const matched = o.plan.map(() => 0);
  const fired = o.plan.map(() => 0);
  const events: RelayEvent[] = [];
  const trace: Array<DatagramInfo & { action: 'pass' | Action }> = [];
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;

  /** Applies the plan to one datagram: when to deliver copies of it (ms from now; none: lost). */
  const deliveries = (msg: Buffer, direction: Direction): number[] => {
    const d = classify(msg, direction, ++counts[direction]);
    let action: 'pass' | Action = 'pass';
    let delayMs = 0;
    for (const [i, rule] of o.plan.entries()) {
      if (rule.direction !== direction || !rule.match(d)) continue;
      matched[i]!++;
      const which = rule.occurrences ?? [1];
      // The first rule that acts wins; later matching rules still count the datagram.
      if (action !== 'pass' || (which !== 'every' && !which.includes(matched[i]!))) continue;
      action = rule.action ?? 'drop';
      delayMs = rule.delayMs ?? 0;
      fired[i]!++;
      events.push({ label: rule.label, action, datagram: d });
    }
    trace.push({ ...d, action });
    return action === 'drop' ? [] : action === 'duplicate' ? [0, delayMs] : action === 'delay' ? [delayMs] : [0];
  };
  const deliver = (at: number[], send: () => void) => {
    for (const ms of at) {
      if (ms === 0) {
        send();
        continue;
      }
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!stopped) send();
      }, ms);
      timers.add(timer);
    }
  };

  front.on('message', (msg, rinfo) => {
    if (stopped) return;
    const key = `${rinfo.address}|${rinfo.port}`;
    let back = backs.get(key);
    if (!back) {
      const b = dgram.createSocket(type);
      b.on('error', () => {});
      b.on('message', (reply) => {
        if (stopped) return;
        deliver(deliveries(reply, 'toClient'), () => front.send(reply, rinfo.port, rinfo.address));
      });
      b.bind(0, host);
      backs.set(key, b);
      back = b;
    }
    const to = back;
    deliver(deliveries(msg, 'toServer'), () => to.send(msg, o.serverPort, host));
  });

  return {
    port: front.address().port,
    events,
    trace,
    pending: () => timers.size,
    unfired: () => o.plan.filter((rule, i) => fired[i]! < (rule.occurrences === 'every' ? 1 : (rule.occurrences ?? [1]).length)).map((r) => r.label),
    describe: () => trace.map(describeDatagram).join('\n'),
    stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      front.close();
      for (const b of backs.values()) b.close();
    },
  };
}
