/**
 * DTLS 1.2 server (RFC 6347) for CoAPS: demultiplexes datagrams to associations by address or by
 * Connection ID (RFC 9146), answers ClientHellos statelessly until a valid cookie returns
 * (RFC 6347 §4.2.1), drives handshakes (server-handshake.ts), and exposes sessions to the CoAP layer.
 *
 * Robustness rules (each enforced where cited): malformed, unauthentic, replayed or out-of-epoch
 * records are dropped silently (RFC 6347 §4.1.2.7) and counted in `stats()`; every limit is a
 * number in `DtlsServerOptions`; nothing a peer sends throws out of `handleDatagram`.
 */
import type dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import { type Logger, silentLogger } from '../log.js';
import { addressKey, Connection, type ConnectionHost, ownCopy } from './connection.js';
import { CookieJar } from './cookie.js';
import { encodeHandshake, parseFragments } from './handshake-message.js';
import type { ClientHello } from './hello.js';
import { pskKeyExchange } from './key-exchange.js';
import { randomBytesFromPool as randomBytes } from './random-pool.js';
import { type DtlsRecord, encodeRecord, parseRecords } from './record.js';
import type { DtlsServerOptions, DtlsSession, DtlsStats, HandshakeFailure } from './server-options.js';
import { type FlightItem, type HandshakeConfig, type HandshakeStep, ServerHandshake } from './server-handshake.js';
import { type ResumableSession, SessionCache } from './session-cache.js';
import { answerClientHello } from './stateless-hello.js';
import { TimerHeap } from './timer-heap.js';
import { AlertDescription, AlertLevel, alertName, ContentType, ExtensionType, HandshakeType } from './wire.js';

export type { DtlsCredentialResolver, PeerIdentity } from './credentials.js';
export type { KeyExchange } from './key-exchange.js';
export type { DtlsServerOptions, DtlsSession, DtlsStats, HandshakeFailure } from './server-options.js';

/** RFC 9146: length of the CIDs we issue. Fixed, because the tls12_cid header does not carry it. */
const CID_LENGTH = 6;
/** Next-epoch records held per handshake until it completes (RFC 6347 §4.1), and their total size. */
const MAX_EARLY_RECORDS = 4;
const MAX_EARLY_BYTES = 4096;

export class DtlsServer extends EventEmitter implements ConnectionHost {
  readonly maxDatagram: number;
  private readonly now: () => number;
  private readonly log: Logger;
  private readonly opts: Required<
    Pick<
      DtlsServerOptions,
      'maxSessions' | 'maxHandshakes' | 'stalledHandshakeMs' | 'idleTimeoutMs' | 'retransmitInitialMs' | 'maxRetransmits' | 'flightRetentionMs' | 'connectionId'
    >
  >;
  private readonly hsConfig: HandshakeConfig;
  private readonly cookies: CookieJar;
  private readonly maxMessage: number;
  private readonly byAddress = new Map<string, Connection>();
  private readonly byCid = new Map<string, Connection>();
  /** Established sessions, least recently active first (re-inserted on activity). */
  private readonly idle = new Set<Connection>();
  private readonly timers = new TimerHeap<Connection>();
  private readonly ticker: NodeJS.Timeout;
  private socket: dgram.Socket | undefined;
  private readonly sendHook: DtlsServerOptions['send'];
  private nextId = 0;
  private handshakeCount = 0;
  /** Half-open handshakes, oldest first (a Set keeps insertion order): the eviction candidates. */
  private readonly halfOpen = new Set<Connection>();
  private sessionCount = 0;
  private readonly counters: Omit<DtlsStats, 'sessions' | 'handshakes'> = {
    datagrams: 0, malformed: 0, noAssociation: 0, shortRecords: 0, authFailures: 0, replays: 0, wrongEpoch: 0,
    cookiesSent: 0, badCookies: 0, handshakesStarted: 0, handshakesCompleted: 0, handshakesFailed: 0,
    handshakeTimeouts: 0, resumptions: 0, resumptionsRefused: 0, capacityRefused: 0, handshakesEvicted: 0, alertsSent: 0, alertsReceived: 0, idleEvicted: 0,
    addressChanges: 0, internalErrors: 0,
  };

  constructor(options: DtlsServerOptions) {
    super();
    this.now = options.now ?? Date.now;
    this.log = options.log ?? silentLogger;
    this.maxDatagram = options.maxDatagram ?? 1200;
    this.sendHook = options.send;
    this.maxMessage = options.maxHandshakeMessageLength ?? 16384;
    this.opts = {
      maxSessions: options.maxSessions ?? 100_000,
      maxHandshakes: options.maxHandshakes ?? 2_000,
      stalledHandshakeMs: options.stalledHandshakeMs ?? 5_000,
      idleTimeoutMs: options.idleTimeoutMs ?? 3_600_000,
      retransmitInitialMs: options.retransmitInitialMs ?? 1_000,
      maxRetransmits: options.maxRetransmits ?? 5,
      flightRetentionMs: options.flightRetentionMs ?? 240_000,
      connectionId: options.connectionId ?? true,
    };
    this.cookies = new CookieJar(this.now, options.cookieRotateMs ?? 60_000);
    const kx = options.keyExchanges ?? [pskKeyExchange];
    this.hsConfig = {
      credentials: options.credentials,
      keyExchanges: new Map(kx.map((k) => [k.name, k])),
      sessionCache: new SessionCache(options.sessionCacheSize ?? 10_000, options.sessionCacheLifetimeMs ?? 86_400_000),
      now: this.now,
      requireExtendedMasterSecret: options.requireExtendedMasterSecret ?? false,
      maxFragments: options.maxFragmentsPerMessage ?? 64,
      // record header 13 + CID + handshake header 12 + worst-case protection overhead 64
      maxFragmentBody: this.maxDatagram - 13 - CID_LENGTH - 12 - 64,
      connectionId: undefined,
    };
    this.ticker = setInterval(() => this.tick(), options.tickMs ?? 100);
    this.ticker.unref();
  }

  /** Starts reading datagrams from a bound UDP socket it then owns for sending too. */
  attach(socket: dgram.Socket): void {
    this.socket = socket;
    socket.on('message', (msg, rinfo) => this.handleDatagram(msg, rinfo));
    socket.on('error', (err) => this.log.warn('dtls socket error', { err }));
  }

  /** Feeds one datagram; never throws. */
  handleDatagram(msg: Buffer, rinfo: { address: string; port: number }): void {
    this.counters.datagrams++;
    try {
      this.receive(msg, rinfo.address, rinfo.port);
    } catch (err) {
      // A bug, not a peer's fault: count it, log it once with context, keep serving.
      this.counters.internalErrors++;
      this.log.error('dtls internal error', { err, address: rinfo.address, port: rinfo.port });
    }
  }

  /** Encrypts and sends application data; false if the session is not established. */
  send(session: DtlsSession, plaintext: Buffer): boolean {
    const c = this.connectionOf(session);
    return c ? c.sendApplicationData(plaintext) : false;
  }

  sessionFor(address: string, port: number): DtlsSession | undefined {
    const c = this.byAddress.get(addressKey(address, port));
    return c && c.state === 'established' ? c : undefined;
  }

  /** Sends close_notify (RFC 5246 §7.2.1) and forgets the session. */
  closeSession(session: DtlsSession, reason = 'closed'): void {
    const c = this.connectionOf(session);
    if (!c) return;
    c.sendCloseNotify();
    this.remove(c, reason);
  }

  /** Resumable sessions (RFC 5246 §7.3) still within their lifetime, least recently used first: to carry over a restart. */
  resumableSessions(): ResumableSession[] {
    return [...this.hsConfig.sessionCache.resumable(this.now())];
  }

  /**
   * Puts sessions saved by an earlier run back in the resumption cache (in their order, within its
   * size; expired ones are not resumed). Each is re-checked against today's credentials when a
   * client offers it, like any cached session.
   */
  restoreSessions(sessions: readonly ResumableSession[]): void {
    for (const { sessionId, ...session } of sessions) this.hsConfig.sessionCache.put(sessionId, session);
  }

  /**
   * Ends the established sessions a `match`ing peer authenticated (close_notify, RFC 5246 §7.2.1)
   * and forgets its resumable ones: for a credential that was revoked or replaced, so a device
   * cannot go on using it through a session made before. Returns how many of each.
   */
  endSessionsOf(match: (peer: { readonly mode: string; readonly identity?: string | undefined }) => boolean, reason: string): { sessions: number; resumable: number } {
    let sessions = 0;
    for (const c of [...this.byAddress.values()]) {
      if (c.state !== 'established' || !match(c.security)) continue;
      c.sendCloseNotify();
      this.remove(c, reason);
      sessions++;
    }
    return { sessions, resumable: this.hsConfig.sessionCache.forget(match) };
  }

  /** How full the server is against its limits (for operators). */
  capacity(): { maxSessions: number; maxHandshakes: number; resumable: number; maxResumable: number } {
    const cache = this.hsConfig.sessionCache;
    return { maxSessions: this.opts.maxSessions, maxHandshakes: this.opts.maxHandshakes, resumable: cache.countResumable(this.now()), maxResumable: cache.capacity };
  }

  stats(): DtlsStats {
    return { sessions: this.sessionCount, handshakes: this.handshakeCount, ...this.counters };
  }

  close(): void {
    clearInterval(this.ticker);
    for (const c of [...this.byAddress.values()]) {
      if (c.state === 'established') c.sendCloseNotify();
      this.remove(c, 'server closing');
    }
    if (this.socket) {
      try {
        this.socket.close();
      } catch {
        // already closed
      }
      this.socket = undefined;
    }
  }

  /** Runs due retransmissions and idle evictions; called by the internal timer, callable by tests with a fake clock. */
  tick(): void {
    try {
      const now = this.now();
      for (const c of this.timers.due(now)) this.onTimer(c, now);
      for (const c of this.idle) {
        if (now - c.lastActivity < this.opts.idleTimeoutMs) break;
        this.counters.idleEvicted++;
        c.sendCloseNotify();
        this.remove(c, 'idle');
      }
    } catch (err) {
      // Runs from a timer: an exception here (a bug, or a throwing event listener) must not end the process.
      this.counters.internalErrors++;
      this.log.error('dtls timer error', { err });
    }
  }

  /** ConnectionHost: the one place datagrams leave. */
  transmit(datagram: Buffer, address: string, port: number): void {
    try {
      if (this.socket) this.socket.send(datagram, port, address);
      else this.sendHook?.(datagram, address, port);
    } catch (err) {
      // e.g. the socket was closed under us: losing a datagram is what UDP does anyway
      this.log.warn('dtls send failed', { err, address, port });
    }
  }

  // --- receive path ---

  private receive(msg: Buffer, address: string, port: number): void {
    const records = parseRecords(msg, this.opts.connectionId ? CID_LENGTH : 0);
    if (records.length === 0) {
      this.counters.malformed++;
      return;
    }
    const first = records[0]!;
    if (first.type === ContentType.tls12Cid) {
      const c = first.cid ? this.byCid.get(first.cid.toString('latin1')) : undefined;
      if (!c) {
        this.counters.noAssociation++;
        return;
      }
      this.receiveRecords(c, records, address, port, true);
      return;
    }
    const c = this.byAddress.get(addressKey(address, port));
    if (c && !this.isNewClientHello(c, first)) {
      this.receiveRecords(c, records, address, port);
      return;
    }
    this.statelessHello(first, address, port, c);
  }

  /**
   * RFC 6347 §4.2.8: an epoch-0 ClientHello with a new random from a known address starts a new
   * handshake. One with the random of the handshake that made the session is a late copy (a
   * duplicated or retransmitted datagram on a lossy link): it must not replace the session.
   */
  private isNewClientHello(c: Connection, r: DtlsRecord): boolean {
    if (r.epoch !== 0 || r.type !== ContentType.handshake || r.fragment[0] !== HandshakeType.clientHello) return false;
    const frags = parseFragments(r.fragment, this.maxMessage);
    const f = frags?.[0];
    if (!f || f.offset !== 0 || f.body.length < 34) return false;
    if (c.hs) return !f.body.subarray(2, 34).equals(c.hs.clientRandom);
    // No late copy outlives twice the MSL (RFC 6347 §4.2.4, `flightRetentionMs`), counted here from
    // the peer's last authentic record (later than its ClientHello, and no field to keep): after
    // that, a device repeating its whole random (a reboot without entropy) is starting over.
    if (c.helloTag !== undefined && this.now() - c.lastActivity > this.opts.flightRetentionMs) c.helloTag = undefined;
    return c.helloTag === undefined || helloTag(f.body, 2) !== c.helloTag;
  }

  /** Peers with no association: only a ClientHello is answered, statelessly until its cookie is valid. */
  private statelessHello(r: DtlsRecord, address: string, port: number, existing: Connection | undefined): void {
    const answer = answerClientHello(r, address, port, this.cookies, this.maxMessage);
    switch (answer.kind) {
      case 'drop':
        this.counters[answer.reason]++;
        return;
      case 'verify':
        if (answer.badCookie) this.counters.badCookies++;
        this.counters.cookiesSent++;
        this.transmit(answer.datagram, address, port);
        return;
      case 'refuse':
        // A fatal alert in an epoch-0 record, no association: nothing is kept for this peer.
        this.transmit(encodeRecord(ContentType.alert, 0, r.seq, Buffer.from([AlertLevel.fatal, answer.alert])), address, port);
        this.counters.alertsSent++;
        this.counters.handshakesFailed++;
        this.reportFailure({ address, port }, 'server', answer.reason, answer.alert);
        return;
      case 'start':
        if (this.handshakeCount >= this.opts.maxHandshakes) this.evictStalledHandshake();
        if (this.handshakeCount >= this.opts.maxHandshakes || (this.sessionCount >= this.opts.maxSessions && !existing)) {
          this.counters.capacityRefused++;
          // The cookie came back, so the address is real: worth telling the operator (folded there).
          const full = this.handshakeCount >= this.opts.maxHandshakes;
          this.reportFailure({ address, port }, 'capacity', full ? `${this.opts.maxHandshakes} handshakes already in progress (maxHandshakes)` : `${this.opts.maxSessions} sessions already established (maxSessions)`);
          return;
        }
        // The cookie proved the address is reachable: an older association from it may now go (RFC 6347 §4.2.8).
        if (existing) this.remove(existing, 'replaced by new handshake');
        this.startHandshake(r, answer.messageSeq, answer.body, answer.hello, address, port);
        return;
    }
  }

  /** Makes room for a new handshake by ending the oldest one if it has stalled (`stalledHandshakeMs`). */
  private evictStalledHandshake(): void {
    const oldest = this.halfOpen.values().next().value;
    if (!oldest || this.now() - oldest.lastActivity < this.opts.stalledHandshakeMs) return;
    this.counters.handshakesEvicted++;
    this.reportFailure(oldest, 'capacity', `ended after ${Math.round((this.now() - oldest.lastActivity) / 1000)} s to make room: ${this.opts.maxHandshakes} handshakes in progress (maxHandshakes)`);
    this.remove(oldest, 'evicted: handshake table full');
  }

  private startHandshake(
    r: DtlsRecord,
    messageSeq: number,
    body: Buffer,
    hello: ClientHello,
    address: string,
    port: number,
  ): void {
    const c = new Connection((this.nextId++).toString(36), address, port, this, this.now(), r.seq);
    let cid: Buffer | undefined;
    // RFC 9146 §3: a CID is only negotiated when the client offers the extension.
    if (this.opts.connectionId && hello.extensions.has(ExtensionType.connectionId)) {
      do cid = randomBytes(CID_LENGTH);
      while (this.byCid.has(cid.toString('latin1')));
    }
    c.hs = new ServerHandshake(cid ? { ...this.hsConfig, connectionId: cid } : this.hsConfig, hello);
    this.byAddress.set(c.key, c);
    this.handshakeCount++;
    this.halfOpen.add(c);
    this.counters.handshakesStarted++;
    const step = c.hs.begin({ type: HandshakeType.clientHello, messageSeq, body, raw: encodeHandshake(HandshakeType.clientHello, messageSeq, body) });
    if (c.hs.resumeRefused !== undefined) {
      this.counters.resumptionsRefused++;
      this.log.debug('dtls resumption refused', { address, port, reason: c.hs.resumeRefused });
    }
    if (cid && c.hs.peerConnectionId) {
      c.cidKey = cid.toString('latin1');
      c.peerCid = c.hs.peerConnectionId.length > 0 ? ownCopy(c.hs.peerConnectionId) : undefined;
      this.byCid.set(c.cidKey, c);
    }
    this.apply(c, step);
  }

  private receiveRecords(c: Connection, records: readonly DtlsRecord[], address: string, port: number, viaCid = false): void {
    let retransmitted = false;
    for (const r of records) {
      if (c.state === 'closed') return;
      // RFC 9146 §6: a CID names one association. A datagram found through a CID carries only
      // records with that CID; a tls12_cid record with another CID is not this connection's.
      // (Otherwise one CID would let records from any address into its session's handshake, or
      // another session's records be decrypted with this one's keys.)
      if (r.cid ? r.cid.toString('latin1') !== c.cidKey : viaCid) {
        this.counters.noAssociation++;
        continue;
      }
      if (r.epoch === 0 && c.readEpoch === 1) {
        // The peer resent a flight that began in epoch 0: answer once per datagram (RFC 6347 §4.2.4).
        // A stale ClientHello is no part of the flight our last one answers: nothing to resend.
        if (r.type === ContentType.handshake && r.fragment[0] !== HandshakeType.clientHello && !retransmitted) retransmitted = this.retransmit(c);
        continue;
      }
      if (r.epoch === c.readEpoch + 1 && c.state === 'handshake' && c.hasKeys && r.type !== ContentType.handshake && this.holdEarly(c, r)) continue;
      const newest = r.seq > c.highestReadSeq;
      const o = c.unprotect(r);
      if (!o.ok) {
        this.countDrop(o.reason);
        // Wrong PSK: the client's Finished cannot be authenticated. The handshake is at a dead end,
        // so say so (RFC 5246 §7.2.2 bad_record_mac) rather than leave the client waiting.
        if (o.reason === 'auth' && c.hs && c.hs.ccsReceived && !c.hs.isDone) this.fail(c, AlertDescription.badRecordMac, 'client Finished record failed authentication');
        continue;
      }
      if (r.epoch > 0) {
        if (r.cid && newest && (address !== c.address || port !== c.port)) this.moveAddress(c, address, port);
        this.touch(c);
      }
      retransmitted = this.dispatch(c, o.type, o.content, r.epoch, retransmitted);
    }
  }

  /**
   * RFC 6347 §4.1: records protected with the new keys may arrive before the handshake completes
   * ("implementations MAY either buffer or discard such packets"). After an abbreviated handshake
   * the client sends data at once; if its CCS + Finished flight is lost, that data would be lost
   * with it although the retransmitted flight completes the handshake a second later. So a few
   * are held (copied, bounded) and processed after the handshake; they are authenticated then.
   */
  private holdEarly(c: Connection, r: DtlsRecord): boolean {
    const early = (c.early ??= []);
    const bytes = early.reduce((n, e) => n + e.fragment.length, 0);
    if (early.length >= MAX_EARLY_RECORDS || bytes + r.fragment.length > MAX_EARLY_BYTES) return false;
    early.push({ ...r, fragment: ownCopy(r.fragment), ...(r.cid ? { cid: ownCopy(r.cid) } : {}) });
    return true;
  }

  /** Handles one authentic (or epoch-0) record's content; returns whether a retransmission was sent for this datagram. */
  private dispatch(c: Connection, type: number, content: Buffer, epoch: number, retransmitted: boolean): boolean {
    switch (type) {
      case ContentType.handshake: {
        const frags = parseFragments(content, this.maxMessage);
        if (!frags) {
          this.counters.malformed++;
          if (c.hs) this.fail(c, AlertDescription.decodeError, 'malformed handshake fragment');
          return retransmitted;
        }
        for (const f of frags) {
          if (c.state === 'closed') break;
          if (c.hs) {
            const step = c.hs.onFragment(f, epoch);
            if (step.kind === 'retransmit') {
              if (!retransmitted) retransmitted = this.retransmit(c);
            } else this.apply(c, step);
          } else if (f.type === HandshakeType.clientHello) {
            // RFC 5746 §4.4 / RFC 5246 §7.2.2: renegotiation is refused with a no_renegotiation warning.
            c.sendAlert(AlertLevel.warning, AlertDescription.noRenegotiation);
            this.counters.alertsSent++;
          } else if (!retransmitted) retransmitted = this.retransmit(c);
        }
        return retransmitted;
      }
      case ContentType.changeCipherSpec:
        // RFC 5246 §7.1: a single byte 1; it moves the peer's writes to the next epoch.
        if (epoch === 0 && content.length === 1 && content[0] === 1 && c.hs?.onChangeCipherSpec()) c.advanceReadEpoch();
        return retransmitted;
      case ContentType.alert:
        this.onAlert(c, content, epoch);
        return retransmitted;
      case ContentType.applicationData:
        // RFC 5246 §7.4.9 / RFC 6347: application data only after the handshake, in an epoch > 0.
        if (c.state !== 'established' || epoch === 0) {
          this.counters.wrongEpoch++;
          return retransmitted;
        }
        if (c.lastFlight) this.dropFlight(c); // the peer has our Finished
        this.emit('data', c, content);
        return retransmitted;
      default:
        this.counters.malformed++;
        return retransmitted;
    }
  }

  private onAlert(c: Connection, content: Buffer, epoch: number): void {
    if (content.length !== 2) {
      this.counters.malformed++;
      return;
    }
    this.counters.alertsReceived++;
    // After the handshake, an epoch-0 alert is unauthenticated: ignore it rather than let anyone close sessions.
    if (c.state === 'established' && epoch === 0) return;
    const [level, desc] = [content[0]!, content[1]!];
    if (desc === AlertDescription.closeNotify) {
      // RFC 5246 §7.2.1: answer close_notify with close_notify and discard the session.
      if (c.state === 'established') c.sendCloseNotify();
      this.remove(c, 'close_notify');
    } else if (level === AlertLevel.fatal) {
      if (c.state === 'handshake') this.reportFailure(c, 'device', `the device ended the handshake with ${alertName(desc)}`, desc);
      this.remove(c, `fatal alert ${desc}`);
    }
  }

  private apply(c: Connection, step: HandshakeStep): void {
    const hs = c.hs!;
    if (hs.keyBlock && !c.hasKeys) c.installKeys(hs.suite!, hs.keyBlock);
    switch (step.kind) {
      case 'none':
      case 'retransmit':
        return;
      case 'alert':
        this.fail(c, step.alert, step.reason, step.claimedIdentity);
        return;
      case 'flight':
        c.lastFlight = step.flight;
        for (const item of step.flight) if (item.epoch > c.writeEpoch) c.writeEpoch = item.epoch;
        c.sendFlight(step.flight);
        c.retransmits = 0;
        c.rtoMs = this.opts.retransmitInitialMs;
        this.timers.schedule(c, this.now() + c.rtoMs);
        return;
      case 'established':
        this.establish(c, step.flight);
        return;
    }
  }

  private establish(c: Connection, finalFlight: readonly FlightItem[]): void {
    const hs = c.hs!;
    if (finalFlight.length > 0) {
      c.writeEpoch = 1;
      c.sendFlight(finalFlight);
      // RFC 6347 §4.2.4: the last flight is not retransmitted on a timer, only when the peer resends.
      c.lastFlight = detached(finalFlight);
      this.timers.schedule(c, this.now() + this.opts.flightRetentionMs);
    } else {
      c.lastFlight = undefined;
      this.timers.cancel(c);
    }
    c.security = {
      mode: hs.peer!.mode,
      identity: hs.peer!.identity,
      cipherSuite: hs.suite!.name,
      connectionId: c.cidKey !== undefined,
    };
    if (hs.resumed) this.counters.resumptions++;
    c.helloTag = helloTag(hs.clientRandom, 0);
    c.hs = undefined;
    c.state = 'established';
    this.handshakeCount--;
    this.halfOpen.delete(c);
    this.sessionCount++;
    this.counters.handshakesCompleted++;
    this.touch(c);
    this.emit('session', c);
    const early = c.early;
    c.early = undefined;
    if (early && c.state === 'established') this.receiveRecords(c, early, c.address, c.port);
  }

  // --- timers, limits, bookkeeping ---

  private onTimer(c: Connection, now: number): void {
    if (c.state === 'established') {
      c.lastFlight = undefined; // retention over
      return;
    }
    if (c.state !== 'handshake' || !c.lastFlight) return;
    if (c.retransmits >= this.opts.maxRetransmits) {
      this.counters.handshakeTimeouts++;
      this.reportFailure(c, 'timeout', `the device stopped answering after ${c.retransmits} retransmissions of our flight`);
      this.remove(c, 'handshake timeout');
      return;
    }
    // RFC 6347 §4.2.4.1: double the timer on each retransmission, up to 60 s.
    c.retransmits++;
    c.rtoMs = Math.min(c.rtoMs * 2, 60_000);
    c.sendFlight(c.lastFlight);
    this.timers.schedule(c, now + c.rtoMs);
  }

  private retransmit(c: Connection): boolean {
    if (!c.lastFlight) return false;
    c.sendFlight(c.lastFlight);
    return true;
  }

  private dropFlight(c: Connection): void {
    c.lastFlight = undefined;
    this.timers.cancel(c);
  }

  private fail(c: Connection, alert: number, reason: string, claimedIdentity?: string): void {
    this.log.debug('dtls handshake failed', { address: c.address, port: c.port, alert, reason });
    c.sendAlert(AlertLevel.fatal, alert);
    this.counters.alertsSent++;
    this.counters.handshakesFailed++;
    this.reportFailure(c, 'server', reason, alert, claimedIdentity);
    this.remove(c, reason);
  }

  /**
   * 'handshakeFailed' for the operator (HandshakeFailure): for a connection, called before its
   * handshake state goes; for a peer turned away at the door, just its address.
   */
  private reportFailure(c: Pick<Connection, 'address' | 'port'> & { hs?: Connection['hs'] }, endedBy: HandshakeFailure['endedBy'], reason: string, alert?: number, claimedIdentity?: string): void {
    if (this.listenerCount('handshakeFailed') === 0) return;
    const failure: HandshakeFailure = { address: c.address, port: c.port, endedBy, reason };
    if (alert !== undefined) failure.alert = alert;
    const identity = claimedIdentity ?? c.hs?.peer?.identity;
    if (identity !== undefined) failure.identity = identity;
    this.emit('handshakeFailed', failure);
  }

  private touch(c: Connection): void {
    c.lastActivity = this.now();
    if (c.state === 'established') {
      this.idle.delete(c);
      this.idle.add(c);
    }
  }

  /** RFC 9146 §6: an authentic, newest record carrying our CID from a new address moves the session. */
  private moveAddress(c: Connection, address: string, port: number): void {
    const oldAddress = c.address;
    const oldPort = c.port;
    const other = this.byAddress.get(addressKey(address, port));
    if (other && other !== c) this.remove(other, 'address taken over by connection id');
    this.byAddress.delete(c.key);
    c.address = address;
    c.port = port;
    this.byAddress.set(c.key, c);
    this.counters.addressChanges++;
    if (c.state === 'established') this.emit('addressChanged', c, oldAddress, oldPort);
  }

  private remove(c: Connection, reason: string): void {
    if (c.state === 'closed') return;
    const wasEstablished = c.state === 'established';
    if (wasEstablished) this.sessionCount--;
    else {
      this.handshakeCount--;
      this.halfOpen.delete(c);
    }
    c.state = 'closed';
    c.hs = undefined;
    c.lastFlight = undefined;
    c.early = undefined;
    c.forgetKeys();
    this.timers.cancel(c);
    this.idle.delete(c);
    if (this.byAddress.get(c.key) === c) this.byAddress.delete(c.key);
    if (c.cidKey !== undefined && this.byCid.get(c.cidKey) === c) this.byCid.delete(c.cidKey);
    if (wasEstablished) this.emit('sessionClosed', c, reason);
  }

  private countDrop(reason: 'replay' | 'short' | 'auth' | 'epoch'): void {
    if (reason === 'replay') this.counters.replays++;
    else if (reason === 'short') this.counters.shortRecords++;
    else if (reason === 'auth') this.counters.authFailures++;
    else this.counters.wrongEpoch++;
  }

  private connectionOf(s: DtlsSession): Connection | undefined {
    return s instanceof Connection && s.state !== 'closed' ? s : undefined;
  }
}

/**
 * 48 bits standing for the whole 32-byte client Random at `at` (RFC 5246 §7.4.1.2: gmt_unix_time,
 * then random_bytes), every byte counted: its eight 32-bit words XORed, the odd ones folded to 16
 * bits. Not its last bytes alone: a device short of entropy after a reboot can repeat its
 * random_bytes while its clock moved on, and that ClientHello is new, not a late copy.
 */
function helloTag(b: Buffer, at: number): number {
  let even = 0;
  let odd = 0;
  for (let i = 0; i < 32; i += 8) {
    even ^= b.readUInt32BE(at + i);
    odd ^= b.readUInt32BE(at + i + 4);
  }
  return (even >>> 0) * 0x10000 + ((odd ^ (odd >>> 16)) & 0xffff);
}

/**
 * The flight's payloads as buffers of their own. A final flight can be held for minutes
 * (`flightRetentionMs`), and a small payload cut from Node's shared 8 KiB allocation pool would
 * keep that whole pool slab alive: measured 4 KiB per silent session instead of tens of bytes.
 */
function detached(flight: readonly FlightItem[]): FlightItem[] {
  return flight.map((item) => (item.payload.byteLength === item.payload.buffer.byteLength ? item : { ...item, payload: ownCopy(item.payload) }));
}
