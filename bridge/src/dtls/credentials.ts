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
