/**
 * What the DtlsServer reports when a handshake ends without a session ('handshakeFailed'), the
 * source of the console's refused connections: who ended it, the alert, the identity the device
 * presented, and nothing for ClientHellos that never returned a cookie.
 */
import { describe, expect, it } from 'vitest';
import type { HandshakeFailure } from '../../bridge/src/dtls/dtls-server.js';
import { encodeRecord } from '../../bridge/src/dtls/record.js';
import { AlertDescription } from '../../bridge/src/dtls/wire.js';
import { memoryServer, settle, until } from './memory-harness.js';

function failures(server: ReturnType<typeof memoryServer>['server']): HandshakeFailure[] {
  const out: HandshakeFailure[] = [];
  server.on('handshakeFailed', (f: HandshakeFailure) => out.push(f));
  return out;
}

describe("DtlsServer 'handshakeFailed'", () => {
  it('reports a wrong key as our bad_record_mac, with the identity the device presented', async () => {
    const { server, client } = memoryServer();
    const seen = failures(server);
    client(41100, { identity: 'dev1', key: Buffer.from('not the key') }).c.start();
    await until(() => seen.length === 1);
    expect(seen[0]).toEqual({ address: '10.0.0.1', port: 41100, endedBy: 'server', alert: AlertDescription.badRecordMac, reason: 'client Finished record failed authentication', identity: 'dev1' });
  });

  it('reports an unknown identity with the identity it claimed', async () => {
    const { server, client } = memoryServer();
    const seen = failures(server);
    client(41101, { identity: 'nobody' }).c.start();
    await until(() => seen.length === 1);
    expect(seen[0]).toMatchObject({ endedBy: 'server', alert: AlertDescription.unknownPskIdentity, identity: 'nobody' });
  });

  it('reports a device that ends the handshake with a fatal alert, and one that goes silent', async () => {
    const { server, client, clock, blackhole } = memoryServer({ retransmitInitialMs: 1_000, maxRetransmits: 2 });
    const seen = failures(server);
    // Our ServerHello flight is lost on the way (the cookie exchange went through), so the
    // handshake is open; the device then answers with a fatal alert (epoch 0, RFC 5246 §7.2).
    const stall = async (port: number) => {
      const cookies = server.stats().cookiesSent;
      client(port).c.start();
      await until(() => server.stats().cookiesSent === cookies + 1);
      blackhole.add(port);
      await until(() => server.stats().handshakes === 1);
    };
    await stall(41102);
    server.handleDatagram(encodeRecord(21, 0, 9, Buffer.from([2, AlertDescription.handshakeFailure])), { address: '10.0.0.1', port: 41102 });
    expect(seen.at(-1)).toMatchObject({ endedBy: 'device', alert: AlertDescription.handshakeFailure, reason: 'the device ended the handshake with handshake_failure' });
    // A device that never sends its key exchange: the retransmissions run out.
    await stall(41103);
    for (let i = 0; i < 4; i++) {
      clock.now += 10_000;
      server.tick();
    }
    expect(seen.at(-1)).toMatchObject({ endedBy: 'timeout', port: 41103 });
    expect(seen).toHaveLength(2);
  });

  it('reports a device turned away because the server is full, once its cookie came back', async () => {
    const { server, client } = memoryServer({ maxSessions: 1 });
    const seen = failures(server);
    const first = client(41200).c;
    first.start();
    await until(() => first.connected);
    client(41201).c.start();
    await until(() => server.stats().capacityRefused === 1);
    expect(seen).toEqual([{ address: '10.0.0.1', port: 41201, endedBy: 'capacity', reason: '1 sessions already established (maxSessions)' }]);
  });

  it('reports nothing for ClientHellos that never come back with a cookie', async () => {
    const { server, client, blackhole } = memoryServer();
    const seen = failures(server);
    for (let port = 42000; port < 42050; port++) {
      blackhole.add(port); // the HelloVerifyRequest never reaches them
      client(port).c.start();
    }
    await settle();
    expect(server.stats()).toMatchObject({ cookiesSent: 50, handshakes: 0 });
    expect(seen).toHaveLength(0);
  });
});
