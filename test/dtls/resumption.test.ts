/**
 * RFC 5246 §7.3 resumption re-checks the PSK credential: a session cached under a key that has
 * since been replaced or withdrawn is not resumed; the client gets a full handshake (or its refusal).
 */
import { describe, expect, it } from 'vitest';
import { DtlsPskClient } from '../../bridge/src/dtls/dtls-client.js';
import { encodeHandshake } from '../../bridge/src/dtls/handshake-message.js';
import { parseClientHello } from '../../bridge/src/dtls/hello.js';
import type { KeyExchange } from '../../bridge/src/dtls/key-exchange.js';
import { ServerHandshake } from '../../bridge/src/dtls/server-handshake.js';
import { SessionCache } from '../../bridge/src/dtls/session-cache.js';
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

describe('ServerHandshake resumption contract (KeyExchange.mayResume)', () => {
  const SESSION_ID = Buffer.alloc(32, 5);
  /** A ClientHello offering ECDHE_ECDSA CCM_8 (0xC0AE) with extended_master_secret, naming SESSION_ID. */
  function helloWithSession() {
    const body = Buffer.concat([
      Buffer.from([0xfe, 0xfd]), Buffer.alloc(32, 7), Buffer.from([32]), SESSION_ID, Buffer.from([0, 0, 2, 0xc0, 0xae]),
      Buffer.from([1, 0, 0, 4, 0, 23, 0, 0]),
    ]);
    const parsed = parseClientHello(body);
    if (!parsed.ok) throw new Error(parsed.reason);
    return { hello: parsed.value, msg: { type: 1, messageSeq: 1, body, raw: encodeHandshake(1, 1, body) } };
  }
  const peer = { mode: 'rpk' as const, identity: 'dev-rpk' };
  const credential = { kind: 'rpk' as const, spki: Buffer.from('spki bytes') };

  function run(mayResume: KeyExchange['mayResume']) {
    const calls: unknown[] = [];
    const kx: KeyExchange = {
      name: 'ecdhe_ecdsa',
      accepts: () => true,
      start: () => ({ serverHelloExtensions: () => [], serverMessages: () => [], clientMessage: () => ({ ok: false, alert: 10, reason: 'unused' }) }),
      ...(mayResume ? { mayResume: (p, c, r) => (calls.push([p, c, r]), mayResume(p, c, r)) } : {}),
    };
    const cache = new SessionCache(10, 60_000);
    cache.put(SESSION_ID, { masterSecret: Buffer.alloc(48, 1), suiteId: 0xc0ae, peer, credential, extendedMasterSecret: true, createdAt: 0 });
    const { hello, msg } = helloWithSession();
    const hs = new ServerHandshake(
      { credentials: { pskKeyFor: () => undefined }, keyExchanges: new Map([['ecdhe_ecdsa', kx]]), sessionCache: cache, now: () => 1_000,
        requireExtendedMasterSecret: false, maxFragments: 8, maxFragmentBody: 1000, connectionId: undefined },
      hello,
    );
    hs.begin(msg);
    return { hs, cache, calls };
  }

  it('resumes when the key exchange accepts the cached peer and credential', () => {
    const { hs, calls } = run(() => ({ ok: true }));
    expect(hs.resumed).toBe(true);
    expect(hs.sessionId).toEqual(SESSION_ID);
    expect(calls).toHaveLength(1);
    expect((calls[0] as unknown[]).slice(0, 2)).toEqual([peer, credential]);
  });

  it('runs a full handshake with a new session id and forgets the session when the key exchange refuses', () => {
    const { hs, cache } = run(() => ({ ok: false, reason: 'raw public key withdrawn' }));
    expect(hs.resumed).toBe(false);
    expect(hs.resumeRefused).toBe('raw public key withdrawn');
    expect(hs.sessionId.equals(SESSION_ID)).toBe(false);
    expect(cache.get(SESSION_ID, 1_000)).toBeUndefined();
  });

  it('never resumes a session of a key exchange that cannot re-check credentials', () => {
    const { hs } = run(undefined);
    expect(hs.resumed).toBe(false);
    expect(hs.resumeRefused).toBe('key exchange cannot re-check credentials');
  });
});
