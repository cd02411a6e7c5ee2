/**
 * RFC 5246 §7.3 resumption re-checks the PSK credential: a session cached under a key that has
 * since been replaced or withdrawn is not resumed; the client gets a full handshake (or its refusal).
 */
import { describe, expect, it } from 'vitest';
import { DtlsPskClient } from '../../bridge/src/dtls/dtls-client.js';
import { connected, memoryServer, PSK, until } from './memory-harness.js';

const alertsOf = (c: DtlsPskClient) => c.events.flatMap((e) => (e.kind === 'alert' ? [[e.level, e.description]] : []));

function setup() {
  const keys = new Map<string, Buffer>([['dev1', PSK]]);
  const t = memoryServer({ credentials: { pskKeyFor: (id) => keys.get(id) } });
  return { ...t, keys };
}

async function firstSession(t: ReturnType<typeof setup>, port: number) {
  const first = t.client(port).c;
  first.start();
  await connected(first);
  return { sessionId: first.sessionId, masterSecret: first.master!, suiteId: first.suite!.id, extendedMasterSecret: true };
}

describe('DtlsServer session resumption with changed PSK credentials', () => {
  it('resumes while the identity still maps to the same key', async () => {
    const t = setup();
    const resume = await firstSession(t, 41000);
    t.keys.set('dev1', Buffer.from(PSK)); // same bytes, new Buffer: still the same key
    const again = t.client(41001, { resume }).c;
    again.start();
    await connected(again);
    expect(again.resumed).toBe(true);
    await until(() => t.server.stats().sessions === 2);
    expect(t.server.stats()).toMatchObject({ resumptions: 1, resumptionsRefused: 0 });
  });

  it('runs a full handshake with a new session id when the identity now maps to another key', async () => {
    const t = setup();
    const resume = await firstSession(t, 41010);
    const newKey = Buffer.from('rotated-key');
    t.keys.set('dev1', newKey);
    const again = t.client(41011, { resume, key: newKey }).c;
    again.start();
    await connected(again);
    expect(again.resumed).toBe(false);
    expect(again.sessionId.equals(resume.sessionId)).toBe(false);
    await until(() => t.server.stats().sessions === 2);
    expect(t.server.stats()).toMatchObject({ resumptions: 0, resumptionsRefused: 1, sessions: 2 });
  });

  it('does not let a client holding the old key back in through the cache after the key was replaced', async () => {
    const t = setup();
    const resume = await firstSession(t, 41020);
    t.keys.set('dev1', Buffer.from('rotated-key'));
    const stale = t.client(41021, { resume }).c; // still has the old PSK
    stale.start();
    await until(() => alertsOf(stale).length > 0);
    expect(stale.connected).toBe(false);
    expect(alertsOf(stale)).toEqual([[2, 20]]); // full handshake, Finished fails: bad_record_mac
    expect(t.server.stats()).toMatchObject({ sessions: 1, resumptions: 0, resumptionsRefused: 1 });
  });

  it('refuses a session whose identity was withdrawn, and forgets it', async () => {
    const t = setup();
    const resume = await firstSession(t, 41030);
    t.keys.delete('dev1');
    const gone = t.client(41031, { resume }).c;
    gone.start();
    await until(() => alertsOf(gone).length > 0);
    expect(alertsOf(gone)).toEqual([[2, 115]]); // unknown_psk_identity from the full handshake
    // the key coming back does not revive the cached session: it was dropped on refusal
    t.keys.set('dev1', PSK);
    const back = t.client(41032, { resume }).c;
    back.start();
    await connected(back);
    expect(back.resumed).toBe(false);
    await until(() => t.server.stats().sessions === 2);
    expect(t.server.stats()).toMatchObject({ resumptions: 0, resumptionsRefused: 1 });
  });
});
