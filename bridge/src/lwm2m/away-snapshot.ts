/**
 * Devices away after a Disable (seed B.1) as text, so a restarted bridge still shows them in the
 * console ("disabled, expected back at T") and still recognises their return as the end of the
 * Disable. It carries the two in-memory halves of that knowledge: the DisableTracker's (which
 * endpoint is away, which Disable still waits for its De-register) and the console's AwayDevices
 * row (the registration as it was when the device left).
 *
 * Format (JSON Lines: one damaged line costs one entry, not the file):
 *
 *     {"format":"lwm2m-console/away-devices","version":1,"savedAt":1800000000000}
 *     {"away":{"endpoint":"dev-1","disabledAt":…,"expectedBackAt":…,"leftAt":…,"registration":[…summary row]}}
 *     {"pending":{"registrationId":"k3Jd…","endpoint":"dev-2","disabledAt":…,"expectedBackAt":…}}
 *     {"end":2}
 *
 * `disabledAt` is when the Disable was executed (DisableTracker), `leftAt` when the device
 * de-registered (the console row's `disabledAt`); `leftAt` and `registration` come together or
 * not at all (a bridge whose console did not start has no rows). The registration is a
 * shared/summary-rows.ts row.
 *
 * Reading treats the text as untrusted (it sits in the data folder between two runs and may be
 * damaged or edited by hand): every field is checked and fresh objects are built from the checked
 * values only; a bad line is skipped and counted, a file whose first line is not this header is
 * dropped whole. Pure: the caller does the file I/O and passes the clock.
 */
import { isIP } from 'node:net';
import { decodeSummaryRow, encodeSummaryRow, type AwayDevice, type RegistrationSummary } from '@lwm2m-console/shared';
import { DISABLE_DEREGISTER_WINDOW_MS, MAX_TRACKED_DISABLES, type DisableReturn, type PendingDisableEntry } from './disable-tracker.js';
import { isInteger, isRecord, isText } from '../lib/untrusted-fields.js';
import { MAX_ENDPOINT_LENGTH, MAX_LIFETIME_S } from './registration-params.js';

export const AWAY_SNAPSHOT_FORMAT = 'lwm2m-console/away-devices';
export const AWAY_SNAPSHOT_VERSION = 1;

/**
 * How long past its expected return a device is still awaited after a restart. A device that came
 * back while the bridge was down found nobody; a client following LwM2M 1.1 §6.2.1.1's registration
 * procedure then retries (Communication Retry Count/Timer, a quarter of an hour with the defaults)
 * and waits a Communication Sequence Delay Timer (Server object resource 19, default 86400 s)
 * before its next sequence of attempts. One day past the expected return covers that wait; a device
 * still missing after it is lost rather than disabled, and its row would only mislead.
 */
export const AWAY_RESTORE_GRACE_MS = 86_400_000;

/** What registration-id.ts issues: 8 random bytes, base64url. */
const REGISTRATION_ID = /^[A-Za-z0-9_-]{11}$/;
/** Binding letters (seed §6.1; LwM2M 1.1 adds N and T), bounded. */
const BINDING = /^[A-Za-z]{1,16}$/;
const MAX_SMS_CHARS = 64;
const MAX_OBJECT_COUNT = 65_536;

/** One endpoint away after a Disable. */
export interface AwayRecord extends DisableReturn {
  endpoint: string;
  /** The console's row: when it de-registered and the registration it left. */
  row?: { leftAt: number; registration: RegistrationSummary };
}

export interface AwaySnapshot {
  away: AwayRecord[];
  pending: PendingDisableEntry[];
}

/** What the bridge holds about Disables, joined per endpoint for saving. */
export function collectAwaySnapshot(
  tracker: { awayEndpoints(): Iterable<[string, DisableReturn]>; pendingDisables(): Iterable<PendingDisableEntry> },
  rows: { get(endpoint: string): AwayDevice | undefined } | undefined,
): AwaySnapshot {
  const away: AwayRecord[] = [];
  for (const [endpoint, { disabledAt, expectedBackAt }] of tracker.awayEndpoints()) {
    const device = rows?.get(endpoint);
    away.push({ endpoint, disabledAt, expectedBackAt, ...(device ? { row: { leftAt: device.disabledAt, registration: device.registration } } : {}) });
  }
  return { away, pending: [...tracker.pendingDisables()] };
}

/** The console rows of restored records (those that had one). */
export function awayDevicesOf(records: Iterable<AwayRecord>): AwayDevice[] {
  const devices: AwayDevice[] = [];
  for (const r of records) if (r.row) devices.push({ endpoint: r.endpoint, registration: r.row.registration, disabledAt: r.row.leftAt, expectedBackAt: r.expectedBackAt });
  return devices;
}

/** The whole file's text, every line ending in `\n`. */
export function encodeAwaySnapshot(snapshot: AwaySnapshot, savedAt: number): string {
  const lines = [JSON.stringify({ format: AWAY_SNAPSHOT_FORMAT, version: AWAY_SNAPSHOT_VERSION, savedAt })];
  for (const r of snapshot.away) {
    const away: Record<string, unknown> = { endpoint: r.endpoint, disabledAt: r.disabledAt, expectedBackAt: r.expectedBackAt };
    if (r.row) {
      away.leftAt = r.row.leftAt;
      away.registration = encodeSummaryRow(r.row.registration);
    }
    lines.push(JSON.stringify({ away }));
  }
  for (const p of snapshot.pending) {
    lines.push(JSON.stringify({ pending: { registrationId: p.registrationId, endpoint: p.endpoint, disabledAt: p.disabledAt, expectedBackAt: p.expectedBackAt } }));
  }
  lines.push(JSON.stringify({ end: snapshot.away.length + snapshot.pending.length }));
  return `${lines.join('\n')}\n`;
}

export interface AwaySnapshotRead extends AwaySnapshot {
  /** Set when the file as a whole was unusable (nothing was taken from it). */
  error?: string;
  /** Away devices not awaited any longer: expected back more than AWAY_RESTORE_GRACE_MS ago. */
  overdue: number;
  /** Pending Disables older than DISABLE_DEREGISTER_WINDOW_MS (their De-register would not count). */
  stale: number;
  /** Lines that were not a valid entry, duplicates, and entries past MAX_TRACKED_DISABLES. */
  unreadable: number;
  /** The footer was missing or counted other entries than were found (the file was cut or edited). */
  incomplete: boolean;
}

/** Reads a saved snapshot, keeping the valid entries that still matter at `now`. */
export function decodeAwaySnapshot(text: string, now: number): AwaySnapshotRead {
  const read: AwaySnapshotRead = { away: [], pending: [], overdue: 0, stale: 0, unreadable: 0, incomplete: false };
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const header = parseLine(lines[0]);
  if (!isRecord(header) || header.format !== AWAY_SNAPSHOT_FORMAT) return failed(lines.length === 0 ? 'empty file' : 'not an away-devices file');
  if (header.version !== AWAY_SNAPSHOT_VERSION) return failed(`format version ${JSON.stringify(header.version)}, this bridge reads version ${AWAY_SNAPSHOT_VERSION}`);

  const endpoints = new Set<string>();
  const registrationIds = new Set<string>();
  let entries = 0;
  let declared: number | undefined;
  for (let i = 1; i < lines.length; i++) {
    const value = parseLine(lines[i]);
    if (declared !== undefined) {
      read.unreadable++; // nothing follows the footer in a file this bridge wrote
      continue;
    }
    if (isRecord(value) && typeof value.end === 'number' && Object.keys(value).length === 1) {
      declared = value.end;
      continue;
    }
    if (isRecord(value) && 'away' in value) {
      entries++;
      const r = decodeAwayRecord(value.away);
      if (!r || endpoints.has(r.endpoint) || read.away.length >= MAX_TRACKED_DISABLES) read.unreadable++;
      else if (now > r.expectedBackAt + AWAY_RESTORE_GRACE_MS) read.overdue++;
      else {
        endpoints.add(r.endpoint);
        read.away.push(r);
      }
      continue;
    }
    if (isRecord(value) && 'pending' in value) {
      entries++;
      const p = decodePending(value.pending);
      if (!p || registrationIds.has(p.registrationId) || read.pending.length >= MAX_TRACKED_DISABLES) read.unreadable++;
      // DisableTracker.classifyDeregister would call its De-register a plain one anyway.
      else if (now - p.disabledAt > DISABLE_DEREGISTER_WINDOW_MS) read.stale++;
      else {
        registrationIds.add(p.registrationId);
        read.pending.push(p);
      }
      continue;
    }
    read.unreadable++;
  }
  read.incomplete = declared !== entries;
  return read;
}

function failed(error: string): AwaySnapshotRead {
  return { away: [], pending: [], error, overdue: 0, stale: 0, unreadable: 0, incomplete: false };
}

function parseLine(line: string | undefined): unknown {
  if (line === undefined || line.length === 0) return undefined;
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

/** The times of a Disable: when it was executed and when the device is expected back (not before). */
function decodeTimes(x: Record<string, unknown>): DisableReturn | undefined {
  const { disabledAt, expectedBackAt } = x;
  if (!isTime(disabledAt) || !isTime(expectedBackAt) || expectedBackAt < disabledAt) return undefined;
  return { disabledAt, expectedBackAt };
}

export function decodeAwayRecord(x: unknown): AwayRecord | undefined {
  if (!isRecord(x) || !isEndpoint(x.endpoint)) return undefined;
  const times = decodeTimes(x);
  if (!times) return undefined;
  const record: AwayRecord = { endpoint: x.endpoint, ...times };
  if (x.leftAt === undefined && x.registration === undefined) return record;
  // Not held to `leftAt >= disabledAt`: both come from the wall clock, which may step back between them.
  if (!isTime(x.leftAt)) return undefined;
  const registration = decodeSummary(x.registration);
  if (!registration || registration.endpoint !== x.endpoint) return undefined;
  record.row = { leftAt: x.leftAt, registration };
  return record;
}

export function decodePending(x: unknown): PendingDisableEntry | undefined {
  if (!isRecord(x) || typeof x.registrationId !== 'string' || !REGISTRATION_ID.test(x.registrationId) || !isEndpoint(x.endpoint)) return undefined;
  const times = decodeTimes(x);
  return times ? { registrationId: x.registrationId, endpoint: x.endpoint, ...times } : undefined;
}

/** A summary row (shared/summary-rows.ts) held to what a registration of this bridge can hold. */
function decodeSummary(x: unknown): RegistrationSummary | undefined {
  const s = decodeSummaryRow(x);
  if (!s) return undefined;
  if (!REGISTRATION_ID.test(s.id) || !isEndpoint(s.endpoint) || isIP(s.address) === 0 || !isInteger(s.port, 1, 65535)) return undefined;
  if (!BINDING.test(s.binding)) return undefined;
  if (s.smsNumber !== undefined && !isText(s.smsNumber, 0, MAX_SMS_CHARS)) return undefined;
  if (!isInteger(s.lifetime, 1, MAX_LIFETIME_S) || !isInteger(s.objectCount, 0, MAX_OBJECT_COUNT)) return undefined;
  if (!isTime(s.registeredAt) || !isTime(s.lastUpdateAt) || !isTime(s.expiresAt) || s.lastUpdateAt < s.registeredAt) return undefined;
  return s;
}

/** Epoch milliseconds as this bridge's clock gives them. */
function isTime(x: unknown): x is number {
  return isInteger(x, 0, Number.MAX_SAFE_INTEGER);
}


function isEndpoint(x: unknown): x is string {
  return isText(x, 1, MAX_ENDPOINT_LENGTH);
}


