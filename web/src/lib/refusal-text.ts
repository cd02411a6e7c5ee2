/**
 * Words for a refused connection attempt outside the Security page's table: the Activity feed
 * line and the device page's notice. Pure, so the wording is tested with plain values.
 */
import type { Refusal } from '@lwm2m-console/shared';
import { formatCountdown } from './countdown.js';
import { formatAddress } from './format.js';

/** Who was refused, by the best name known: the endpoint, else the identity presented, else where it came from. */
export interface RefusalSubject {
  kind: 'endpoint' | 'identity' | 'address';
  text: string;
}

export function refusalSubject(r: Refusal): RefusalSubject {
  if (r.endpoint !== undefined) return { kind: 'endpoint', text: r.endpoint };
  if (r.identity !== undefined) return { kind: 'identity', text: r.identity };
  return { kind: 'address', text: formatAddress(r.address, r.port) };
}

/** `bad_record_mac at handshake — client Finished record failed authentication`. */
export function describeRefusal(r: Refusal): string {
  return `${r.outcome} at ${r.stage} — ${r.reason}`;
}

/** The feed's detail after the subject: `at handshake: bad_record_mac — … (×3)`. */
export function refusalFeedDetail(r: Refusal): string {
  return `at ${r.stage}: ${r.outcome} — ${r.reason}` + (r.count > 1 ? ` (×${r.count})` : '');
}

/** `just now`, `12s ago`, `3m 05s ago`. */
export function formatAgo(at: number, now: number): string {
  const ms = now - at;
  return ms < 1_000 ? 'just now' : `${formatCountdown(ms)} ago`;
}

/** What the device page says about one endpoint's refusals. */
export interface EndpointRefusals {
  /** Attempts over all its entries (each entry folds `count` of them). */
  attempts: number;
  lastAt: number;
  /** The newest entries, newest first, at most `max`. */
  newest: Refusal[];
  /** Entries not in `newest`. */
  more: number;
}

/**
 * Pure: the refusals naming `endpoint`, or null when there are none. `entries` is the refusals
 * store's list (oldest `lastAt` first, at most 200), so one pass from the end is enough.
 */
export function refusalsOfEndpoint(entries: readonly Refusal[], endpoint: string, max = 3): EndpointRefusals | null {
  let attempts = 0;
  let matched = 0;
  const newest: Refusal[] = [];
  for (let i = entries.length - 1; i >= 0; i--) {
    const r = entries[i]!;
    if (r.endpoint !== endpoint) continue;
    attempts += r.count;
    matched++;
    if (newest.length < max) newest.push(r);
  }
  if (matched === 0) return null;
  return { attempts, lastAt: newest[0]!.lastAt, newest, more: matched - newest.length };
}
