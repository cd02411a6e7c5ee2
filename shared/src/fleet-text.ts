/**
 * Human-readable wording of registration events, shared by the bridge (endpoint timelines)
 * and the console (activity feed), so both say the same thing about the same change.
 */
import type { EndReason } from './events.js';
import type { RegistrationChanges } from './registration.js';

/** How each end reason is shown to an operator. */
export const END_REASON_LABELS: Readonly<Record<EndReason, string>> = Object.freeze({
  deregistered: 'de-registered',
  expired: 'expired',
  replaced: 'replaced by a new registration',
  disabled: 'disabled',
  evicted: 'evicted',
});

/** `lifetime 120 s, binding UQ, 3 objects` — only the fields present in `changes`; `no changes` when empty. */
export function describeChanges(changes: RegistrationChanges): string {
  const parts: string[] = [];
  if (changes.lifetime !== undefined) parts.push(`lifetime ${changes.lifetime} s`);
  if (changes.binding !== undefined) parts.push(`binding ${changes.binding}`);
  if (changes.queueMode !== undefined) parts.push(changes.queueMode ? 'queue mode on' : 'queue mode off');
  if (changes.smsNumber !== undefined) parts.push(`SMS ${changes.smsNumber}`);
  if (changes.objectLinks !== undefined) {
    const n = changes.objectLinks.length;
    parts.push(`objects (${n} link${n === 1 ? '' : 's'})`);
  }
  if (changes.rootPath !== undefined) parts.push(`root path ${changes.rootPath}`);
  if (changes.contentFormats !== undefined) parts.push(`content formats ${changes.contentFormats.join(',')}`);
  // An Update from a new source address or port (seed §6.1.2: NAT rebinding, new bearer).
  if (changes.address !== undefined && changes.port !== undefined) parts.push(`address ${changes.address}:${changes.port}`);
  else if (changes.address !== undefined) parts.push(`address ${changes.address}`);
  else if (changes.port !== undefined) parts.push(`port ${changes.port}`);
  if (changes.extraAttributes !== undefined) parts.push('extra attributes');
  return parts.length > 0 ? parts.join(', ') : 'no changes';
}

/**
 * `expired`, or `disabled, expected back at T` for a Disable. `instant` writes T: ISO 8601 UTC by
 * default (the bridge's log), the console's local time in the browser.
 */
export function describeEnd(reason: EndReason, expectedBackAt?: number, instant: (epochMs: number) => string = (ms) => new Date(ms).toISOString()): string {
  const label = END_REASON_LABELS[reason];
  if (reason === 'disabled' && expectedBackAt !== undefined && Number.isFinite(expectedBackAt)) {
    return `${label}, expected back at ${instant(expectedBackAt)}`;
  }
  return label;
}

/**
 * How early or late an endpoint came back after a Disable (seed B.1: it stays silent for
 * Disable Timeout seconds, then registers again): `back after Disable, 12 ms late`.
 */
export function describeReturn(at: number, back: { disabledAt: number; expectedBackAt: number }): string {
  const offset = at - back.expectedBackAt;
  const size = Math.abs(offset);
  const amount = size < 1000 ? `${Math.round(size)} ms` : `${(size / 1000).toFixed(1)} s`;
  const away = ((at - back.disabledAt) / 1000).toFixed(1);
  if (size < 1) return `back after Disable (away ${away} s), on time`;
  return `back after Disable (away ${away} s), ${amount} ${offset < 0 ? 'early' : 'late'}`;
}
