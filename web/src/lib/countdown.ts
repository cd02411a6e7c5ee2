/**
 * Lifetime countdown rules, pure so they are tested with plain numbers.
 * A registration expires `lifetime` seconds after its last Register/Update (seed §6.1).
 */

export type ExpiryState = 'ok' | 'soon' | 'overdue';

/** Milliseconds until `expiresAt` (negative once past). */
export function remainingMs(expiresAt: number, now: number): number {
  return expiresAt - now;
}

/**
 * "Expiring soon": under 10 % of the lifetime left, or under 30 s left — but never more than
 * half of the lifetime, so a 20 s lifetime is not "soon" right after an Update.
 */
export function expiryState(expiresAt: number, lifetimeS: number, now: number): ExpiryState {
  const left = remainingMs(expiresAt, now);
  if (left <= 0) return 'overdue';
  const lifetimeMs = lifetimeS * 1000;
  const threshold = Math.max(lifetimeMs * 0.1, Math.min(30_000, lifetimeMs * 0.5));
  return left < threshold ? 'soon' : 'ok';
}

/** `59s`, `4m 05s`, `2h 03m`, `3d 04h`; `-12s` once overdue. */
export function formatCountdown(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  let s = Math.floor(Math.abs(ms) / 1000);
  if (ms < 0) s = Math.ceil(Math.abs(ms) / 1000);
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (d > 0) return `${sign}${d}d ${pad(h)}h`;
  if (h > 0) return `${sign}${h}h ${pad(m)}m`;
  if (m > 0) return `${sign}${m}m ${pad(sec)}s`;
  return `${sign}${sec}s`;
}

/** `86400 s` → `1d`, `3600` → `1h`, `90` → `1m 30s`. */
export function formatDuration(seconds: number): string {
  const text = formatCountdown(seconds * 1000);
  return text.replace(/ 00[hms]$/, '');
}
