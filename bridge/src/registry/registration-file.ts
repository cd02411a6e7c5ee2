/**
 * Carries the registry over a bridge restart: written to the data folder when the bridge stops,
 * read and deleted when it starts (before the transports take traffic), so an upgrade is
 * invisible to the devices: same registration ids, Updates answered 2.04, the fleet shown at once.
 *
 * The file holds every device's address and DTLS identity: mode 0600 in the 0700 data folder, and
 * it exists only while the bridge is down (deleted as soon as it is opened, so a crash later
 * never brings back a stale registry). It is written and read in chunks, never as one string: a
 * million registrations are several hundred megabytes. Written under a temporary name and renamed
 * into place, so a stop cut short leaves no half file.
 */
import { chmodSync, closeSync, fsyncSync, mkdirSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Registration } from '@lwm2m-console/shared';
import { openAndRemove } from '../lib/atomic-file.js';
import type { RestoreCounts } from '../lwm2m/registration-handler.js';
import type { Logger } from '../log.js';
import type { PackedEntry } from './packed-registration-store.js';
import { RegistrationSnapshotReader, RegistrationSnapshotWriter } from './registration-snapshot.js';

export const REGISTRATIONS_FILE = 'registrations.jsonl';

/** Bytes gathered before each write, and read at a time. */
const CHUNK_BYTES = 1 << 20;
/** A longer line is not a record this bridge wrote (a record with the largest payload fits easily). */
const MAX_LINE_BYTES = 4 << 20;

export interface SaveReport {
  registrations: number;
  bytes: number;
}

/** Writes `entries` (possibly none: then no file) atomically with mode 0600. */
export function saveRegistrations(file: string, entries: Iterable<PackedEntry>, savedAt: number): SaveReport {
  rmSync(file, { force: true });
  const writer = new RegistrationSnapshotWriter();
  const iterator = entries[Symbol.iterator]();
  let next = iterator.next();
  if (next.done) return { registrations: 0, bytes: 0 };
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = temporaryOf(file);
  const fd = openSync(tmp, 'w', 0o600);
  let bytes = 0;
  try {
    let chunk = writer.header(savedAt);
    const flush = () => {
      const data = Buffer.from(chunk, 'utf8');
      for (let at = 0; at < data.length; ) at += writeSync(fd, data, at);
      bytes += data.length;
      chunk = '';
    };
    for (; !next.done; next = iterator.next()) {
      chunk += writer.entry(next.value);
      if (chunk.length >= CHUNK_BYTES) flush();
    }
    chunk += writer.footer();
    flush();
    // On disk before the rename makes it the file: a power cut then leaves the old state, not an empty file.
    fsyncSync(fd);
    closeSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw error;
  }
  renameSync(tmp, file);
  chmodSync(file, 0o600);
  return { registrations: writer.count, bytes };
}

/**
 * One fixed temporary name, not one per process: a stop killed while writing leaves at most one
 * half file (a million registrations are hundreds of megabytes), overwritten by the next save and
 * removed by the next start.
 */
const temporaryOf = (file: string) => `${file}.tmp`;

export interface TakeReport extends RestoreCounts {
  /** Records that were damaged or not valid. */
  unreadable: number;
  /** The file was dropped whole: why. */
  error?: string;
  /** The file was cut short or had records added or removed by hand (what was valid is restored). */
  incomplete: boolean;
}

/**
 * Reads the registrations a previous run saved, deletes the file, and hands every valid one whose
 * lifetime has not run out to `restore` as it is read (nothing else holds them all at once).
 * Undefined when there is no file (first start, the last run did not stop cleanly, or it was off).
 */
export function takeRegistrations(file: string, now: number, restore: (registrations: Iterable<Registration>) => RestoreCounts): TakeReport | undefined {
  rmSync(temporaryOf(file), { force: true });
  const fd = openAndRemove(file);
  if (fd === undefined) return undefined;
  try {
    const reader = new RegistrationSnapshotReader(now);
    const counts = restore(readRecords(fd, reader));
    const summary = reader.summary();
    return { ...counts, expired: counts.expired + summary.expired, unreadable: summary.unreadable, incomplete: summary.incomplete, ...(summary.error ? { error: summary.error } : {}) };
  } finally {
    closeSync(fd);
  }
}

function* readRecords(fd: number, reader: RegistrationSnapshotReader): Generator<Registration> {
  for (const line of readLines(fd)) {
    if (reader.failed) return; // a file that is not ours is not read to its end
    const registration = line === undefined ? reader.skip() : reader.read(line);
    if (registration) yield registration;
  }
}

/** The file's lines as text; `undefined` for a line longer than MAX_LINE_BYTES (skipped unread). */
function* readLines(fd: number): Generator<string | undefined> {
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let overlong = false;
  for (;;) {
    const n = readSync(fd, buffer, 0, CHUNK_BYTES, null);
    if (n === 0) break;
    let start = 0;
    for (let nl = buffer.indexOf(10, start); nl !== -1 && nl < n; nl = buffer.indexOf(10, start)) {
      if (overlong) yield undefined;
      else if (pendingBytes === 0) yield buffer.toString('utf8', start, nl);
      else yield Buffer.concat([...pending, buffer.subarray(start, nl)]).toString('utf8');
      pending = [];
      pendingBytes = 0;
      overlong = false;
      start = nl + 1;
    }
    if (start < n && !overlong) {
      pendingBytes += n - start;
      if (pendingBytes > MAX_LINE_BYTES) {
        overlong = true;
        pending = [];
      } else pending.push(Buffer.from(buffer.subarray(start, n)));
    }
  }
  if (overlong) yield undefined;
  else if (pendingBytes > 0) yield Buffer.concat(pending).toString('utf8');
}

/** `takeRegistrations` with its one log line (counts only: a registration carries no secret, and none is logged). */
export function restoreRegistrationsFromFile(file: string, now: number, restore: (registrations: Iterable<Registration>) => RestoreCounts, log: Logger): TakeReport | undefined {
  const started = performance.now();
  let report: TakeReport | undefined;
  try {
    report = takeRegistrations(file, now, restore);
  } catch (error) {
    // An unreadable disk must not stop the start: the devices then register again.
    log.warn('saved registrations not read', { file, error });
    return undefined;
  }
  if (!report) {
    // Said, so an operator who sees the whole fleet register again knows why.
    log.info('no registrations saved by a previous run (first start, or it did not stop cleanly)');
    return undefined;
  }
  if (report.error !== undefined) {
    log.warn('saved registrations ignored', { file, error: report.error });
    return report;
  }
  log.info('registrations restored from the last run', {
    restored: report.restored,
    expiredWhileStopped: report.expired,
    unreadable: report.unreadable + report.duplicates,
    noLongerAllowed: report.refused,
    ...(report.incomplete ? { incomplete: true } : {}),
    ms: Math.round(performance.now() - started),
  });
  return report;
}

/** `saveRegistrations` with its one log line; a failure (a full disk) is logged, never thrown: the stop goes on. */
export function saveRegistrationsToFile(file: string, entries: Iterable<PackedEntry>, now: number, log: Logger): SaveReport | undefined {
  const started = performance.now();
  try {
    const report = saveRegistrations(file, entries, now);
    log.info('registrations saved for the next start', { ...report, ms: Math.round(performance.now() - started) });
    return report;
  } catch (error) {
    log.warn('registrations not saved: the devices will register again after the restart', { file, error });
    return undefined;
  }
}
