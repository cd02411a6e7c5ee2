/**
 * Connection attempts the bridge turned away, for the console's Security page: a DTLS handshake
 * that failed (wrong key, unknown identity, a certificate that does not verify, the device
 * refusing ours) or a Register / Update / De-register answered with a 4.xx code. An operator
 * setting up credentials sees why a device does not appear, without reading bridge logs.
 *
 * Repeats of the same refusal (same stage, outcome, reason, identity and endpoint) are folded
 * into one entry with a count, so a device retrying every few seconds, or a flood, stays one
 * line. Never carries key material: identities are what the device sent in the clear.
 */
import type { Transport } from './registration.js';

export const REFUSAL_STAGES = ['handshake', 'register', 'update', 'deregister'] as const;
export type RefusalStage = (typeof REFUSAL_STAGES)[number];

export interface Refusal {
  /** Stable id of this entry: a later message with the same id replaces it (its count grew). */
  id: number;
  /** When the first and the latest of the folded attempts happened (epoch ms). */
  firstAt: number;
  lastAt: number;
  /** How many attempts this entry folds. */
  count: number;
  transport: Transport;
  /** Where the latest attempt came from. */
  address: string;
  port: number;
  stage: RefusalStage;
  /** What the device presented, when it got that far: PSK identity, certificate CN, or raw-key fingerprint. */
  identity?: string;
  /** The endpoint the request named (`ep=`, or the owner of the registration), when known. */
  endpoint?: string;
  /** What the device was told: a DTLS alert name (`bad_record_mac`) or a CoAP response code (`4.03`). */
  outcome: string;
  /** Why, in words. */
  reason: string;
}

/** How many entries the bridge keeps, oldest dropped first. */
export const MAX_REFUSALS = 200;
