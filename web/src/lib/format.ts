/** Display helpers shared by the views. */
import type { SecurityMode, Transport } from '@lwm2m-console/shared';

const pad = (n: number) => String(n).padStart(2, '0');

/** `14:03:27` for today, `11-28 14:03` for another day (local time). */
export function formatTime(epochMs: number, now: number = Date.now()): string {
  const d = new Date(epochMs);
  const n = new Date(now);
  const hms = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  if (d.getFullYear() === n.getFullYear() && d.getMonth() === n.getMonth() && d.getDate() === n.getDate()) return hms;
  return `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Full local date and time with milliseconds, for timelines and detail pages. */
export function formatTimestamp(epochMs: number): string {
  const d = new Date(epochMs);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

/**
 * The browser's offset from UTC at that instant (`UTC`, `UTC+01:00`, `UTC-05:30`): every time on
 * the console is local to the browser, and an operator comparing it with the bridge's log
 * (which is in UTC) needs to know which zone that is.
 */
export function utcOffsetLabel(epochMs: number): string {
  const offset = -new Date(epochMs).getTimezoneOffset();
  if (offset === 0) return 'UTC';
  const abs = Math.abs(offset);
  return `UTC${offset > 0 ? '+' : '-'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** `2026-11-29 10:41:39.208 UTC+01:00`: for tooltips on short times. */
export function formatTimestampWithZone(epochMs: number): string {
  return `${formatTimestamp(epochMs)} ${utcOffsetLabel(epochMs)}`;
}

export function transportLabel(t: Transport): string {
  return t === 'coaps' ? 'CoAPS' : 'CoAP';
}

/** `192.0.2.1:5683`, `[2001:db8::1]:5683`. */
export function formatAddress(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** Binding with queue mode made explicit: `U`, `U+Q`. */
export function formatBinding(binding: string, queueMode: boolean): string {
  return queueMode && !binding.includes('Q') ? `${binding}+Q` : binding;
}

/** DTLS security mode as the Security object names it: PSK, RPK, X.509, or none. */
export function securityLabel(mode: SecurityMode): string {
  switch (mode) {
    case 'psk':
      return 'PSK';
    case 'rpk':
      return 'RPK';
    case 'x509':
      return 'X.509';
    case 'nosec':
      return 'no security';
    default: {
      const never: never = mode;
      return String(never);
    }
  }
}
