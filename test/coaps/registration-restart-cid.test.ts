/**
 * A DTLS registration kept across a restart follows its device when the device's address changes
 * under a Connection ID (RFC 9146), as one made in this run does: the bridge knows it by address
 * from the start, not only after the device's next Update. The device is the project's DTLS PSK
 * client on two real UDP sockets (a NAT rebinding, no external peer offers CID).
 */
import dgram from 'node:dgram';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate, parse, type NamedOption } from 'coap-packet';
import { afterEach, describe, expect, it } from 'vitest';
import type { RegistrationEvent } from '@lwm2m-console/shared';
import { startBridge, type Bridge } from '../../bridge/src/bridge.js';
import { DEFAULT_CONFIG } from '../../bridge/src/config.js';
import { DtlsPskClient } from '../../bridge/src/dtls/dtls-client.js';
import { silentLogger } from '../../bridge/src/log.js';
import { CredentialStore } from '../../bridge/src/security/credential-store.js';
import { waitUntil } from '../support/bridge-in-process.js';

const KEY = Buffer.from('cid-restart-key');
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function start(dataDir: string): Promise<Bridge> {
  const config = { ...DEFAULT_CONFIG, coapHost: '127.0.0.1', coapPort: 0, coapsHost: '127.0.0.1', coapsPort: 0, httpHost: '127.0.0.1', httpPort: 0, dataDir };
  return startBridge(config, { log: silentLogger });
}

async function socket(): Promise<dgram.Socket> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  cleanups.push(() => s.close());
  return s;
}

/** A PSK device with a CID, on whichever of its sockets `via` names. */
async function device(serverPort: number, sockets: dgram.Socket[]) {
  let via = sockets[0]!;
  const client = new DtlsPskClient({ identity: 'cid-dev-id', key: KEY, connectionId: Buffer.alloc(0), send: (d) => via.send(d, serverPort, '127.0.0.1') });
  cleanups.push(() => client.close());
  const listeners = sockets.map((s) => {
    const l = (msg: Buffer) => client.handleDatagram(msg);
    s.on('message', l);
    return () => s.off('message', l);
  });
  cleanups.push(() => listeners.forEach((off) => off()));
  client.start();
  await waitUntil(() => client.connected, 8000, 'DTLS handshake');
  let messageId = 100;
  return {
    client,
    moveTo: (s: dgram.Socket) => (via = s),
    /** Sends a CoAP request over the session and returns the response code. */
    async request(code: string, path: string[], query: string[] = [], payload = ''): Promise<{ code: string; location: string[] }> {
      const options: NamedOption[] = [...path.map((p) => ({ name: 'Uri-Path' as const, value: Buffer.from(p) }))];
      if (payload) options.push({ name: 'Content-Format', value: Buffer.from([40]) });
      options.push(...query.map((q) => ({ name: 'Uri-Query' as const, value: Buffer.from(q) })));
      const seen = client.events.length;
      client.write(generate({ code, confirmable: true, messageId: ++messageId, token: Buffer.from([messageId]), options, payload: Buffer.from(payload) }));
      await waitUntil(() => client.events.slice(seen).some((e) => e.kind === 'data'), 5000, 'CoAP response');
      const data = client.events.slice(seen).find((e) => e.kind === 'data')!;
      const reply = parse((data as { data: Buffer }).data);
      return { code: reply.code, location: reply.options.filter((o) => o.name === 'Location-Path').map((o) => o.value.toString()) };
    },
  };
}

describe('a DTLS registration kept across a restart, and a Connection ID address change', () => {
  it('moves with its device to the new address before any Update, as one registered in this run would', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'coaps-restart-cid-'));
    CredentialStore.open(join(dataDir, 'credentials.json')).put({ endpoint: 'cid-dev', mode: 'psk', identity: 'cid-dev-id', keyHex: KEY.toString('hex') });
    const [home, moved] = [await socket(), await socket()];

    const first = await start(dataDir);
    const before = await device(first.coapsPort!, [home]);
    const reg = await before.request('0.02', ['rd'], ['ep=cid-dev', 'lt=300'], '</1/0>,</3/0>');
    expect(reg.code).toBe('2.01');
    const id = reg.location[1]!;
    before.client.close();
    await first.close();

    const second = await start(dataDir);
    cleanups.push(() => second.close());
    const events: RegistrationEvent[] = [];
    second.events.subscribe((e) => events.push(e));
    expect(second.store.getById(id)?.port).toBe(home.address().port);
    // After the restart the device makes a new session (the old one ended with the bridge)…
    const after = await device(second.coapsPort!, [home, moved]);
    expect(after.client.serverCid?.length).toBeGreaterThan(0);
    // …and its NAT maps it to another port: its next record, no Update, comes from there.
    after.moveTo(moved);
    await after.request('0.01', ['rd']);
    await waitUntil(() => second.store.getById(id)?.port === moved.address().port, 3000, 'the registration to follow the device');
    expect(events).toMatchObject([{ type: 'updated', registration: { id }, changes: { port: moved.address().port } }]);
  });
});
