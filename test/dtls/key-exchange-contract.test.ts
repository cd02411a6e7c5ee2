import { describe, expect, it } from 'vitest';
import { credentials } from './memory-harness.js';
import { encodeHandshake, parseFragments } from '../../bridge/src/dtls/handshake-message.js';
import { parseClientHello } from '../../bridge/src/dtls/hello.js';
import type { KeyExchange, KeyExchangeContext } from '../../bridge/src/dtls/key-exchange.js';
import { pskKeyExchange } from '../../bridge/src/dtls/key-exchange.js';
import { ServerHandshake } from '../../bridge/src/dtls/server-handshake.js';
import { SessionCache } from '../../bridge/src/dtls/session-cache.js';

/** A ClientHello offering ECDHE_ECDSA CCM_8 and PSK CCM_8, with RFC 7250 certificate type extensions. */
function clientHello(suites: number[]) {
  const suiteBytes = Buffer.alloc(suites.length * 2);
  suites.forEach((s, i) => suiteBytes.writeUInt16BE(s, i * 2));
  const ext = Buffer.from([0, 19, 0, 2, 1, 2, 0, 20, 0, 2, 1, 2, 0, 23, 0, 0]);
  const body = Buffer.concat([
    Buffer.from([0xfe, 0xfd]), Buffer.alloc(32, 7), Buffer.from([0, 0, suiteBytes.length >> 8, suiteBytes.length]), suiteBytes,
    Buffer.from([1, 0, ext.length >> 8, ext.length & 0xff]), ext,
  ]);
  const parsed = parseClientHello(body);
  if (!parsed.ok) throw new Error(parsed.reason);
  return { hello: parsed.value, msg: { type: 1, messageSeq: 1, body, raw: encodeHandshake(1, 1, body) } };
}

describe('KeyExchange plug-in contract (what the ECDHE-ECDSA implementation relies on)', () => {
  it('selects the plugged suite, sends its messages before ServerHelloDone, and feeds client messages in order with the transcript before each', () => {
    const seen: Array<{ type: number; transcriptLength: number }> = [];
    let ctxSeen: KeyExchangeContext | undefined;
    const fake: KeyExchange = {
      name: 'ecdhe_ecdsa',
      accepts: (hello) => hello.extensions.has(19) && hello.extensions.has(20),
      start(ctx) {
        ctxSeen = ctx;
        return {
          serverHelloExtensions: () => [[20, Buffer.from([2])]],
          serverMessages: () => [{ type: 12, body: Buffer.from('server key exchange') }, { type: 13, body: Buffer.from('cert request') }],
          clientMessage(type) {
            seen.push({ type, transcriptLength: ctx.transcript().length });
            if (type === 11) return { ok: true, complete: false };
            if (type === 16) return { ok: true, premaster: Buffer.alloc(32, 9), complete: false };
            return { ok: true, peer: { mode: 'rpk', identity: 'fingerprint' }, complete: true };
          },
        };
      },
    };
    const { hello, msg } = clientHello([0x00ae, 0xc0ae, 0xc0a8]);
    const hs = new ServerHandshake(
      {
        credentials,
        keyExchanges: new Map([['psk', pskKeyExchange], ['ecdhe_ecdsa', fake]]),
        sessionCache: new SessionCache(10, 1000),
        now: () => 0,
        requireExtendedMasterSecret: false,
        maxFragments: 8,
        maxFragmentBody: 1000,
        connectionId: undefined,
      },
      hello,
    );
    const step = hs.begin(msg);
    expect(hs.suite?.name).toBe('TLS_PSK_WITH_AES_128_CCM_8'); // server preference: PSK CCM_8 first
    expect(step.kind).toBe('flight');

    // Now a client that offers only the ECDHE suite gets the plugged key exchange
    const ecdhe = clientHello([0xc0ae]);
    const hs2 = new ServerHandshake(
      { credentials, keyExchanges: new Map([['ecdhe_ecdsa', fake]]), sessionCache: new SessionCache(10, 1000), now: () => 0,
        requireExtendedMasterSecret: false, maxFragments: 8, maxFragmentBody: 1000, connectionId: undefined },
      ecdhe.hello,
    );
    const s2 = hs2.begin(ecdhe.msg);
    expect(hs2.suite?.name).toBe('TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8');
    if (s2.kind !== 'flight') throw new Error('no flight');
    const types = s2.flight.flatMap((i) => parseFragments(i.payload, 16384)!.map((f) => [f.type, f.messageSeq]));
    expect(types).toEqual([[2, 1], [12, 2], [13, 3], [14, 4]]);
    expect(ctxSeen?.clientRandom).toEqual(Buffer.alloc(32, 7));

    const before = ctxSeen!.transcript().length;
    const feed = (type: number, seq: number) => hs2.onFragment({ type, length: 4, messageSeq: seq, offset: 0, body: Buffer.alloc(4, type) }, 0);
    expect(feed(11, 2).kind).toBe('none');
    expect(feed(16, 3).kind).toBe('none');
    expect(hs2.keyBlock?.length).toBe(40);
    expect(hs2.onChangeCipherSpec()).toBe(false); // CertificateVerify still outstanding
    expect(feed(15, 4).kind).toBe('none');
    expect(hs2.peer).toEqual({ mode: 'rpk', identity: 'fingerprint' });
    // each client message saw the transcript without itself (16 bytes = 12-byte header + 4-byte body)
    expect(seen).toEqual([
      { type: 11, transcriptLength: before },
      { type: 16, transcriptLength: before + 16 },
      { type: 15, transcriptLength: before + 32 },
    ]);
    expect(hs2.onChangeCipherSpec()).toBe(true);
  });

  it('turns a key exchange refusal into the alert it names', () => {
    const refusing: KeyExchange = {
      name: 'ecdhe_ecdsa',
      accepts: () => true,
      start: () => ({
        serverHelloExtensions: () => [],
        serverMessages: () => ({ alert: 43, reason: 'no certificate of a type the client accepts' }),
        clientMessage: () => ({ ok: false, alert: 42, reason: 'bad' }),
      }),
    };
    const { hello, msg } = clientHello([0xc0ae]);
    const hs = new ServerHandshake(
      { credentials, keyExchanges: new Map([['ecdhe_ecdsa', refusing]]), sessionCache: new SessionCache(10, 1000), now: () => 0,
        requireExtendedMasterSecret: false, maxFragments: 8, maxFragmentBody: 1000, connectionId: undefined },
      hello,
    );
    expect(hs.begin(msg)).toEqual({ kind: 'alert', alert: 43, reason: 'no certificate of a type the client accepts' });
  });
});
