/**
 * What the DTLS server asks the application about peers. Re-exported by dtls-server.ts.
 * Keys returned here are used for one handshake and never logged.
 */
export interface DtlsCredentialResolver {
  /** PSK identity (as UTF-8 text) -> key bytes, or undefined if unknown. Called during the handshake. */
  pskKeyFor(identity: string): Buffer | undefined;
  /** RFC 7250 raw public key (SubjectPublicKeyInfo DER) -> identity, or undefined if not trusted. Used by the ECDHE-ECDSA key exchange. */
  verifyRawPublicKey?(spkiDer: Buffer): string | undefined;
  /** X.509 chain (leaf first, DER) -> identity, or undefined if not trusted. Used by the ECDHE-ECDSA key exchange. */
  verifyCertificateChain?(chainDer: readonly Buffer[]): string | undefined;
}

/** Who the peer proved to be, as reported in `SessionSecurity`. */
export interface PeerIdentity {
  readonly mode: 'psk' | 'rpk' | 'x509';
  readonly identity: string;
}

/**
 * What the key exchange checked to authenticate the peer, kept with a resumable session (never
 * with an established one) so that a resumption can check it again against the credentials as
 * they are then (RFC 5246 §7.3 lets a server refuse to resume; we refuse when they changed).
 */
export type PeerCredential =
  /** SHA-256 of the PSK the identity mapped to (not the key itself). */
  | { readonly kind: 'psk'; readonly keyDigest: Buffer }
  /** RFC 7250: the SubjectPublicKeyInfo DER the client presented. */
  | { readonly kind: 'rpk'; readonly spki: Buffer }
  /** The client's certificate chain, leaf first, DER. */
  | { readonly kind: 'x509'; readonly chain: readonly Buffer[] };

/** Whether a cached session may be resumed with today's credentials; the reason is for the log. */
export type ResumeCheck = { readonly ok: true } | { readonly ok: false; readonly reason: string };
