/**
 * The server side of one DTLS 1.2 handshake (RFC 5246 §7.3, RFC 6347 §4.2), as a pure state
 * machine: complete handshake messages in, flights and outcomes out. No sockets, no timers; the
 * connection (connection.ts) owns records, epochs and retransmission.
 *
 * Full:        ClientHello  ->  ServerHello, [key exchange messages], ServerHelloDone
 *              [Certificate], ClientKeyExchange, [CertificateVerify], CCS, Finished  ->  CCS, Finished
 * Abbreviated: ClientHello(session_id)  ->  ServerHello, CCS, Finished
 *              CCS, Finished  ->  (done)
 * The engine is entered only after a valid cookie (RFC 6347 §4.2.1), so the first ClientHello and
 * the HelloVerifyRequest are not part of the transcript.
 */
import { timingSafeEqual } from 'node:crypto';
import { randomBytesFromPool as randomBytes } from './random-pool.js';
import { CIPHER_SUITES, type CipherSuite, keyBlockLength, suiteById } from './cipher-suites.js';
import type { DtlsCredentialResolver, PeerCredential, PeerIdentity } from './credentials.js';
import { encodeHandshake, fragmentHandshake, type HandshakeFragment, type HandshakeMessage, Reassembler } from './handshake-message.js';
import { type ClientHello, encodeServerHello, type Extension } from './hello.js';
import type { KeyExchange, KeyExchangeRun } from './key-exchange.js';
import { extendedMasterSecret, finishedVerifyData, keyBlock, masterSecret } from './prf.js';
import type { SessionCache } from './session-cache.js';
import { Transcript } from './transcript.js';
import {
  AlertDescription,
  type AlertDescriptionCode,
  ContentType,
  EMPTY_RENEGOTIATION_INFO_SCSV,
  ExtensionType,
  HandshakeType,
  Reader,
} from './wire.js';

export interface HandshakeConfig {
  readonly credentials: DtlsCredentialResolver;
  readonly keyExchanges: ReadonlyMap<string, KeyExchange>;
  readonly sessionCache: SessionCache;
  readonly now: () => number;
  /** RFC 7627 §5.3: abort full handshakes from clients that do not offer extended_master_secret. */
  readonly requireExtendedMasterSecret: boolean;
  readonly maxFragments: number;
  /** Largest handshake payload per record when fragmenting our messages. */
  readonly maxFragmentBody: number;
  /** The CID this server asks the peer to put in its records (RFC 9146 §3); undefined disables CID. */
  readonly connectionId: Buffer | undefined;
}

/** One record's worth of a flight: a handshake fragment or a ChangeCipherSpec, in a given epoch. */
export interface FlightItem {
  readonly contentType: number;
  readonly epoch: number;
  readonly payload: Buffer;
}

export type HandshakeStep =
  | { readonly kind: 'none' }
  /** The peer resent an earlier flight: resend ours (RFC 6347 §4.2.4). */
  | { readonly kind: 'retransmit' }
  | { readonly kind: 'flight'; readonly flight: readonly FlightItem[] }
  | { readonly kind: 'established'; readonly flight: readonly FlightItem[] }
  | { readonly kind: 'alert'; readonly alert: AlertDescriptionCode; readonly reason: string; readonly claimedIdentity?: string };

const NONE: HandshakeStep = { kind: 'none' };
const CCS_PAYLOAD = Buffer.from([1]);
/** Read-only constants shared by every handshake (nothing below writes into them). */
const EMPTY = Buffer.alloc(0);
const EMPTY_RENEGOTIATION_INFO = Buffer.from([0]);

type State = 'clientKeyExchange' | 'finished' | 'done';

export class ServerHandshake {
  readonly serverRandom = randomBytes(32);
  suite: CipherSuite | undefined;
  keyBlock: Buffer | undefined;
  peer: PeerIdentity | undefined;
  /** Why a session the client asked to resume was refused (credentials changed); undefined otherwise. */
  resumeRefused: string | undefined;
  sessionId: Buffer = EMPTY;
  resumed = false;
  usedExtendedMasterSecret = false;
  /** RFC 9146: the CID the peer wants in records we send (possibly empty), when CID was negotiated. */
  peerConnectionId: Buffer | undefined;
  ccsReceived = false;

  private state: State = 'clientKeyExchange';
  private readonly transcript = new Transcript();
  private readonly reassembler: Reassembler;
  private nextReceiveSeq = 0;
  private nextSendSeq = 0;
  private master: Buffer | undefined;
  private kx: KeyExchangeRun | undefined;
  private credential: PeerCredential | undefined;

  /** RFC 5246 §7.4.1.2 client random, copied: the parsed ClientHello is dropped after `begin`. */
  readonly clientRandom: Buffer;
  /**
   * The parsed ClientHello, needed only to answer it. Its buffers are views of the received
   * datagram; letting go of it once answered keeps a half-open handshake small for the garbage
   * collector (it lives across several round trips, so it is copied by every young-generation GC).
   */
  private clientHello: ClientHello;

  constructor(
    private readonly config: HandshakeConfig,
    clientHello: ClientHello,
  ) {
    this.reassembler = new Reassembler(config.maxFragments);
    this.clientHello = clientHello;
    this.clientRandom = Buffer.allocUnsafeSlow(clientHello.random.length);
    this.clientRandom.set(clientHello.random);
  }

  get isDone(): boolean {
    return this.state === 'done';
  }

  /** Answers the cookie-bearing ClientHello. */
  begin(ch: HandshakeMessage): HandshakeStep {
    const step = this.answer(ch);
    this.clientHello = NO_HELLO;
    return step;
  }

  private answer(ch: HandshakeMessage): HandshakeStep {
    const hello = this.clientHello;
    this.nextReceiveSeq = ch.messageSeq + 1;
    // RFC 6347 §4.2.2: our message_seq continues from the ClientHello's, matching the client's
    // expectation after the stateless HelloVerifyRequest exchange.
    this.nextSendSeq = ch.messageSeq;
    this.transcript.append(ch.raw);

    // RFC 5746 §3.6: an initial ClientHello carries an empty renegotiation_info or the SCSV.
    const reneg = hello.extensions.get(ExtensionType.renegotiationInfo);
    if (reneg && !(reneg.length === 1 && reneg[0] === 0)) {
      return alert(AlertDescription.handshakeFailure, 'non-empty renegotiation_info in initial handshake');
    }
    const secureReneg = reneg !== undefined || hello.cipherSuites.includes(EMPTY_RENEGOTIATION_INFO_SCSV);
    const ems = hello.extensions.get(ExtensionType.extendedMasterSecret);
    // RFC 7627 §5.1: its extension_data is empty; anything else is a malformed hello (RFC 5246 §7.2.2).
    if (ems && ems.length !== 0) return alert(AlertDescription.decodeError, 'non-empty extended_master_secret');
    const offersEms = ems !== undefined;
    const cidExt = hello.extensions.get(ExtensionType.connectionId);
    if (cidExt && this.config.connectionId) {
      const r = new Reader(cidExt);
      const cid = r.vector(1, 255);
      if (!cid || r.remaining !== 0) return alert(AlertDescription.decodeError, 'malformed connection_id');
      this.peerConnectionId = cid;
    }

    const extensions: Extension[] = [];
    if (secureReneg) extensions.push([ExtensionType.renegotiationInfo, EMPTY_RENEGOTIATION_INFO]);
    if (offersEms) extensions.push([ExtensionType.extendedMasterSecret, EMPTY]);
    if (this.peerConnectionId && this.config.connectionId) {
      extensions.push([ExtensionType.connectionId, Buffer.concat([Buffer.from([this.config.connectionId.length]), this.config.connectionId])]);
    }

    const resumed = this.tryResume(offersEms);
    if (resumed === 'abort') {
      // RFC 7627 §5.3: resuming an extended-master-secret session without the extension MUST abort.
      return alert(AlertDescription.handshakeFailure, 'resumption without extended_master_secret');
    }
    if (resumed) {
      this.usedExtendedMasterSecret = resumed.extendedMasterSecret;
      const flight = this.emit(HandshakeType.serverHello, encodeServerHello(this.serverRandom, this.sessionId, this.suite!.id, extensions), 0);
      this.deriveKeys();
      flight.push({ contentType: ContentType.changeCipherSpec, epoch: 0, payload: CCS_PAYLOAD });
      flight.push(...this.finished('server', 1));
      this.state = 'finished';
      return { kind: 'flight', flight };
    }

    if (this.config.requireExtendedMasterSecret && !offersEms) {
      return alert(AlertDescription.handshakeFailure, 'extended_master_secret required'); // RFC 7627 §5.3 (MAY abort)
    }
    this.usedExtendedMasterSecret = offersEms;
    const chosen = this.chooseSuite();
    if (!chosen) return alert(AlertDescription.handshakeFailure, 'no common cipher suite'); // RFC 5246 §7.4.1.3
    this.suite = chosen.suite;
    this.sessionId = this.config.sessionCache ? randomBytes(32) : EMPTY;
    const kx = chosen.kx.start({
      clientHello: hello,
      clientRandom: this.clientRandom,
      serverRandom: this.serverRandom,
      suite: chosen.suite,
      credentials: this.config.credentials,
      transcript: () => this.transcript.bytes(),
    });
    this.kx = kx;
    extensions.push(...kx.serverHelloExtensions());
    const flight = this.emit(HandshakeType.serverHello, encodeServerHello(this.serverRandom, this.sessionId, chosen.suite.id, extensions), 0);
    const messages = kx.serverMessages();
    if (!Array.isArray(messages)) {
      const m = messages as { alert: AlertDescriptionCode; reason: string };
      return alert(m.alert, m.reason);
    }
    for (const m of messages as readonly { type: number; body: Buffer }[]) flight.push(...this.emit(m.type, m.body, 0));
    flight.push(...this.emit(HandshakeType.serverHelloDone, EMPTY, 0));
    return { kind: 'flight', flight };
  }

  /** Feeds one handshake fragment read in `epoch`. */
  onFragment(f: HandshakeFragment, epoch: number): HandshakeStep {
    if (f.messageSeq < this.nextReceiveSeq) return { kind: 'retransmit' };
    if (f.messageSeq > this.nextReceiveSeq || this.state === 'done') return NONE; // future message: wait for the retransmission
    const r = this.reassembler.add(f);
    if (r.kind === 'invalid') return alert(AlertDescription.illegalParameter, 'inconsistent handshake fragments');
    if (r.kind === 'pending') return NONE;
    this.nextReceiveSeq++;
    return this.onMessage(r.message, epoch);
  }

  /** RFC 5246 §7.1: the peer's ChangeCipherSpec; true when the read epoch may advance. */
  onChangeCipherSpec(): boolean {
    if (this.state !== 'finished' || !this.keyBlock || this.ccsReceived) return false;
    this.ccsReceived = true;
    return true;
  }

  private onMessage(m: HandshakeMessage, epoch: number): HandshakeStep {
    if (this.state === 'clientKeyExchange') {
      if (epoch !== 0 || !this.kx) return alert(AlertDescription.unexpectedMessage, 'unexpected message before key exchange');
      // The key exchange sees the transcript WITHOUT this message (RFC 5246 §7.4.8: CertificateVerify
      // signs the messages before it); the session hash below includes it (RFC 7627 §3).
      const step = this.kx.clientMessage(m.type, m.body);
      this.transcript.append(m.raw);
      if (!step.ok) return step.claimedIdentity === undefined ? alert(step.alert, step.reason) : { kind: 'alert', alert: step.alert, reason: step.reason, claimedIdentity: step.claimedIdentity };
      if (step.peer) {
        this.peer = step.peer;
        this.credential = step.credential;
      }
      if (step.premaster) {
        // RFC 7627 §4: session_hash covers the transcript up to and including ClientKeyExchange.
        this.master = this.usedExtendedMasterSecret
          ? extendedMasterSecret(step.premaster, this.transcript.hash())
          : masterSecret(step.premaster, this.clientRandom, this.serverRandom);
        step.premaster.fill(0);
        this.deriveKeys();
      }
      if (step.complete) {
        if (!this.master || !this.peer) return alert(AlertDescription.internalError, 'key exchange completed without secret');
        this.state = 'finished';
      }
      return NONE;
    }
    // state 'finished': RFC 5246 §7.4.9 Finished follows ChangeCipherSpec, in the new epoch.
    if (m.type !== HandshakeType.finished || epoch === 0 || !this.ccsReceived || !this.master) {
      return alert(AlertDescription.unexpectedMessage, 'expected Finished');
    }
    const expected = finishedVerifyData(this.master, 'client', this.transcript.hash());
    if (m.body.length !== expected.length || !timingSafeEqual(m.body, expected)) {
      return alert(AlertDescription.decryptError, 'client Finished does not verify'); // RFC 5246 §7.2.2 decrypt_error
    }
    this.transcript.append(m.raw);
    this.state = 'done';
    if (this.resumed) return { kind: 'established', flight: [] };
    // Without the credential the key exchange could not re-check the peer on resumption: not cached.
    if (this.credential) {
      this.config.sessionCache.put(this.sessionId, {
        masterSecret: this.master,
        suiteId: this.suite!.id,
        peer: this.peer!,
        credential: this.credential,
        extendedMasterSecret: this.usedExtendedMasterSecret,
        createdAt: this.config.now(),
      });
    }
    const flight: FlightItem[] = [{ contentType: ContentType.changeCipherSpec, epoch: 0, payload: CCS_PAYLOAD }];
    flight.push(...this.finished('server', 1));
    return { kind: 'established', flight };
  }

  private finished(sender: 'server', epoch: number): FlightItem[] {
    return this.emit(HandshakeType.finished, finishedVerifyData(this.master!, sender, this.transcript.hash()), epoch);
  }

  private emit(type: number, body: Buffer, epoch: number): FlightItem[] {
    const raw = encodeHandshake(type, this.nextSendSeq++, body);
    this.transcript.append(raw);
    return fragmentHandshake(raw, this.config.maxFragmentBody).map((payload) => ({ contentType: ContentType.handshake, epoch, payload }));
  }

  private deriveKeys(): void {
    this.keyBlock = keyBlock(this.master!, this.serverRandom, this.clientRandom, keyBlockLength(this.suite!));
  }

  private chooseSuite(): { suite: CipherSuite; kx: KeyExchange } | undefined {
    // RFC 5246 §7.4.1.3: the server picks; we apply our own preference, not the client's order.
    for (const suite of CIPHER_SUITES) {
      if (!this.clientHello.cipherSuites.includes(suite.id)) continue;
      const kx = this.config.keyExchanges.get(suite.keyExchange);
      if (kx && kx.accepts(this.clientHello)) return { suite, kx };
    }
    return undefined;
  }

  /** RFC 5246 §7.4.1.2 / §7.3: resume a cached session the client names, if still acceptable. */
  private tryResume(offersEms: boolean): { extendedMasterSecret: boolean } | 'abort' | undefined {
    const cached = this.config.sessionCache.get(this.clientHello.sessionId, this.config.now());
    if (!cached) return undefined;
    const suite = suiteById(cached.suiteId);
    const kx = suite && this.config.keyExchanges.get(suite.keyExchange);
    if (!suite || !kx || !this.clientHello.cipherSuites.includes(suite.id)) return undefined;
    if (cached.extendedMasterSecret && !offersEms) return 'abort';
    if (!cached.extendedMasterSecret && (offersEms || this.config.requireExtendedMasterSecret)) return undefined; // RFC 7627 §5.3: full handshake
    // The peer was authenticated with the credentials of the day the session was made. A PSK
    // withdrawn or replaced, a raw key removed, a certificate expired or no longer chaining to the
    // trust anchors must not ride on the cache: re-check, and on failure forget the session and
    // run a full handshake with a new session id (RFC 5246 §7.4.1.3 lets the server decline).
    const check = kx.mayResume ? kx.mayResume(cached.peer, cached.credential, this.config.credentials) : { ok: false as const, reason: 'key exchange cannot re-check credentials' };
    if (!check.ok) {
      this.config.sessionCache.delete(this.clientHello.sessionId);
      this.resumeRefused = check.reason;
      return undefined;
    }
    this.suite = suite;
    this.master = cached.masterSecret;
    this.peer = cached.peer;
    this.sessionId = this.clientHello.sessionId;
    this.resumed = true;
    return { extendedMasterSecret: cached.extendedMasterSecret };
  }
}

/** Stands in for the ClientHello once answered (nothing reads it after `begin`). */
const NO_HELLO: ClientHello = {
  clientVersion: 0,
  random: EMPTY,
  sessionId: EMPTY,
  cookie: EMPTY,
  cipherSuites: [],
  extensions: new Map(),
  cookieInput: EMPTY,
};

function alert(code: AlertDescriptionCode, reason: string): HandshakeStep {
  return { kind: 'alert', alert: code, reason };
}
