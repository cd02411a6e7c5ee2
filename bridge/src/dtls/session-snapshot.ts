/**
 * Resumable sessions (RFC 5246 §7.3) as text, so a restarted server can still resume them: after a
 * restart every device comes back at once, and an abbreviated handshake costs no public-key work.
 * The text holds master secrets: whoever writes it must protect it like the PSKs (the bridge keeps
 * it in its data folder, mode 0600, only between a shutdown and the next start).
 *
 * Decoding treats the text as untrusted: every field is checked, and an entry that fails a check
 * is skipped, not guessed at. A restored session is still re-checked against the credentials of the
 * day before it is resumed (KeyExchange.mayResume), like any cached one.
 */
import { isRecord } from '../lib/untrusted-fields.js';
import { suiteById } from './cipher-suites.js';
import type { PeerCredential, PeerIdentity } from './credentials.js';
import { MASTER_SECRET_LENGTH } from './prf.js';
import { credentialAsText, MAX_CACHED_CREDENTIAL_BYTES, type ResumableSession, type StoredCredential } from './session-cache.js';

const VERSION = 1;
/** RFC 5246 §7.4.1.2: SessionID <0..32>; a resumable one is never empty. */
const MAX_SESSION_ID = 32;
const MAX_IDENTITY = 1024;

interface SessionRecord {
  id: string;
  masterSecret: string;
  suiteId: number;
  peer: PeerIdentity;
  credential: StoredCredential;
  extendedMasterSecret: boolean;
  createdAt: number;
}

export function encodeSessions(sessions: Iterable<ResumableSession>, savedAt: number): string {
  const records: SessionRecord[] = [];
  for (const s of sessions) {
    records.push({
      id: s.sessionId.toString('base64'),
      masterSecret: s.masterSecret.toString('base64'),
      suiteId: s.suiteId,
      peer: { mode: s.peer.mode, identity: s.peer.identity },
      credential: credentialAsText(s.credential, 'base64'),
      extendedMasterSecret: s.extendedMasterSecret,
      createdAt: s.createdAt,
    });
  }
  return JSON.stringify({ version: VERSION, savedAt, sessions: records });
}

export type DecodedSessions = { ok: true; sessions: ResumableSession[]; skipped: number } | { ok: false; error: string };

export function decodeSessions(text: string): DecodedSessions {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { ok: false, error: 'not JSON' };
  }
  if (!isRecord(data) || data.version !== VERSION || !Array.isArray(data.sessions)) return { ok: false, error: `not a version ${VERSION} session file` };
  const sessions: ResumableSession[] = [];
  let skipped = 0;
  for (const entry of data.sessions) {
    const s = decodeSession(entry);
    if (s) sessions.push(s);
    else skipped++;
  }
  return { ok: true, sessions, skipped };
}

function decodeSession(x: unknown): ResumableSession | undefined {
  if (!isRecord(x)) return undefined;
  const sessionId = base64(x.id, 1, MAX_SESSION_ID);
  const masterSecret = base64(x.masterSecret, MASTER_SECRET_LENGTH, MASTER_SECRET_LENGTH);
  const suite = typeof x.suiteId === 'number' ? suiteById(x.suiteId) : undefined;
  const peer = decodePeer(x.peer);
  const credential = decodeCredential(x.credential);
  if (!sessionId || !masterSecret || !suite || !peer || !credential || typeof x.extendedMasterSecret !== 'boolean') return undefined;
  if (typeof x.createdAt !== 'number' || !Number.isFinite(x.createdAt)) return undefined;
  // The credential must be of the kind the peer's mode names (mayResume re-checks it by kind).
  if (credential.kind !== peer.mode) return undefined;
  return { sessionId, masterSecret, suiteId: suite.id, peer, credential, extendedMasterSecret: x.extendedMasterSecret, createdAt: x.createdAt };
}

function decodePeer(x: unknown): PeerIdentity | undefined {
  if (!isRecord(x) || (x.mode !== 'psk' && x.mode !== 'rpk' && x.mode !== 'x509')) return undefined;
  if (typeof x.identity !== 'string' || x.identity.length === 0 || x.identity.length > MAX_IDENTITY) return undefined;
  return { mode: x.mode, identity: x.identity };
}

function decodeCredential(x: unknown): PeerCredential | undefined {
  if (!isRecord(x)) return undefined;
  switch (x.kind) {
    case 'psk': {
      const keyDigest = base64(x.keyDigest, 32, 32); // SHA-256 of the key
      return keyDigest && { kind: 'psk', keyDigest };
    }
    case 'rpk': {
      const spki = base64(x.spki, 1, MAX_CACHED_CREDENTIAL_BYTES);
      return spki && { kind: 'rpk', spki };
    }
    case 'x509': {
      if (!Array.isArray(x.chain) || x.chain.length === 0) return undefined;
      const chain = x.chain.map((d) => base64(d, 1, MAX_CACHED_CREDENTIAL_BYTES));
      if (chain.some((d) => d === undefined) || chain.reduce((n, d) => n + d!.length, 0) > MAX_CACHED_CREDENTIAL_BYTES) return undefined;
      return { kind: 'x509', chain: chain as Buffer[] };
    }
    default:
      return undefined;
  }
}

/** Strict base64 of `min`..`max` bytes (Buffer.from would silently skip bad characters). */
function base64(x: unknown, min: number, max: number): Buffer | undefined {
  if (typeof x !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(x)) return undefined;
  const b = Buffer.from(x, 'base64');
  if (b.toString('base64') !== x || b.length < min || b.length > max) return undefined;
  return b;
}

