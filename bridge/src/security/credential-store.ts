/**
 * The embedded security store: per-endpoint credentials in one JSON file under the data
 * folder, readable by the owner only (mode 0600, folder 0700), written atomically. Indexes
 * answer the DTLS handshake's questions (which key for this PSK identity, whose raw public key
 * is this) in O(1). Keys leave this module only towards the handshake, never in a view.
 */
import { createPublicKey, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { isRecord, type CredentialInput, type CredentialResult, type CredentialView } from '@lwm2m-console/shared';
import { rawPublicKeyIdentity } from '../dtls/pki/verify.js';
import { writeFileAtomically } from '../lib/atomic-file.js';

type Stored =
  | { endpoint: string; mode: 'psk'; identity: string; keyHex: string; createdAt: number; updatedAt: number }
  | { endpoint: string; mode: 'rpk'; spkiBase64: string; fingerprint: string; createdAt: number; updatedAt: number }
  | { endpoint: string; mode: 'x509'; createdAt: number; updatedAt: number };

const FILE_VERSION = 1;
/** RFC 4279 §5.3: identities up to 2^16-1 bytes; LwM2M devices use short ones. */
const MAX_IDENTITY_BYTES = 128;
/** RFC 4279 §5.3: PSKs up to 64 bytes. */
const MAX_KEY_BYTES = 64;

function view(s: Stored): CredentialView {
  const v: CredentialView = { endpoint: s.endpoint, mode: s.mode, createdAt: s.createdAt, updatedAt: s.updatedAt };
  if (s.mode === 'psk') v.identity = s.identity;
  if (s.mode === 'rpk') v.fingerprint = s.fingerprint;
  return v;
}

/** Accepts PEM, or SubjectPublicKeyInfo DER as hex or base64. */
function parsePublicKey(text: string): { ok: true; spki: Buffer; fingerprint: string } | { ok: false; error: string } {
  let spki: Buffer;
  try {
    const trimmed = text.trim();
    if (trimmed.startsWith('-----BEGIN')) spki = createPublicKey(trimmed).export({ type: 'spki', format: 'der' });
    else if (/^[0-9a-fA-F]+$/.test(trimmed) && trimmed.length % 2 === 0) spki = Buffer.from(trimmed, 'hex');
    else spki = Buffer.from(trimmed, 'base64');
  } catch {
    return { ok: false, error: 'the public key is not a PEM, hex or base64 SubjectPublicKeyInfo' };
  }
  const r = rawPublicKeyIdentity(spki);
  if (!r.ok) return { ok: false, error: `unusable raw public key: ${r.reason}` };
  return { ok: true, spki, fingerprint: r.fingerprint };
}

export class CredentialStore {
  private readonly byEndpoint = new Map<string, Stored>();
  /** PSK identity -> its key and the endpoint it belongs to. */
  private readonly pskByIdentity = new Map<string, { key: Buffer; endpoint: string }>();
  private readonly endpointByFingerprint = new Map<string, string>();
  private readonly listeners = new Set<() => void>();
  private readonly revokedListeners = new Set<(revoked: RevokedCredential) => void>();

  private constructor(
    private readonly file: string | undefined,
    private readonly now: () => number,
  ) {}

  /** Opens (or creates on first write) the store at `file`; `undefined` keeps it in memory. */
  static open(file: string | undefined, now: () => number = Date.now): CredentialStore {
    const store = new CredentialStore(file, now);
    if (file && existsSync(file)) store.load(JSON.parse(readFileSync(file, 'utf8')) as unknown);
    return store;
  }

  /**
   * Re-reads the file after another process (the `credentials` command) changed it. A file
   * that no longer parses leaves the credentials in memory as they were.
   */
  reload(): { ok: true } | { ok: false; error: string } {
    if (!this.file || !existsSync(this.file)) return { ok: true };
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch (error) {
      return { ok: false, error: `${this.file}: ${(error as Error).message}` };
    }
    const fresh = new CredentialStore(this.file, this.now);
    try {
      fresh.load(data);
    } catch (error) {
      return { ok: false, error: (error as Error).message };
    }
    const before = [...this.byEndpoint.values()];
    this.byEndpoint.clear();
    this.pskByIdentity.clear();
    this.endpointByFingerprint.clear();
    for (const s of fresh.byEndpoint.values()) this.index(s);
    for (const l of this.listeners) l();
    for (const old of before) this.revokeUnlessSame(old, this.byEndpoint.get(old.endpoint));
    return { ok: true };
  }

  private load(data: unknown): void {
    if (!isRecord(data) || data.version !== FILE_VERSION || !Array.isArray(data.credentials)) {
      throw new Error(`${this.file}: not a credentials file of version ${FILE_VERSION}`);
    }
    for (const c of data.credentials as unknown[]) {
      if (!isRecord(c) || typeof c.endpoint !== 'string') throw new Error(`${this.file}: malformed entry`);
      this.index(c as unknown as Stored);
    }
  }

  private index(s: Stored): void {
    this.unindex(s.endpoint);
    this.byEndpoint.set(s.endpoint, s);
    if (s.mode === 'psk') this.pskByIdentity.set(s.identity, { key: Buffer.from(s.keyHex, 'hex'), endpoint: s.endpoint });
    if (s.mode === 'rpk') this.endpointByFingerprint.set(s.fingerprint, s.endpoint);
  }

  private unindex(endpoint: string): void {
    const old = this.byEndpoint.get(endpoint);
    if (!old) return;
    this.byEndpoint.delete(endpoint);
    if (old.mode === 'psk') this.pskByIdentity.delete(old.identity);
    if (old.mode === 'rpk') this.endpointByFingerprint.delete(old.fingerprint);
  }

  list(): CredentialView[] {
    return [...this.byEndpoint.values()].map(view).sort((a, b) => a.endpoint.localeCompare(b.endpoint));
  }

  get(endpoint: string): CredentialView | undefined {
    const s = this.byEndpoint.get(endpoint);
    return s && view(s);
  }

  has(endpoint: string): boolean {
    return this.byEndpoint.has(endpoint);
  }

  /** Adds or replaces the credential of an endpoint. */
  put(input: CredentialInput): CredentialResult {
    const endpoint = input.endpoint;
    if (typeof endpoint !== 'string' || endpoint.length === 0 || endpoint.length > 255) return { ok: false, error: 'endpoint name required (1-255 characters)' };
    const previous = this.byEndpoint.get(endpoint);
    const createdAt = previous?.createdAt ?? this.now();
    const updatedAt = this.now();
    let stored: Stored;
    let generatedKeyHex: string | undefined;
    switch (input.mode) {
      case 'psk': {
        const identityBytes = Buffer.byteLength(input.identity ?? '', 'utf8');
        if (identityBytes === 0 || identityBytes > MAX_IDENTITY_BYTES) return { ok: false, error: `PSK identity required (1-${MAX_IDENTITY_BYTES} bytes)` };
        const owner = this.endpointForPskIdentity(input.identity);
        if (owner !== undefined && owner !== endpoint) return { ok: false, error: `PSK identity already used by endpoint ${owner}` };
        let keyHex = input.keyHex?.trim().toLowerCase();
        if (keyHex === undefined || keyHex === '') {
          keyHex = randomBytes(16).toString('hex');
          generatedKeyHex = keyHex;
        }
        if (!/^([0-9a-f]{2}){1,64}$/.test(keyHex) || keyHex.length / 2 > MAX_KEY_BYTES) return { ok: false, error: `PSK key must be 1-${MAX_KEY_BYTES} bytes of hex` };
        stored = { endpoint, mode: 'psk', identity: input.identity, keyHex, createdAt, updatedAt };
        break;
      }
      case 'rpk': {
        const key = parsePublicKey(String(input.publicKey ?? ''));
        if (!key.ok) return { ok: false, error: key.error };
        const owner = this.endpointByFingerprint.get(key.fingerprint);
        if (owner && owner !== endpoint) return { ok: false, error: `this public key already belongs to endpoint ${owner}` };
        stored = { endpoint, mode: 'rpk', spkiBase64: key.spki.toString('base64'), fingerprint: key.fingerprint, createdAt, updatedAt };
        break;
      }
      case 'x509':
        stored = { endpoint, mode: 'x509', createdAt, updatedAt };
        break;
      default:
        return { ok: false, error: 'mode must be psk, rpk or x509' };
    }
    const old = this.byEndpoint.get(endpoint);
    this.index(stored);
    this.persist();
    if (old) this.revokeUnlessSame(old, stored);
    const result: CredentialResult = { ok: true, credential: view(stored) };
    if (generatedKeyHex) result.generatedKeyHex = generatedKeyHex;
    return result;
  }

  remove(endpoint: string): boolean {
    const old = this.byEndpoint.get(endpoint);
    if (!old) return false;
    this.unindex(endpoint);
    this.persist();
    this.revokeUnlessSame(old, undefined);
    return true;
  }

  /** For the DTLS handshake only. */
  pskKeyFor(identity: string): Buffer | undefined {
    return this.pskByIdentity.get(identity)?.key;
  }

  /** PSK identity configured for an endpoint (not secret). */
  pskIdentityOf(endpoint: string): string | undefined {
    const s = this.byEndpoint.get(endpoint);
    return s?.mode === 'psk' ? s.identity : undefined;
  }

  /** The endpoint whose credential holds this PSK identity (for the console's refused connections). */
  endpointForPskIdentity(identity: string): string | undefined {
    return this.pskByIdentity.get(identity)?.endpoint;
  }

  endpointForFingerprint(fingerprint: string): string | undefined {
    return this.endpointByFingerprint.get(fingerprint);
  }

  modeOf(endpoint: string): CredentialView['mode'] | undefined {
    return this.byEndpoint.get(endpoint)?.mode;
  }

  /** Called after every change (the console refreshes its Security page). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Called when a credential stops holding: removed, or replaced by a different one (another
   * key, identity or public key), here or in the file by the `credentials` command. What a
   * device authenticated with it must not keep using (the DTLS sessions it established).
   */
  onRevoked(listener: (revoked: RevokedCredential) => void): () => void {
    this.revokedListeners.add(listener);
    return () => this.revokedListeners.delete(listener);
  }

  /** Tells the revoked-listeners about `old` unless `next` is the same credential (same secret or key). */
  private revokeUnlessSame(old: Stored, next: Stored | undefined): void {
    if (next && sameCredential(old, next)) return;
    const revoked: RevokedCredential = { endpoint: old.endpoint, mode: old.mode, identity: old.mode === 'psk' ? old.identity : old.endpoint };
    for (const l of this.revokedListeners) l(revoked);
  }

  private persist(): void {
    for (const l of this.listeners) l();
    if (!this.file) return;
    const dir = dirname(this.file);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileAtomically(this.file, JSON.stringify({ version: FILE_VERSION, credentials: [...this.byEndpoint.values()] }, null, 1), 0o600);
  }
}

/** A credential that no longer holds, and the identity a DTLS session it authenticated carries. */
export interface RevokedCredential {
  endpoint: string;
  mode: CredentialView['mode'];
  /** The PSK identity, or the endpoint name (what raw-key and certificate sessions are known by). */
  identity: string;
}

function sameCredential(a: Stored, b: Stored): boolean {
  if (a.mode === 'psk' && b.mode === 'psk') return a.identity === b.identity && a.keyHex === b.keyHex;
  if (a.mode === 'rpk' && b.mode === 'rpk') return a.spkiBase64 === b.spkiBase64;
  return a.mode === 'x509' && b.mode === 'x509';
}
