/**
 * Carries the devices away after a Disable over a bridge restart, beside the registrations
 * (registry/registration-file.ts): written to the data folder when the bridge stops, read and
 * deleted when it starts, so the console still lists a disabled device ("disabled, expected back
 * at T") and its return is still recognised as the end of the Disable.
 *
 * The file holds endpoint names and addresses: mode 0600 in the 0700 data folder, written under a
 * temporary name and renamed into place (lib/atomic-file.ts), and it exists only while the bridge
 * is down (deleted as soon as it is read, so a crash later never brings back stale rows). It is
 * small (one line per away device, a few hundred bytes each) and read whole; a file larger than
 * any this bridge writes is not read at all.
 */
import { closeSync, fstatSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { AwayDevice } from '@lwm2m-console/shared';
import { openAndRemove, writeFileAtomically } from '../lib/atomic-file.js';
import type { Logger } from '../log.js';
import { awayDevicesOf, decodeAwaySnapshot, encodeAwaySnapshot, type AwaySnapshot, type AwaySnapshotRead } from '../lwm2m/away-snapshot.js';
import type { DisableTracker } from '../lwm2m/disable-tracker.js';
import type { AwayDevices } from './away-devices.js';
import type { EndpointTimelines } from './endpoint-timelines.js';

export const AWAY_DEVICES_FILE = 'away-devices.jsonl';

/** 100,000 away devices and as many pending Disables (the tracker's bound) fit well below this. */
export const MAX_AWAY_FILE_BYTES = 64 << 20;

/** What the timeline of a device restored away says. */
export const AWAY_RESTORED_NOTE = 'away after a Disable, kept across a restart of the bridge';

export interface AwaySaveReport {
  away: number;
  pending: number;
  bytes: number;
}

/** Writes `snapshot` atomically with mode 0600; nothing away and nothing pending: no file. */
export function saveAwayDevices(file: string, snapshot: AwaySnapshot, savedAt: number): AwaySaveReport {
  rmSync(file, { force: true });
  if (snapshot.away.length === 0 && snapshot.pending.length === 0) return { away: 0, pending: 0, bytes: 0 };
  const text = encodeAwaySnapshot(snapshot, savedAt);
  writeFileAtomically(file, text, 0o600);
  return { away: snapshot.away.length, pending: snapshot.pending.length, bytes: Buffer.byteLength(text) };
}

/**
 * Reads what a previous run saved and deletes the file (and any temporary one a cut-short save
 * left). Undefined when there is no file (nothing was away, first start, or the last run did not
 * stop cleanly).
 */
export function takeAwayDevices(file: string, now: number): AwaySnapshotRead | undefined {
  removeTemporaries(file);
  const fd = openAndRemove(file);
  if (fd === undefined) return undefined;
  try {
    const size = fstatSync(fd).size;
    if (size > MAX_AWAY_FILE_BYTES) return { away: [], pending: [], error: `${size} bytes, more than this bridge writes`, overdue: 0, stale: 0, unreadable: 0, incomplete: false };
    return decodeAwaySnapshot(readFileSync(fd, 'utf8'), now);
  } finally {
    closeSync(fd);
  }
}

/** For `--keep-registrations false`: a file from an earlier run must not come back later. */
export function removeAwayDevicesFile(file: string): void {
  rmSync(file, { force: true });
  removeTemporaries(file);
}

/** writeFileAtomically names its temporary `<file>.<pid>.tmp`: a save killed midway leaves one. */
function removeTemporaries(file: string): void {
  const prefix = `${basename(file)}.`;
  let names: string[];
  try {
    names = readdirSync(dirname(file));
  } catch {
    return;
  }
  for (const name of names) if (name.startsWith(prefix) && name.endsWith('.tmp')) rmSync(join(dirname(file), name), { force: true });
}

/**
 * `takeAwayDevices`, handing the Disable half to `tracker` (before any transport takes traffic, so
 * an early return is recognised), with its one log line (counts only). Returns the console rows to
 * hand to `restoreAwayRows` once the console runs. A damaged or unreadable file is logged and
 * dropped, never thrown: the start goes on.
 */
export function restoreAwayDevicesFromFile(file: string, now: number, tracker: Pick<DisableTracker, 'restore'>, log: Logger): AwayDevice[] {
  let read: AwaySnapshotRead | undefined;
  try {
    read = takeAwayDevices(file, now);
  } catch (error) {
    log.warn('saved away devices not read', { file, error });
    return [];
  }
  if (!read) return [];
  if (read.error !== undefined) {
    log.warn('saved away devices ignored', { file, error: read.error });
    return [];
  }
  tracker.restore({ pending: read.pending, away: read.away.map((r) => [r.endpoint, { disabledAt: r.disabledAt, expectedBackAt: r.expectedBackAt }] as const) });
  log.info('away devices restored from the last run', {
    restored: read.away.length,
    dropped: read.overdue + read.unreadable,
    overdue: read.overdue,
    unreadable: read.unreadable,
    pendingDisables: read.pending.length,
    ...(read.incomplete ? { incomplete: true } : {}),
  });
  return awayDevicesOf(read.away);
}

/**
 * Gives the console its rows back, each noted in the device's timeline (so its page opens while
 * it is away). Only devices the tracker still holds away: one that came back between the start of
 * the transports and the start of the console has registered already.
 */
export function restoreAwayRows(
  hub: { away: Pick<AwayDevices, 'restore'>; timelines: Pick<EndpointTimelines, 'note'> },
  devices: readonly AwayDevice[],
  isAway: (endpoint: string) => boolean,
  at: number,
): number {
  const still = devices.filter((d) => isAway(d.endpoint));
  for (const d of still) hub.timelines.note(d.endpoint, d.registration.id, at, AWAY_RESTORED_NOTE);
  return hub.away.restore(still);
}

/** `saveAwayDevices` with its one log line; a failure (a full disk) is logged, never thrown: the stop goes on. */
export function saveAwayDevicesToFile(file: string, snapshot: AwaySnapshot, now: number, log: Logger): AwaySaveReport | undefined {
  try {
    const report = saveAwayDevices(file, snapshot, now);
    if (report.away > 0 || report.pending > 0) log.info('away devices saved for the next start', { ...report });
    return report;
  } catch (error) {
    log.warn('away devices not saved: the console will list them again when they return', { file, error });
    return undefined;
  }
}
