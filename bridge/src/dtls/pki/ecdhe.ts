/**
 * Ephemeral ECDH on P-256 for one handshake (RFC 8422 §5.10). A fresh key per handshake gives
 * forward secrecy; the premaster secret is the x-coordinate of the shared point (RFC 8422 §5.10:
 * "the FE2OSP output of the x-coordinate"), which is what node's ECDH.computeSecret returns.
 */
import { createECDH } from 'node:crypto';
import { ALERT, fatal, ok, type Outcome } from './outcome.js';
import { P256_POINT_LENGTH } from './ecc-messages.js';

export interface EphemeralKey {
  /** Uncompressed public point, sent in ServerKeyExchange. */
  readonly publicPoint: Buffer;
  /** The premaster secret for the peer's point, or illegal_parameter when the point is invalid. */
  computePremaster(peerPoint: Buffer): Outcome<Buffer>;
}

export function createEphemeralKey(): EphemeralKey {
  const ecdh = createECDH('prime256v1');
  const publicPoint = ecdh.generateKeys();
  return {
    publicPoint,
    computePremaster(peerPoint) {
      if (peerPoint.length !== P256_POINT_LENGTH || peerPoint[0] !== 0x04) return fatal(ALERT.illegal_parameter, 'peer ECDH point is not uncompressed P-256');
      try {
        // OpenSSL rejects points not on the curve (and the point at infinity): RFC 8422 §5.10
        // requires that validation before use (invalid-curve attacks).
        return ok(ecdh.computeSecret(peerPoint));
      } catch {
        return fatal(ALERT.illegal_parameter, 'peer ECDH point is not on P-256');
      }
    },
  };
}
