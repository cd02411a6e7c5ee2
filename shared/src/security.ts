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
