/**
 * Bounded cache of resumable sessions (RFC 5246 §7.3 abbreviated handshake, session ID form).
 * Least recently used entries go first; entries older than `lifetimeMs` are not resumed.
 */
import type { PeerCredential, PeerIdentity } from './credentials.js';

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

export class SessionCache {
  private readonly entries = new Map<string, CachedSession>();

  constructor(
    private readonly maxEntries: number,
    private readonly lifetimeMs: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  put(sessionId: Buffer, s: CachedSession): void {
    if (this.maxEntries <= 0 || sessionId.length === 0) return;
    const k = sessionId.toString('latin1');
    this.entries.delete(k);
    // own allocation: a slice of Node's shared buffer pool would pin a whole 8 KiB slab
    this.entries.set(k, { ...s, masterSecret: own(s.masterSecret), credential: ownCredential(s.credential) });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }

  get(sessionId: Buffer, now: number): CachedSession | undefined {
    if (sessionId.length === 0) return undefined;
    const k = sessionId.toString('latin1');
    const s = this.entries.get(k);
    if (!s) return undefined;
    this.entries.delete(k);
    if (now - s.createdAt > this.lifetimeMs) return undefined;
    this.entries.set(k, s); // most recently used
    return s;
  }

  delete(sessionId: Buffer): void {
    this.entries.delete(sessionId.toString('latin1'));
  }
}

function own(b: Buffer): Buffer {
  const copy = Buffer.allocUnsafeSlow(b.length);
  b.copy(copy);
  return copy;
}

/** The credential's bytes are views into handshake datagrams: copy them so the cache pins nothing else. */
function ownCredential(c: PeerCredential): PeerCredential {
  switch (c.kind) {
    case 'psk':
      return { kind: 'psk', keyDigest: own(c.keyDigest) };
    case 'rpk':
      return { kind: 'rpk', spki: own(c.spki) };
    case 'x509':
      return { kind: 'x509', chain: c.chain.map(own) };
  }
}
