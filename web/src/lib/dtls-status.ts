/**
 * Pure helpers for the "DTLS server" panel: how full a limit is, the colour that says so, and
 * the counters in words. The DTLS figures arrive from the bridge, so they are read here field by
 * field (never cast) before anything is shown.
 */
import type { DtlsStatus } from '@lwm2m-console/shared';

/** `ok` below 80 %, `warn` from 80 %, `bad` from 95 %: near the limit new devices get refused. */
export type GaugeLevel = 'ok' | 'warn' | 'bad';

export const WARN_AT = 0.8;
export const BAD_AT = 0.95;

/** How full `used` is against `max`, 0…1 (a zero limit counts as full once anything is used). */
export function gaugeFraction(used: number, max: number): number {
  if (max <= 0) return used > 0 ? 1 : 0;
  return Math.min(1, Math.max(0, used / max));
}

export function gaugeLevel(used: number, max: number): GaugeLevel {
  const f = gaugeFraction(used, max);
  return f >= BAD_AT ? 'bad' : f >= WARN_AT ? 'warn' : 'ok';
}

/** `1,234`: the same grouping whatever the browser's locale, so screenshots and tests agree. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

export interface DtlsGauge {
  key: 'sessions' | 'handshakes' | 'resumable';
  label: string;
  used: number;
  max: number;
}

export function dtlsGauges(s: DtlsStatus): DtlsGauge[] {
  return [
    { key: 'sessions', label: 'Sessions', used: s.sessions, max: s.maxSessions },
    { key: 'handshakes', label: 'Handshakes in progress', used: s.handshakes, max: s.maxHandshakes },
    { key: 'resumable', label: 'Resumable sessions', used: s.resumable, max: s.maxResumable },
  ];
}

type CounterKey = Exclude<keyof DtlsStatus, 'sessions' | 'maxSessions' | 'handshakes' | 'maxHandshakes' | 'resumable' | 'maxResumable'>;

/** The counters since the bridge started, in the order an operator reads them, in plain words. */
export const DTLS_COUNTERS: readonly { key: CounterKey; label: string }[] = [
  { key: 'handshakesCompleted', label: 'Handshakes completed' },
  { key: 'handshakesFailed', label: 'Handshakes failed' },
  { key: 'handshakeTimeouts', label: 'Handshakes timed out' },
  { key: 'resumptions', label: 'Sessions resumed' },
  { key: 'resumptionsRefused', label: 'Resumption refused (credentials changed)' },
  { key: 'capacityRefused', label: 'Turned away: server full' },
  { key: 'handshakesEvicted', label: 'Stalled handshakes ended to make room' },
  { key: 'authFailures', label: 'Records dropped: failed authentication' },
  { key: 'replays', label: 'Records dropped: replayed' },
  { key: 'malformed', label: 'Records dropped: not DTLS' },
  { key: 'idleEvicted', label: 'Idle sessions closed' },
  { key: 'addressChanges', label: 'Address changes (Connection ID)' },
];

const ALL_KEYS: readonly (keyof DtlsStatus)[] = ['sessions', 'maxSessions', 'handshakes', 'maxHandshakes', 'resumable', 'maxResumable', ...DTLS_COUNTERS.map((c) => c.key)];

/**
 * The bridge's `dtls` record as a `DtlsStatus`, or why not: every field must be a whole number
 * of 0 or more (the wire guard only checks that it is a record).
 */
export function readDtlsStatus(value: unknown): { ok: true; status: DtlsStatus } | { ok: false; error: string } {
  if (typeof value !== 'object' || value === null) return { ok: false, error: 'the DTLS figures are not a record' };
  const record = value as Record<string, unknown>;
  const status: Partial<Record<keyof DtlsStatus, number>> = {};
  for (const key of ALL_KEYS) {
    const n = record[key];
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) return { ok: false, error: `the DTLS figure ${key} is not a count` };
    status[key] = n;
  }
  return { ok: true, status: status as DtlsStatus };
}
