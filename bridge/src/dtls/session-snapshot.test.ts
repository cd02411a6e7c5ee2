import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ResumableSession } from './session-cache.js';
import { SessionCache } from './session-cache.js';
import { decodeSessions, encodeSessions } from './session-snapshot.js';

const psk = (id: number): ResumableSession => ({
  sessionId: Buffer.alloc(32, id),
  masterSecret: randomBytes(48),
  suiteId: 0xc0a8,
  peer: { mode: 'psk', identity: `dev-${id}` },
  credential: { kind: 'psk', keyDigest: randomBytes(32) },
  extendedMasterSecret: true,
  createdAt: 1_000 + id,
});
const x509: ResumableSession = {
  sessionId: randomBytes(16),
  masterSecret: randomBytes(48),
  suiteId: 0xc0ae,
  peer: { mode: 'x509', identity: 'cert-dev' },
  credential: { kind: 'x509', chain: [randomBytes(400), randomBytes(500)] },
  extendedMasterSecret: false,
  createdAt: 5,
};

describe('resumable sessions as text', () => {
  it('gives back exactly the sessions it was given, bytes included', () => {
    const sessions = [psk(1), psk(2), x509];
    const decoded = decodeSessions(encodeSessions(sessions, 10));
    expect(decoded).toEqual({ ok: true, sessions, skipped: 0 });
  });

  it('skips each entry that fails a check, and keeps the rest', () => {
    const good = JSON.parse(encodeSessions([psk(1)], 0)).sessions[0];
    const bad = [
      { ...good, masterSecret: Buffer.alloc(47).toString('base64') }, // RFC 5246: 48 bytes
      { ...good, id: '' },
      { ...good, id: Buffer.alloc(33).toString('base64') },
      { ...good, id: 'not base64!' },
      { ...good, suiteId: 0x002f }, // a suite this server does not speak
      { ...good, peer: { mode: 'rpk', identity: 'dev-1' } }, // credential kind disagrees with the mode
      { ...good, peer: { mode: 'psk', identity: '' } },
      { ...good, credential: { kind: 'psk', keyDigest: Buffer.alloc(31).toString('base64') } },
      { ...good, credential: { kind: 'x509', chain: [] } },
      { ...good, extendedMasterSecret: 'yes' },
      { ...good, createdAt: 'yesterday' },
      null,
      [],
    ];
    const decoded = decodeSessions(JSON.stringify({ version: 1, savedAt: 0, sessions: [...bad, good] }));
    expect(decoded).toMatchObject({ ok: true, skipped: bad.length });
    expect(decoded.ok && decoded.sessions.map((s) => s.peer.identity)).toEqual(['dev-1']);
  });

  it('refuses text that is not a session file', () => {
    expect(decodeSessions('{')).toEqual({ ok: false, error: 'not JSON' });
    expect(decodeSessions('{"version":2,"sessions":[]}')).toEqual({ ok: false, error: 'not a version 1 session file' });
    expect(decodeSessions('[]')).toMatchObject({ ok: false });
  });

  it('round-trips through a SessionCache in least-recently-used order, without expired entries', () => {
    const cache = new SessionCache(10, 1_000);
    for (const s of [psk(1), psk(2), psk(3)]) cache.put(s.sessionId, s);
    cache.get(psk(1).sessionId, 1_500); // now the most recently used
    const now = 1_002 + 1_000; // psk(1) (created 1,001) has expired, psk(2) is exactly at its lifetime
    const out = [...cache.resumable(now)];
    expect(out.map((s) => s.peer.identity)).toEqual(['dev-2', 'dev-3']);
    const restored = new SessionCache(10, 1_000);
    for (const { sessionId, ...s } of out) restored.put(sessionId, s);
    expect(restored.get(psk(3).sessionId, now)?.masterSecret).toEqual(out[1]!.masterSecret);
  });
});
