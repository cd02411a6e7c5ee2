/**
 * Bounded cache of resumable sessions (RFC 5246 §7.3 abbreviated handshake, session ID form).
 * Least recently used entries go first; entries older than `lifetimeMs` are not resumed.
 */
import type { PeerCredential, PeerIdentity } from './credentials.js';
import { evictOldest } from './lru.js';

export interface CachedSession {
  readonly masterSecret: Buffer;
  readonly suiteId: number;
  readonly peer: PeerIdentity;
  /** Re-checked by the key exchange before resuming (KeyExchange.mayResume). */
  readonly credential: PeerCredential;
  /** RFC 7627 §5.3: whether the session used the extended master secret. */
  readonly extendedMasterSecret: boolean;
  readonly createdAt: number;
}

/**
 * How an entry is stored: byte strings as latin1 strings, which live in the V8 heap. Buffers would
 * each be a separate native allocation (see connection.ts on heap fragmentation).
 */
interface StoredSession {
  readonly masterSecret: string;
  readonly suiteId: number;
  readonly peer: PeerIdentity;
  readonly credential: StoredCredential;
  readonly extendedMasterSecret: boolean;
  readonly createdAt: number;
}
export type StoredCredential =
  | { readonly kind: 'psk'; readonly keyDigest: string }
  | { readonly kind: 'rpk'; readonly spki: string }
  | { readonly kind: 'x509'; readonly chain: readonly string[] };

/**
 * Largest credential (certificate chain) kept with a cached session. Chains are peer input of up to
 * `maxHandshakeMessageLength` each; without a cap a full cache could hold 10 000 × 16 KiB. Typical
 * device chains (leaf + intermediate, P-256) are 0.5–2 KB; a session with a larger one is simply
 * not resumable (the client gets a full handshake).
 */
export const MAX_CACHED_CREDENTIAL_BYTES = 4096;

export class SessionCache {
  private readonly entries = new Map<string, StoredSession>();

  constructor(
    private readonly maxEntries: number,
    private readonly lifetimeMs: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get capacity(): number {
    return Math.max(0, this.maxEntries);
  }

  /** Within its lifetime (an entry exactly `lifetimeMs` old still is). */
  private isLive(s: StoredSession, now: number): boolean {
    return now - s.createdAt <= this.lifetimeMs;
  }

  /** Drops the entries whose peer `match`es (a revoked credential); returns how many. */
  forget(match: (peer: PeerIdentity) => boolean): number {
    let n = 0;
    for (const [k, s] of this.entries) {
      if (!match(s.peer)) continue;
      this.entries.delete(k);
      n++;
    }
    return n;
  }

  /** Entries still within their lifetime (expired ones stay until evicted or looked up). */
  countResumable(now: number): number {
    let n = 0;
    for (const s of this.entries.values()) if (this.isLive(s, now)) n++;
    return n;
  }

  put(sessionId: Buffer, s: CachedSession): void {
    if (this.maxEntries <= 0 || sessionId.length === 0) return;
    if (credentialBytes(s.credential) > MAX_CACHED_CREDENTIAL_BYTES) return;
    const k = sessionId.toString('latin1');
    this.entries.delete(k);
    this.entries.set(k, {
      masterSecret: s.masterSecret.toString('latin1'),
      suiteId: s.suiteId,
      peer: s.peer,
      credential: store(s.credential),
      extendedMasterSecret: s.extendedMasterSecret,
      createdAt: s.createdAt,
    });
    // RFC 5246 §7.3 leaves the cache size to the server: least recently used entries go first.
    evictOldest(this.entries, this.maxEntries);
  }

  get(sessionId: Buffer, now: number): CachedSession | undefined {
    if (sessionId.length === 0) return undefined;
    const k = sessionId.toString('latin1');
    const s = this.entries.get(k);
    if (!s) return undefined;
    this.entries.delete(k);
    if (!this.isLive(s, now)) return undefined;
    this.entries.set(k, s); // most recently used
    return {
      masterSecret: bytes(s.masterSecret),
      suiteId: s.suiteId,
      peer: s.peer,
      credential: load(s.credential),
      extendedMasterSecret: s.extendedMasterSecret,
      createdAt: s.createdAt,
    };
  }

  delete(sessionId: Buffer): void {
    this.entries.delete(sessionId.toString('latin1'));
  }

  /** Every entry still within its lifetime, least recently used first (the order `put` restores). */
  *resumable(now: number): IterableIterator<ResumableSession> {
    for (const [k, s] of this.entries) {
      if (!this.isLive(s, now)) continue;
      yield { sessionId: bytes(k), masterSecret: bytes(s.masterSecret), suiteId: s.suiteId, peer: s.peer, credential: load(s.credential), extendedMasterSecret: s.extendedMasterSecret, createdAt: s.createdAt };
    }
  }
}

/** A cached session with its id, as carried over a restart (session-snapshot.ts). */
export interface ResumableSession extends CachedSession {
  readonly sessionId: Buffer;
}

const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');

function credentialBytes(c: PeerCredential): number {
  switch (c.kind) {
    case 'psk':
      return c.keyDigest.length;
    case 'rpk':
      return c.spki.length;
    case 'x509':
      return c.chain.reduce((n, d) => n + d.length, 0);
  }
}

/** A credential with its bytes as text: latin1 in the cache (V8 heap strings), base64 in a saved file. */
export function credentialAsText(c: PeerCredential, encoding: 'latin1' | 'base64'): StoredCredential {
  switch (c.kind) {
    case 'psk':
      return { kind: 'psk', keyDigest: c.keyDigest.toString(encoding) };
    case 'rpk':
      return { kind: 'rpk', spki: c.spki.toString(encoding) };
    case 'x509':
      return { kind: 'x509', chain: c.chain.map((d) => d.toString(encoding)) };
  }
}

const store = (c: PeerCredential): StoredCredential => credentialAsText(c, 'latin1');

function load(c: StoredCredential): PeerCredential {
  switch (c.kind) {
    case 'psk':
      return { kind: 'psk', keyDigest: bytes(c.keyDigest) };
    case 'rpk':
      return { kind: 'rpk', spki: bytes(c.spki) };
    case 'x509':
      return { kind: 'x509', chain: c.chain.map(bytes) };
  }
}
