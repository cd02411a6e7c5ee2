/**
 * Carries resumable DTLS sessions over a bridge restart: written to the data folder when the
 * bridge stops, read and deleted when it starts, so after a restart devices that offer their
 * session get an abbreviated handshake (no public-key work, two flights) instead of a full one.
 * The file holds master secrets: mode 0600 in the 0700 data folder, like the credentials, and it
 * exists only while the bridge is down.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ResumableSession } from '../dtls/session-cache.js';
import { decodeSessions, encodeSessions } from '../dtls/session-snapshot.js';
import { writeFileAtomically } from '../lib/atomic-file.js';
import type { Logger } from '../log.js';

export const DTLS_SESSIONS_FILE = 'dtls-sessions.json';

/** Writes `sessions` (possibly none: then no file) and returns how many. */
export function saveSessions(file: string, sessions: readonly ResumableSession[], now: number): number {
  rmSync(file, { force: true });
  if (sessions.length === 0) return 0;
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileAtomically(file, encodeSessions(sessions, now), 0o600);
  return sessions.length;
}

/** Reads the sessions a previous run saved and deletes the file; a broken file is reported and dropped. */
export function takeSessions(file: string, log: Logger): ResumableSession[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return []; // none saved (first start, or the last run did not stop cleanly)
  }
  rmSync(file, { force: true });
  const decoded = decodeSessions(text);
  if (!decoded.ok) {
    log.warn('saved DTLS sessions ignored', { file, error: decoded.error });
    return [];
  }
  if (decoded.skipped > 0) log.warn('saved DTLS sessions: some entries ignored', { file, skipped: decoded.skipped });
  return decoded.sessions;
}
