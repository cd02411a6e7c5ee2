/**
 * The Result cell of an audit row: the code shown bold, then words that add to it. The bridge's
 * error for a device's refusal is "device answered 4.05[: diagnostic]" (device-operations.ts),
 * which beside a bold "4.05" read "4.05 device answered 4.05": here the code is named instead
 * (RFC 7252 §12.1.2) and only the device's own diagnostic payload is kept.
 */
import type { AuditEntry } from '@lwm2m-console/shared';
import { COAP_CODE_NAMES } from './coap-codes.js';


/** Pure: `{ code, text }` for an audit entry's result; `text` never repeats `code`. */
export function auditResult(e: Pick<AuditEntry, 'ok' | 'code' | 'error'>): { code: string; text: string } {
  const code = e.code ?? (e.ok ? 'ok' : 'failed');
  const name = e.code ? (COAP_CODE_NAMES[e.code] ?? '') : '';
  if (!e.error) return { code, text: name };
  const echo = e.code ? `device answered ${e.code}` : undefined;
  if (echo && e.error.startsWith(echo)) {
    const diagnostic = e.error.slice(echo.length).replace(/^:\s*/, '');
    const refused = name ? `${name}, refused by the device` : 'refused by the device';
    return { code, text: diagnostic ? `${refused}: ${diagnostic}` : refused };
  }
  return { code, text: e.error };
}
