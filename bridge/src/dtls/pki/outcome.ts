/**
 * Handshake outcomes of the ECDHE_ECDSA key exchange as values: either a result, or the fatal
 * alert the peer must be sent (RFC 5246 §7.2.2 descriptions) with a reason for the log.
 */

/** RFC 5246 §7.2 AlertDescription values used by this key exchange. */
export const ALERT = {
  unexpected_message: 10,
  handshake_failure: 40,
  bad_certificate: 42,
  unsupported_certificate: 43,
  certificate_expired: 45,
  certificate_unknown: 46,
  illegal_parameter: 47,
  unknown_ca: 48,
  access_denied: 49,
  decode_error: 50,
  decrypt_error: 51,
  internal_error: 80,
} as const;
export type AlertDescription = (typeof ALERT)[keyof typeof ALERT];

export type Outcome<T> = { ok: true; value: T } | { ok: false; alert: AlertDescription; reason: string };

export const ok = <T>(value: T): Outcome<T> => ({ ok: true, value });
export const fatal = <T = never>(alert: AlertDescription, reason: string): Outcome<T> => ({ ok: false, alert, reason });
