/**
 * Per-endpoint device credentials as the console sees them. Key material travels one way
 * only: from the operator to the bridge (`CredentialInput`); what comes back (`CredentialView`)
 * never carries a key.
 */

/** Security Mode of the LwM2M Security object: 0 PSK, 1 raw public key, 2 certificate. */
export type CredentialMode = 'psk' | 'rpk' | 'x509';

export interface CredentialView {
  endpoint: string;
  mode: CredentialMode;
  /** PSK identity. */
  identity?: string;
  /** RPK: SHA-256 fingerprint (hex) of the SubjectPublicKeyInfo. */
  fingerprint?: string;
  createdAt: number;
  updatedAt: number;
}

export type CredentialInput =
  /** `keyHex` absent: the bridge generates a 16-byte key and returns it once, in `generatedKeyHex`. */
  | { endpoint: string; mode: 'psk'; identity: string; keyHex?: string }
  /** P-256 public key: PEM, or SubjectPublicKeyInfo DER in hex or base64. */
  | { endpoint: string; mode: 'rpk'; publicKey: string }
  /** Certificate subject CN must equal the endpoint name and chain to the configured CA. */
  | { endpoint: string; mode: 'x509' };

export type CredentialResult =
  | { ok: true; credential: CredentialView; generatedKeyHex?: string }
  | { ok: false; error: string };

/**
 * The DTLS server's state, for the Security page: how full it is against its limits, and what
 * its handshakes have come to since it started. Counts only, never a key or an identity.
 */
export interface DtlsStatus {
  /** Established sessions, and the most the server keeps (new handshakes are refused beyond it). */
  sessions: number;
  maxSessions: number;
  /** Handshakes in progress past the cookie exchange, and the most allowed at once. */
  handshakes: number;
  maxHandshakes: number;
  /** Sessions a device may resume with an abbreviated handshake, and the cache's size. */
  resumable: number;
  maxResumable: number;
  /** Since the server started. */
  handshakesCompleted: number;
  handshakesFailed: number;
  handshakeTimeouts: number;
  resumptions: number;
  resumptionsRefused: number;
  capacityRefused: number;
  /** Stalled handshakes ended to make room for a new device while the handshake table was full. */
  handshakesEvicted: number;
  /** Records dropped: failed authentication, replayed, or not DTLS at all. */
  authFailures: number;
  replays: number;
  malformed: number;
  idleEvicted: number;
  addressChanges: number;
}
