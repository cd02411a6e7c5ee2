/**
 * Memoised client-credential checks for the handshake hot path. Parsing a certificate or importing
 * a public key costs more than the signature checks themselves (OpenSSL 3 decoders), and devices
 * reconnect with the same bytes, so results are kept in a bounded LRU keyed by the SHA-256 of
 * those bytes. Only time-independent work is cached: a cached chain is still checked against the
 * clock (the validity window of its path), and the credential resolver is still asked every time.
 */
import { createHash, type KeyObject } from 'node:crypto';
import { loadTrustAnchors, rawPublicKeyIdentity, verifyChainWith, type ChainResult, type RawKeyResult, type TrustAnchors } from './verify.js';
import { ALERT } from './outcome.js';
import { evictOldest } from '../lru.js';

/** A Map used as an LRU: re-inserting moves an entry to the back; the front is evicted. */
class Lru<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly capacity: number) {}
  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }
  set(key: string, value: V): void {
    if (this.capacity <= 0) return;
    this.map.delete(key);
    this.map.set(key, value);
    evictOldest(this.map, this.capacity);
  }
  clear(): void {
    this.map.clear();
  }
}

function digest(parts: readonly Buffer[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(String(p.length)).update(':').update(p);
  return h.digest('base64');
}

type CachedChain = { commonName: string; publicKey: KeyObject; validFrom: number; validUntil: number };

export class ClientChainVerifier {
  private trust: TrustAnchors;
  private readonly cache: Lru<CachedChain>;

  constructor(trustAnchorsDer: readonly Buffer[], cacheSize = 10_000) {
    this.trust = loadTrustAnchors(trustAnchorsDer);
    this.cache = new Lru(cacheSize);
  }

  get hasAnchors(): boolean {
    return this.trust.loaded.length > 0;
  }

  /** Replaces the trust anchors; cached results made under the old ones are dropped. */
  setTrustAnchors(trustAnchorsDer: readonly Buffer[]): void {
    this.trust = loadTrustAnchors(trustAnchorsDer);
    this.cache.clear();
  }

  verify(chainDer: readonly Buffer[], now: Date): ChainResult {
    const key = digest(chainDer);
    const hit = this.cache.get(key);
    if (hit) {
      const t = now.getTime();
      // RFC 5280 §6.1.3 (a)(2) still applies to a cached path: the clock moves, the bytes do not.
      if (t < hit.validFrom) return { ok: false, reason: 'client certificate chain is not yet valid', alert: ALERT.certificate_expired };
      if (t > hit.validUntil) return { ok: false, reason: 'client certificate chain has expired', alert: ALERT.certificate_expired };
      return { ok: true, commonName: hit.commonName, publicKey: hit.publicKey, validFrom: new Date(hit.validFrom), validUntil: new Date(hit.validUntil) };
    }
    const r = verifyChainWith(chainDer, this.trust, now);
    if (r.ok) this.cache.set(key, { commonName: r.commonName, publicKey: r.publicKey, validFrom: r.validFrom.getTime(), validUntil: r.validUntil.getTime() });
    return r;
  }
}

export class RawPublicKeyVerifier {
  private readonly cache: Lru<{ fingerprint: string; publicKey: KeyObject }>;
  constructor(cacheSize = 10_000) {
    this.cache = new Lru(cacheSize);
  }

  identify(spkiDer: Buffer): RawKeyResult {
    const key = spkiDer.toString('base64');
    const hit = this.cache.get(key);
    if (hit) return { ok: true, ...hit };
    const r = rawPublicKeyIdentity(spkiDer);
    if (r.ok) this.cache.set(key, { fingerprint: r.fingerprint, publicKey: r.publicKey });
    return r;
  }
}

