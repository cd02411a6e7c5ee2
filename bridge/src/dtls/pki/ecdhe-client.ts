/**
 * A minimal DTLS 1.2 client for TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 with a raw public key
 * (RFC 7250) or an X.509 certificate, built on the server's record and key-schedule code. It
 * drives the server where an external peer cannot: the handshake benchmark's load generator and
 * tests that need a client misbehaving on purpose (a bad CertificateVerify). It is not a
 * general-purpose client: no fragmentation of its own messages, no resumption, one retransmission
 * timer, and it trusts whatever server key signs the ServerKeyExchange consistently with its
 * Certificate message (it checks that signature, not the server's identity).
 */
import { X509Certificate, createECDH, createPublicKey, randomBytes, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import { type CipherSuite, directionKeys, keyBlockLength, suiteById } from '../cipher-suites.js';
import { encodeHandshake, type HandshakeMessage, InOrderHandshake } from '../handshake-message.js';
import type { Extension } from '../hello.js';
import { extendedMasterSecret, finishedVerifyData, keyBlock, masterSecret, transcriptHash } from '../prf.js';
import { encodeRecord, parseRecords } from '../record.js';
import { open, seal } from '../record-protection.js';
import { ContentType, DTLS_1_2, ExtensionType, HandshakeType, Reader, vec } from '../wire.js';
import { EXT } from './ecc-extensions.js';
import {
  CERT_TYPE, encodeCertificateRaw, encodeCertificateVerify, encodeCertificateX509, encodeClientKeyExchange,
  parseCertificateBody, parseServerKeyExchange, SIG_ECDSA_SHA256, type CertificateType,
} from './ecc-messages.js';

export interface EcdheClientOptions {
  /** Client credential: a raw public key (RFC 7250) or an X.509 chain (leaf first). */
  credential: { type: 'raw'; privateKey: KeyObject; spki: Buffer } | { type: 'x509'; privateKey: KeyObject; chain: Buffer[] };
  send: (datagram: Buffer) => void;
  /** Check the ServerKeyExchange signature (RFC 8422 §5.4); default true. */
  verifyServerSignature?: boolean;
  /** Sign the wrong bytes in CertificateVerify (negative tests). */
  corruptCertificateVerify?: boolean;
  /** Retransmission timeout in ms; 0 disables. Default 1000. */
  retransmitMs?: number;
  /**
   * Send the ClientHello extensions tinydtls sends (certificate types, elliptic_curves,
   * ec_point_formats) and nothing else: no signature_algorithms, extended_master_secret or
   * renegotiation_info.
   */
  tinydtlsHello?: boolean;
}

export type EcdheClientEvent = { kind: 'connected' } | { kind: 'alert'; description: number } | { kind: 'failed'; reason: string } | { kind: 'data'; data: Buffer };

export class DtlsEcdheClient {
  connected = false;
  onEvent: ((e: EcdheClientEvent) => void) | undefined;

  private readonly random = randomBytes(32);
  private serverRandom: Buffer = Buffer.alloc(0);
  private cookie: Buffer = Buffer.alloc(0);
  private transcript: Buffer[] = [];
  private suite: CipherSuite | undefined;
  private ems = false;
  private serverType: CertificateType = CERT_TYPE.X509;
  private serverKey: KeyObject | undefined;
  private serverPoint: Buffer | undefined;
  private master: Buffer | undefined;
  private block: Buffer | undefined;
  private sendSeq = 0;
  private seq0 = 0;
  private seq1 = 0;
  private readEpoch = 0;
  private flight: Buffer | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly received = new InOrderHandshake();

  constructor(private readonly o: EcdheClientOptions) {}

  start(): void {
    this.sendClientHello();
  }

  write(data: Buffer): void {
    this.o.send(this.protect(ContentType.applicationData, data));
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  handleDatagram(msg: Buffer): void {
    for (const r of parseRecords(msg, 0)) {
      if (r.epoch !== this.readEpoch) continue;
      let content = r.fragment;
      if (r.epoch > 0) {
        const plain = open(this.suite!, directionKeys(this.suite!, this.block!, 'server'), r, r.fragment);
        if (!plain) continue;
        content = plain;
      }
      if (r.type === ContentType.changeCipherSpec) this.readEpoch = 1;
      else if (r.type === ContentType.alert && content.length === 2) this.finish({ kind: 'alert', description: content[1]! });
      else if (r.type === ContentType.applicationData && this.connected) this.onEvent?.({ kind: 'data', data: content });
      else if (r.type === ContentType.handshake) this.received.receive(content, (m) => this.onMessage(m));
    }
  }

  private finish(e: EcdheClientEvent): void {
    this.close();
    this.onEvent?.(e);
  }

  private onMessage(m: HandshakeMessage): void {
    switch (m.type) {
      case HandshakeType.helloVerifyRequest: {
        const r = new Reader(m.body);
        r.u16();
        this.cookie = r.vector(1, 255) ?? Buffer.alloc(0);
        this.transcript = []; // RFC 6347 §4.2.1: the first ClientHello and HVR are not hashed
        this.sendClientHello();
        return;
      }
      case HandshakeType.serverHello:
        this.transcript.push(m.raw);
        return this.onServerHello(m.body);
      case HandshakeType.certificate: {
        this.transcript.push(m.raw);
        if (this.o.verifyServerSignature === false) return;
        const cert = parseCertificateBody(m.body, this.serverType);
        if (!cert.ok) return this.finish({ kind: 'failed', reason: cert.reason });
        try {
          const v = cert.value;
          if (v.type === 'raw' && v.spki) this.serverKey = createPublicKey({ key: v.spki, format: 'der', type: 'spki' });
          if (v.type === 'x509' && v.chain[0]) this.serverKey = new X509Certificate(v.chain[0]).publicKey;
        } catch {
          return this.finish({ kind: 'failed', reason: 'server key unreadable' });
        }
        return;
      }
      case HandshakeType.serverKeyExchange: {
        this.transcript.push(m.raw);
        const ske = parseServerKeyExchange(m.body);
        if (!ske.ok) return this.finish({ kind: 'failed', reason: ske.reason });
        if (this.o.verifyServerSignature !== false) {
          const signed = Buffer.concat([this.random, this.serverRandom, ske.value.params]);
          const good = ske.value.algorithm === SIG_ECDSA_SHA256 && !!this.serverKey && verify('sha256', signed, this.serverKey, ske.value.signature);
          if (!good) return this.finish({ kind: 'failed', reason: 'ServerKeyExchange signature does not verify' });
        }
        this.serverPoint = ske.value.point;
        return;
      }
      case HandshakeType.serverHelloDone:
        this.transcript.push(m.raw);
        return this.sendSecondFlight();
      case HandshakeType.finished: {
        const expected = finishedVerifyData(this.master!, 'server', transcriptHash(this.transcript));
        if (m.body.length !== expected.length || !timingSafeEqual(m.body, expected)) return this.finish({ kind: 'failed', reason: 'server Finished does not verify' });
        this.connected = true;
        return this.finish({ kind: 'connected' });
      }
      default:
        this.transcript.push(m.raw); // CertificateRequest
    }
  }

  private onServerHello(body: Buffer): void {
    const r = new Reader(body);
    r.u16();
    this.serverRandom = r.bytes(32) ?? Buffer.alloc(32);
    r.vector(1, 32);
    this.suite = suiteById(r.u16() ?? 0);
    r.u8();
    const exts = r.remaining > 0 ? r.vector(2, 0xffff) : undefined;
    const er = new Reader(exts ?? Buffer.alloc(0));
    while (er.remaining > 0) {
      const t = er.u16();
      const d = er.vector(2, 0xffff);
      if (t === ExtensionType.extendedMasterSecret) this.ems = true;
      if (t === EXT.server_certificate_type && d?.length === 1) {
        if (d[0] === CERT_TYPE.X509 || d[0] === CERT_TYPE.RawPublicKey) this.serverType = d[0];
        else return this.finish({ kind: 'failed', reason: `server chose certificate type ${d[0]}` });
      }
    }
  }

  /** Certificate, ClientKeyExchange, CertificateVerify, ChangeCipherSpec, Finished (RFC 5246 §7.3). */
  private sendSecondFlight(): void {
    if (!this.serverPoint || !this.suite) return this.finish({ kind: 'failed', reason: 'incomplete server flight' });
    const c = this.o.credential;
    const cert = this.handshake(HandshakeType.certificate, c.type === 'raw' ? encodeCertificateRaw(c.spki) : encodeCertificateX509(c.chain));
    const ecdh = createECDH('prime256v1');
    const point = ecdh.generateKeys();
    const cke = this.handshake(HandshakeType.clientKeyExchange, encodeClientKeyExchange(point));
    const premaster = ecdh.computeSecret(this.serverPoint);
    // RFC 7627 §4: the session hash runs up to and including ClientKeyExchange.
    this.master = this.ems ? extendedMasterSecret(premaster, transcriptHash(this.transcript)) : masterSecret(premaster, this.random, this.serverRandom);
    this.block = keyBlock(this.master, this.serverRandom, this.random, keyBlockLength(this.suite));
    const signed = Buffer.concat(this.transcript);
    const cv = this.handshake(HandshakeType.certificateVerify, encodeCertificateVerify(this.o.corruptCertificateVerify ? Buffer.concat([signed, Buffer.from([0])]) : signed, c.privateKey));
    const ccs = encodeRecord(ContentType.changeCipherSpec, 0, this.seq0++, Buffer.from([1]));
    const fin = this.handshake(HandshakeType.finished, finishedVerifyData(this.master, 'client', transcriptHash(this.transcript)));
    this.sendFlight(Buffer.concat([this.plain(cert), this.plain(cke), this.plain(cv), ccs, this.protect(ContentType.handshake, fin)]));
  }

  private sendClientHello(): void {
    const exts: Extension[] = [];
    if (this.o.credential.type === 'raw') {
      exts.push([EXT.client_certificate_type, vec(1, Buffer.from([CERT_TYPE.RawPublicKey]))]);
      exts.push([EXT.server_certificate_type, vec(1, Buffer.from([CERT_TYPE.RawPublicKey]))]);
    }
    exts.push([EXT.supported_groups, vec(2, Buffer.from([0, 23]))], [EXT.ec_point_formats, vec(1, Buffer.from([0]))]);
    if (!this.o.tinydtlsHello) {
      exts.push(
        [ExtensionType.renegotiationInfo, Buffer.from([0])],
        [ExtensionType.extendedMasterSecret, Buffer.alloc(0)],
        [EXT.signature_algorithms, vec(2, Buffer.from([4, 3]))],
      );
    }
    const extBytes = Buffer.concat(exts.map(([t, d]) => Buffer.concat([Buffer.from([t >> 8, t & 0xff]), vec(2, d)])));
    const body = Buffer.concat([
      Buffer.from([DTLS_1_2 >> 8, DTLS_1_2 & 0xff]),
      this.random,
      vec(1, Buffer.alloc(0)),
      vec(1, this.cookie),
      vec(2, Buffer.from([0xc0, 0xae])),
      Buffer.from([1, 0]),
      vec(2, extBytes),
    ]);
    this.sendFlight(this.plain(this.handshake(HandshakeType.clientHello, body)));
  }

  private handshake(type: number, body: Buffer): Buffer {
    const raw = encodeHandshake(type, this.sendSeq++, body);
    this.transcript.push(raw);
    return raw;
  }

  private plain(handshake: Buffer): Buffer {
    return encodeRecord(ContentType.handshake, 0, this.seq0++, handshake);
  }

  private protect(type: number, content: Buffer): Buffer {
    const seq = this.seq1++;
    const keys = directionKeys(this.suite!, this.block!, 'client');
    return encodeRecord(type, 1, seq, seal(this.suite!, keys, { type, version: DTLS_1_2, epoch: 1, seq }, content));
  }

  private sendFlight(datagram: Buffer): void {
    this.flight = datagram;
    this.o.send(datagram);
    const ms = this.o.retransmitMs ?? 1000;
    if (this.timer) clearTimeout(this.timer);
    if (ms > 0) {
      this.timer = setTimeout(() => {
        if (!this.connected && this.flight) this.sendFlight(this.flight);
      }, ms);
      this.timer.unref();
    }
  }
}
