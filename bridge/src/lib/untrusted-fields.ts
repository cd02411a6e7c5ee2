/**
 * Checks for fields read back from files this bridge wrote on an earlier run (saved DTLS sessions,
 * registrations, away devices): the files are treated as untrusted input, since anyone with access
 * to the data folder, a full disk or a cut-short write can change them.
 */

/** A plain JSON object (not null, not an array). */
export function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

export function isInteger(x: unknown, min: number, max: number): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= min && x <= max;
}

/** A string of `min`..`max` characters without control characters (they never reach a registration). */
export function isText(x: unknown, min: number, max: number): x is string {
  if (typeof x !== 'string' || x.length < min || x.length > max) return false;
  for (let i = 0; i < x.length; i++) {
    const c = x.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return false;
  }
  return true;
}
