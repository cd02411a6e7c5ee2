/**
 * A minimal DTLS 1.2 PSK client (RFC 6347, RFC 4279) built on the same record and key-schedule code
 * as the server. It exists to drive the server where no external peer can: the benchmark's load
 * generator, Connection ID (RFC 9146) and resumption tests. It is not a general-purpose client:
 * no certificate suites, no fragmentation of its own messages, and a simple retransmission timer.
 */
import { timingSafeEqual } from 'node:crypto';
import { type CipherSuite, type DirectionKeys, directionKeys, keyBlockLength, suiteById } from './cipher-suites.js';
import { encodeHandshake, type HandshakeMessage, InOrderHandshake } from './handshake-message.js';
import { type Extension } from './hello.js';
import { extendedMasterSecret, finishedVerifyData, keyBlock, masterSecret, pskPremaster } from './prf.js';
import { randomBytesFromPool } from './random-pool.js';
import { encodeRecord, innerPlaintext, parseInnerPlaintext, parseRecords } from './record.js';
import { open, sealRecord } from './record-protection.js';
import { Transcript } from './transcript.js';
import { ContentType, DTLS_1_2, ExtensionType, HandshakeType, Reader, vec } from './wire.js';

export interface DtlsPskClientOptions {
  identity: string;
  key: Buffer;
  /** Suites to offer, in order. Default: CCM_8 then CBC-SHA256. */
  cipherSuites?: readonly number[];
  /** Offer RFC 7627 extended_master_secret. Default true. */
  extendedMasterSecret?: boolean;
  /** RFC 9146: offer connection_id with this CID for records the server sends us (empty: none needed). */
  connectionId?: Buffer;
  /** Resume this session (RFC 5246 §7.3) if the server still has it. */
  resume?: { sessionId: Buffer; masterSecret: Buffer; suiteId: number; extendedMasterSecret: boolean };
  send: (datagram: Buffer) => void;
  /** Retransmission timeout in ms; 0 disables retransmission. Default 1000. */
  retransmitMs?: number;
}

export type ClientEvent =
  | { kind: 'connected' }
  | { kind: 'data'; data: Buffer }
  | { kind: 'alert'; level: number; description: number };

export class DtlsPskClient {
  connected = false;
  resumed = false;
  suite: CipherSuite | undefined;
  sessionId: Buffer = Buffer.alloc(0);
  master: Buffer | undefined;
  usedExtendedMasterSecret = false;
  /** The CID the server asked us to send (RFC 9146), if negotiated. */
  serverCid: Buffer | undefined;
  readonly events: ClientEvent[] = [];
  onEvent: ((e: ClientEvent) => void) | undefined;

  // The load generator runs thousands of these per second: random bytes from the pool (one CSPRNG
  // call per ~100 clients), one transcript buffer, keys sliced once, one re-armed timer.
  private readonly random = randomBytesFromPool(32);
  private serverRandom: Buffer = EMPTY;
  private cookie: Buffer = EMPTY;
  private transcript = new Transcript(384);
  private keys: { client: DirectionKeys; server: DirectionKeys } | undefined;
  /** ClientHello from cipher_suites on: the same before and after the HelloVerifyRequest. */
  private helloTail: Buffer | undefined;
  private sendSeq = 0;
  private seq0 = 0;
  private seq1 = 0;
  private writeEpoch = 0;
  private readEpoch = 0;
  private block: Buffer | undefined;
  private flight: Buffer = EMPTY;
  private timer: NodeJS.Timeout | undefined;
  private readonly received = new InOrderHandshake();

  constructor(private readonly o: DtlsPskClientOptions) {}

  start(): void {
    this.sendClientHello();
  }

  /** Sends application data over the established session. */
  write(data: Buffer): void {
    this.o.send(this.record(ContentType.applicationData, 1, data));
  }

  /** Encodes (without sending) the next application data record, e.g. to replay or tamper with it in a test. */
  record(type: number, epoch: number, content: Buffer): Buffer {
    const seq = epoch === 0 ? this.seq0++ : this.seq1++;
    if (epoch === 0) return encodeRecord(type, 0, seq, content);
    const suite = this.suite!;
    const keys = this.keys!.client;
    const cid = this.serverCid;
    return cid ? sealRecord(suite, keys, type, epoch, seq, innerPlaintext(type, content), cid) : sealRecord(suite, keys, type, epoch, seq, content);
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.connected) this.o.send(this.record(ContentType.alert, 1, Buffer.from([1, 0])));
    this.connected = false;
  }

  handleDatagram(msg: Buffer): void {
    const cidLen = this.o.connectionId?.length ?? 0;
    for (const r of parseRecords(msg, cidLen)) {
      let type = r.type;
      let content = r.fragment;
      if (r.epoch !== this.readEpoch) continue;
      if (r.epoch > 0) {
        if (!this.suite || !this.keys) continue;
        const plain = open(this.suite, this.keys.server, r, r.fragment);
        if (!plain) continue;
        content = plain;
        if (r.type === ContentType.tls12Cid) {
          const inner = parseInnerPlaintext(plain);
          if (!inner) continue;
          type = inner.type;
          content = inner.content;
        }
      }
      if (type === ContentType.changeCipherSpec) {
        if (this.block) this.readEpoch = 1; // a stray CCS before our keys exist is ignored
      }
      else if (type === ContentType.alert && content.length === 2) this.emit({ kind: 'alert', level: content[0]!, description: content[1]! });
      else if (type === ContentType.applicationData && this.connected) this.emit({ kind: 'data', data: content });
      else if (type === ContentType.handshake) this.received.receive(content, (m) => this.onMessage(m));
    }
  }

  private emit(e: ClientEvent): void {
    this.events.push(e);
    this.onEvent?.(e);
  }

  private onMessage(m: HandshakeMessage): void {
    switch (m.type) {
      case HandshakeType.helloVerifyRequest: {
        const r = new Reader(m.body);
        r.u16();
        this.cookie = r.vector(1, 255) ?? EMPTY;
        this.transcript = new Transcript(384); // RFC 6347 §4.2.1: the exchange before the cookie is not hashed
        this.sendClientHello();
        return;
      }
      case HandshakeType.serverHello:
        this.transcript.append(m.raw);
        this.onServerHello(m.body);
        return;
      case HandshakeType.serverHelloDone: {
        if (!this.suite) return; // no usable ServerHello came first: nothing to answer with
        this.transcript.append(m.raw);
        // RFC 4279 §2 ClientKeyExchange: the identity; the premaster comes from the PSK.
        const cke = this.handshake(HandshakeType.clientKeyExchange, vec(2, Buffer.from(this.o.identity, 'utf8')));
        const pms = pskPremaster(this.o.key);
        this.master = this.usedExtendedMasterSecret
          ? extendedMasterSecret(pms, this.transcript.hash())
          : masterSecret(pms, this.random, this.serverRandom);
        this.deriveKeys();
        const ccs = encodeRecord(ContentType.changeCipherSpec, 0, this.seq0++, CCS);
        this.writeEpoch = 1;
        const fin = this.handshake(HandshakeType.finished, finishedVerifyData(this.master, 'client', this.transcript.hash()));
        this.sendFlight(Buffer.concat([this.record(ContentType.handshake, 0, cke), ccs, this.record(ContentType.handshake, 1, fin)]));
        return;
      }
      case HandshakeType.finished: {
        const expected = finishedVerifyData(this.master!, 'server', this.transcript.hash());
        if (m.body.length !== 12 || !timingSafeEqual(m.body, expected)) return;
        this.transcript.append(m.raw);
        if (this.resumed) {
          const ccs = encodeRecord(ContentType.changeCipherSpec, 0, this.seq0++, CCS);
          this.writeEpoch = 1;
          const fin = this.handshake(HandshakeType.finished, finishedVerifyData(this.master!, 'client', this.transcript.hash()));
          this.o.send(Buffer.concat([ccs, this.record(ContentType.handshake, 1, fin)]));
        }
        if (this.timer) clearTimeout(this.timer);
        this.connected = true;
        this.emit({ kind: 'connected' });
        return;
      }
      default:
        this.transcript.append(m.raw);
    }
  }

  private onServerHello(body: Buffer): void {
    const r = new Reader(body);
    r.u16();
    this.serverRandom = r.bytes(32) ?? Buffer.alloc(32);
    const sid = r.vector(1, 32) ?? EMPTY;
    const suiteId = r.u16() ?? 0;
    r.u8();
    this.suite = suiteById(suiteId);
    const exts = r.remaining > 0 ? r.vector(2, 0xffff) : undefined;
    if (exts) {
      const er = new Reader(exts);
      while (er.remaining > 0) {
        const t = er.u16();
        const d = er.vector(2, 0xffff);
        if (t === ExtensionType.extendedMasterSecret) this.usedExtendedMasterSecret = true;
        if (t === ExtensionType.connectionId && d) this.serverCid = new Reader(d).vector(1, 255);
      }
    }
    const res = this.o.resume;
    if (res && sid.equals(res.sessionId)) {
      this.resumed = true;
      this.master = res.masterSecret;
      this.usedExtendedMasterSecret = res.extendedMasterSecret;
      this.deriveKeys();
    }
    this.sessionId = sid;
  }

  private sendClientHello(): void {
    this.helloTail ??= this.encodeHelloTail();
    const sessionId = this.o.resume?.sessionId ?? EMPTY;
    const body = Buffer.allocUnsafe(2 + 32 + 1 + sessionId.length + 1 + this.cookie.length + this.helloTail.length);
    body.writeUInt16BE(DTLS_1_2, 0);
    body.set(this.random, 2);
    let at = 34;
    body[at++] = sessionId.length;
    body.set(sessionId, at);
    at += sessionId.length;
    body[at++] = this.cookie.length;
    body.set(this.cookie, at);
    body.set(this.helloTail, at + this.cookie.length);
    const ch = this.handshake(HandshakeType.clientHello, body);
    this.sendFlight(this.record(ContentType.handshake, 0, ch));
  }

  /** cipher_suites, compression_methods (null) and extensions. */
  private encodeHelloTail(): Buffer {
    const suites = this.o.cipherSuites ?? [0xc0a8, 0x00ae];
    const suiteBytes = Buffer.alloc(suites.length * 2);
    suites.forEach((s, i) => suiteBytes.writeUInt16BE(s, i * 2));
    const exts: Extension[] = [[ExtensionType.renegotiationInfo, Buffer.from([0])]];
    if (this.o.extendedMasterSecret ?? true) exts.push([ExtensionType.extendedMasterSecret, EMPTY]);
    if (this.o.connectionId) exts.push([ExtensionType.connectionId, vec(1, this.o.connectionId)]);
    const extBytes = Buffer.concat(exts.map(([t, d]) => Buffer.concat([Buffer.from([t >> 8, t & 0xff]), vec(2, d)])));
    return Buffer.concat([vec(2, suiteBytes), Buffer.from([1, 0]), vec(2, extBytes)]);
  }

  private handshake(type: number, body: Buffer): Buffer {
    const raw = encodeHandshake(type, this.sendSeq++, body);
    this.transcript.append(raw);
    return raw;
  }

  private deriveKeys(): void {
    this.block = keyBlock(this.master!, this.serverRandom, this.random, keyBlockLength(this.suite!));
    this.keys = { client: directionKeys(this.suite!, this.block, 'client'), server: directionKeys(this.suite!, this.block, 'server') };
  }

  private sendFlight(datagram: Buffer): void {
    this.flight = datagram;
    this.o.send(datagram);
    const ms = this.o.retransmitMs ?? 1000;
    if (ms <= 0) return;
    // one timer per client, re-armed for each flight
    if (this.timer) this.timer.refresh();
    else {
      this.timer = setTimeout(() => {
        if (!this.connected) this.o.send(this.flight);
      }, ms);
      this.timer.unref();
    }
  }
}

const EMPTY = Buffer.alloc(0);
const CCS = Buffer.from([1]);
