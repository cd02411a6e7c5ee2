/**
 * Pre-shared keys made and checked in the browser: the bridge never sends a key to a
 * console, so a key the operator needs to see is generated here and shown once in the form.
 */

/** Bytes of a generated PSK: 128 bits, the key size of the CCM_8 suites LwM2M mandates. */
export const PSK_BYTES = 16;

type RandomSource = (bytes: Uint8Array) => Uint8Array;

const webRandom: RandomSource = (bytes) => crypto.getRandomValues(bytes);

/** A fresh random key as lowercase hex, from the browser's CSPRNG. */
export function generatePskHex(bytes = PSK_BYTES, random: RandomSource = webRandom): string {
  const buf = random(new Uint8Array(bytes));
  return Array.from(buf, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Spaces and colons an operator may paste are ignored; the result is lowercase hex. */
export function normaliseHex(text: string): string {
  return text.replace(/[\s:]/g, '').toLowerCase();
}

/** Why a hex key is not acceptable, or null when it is. */
export function pskKeyProblem(hex: string): string | null {
  if (hex === '') return 'a key is required';
  if (!/^[0-9a-f]*$/.test(hex)) return 'the key must be hexadecimal (0-9, a-f)';
  if (hex.length % 2 !== 0) return 'the key must have an even number of hex digits';
  if (hex.length > 128) return 'the key must be at most 64 bytes';
  return null;
}

/** Hex of an ASCII text, e.g. for devices (libcoap `-k`) that take the key as text. */
export function textToHex(text: string): string {
  return Array.from(new TextEncoder().encode(text), (b) => b.toString(16).padStart(2, '0')).join('');
}
