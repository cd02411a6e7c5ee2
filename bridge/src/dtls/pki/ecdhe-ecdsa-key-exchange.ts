/**
 * The ECDHE_ECDSA key exchange of TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 (RFC 7251 §2, RFC 8422 §2.1)
 * as a `KeyExchange` plug-in for the DTLS handshake engine (../key-exchange.ts). The server
 * authenticates with its P-256 key, as an X.509 certificate or an RFC 7250 raw public key, and
 * always asks the client to do the same: LwM2M Security Mode 1 (raw public key) and Mode 2
 * (certificate) are mutual.
 *
 *   ServerHello [+ ec_point_formats, server/client_certificate_type]
 *   Certificate, ServerKeyExchange, CertificateRequest, ServerHelloDone     (server)
 *   Certificate, ClientKeyExchange, CertificateVerify                      (client, in this order: RFC 5246 §7.3)
 */
import type { KeyObject } from 'node:crypto';
import type { DtlsCredentialResolver, PeerCredential, PeerIdentity, ResumeCheck } from '../credentials.js';
import { suiteById } from '../cipher-suites.js';
import type { KeyExchange, KeyExchangeContext, KeyExchangeRun, KeyExchangeStep, OutgoingHandshake } from '../key-exchange.js';
import type { Extension } from '../hello.js';
import { AlertDescription, type AlertDescriptionCode, HandshakeType } from '../wire.js';
import { negotiateEcdheEcdsa, type EccNegotiation, type PkiCapabilities } from './ecc-extensions.js';
import {
  CERT_TYPE, encodeCertificateRaw, encodeCertificateRequest, encodeCertificateX509, encodeServerKeyExchange,
  parseCertificateBody, parseClientKeyExchange, verifyCertificateVerify,
} from './ecc-messages.js';
import { createEphemeralKey, type EphemeralKey } from './ecdhe.js';
import { ALERT, type AlertDescription as PkiAlert } from './outcome.js';
import type { ServerIdentity } from './server-identity.js';
import { ClientChainVerifier, RawPublicKeyVerifier } from './verifier-cache.js';

export interface EcdheEcdsaOptions {
  /** The server's key pair and self-signed certificate. */
  serverIdentity: ServerIdentity;
  /**
   * CA certificates (DER) that X.509 client certificates must chain to; the endpoint name is the
   * leaf's subject CN (or what the resolver's optional `verifyCertificateChain` returns for the
   * verified chain). Empty or absent: X.509 clients are not accepted.
   */
  trustAnchors?: readonly Buffer[];
  /** Offer RFC 7250 raw public keys to clients (checked by the resolver's `verifyRawPublicKey`). Default true. */
  rawPublicKeys?: boolean;
  /** Clock for certificate validity; default the system clock. */
  now?: () => Date;
  /** Verified chains and imported raw keys remembered (LRU); default 10 000 each, 0 disables. */
  cacheSize?: number;
}

export interface EcdheEcdsaKeyExchange extends KeyExchange {
  /** Replaces the CA certificates client chains must reach (takes effect for the next handshake). */
  setTrustAnchors(trustAnchorsDer: readonly Buffer[]): void;
}

/** Every alert this module produces has the same number in the engine's table (fallback for safety: bad_certificate). */
const ENGINE_ALERTS: readonly AlertDescriptionCode[] = Object.values(AlertDescription);
function engineAlert(a: PkiAlert): AlertDescriptionCode {
  return ENGINE_ALERTS.find((c) => c === a) ?? AlertDescription.badCertificate;
}
const abort = (alert: PkiAlert, reason: string, claimedIdentity?: string): KeyExchangeStep =>
  claimedIdentity === undefined ? { ok: false, alert: engineAlert(alert), reason } : { ok: false, alert: engineAlert(alert), reason, claimedIdentity };

type Expect = 'certificate' | 'clientKeyExchange' | 'certificateVerify' | 'done';

export function createEcdheEcdsaKeyExchange(options: EcdheEcdsaOptions): EcdheEcdsaKeyExchange {
  const chains = new ClientChainVerifier(options.trustAnchors ?? [], options.cacheSize);
  const rawKeys = new RawPublicKeyVerifier(options.cacheSize);
  const now = options.now ?? (() => new Date());
  const caps = (): PkiCapabilities => ({ x509Clients: chains.hasAnchors, rawKeyClients: options.rawPublicKeys !== false });

  return {
    name: 'ecdhe_ecdsa',
    accepts(hello) {
      const n = negotiateEcdheEcdsa(hello.extensions, caps());
      if (n.ok || n.fatalForAll === true) return true; // fatal errors are sent from serverMessages()
      // RFC 7250 §4.2: no common certificate type ends the handshake with unsupported_certificate,
      // unless the client also offers a suite without certificates (PSK) that may still be chosen.
      return n.alert === ALERT.unsupported_certificate && !hello.cipherSuites.some((id) => suiteById(id)?.keyExchange === 'psk');
    },
    start(ctx) {
      const negotiation = negotiateEcdheEcdsa(ctx.clientHello.extensions, caps());
      return new EcdheEcdsaRun(ctx, options.serverIdentity, negotiation, chains, rawKeys, now);
    },
    // RFC 5246 §7.3: a cached session is resumed only if the cached credential would still be
    // accepted by a full handshake now (clock, trust anchors, credential store as they are today).
    mayResume: (peer, credential, resolver) => recheck(peer, credential, resolver, chains, rawKeys, now()),
    setTrustAnchors: (ders) => chains.setTrustAnchors(ders),
  };
}

function recheck(
  peer: PeerIdentity,
  credential: PeerCredential,
  resolver: DtlsCredentialResolver,
  chains: ClientChainVerifier,
  rawKeys: RawPublicKeyVerifier,
  now: Date,
): ResumeCheck {
  if (peer.mode === 'rpk' && credential.kind === 'rpk') {
    if (!rawKeys.identify(credential.spki).ok) return { ok: false, reason: 'raw public key no longer valid' };
    const endpoint = resolver.verifyRawPublicKey?.(credential.spki);
    if (endpoint === undefined) return { ok: false, reason: 'raw public key withdrawn' };
    return endpoint === peer.identity ? { ok: true } : { ok: false, reason: 'raw public key now maps to another endpoint' };
  }
  if (peer.mode === 'x509' && credential.kind === 'x509') {
    const chain = chains.verify(credential.chain, now);
    if (!chain.ok) return { ok: false, reason: chain.reason };
    const endpoint = resolver.verifyCertificateChain ? resolver.verifyCertificateChain(credential.chain) : chain.commonName;
    if (endpoint === undefined) return { ok: false, reason: 'certificate refused by the credential store' };
    return endpoint === peer.identity ? { ok: true } : { ok: false, reason: 'certificate now maps to another endpoint' };
  }
  return { ok: false, reason: `no ${peer.mode} credential cached` };
}

class EcdheEcdsaRun implements KeyExchangeRun {
  private expect: Expect = 'certificate';
  private ephemeral: EphemeralKey | undefined;
  private peerKey: KeyObject | undefined;
  private peer: PeerIdentity | undefined;
  private credential: PeerCredential | undefined;

  constructor(
    private readonly ctx: KeyExchangeContext,
    private readonly identity: ServerIdentity,
    private readonly negotiation: ReturnType<typeof negotiateEcdheEcdsa>,
    private readonly chains: ClientChainVerifier,
    private readonly rawKeys: RawPublicKeyVerifier,
    private readonly now: () => Date,
  ) {}

  serverHelloExtensions(): readonly Extension[] {
    return this.negotiation.ok ? this.negotiation.value.serverHelloExtensions.map((e) => [e.type, e.data] as const) : [];
  }

  serverMessages(): readonly OutgoingHandshake[] | { readonly alert: AlertDescriptionCode; readonly reason: string } {
    const n = this.negotiation;
    if (!n.ok) return { alert: engineAlert(n.alert), reason: n.reason };
    this.ephemeral = createEphemeralKey();
    // RFC 7250 §4.3: with RawPublicKey the Certificate payload is the bare SubjectPublicKeyInfo.
    const certificate =
      n.value.serverCertificateType === CERT_TYPE.RawPublicKey
        ? encodeCertificateRaw(this.identity.publicKeySpki)
        : encodeCertificateX509([this.identity.certificateDer]);
    return [
      { type: HandshakeType.certificate, body: certificate },
      {
        type: HandshakeType.serverKeyExchange,
        body: encodeServerKeyExchange({
          clientRandom: this.ctx.clientRandom,
          serverRandom: this.ctx.serverRandom,
          point: this.ephemeral.publicPoint,
          key: this.identity.privateKey,
        }),
      },
      // LwM2M Security Modes 1 and 2 authenticate the client too (RFC 5246 §7.4.4).
      { type: HandshakeType.certificateRequest, body: encodeCertificateRequest() },
    ];
  }

  clientMessage(type: number, body: Buffer): KeyExchangeStep {
    const n = this.negotiation;
    if (!n.ok || !this.ephemeral) return abort(ALERT.unexpected_message, 'client message before server flight');
    switch (this.expect) {
      case 'certificate':
        // RFC 5246 §7.4.6: after a CertificateRequest the client's first message is Certificate.
        if (type !== HandshakeType.certificate) return abort(ALERT.unexpected_message, `expected Certificate, got ${type}`);
        return this.onCertificate(body, n.value);
      case 'clientKeyExchange': {
        if (type !== HandshakeType.clientKeyExchange) return abort(ALERT.unexpected_message, `expected ClientKeyExchange, got ${type}`);
        const point = parseClientKeyExchange(body);
        if (!point.ok) return abort(point.alert, point.reason);
        const premaster = this.ephemeral.computePremaster(point.value);
        if (!premaster.ok) return abort(premaster.alert, premaster.reason);
        this.expect = 'certificateVerify';
        return { ok: true, premaster: premaster.value, complete: false };
      }
      case 'certificateVerify': {
        // RFC 5246 §7.4.8: CertificateVerify follows ClientKeyExchange when the client certificate can sign.
        if (type !== HandshakeType.certificateVerify) return abort(ALERT.unexpected_message, `expected CertificateVerify, got ${type}`);
        // RFC 5246 §7.4.8: the signature covers every handshake message before this one; the engine's
        // transcript does not yet hold it when it hands the message over (key-exchange.ts, step 5).
        const checked = verifyCertificateVerify(body, this.ctx.transcript(), this.peerKey!);
        if (!checked.ok) return abort(checked.alert, checked.reason);
        this.expect = 'done';
        return { ok: true, peer: this.peer!, credential: this.credential!, complete: true };
      }
      case 'done':
        return abort(ALERT.unexpected_message, `unexpected handshake type ${type}`);
    }
  }

  private onCertificate(body: Buffer, n: EccNegotiation): KeyExchangeStep {
    const parsed = parseCertificateBody(body, n.clientCertificateType);
    if (!parsed.ok) return abort(parsed.alert, parsed.reason);
    const cert = parsed.value;
    const resolver = this.ctx.credentials;
    if (cert.type === 'raw') {
      // RFC 5246 §7.4.6: no certificate while client authentication is required -> handshake_failure.
      if (!cert.spki) return abort(ALERT.handshake_failure, 'client sent no raw public key');
      const key = this.rawKeys.identify(cert.spki);
      if (!key.ok) return abort(key.alert, key.reason);
      const endpoint = resolver.verifyRawPublicKey?.(cert.spki);
      // An unknown key is not an error of the certificate itself but it is not accepted either.
      if (endpoint === undefined) return abort(ALERT.certificate_unknown, `unknown raw public key ${key.fingerprint}`, key.fingerprint);
      this.peerKey = key.publicKey;
      this.peer = { mode: 'rpk', identity: endpoint };
      this.credential = { kind: 'rpk', spki: cert.spki };
    } else {
      if (cert.chain.length === 0) return abort(ALERT.handshake_failure, 'client sent no certificate');
      const chain = this.chains.verify(cert.chain, this.now());
      if (!chain.ok) return abort(chain.alert, chain.reason);
      let endpoint: string | undefined = chain.commonName;
      // The credential store may still refuse (or rename) a well-chained endpoint: access control,
      // RFC 5246 §7.2.2 access_denied.
      if (resolver.verifyCertificateChain) {
        endpoint = resolver.verifyCertificateChain(cert.chain);
        if (endpoint === undefined) return abort(ALERT.access_denied, `certificate for ${chain.commonName} refused by the credential store`, chain.commonName);
      }
      this.peerKey = chain.publicKey;
      this.peer = { mode: 'x509', identity: endpoint };
      this.credential = { kind: 'x509', chain: cert.chain };
    }
    this.expect = 'clientKeyExchange';
    return { ok: true, complete: false };
  }


}
