/**
 * The Result cell of an audit row: the code shown bold, then words that add to it. The bridge's
 * error for a device's refusal is "device answered 4.05[: diagnostic]" (device-operations.ts),
 * which beside a bold "4.05" read "4.05 device answered 4.05": here the code is named instead
 * (RFC 7252 §12.1.2) and only the device's own diagnostic payload is kept.
 */
import type { AuditEntry } from '@lwm2m-console/shared';

/** RFC 7252 §12.1.2 names of the codes a device commonly answers with. */
export const COAP_CODE_NAMES: Readonly<Record<string, string>> = {
  '2.01': 'Created',
  '2.02': 'Deleted',
  '2.04': 'Changed',
  '2.05': 'Content',
  '4.00': 'Bad Request',
  '4.01': 'Unauthorized',
  '4.02': 'Bad Option',
  '4.03': 'Forbidden',
  '4.04': 'Not Found',
  '4.05': 'Method Not Allowed',
  '4.06': 'Not Acceptable',
  '4.08': 'Request Entity Incomplete',
  '4.13': 'Request Entity Too Large',
  '4.15': 'Unsupported Content-Format',
  '5.00': 'Internal Server Error',
  '5.01': 'Not Implemented',
  '5.03': 'Service Unavailable',
};

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
