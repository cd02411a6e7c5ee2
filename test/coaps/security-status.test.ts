/**
 * The Security page's DTLS status over the console WebSocket: how full the DTLS server is against
 * its limits and what its handshakes came to, after real DTLS clients (libcoap) connected.
 */
import type { ServerMessage } from '@lwm2m-console/shared';
import { afterEach, describe, expect, it } from 'vitest';
import type { Bridge } from '../../bridge/src/bridge.js';
import { TestClient } from '../../bridge/src/console/console-test-kit.js';
import { startTestBridge, waitUntil } from '../support/bridge-in-process.js';
import { runLibcoap } from '../support/libcoap.js';

let bridge: Bridge | undefined;
let client: TestClient | undefined;
afterEach(async () => {
  client?.close();
  await bridge?.close();
  client = bridge = undefined;
});

async function status(c: TestClient, requestId: string): Promise<Extract<ServerMessage, { type: 'securityStatus' }>> {
  c.sendJson({ type: 'getSecurityStatus', v: 1, requestId });
  const isAnswer = (m: ServerMessage): m is Extract<ServerMessage, { type: 'securityStatus' }> => m.type === 'securityStatus' && m.requestId === requestId;
  await waitUntil(() => c.received.some(isAnswer), 5_000, 'the securityStatus answer');
  return c.received.find(isAnswer)!;
}

describe('DTLS status for the console', () => {
  it('counts sessions against their limit and handshakes by outcome, and never names a key', async () => {
    ({ bridge } = await startTestBridge({ coapsPort: 0 }));
    const keyHex = Buffer.from('status-secret').toString('hex');
    bridge.credentials.put({ endpoint: 'st-dev', mode: 'psk', identity: 'st-id', keyHex });
    client = await TestClient.connect(bridge.console!.url.replace('http', 'ws') + '/ws');
    const before = await status(client, 's1');
    expect(before.dtls).toMatchObject({ sessions: 0, maxSessions: 100_000, handshakes: 0, maxHandshakes: 2_000, handshakesCompleted: 0, maxResumable: 10_000 });

    const coaps = `coaps://127.0.0.1:${bridge.coapsPort}/rd?ep=st-dev&lt=60`;
    expect((await runLibcoap('coap-client-openssl', ['-B', '5', '-u', 'st-id', '-k', 'status-secret', '-m', 'post', '-t', '40', '-e', '</1/0>', coaps])).code).toBe('2.01');
    await runLibcoap('coap-client-gnutls', ['-B', '5', '-u', 'st-id', '-k', 'wrong-secret', '-m', 'post', '-t', '40', '-e', '</1/0>', coaps]).catch(() => undefined);
    await waitUntil(() => bridge!.coaps!.transport.server.stats().handshakesFailed === 1, 5_000, 'the failed handshake');

    const after = await status(client, 's2');
    expect(after.dtls).toMatchObject({ handshakesCompleted: 1, handshakesFailed: 1, resumable: 1 });
    expect(after.dtls!.sessions).toBeLessThanOrEqual(1); // libcoap may close its session on exit
    expect(JSON.stringify(client.received)).not.toContain(keyHex);
  });

  it('reports the limits the bridge was started with', async () => {
    ({ bridge } = await startTestBridge({ coapsPort: 0, dtlsMaxSessions: 7, dtlsMaxHandshakes: 3, dtlsSessionCache: 0 }));
    client = await TestClient.connect(bridge.console!.url.replace('http', 'ws') + '/ws');
    expect((await status(client, 'limits')).dtls).toMatchObject({ maxSessions: 7, maxHandshakes: 3, maxResumable: 0 });
  });

  it('answers without DTLS figures when CoAPS is off', async () => {
    ({ bridge } = await startTestBridge({ coapsPort: -1 }));
    client = await TestClient.connect(bridge.console!.url.replace('http', 'ws') + '/ws');
    const s = await status(client, 'off');
    expect(s.dtls).toBeUndefined();
  });
});
