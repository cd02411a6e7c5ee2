/**
 * Pluggable key exchange, one implementation per suite family (`CipherSuite.keyExchange`).
 *
 * How the handshake engine (server-handshake.ts) drives a key exchange, for implementers:
 *
 * 1. Suite selection. For each suite in server preference order that the client offered, the engine
 *    asks `accepts(hello)` of the key exchange named by the suite; the first `true` wins. Use it to
 *    check that the client can do what you need (e.g. ECDHE: secp256r1 in supported_groups, an ECDSA
 *    signature algorithm, RFC 7250 certificate types in extensions 19/20 that you can serve).
 * 2. `start(ctx)` is called once per full handshake with the ClientHello (all extensions, raw, keyed
 *    by type; ExtensionType.clientCertificateType = 19 and serverCertificateType = 20 included), both
 *    randoms and the credential resolver. It returns a `KeyExchangeRun` holding per-handshake state.
 * 3. `run.serverHelloExtensions()` -> extensions to append to ServerHello (e.g. the chosen
 *    server_certificate_type / client_certificate_type, RFC 7250 §4.2). The engine adds
 *    renegotiation_info, extended_master_secret and connection_id itself.
 * 4. `run.serverMessages()` -> the handshake messages (type + body, without the DTLS header) that go
 *    between ServerHello and ServerHelloDone, in order: Certificate, ServerKeyExchange,
 *    CertificateRequest. The engine numbers, fragments (to the MTU), retransmits and hashes them.
 *    `ctx.transcript()` at this point holds ClientHello + ServerHello.
 * 5. Each client handshake message after ServerHelloDone and before Finished (Certificate,
 *    ClientKeyExchange, CertificateVerify) is passed, complete and in order, to
 *    `run.clientMessage(type, body)`. Return `premaster` with the step that produces it (the
 *    ClientKeyExchange; the engine then computes the RFC 7627 session hash over the transcript up to
 *    and including that message), `peer` once the peer is authenticated, and `complete: true` with
 *    the last message you expect. `ctx.transcript()` during CertificateVerify holds every message
 *    before it (RFC 5246 §7.4.8). Return `{ ok: false, alert }` to abort with that fatal alert.
 *    With `peer`, also return `credential`: what you checked (PSK key digest, raw key, chain). The
 *    engine keeps it only in the session cache; without it the session is not resumable.
 * 6. Finished, ChangeCipherSpec, the key schedule and record protection are the engine's job.
 * 7. Resumption (RFC 5246 §7.3). Before resuming a cached session of this key exchange the engine
 *    calls `mayResume(peer, credential, resolver)`; check the credential against the resolver (and
 *    anything else that may have changed: clock, trust anchors) and return `{ ok: true }` only if a
 *    full handshake would authenticate the same peer. Not implemented: never resumed.
 */
import type { CipherSuite } from './cipher-suites.js';
import { timingSafeEqual } from 'node:crypto';
import type { DtlsCredentialResolver, PeerCredential, PeerIdentity, ResumeCheck } from './credentials.js';
import type { ClientHello, Extension } from './hello.js';
import { pskPremaster, sha256 } from './prf.js';
import { AlertDescription, type AlertDescriptionCode, HandshakeType, Reader } from './wire.js';

export interface KeyExchangeContext {
  readonly clientHello: ClientHello;
  readonly clientRandom: Buffer;
  readonly serverRandom: Buffer;
  readonly suite: CipherSuite;
  readonly credentials: DtlsCredentialResolver;
  /**
   * The raw handshake messages so far, concatenated. Inside `clientMessage` it ends with the message
   * before the one being handed over, i.e. exactly what RFC 5246 §7.4.8 CertificateVerify signs.
   */
  transcript(): Buffer;
}

export interface OutgoingHandshake {
  readonly type: number;
  readonly body: Buffer;
}

export type KeyExchangeStep =
  | {
      readonly ok: true;
      readonly premaster?: Buffer;
      readonly peer?: PeerIdentity;
      /** What authenticated `peer`, for re-checking on resumption (see step 5 above). */
      readonly credential?: PeerCredential;
      readonly complete: boolean;
    }
  | {
      readonly ok: false;
      readonly alert: AlertDescriptionCode;
      readonly reason: string;
      /** The identity the peer presented, when the refusal is about it (shown to the operator; never a key). */
      readonly claimedIdentity?: string;
    };

export interface KeyExchangeRun {
  serverHelloExtensions(): readonly Extension[];
  serverMessages(): readonly OutgoingHandshake[] | { readonly alert: AlertDescriptionCode; readonly reason: string };
  clientMessage(type: number, body: Buffer): KeyExchangeStep;
}

export interface KeyExchange {
  readonly name: CipherSuite['keyExchange'];
  accepts(hello: ClientHello): boolean;
  start(ctx: KeyExchangeContext): KeyExchangeRun;
  /** RFC 5246 §7.3: may a cached session of this key exchange be resumed with today's credentials? */
  mayResume?(peer: PeerIdentity, credential: PeerCredential, credentials: DtlsCredentialResolver): ResumeCheck;
}

/** RFC 4279 §5.3: implementations MUST support identities of 128 bytes; we take up to 1 KiB. */
const MAX_PSK_IDENTITY = 1024;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** RFC 4279 §2 plain PSK: no server messages (we send no identity hint), ClientKeyExchange carries the identity. */
export const pskKeyExchange: KeyExchange = {
  name: 'psk',
  accepts: () => true,
  start: (ctx) => new PskRun(ctx.credentials),
  mayResume(peer, credential, credentials) {
    if (credential.kind !== 'psk') return { ok: false, reason: 'not a PSK session' };
    const key = credentials.pskKeyFor(peer.identity);
    if (!key) return { ok: false, reason: 'PSK identity withdrawn' };
    // The identity must still map to the same key: a replaced key revokes sessions made with the old one.
    if (!timingSafeEqual(pskDigest(key), credential.keyDigest)) return { ok: false, reason: 'PSK changed' };
    return { ok: true };
  },
};

const NO_EXTENSIONS: readonly Extension[] = [];
const NO_MESSAGES: readonly OutgoingHandshake[] = [];

/** One PSK handshake's key exchange: a class, not a set of closures per handshake. */
class PskRun implements KeyExchangeRun {
  constructor(private readonly credentials: DtlsCredentialResolver) {}

  serverHelloExtensions(): readonly Extension[] {
    return NO_EXTENSIONS;
  }

  serverMessages(): readonly OutgoingHandshake[] {
    return NO_MESSAGES;
  }

  clientMessage(type: number, body: Buffer): KeyExchangeStep {
    if (type !== HandshakeType.clientKeyExchange) {
      return { ok: false, alert: AlertDescription.unexpectedMessage, reason: `unexpected handshake type ${type}` };
    }
    const r = new Reader(body);
    const raw = r.vector(2, MAX_PSK_IDENTITY);
    if (!raw || r.remaining !== 0) return { ok: false, alert: AlertDescription.decodeError, reason: 'malformed PSK identity' };
    let identity: string;
    try {
      identity = utf8.decode(raw); // RFC 4279 §5.1: identities are UTF-8
    } catch {
      return { ok: false, alert: AlertDescription.decodeError, reason: 'PSK identity is not UTF-8' };
    }
    const key = this.credentials.pskKeyFor(identity);
    // RFC 4279 §2: an unknown identity MAY be answered with unknown_psk_identity.
    if (!key) return { ok: false, alert: AlertDescription.unknownPskIdentity, reason: 'unknown PSK identity', claimedIdentity: identity };
    const credential: PeerCredential = { kind: 'psk', keyDigest: pskDigest(key) };
    return { ok: true, premaster: pskPremaster(key), peer: { mode: 'psk', identity }, credential, complete: true };
  }
}

/** Kept instead of the key itself: enough to tell whether the key changed. */
function pskDigest(key: Buffer): Buffer {
  return sha256(key);
}
