/**
 * Registrations survive a restart of the bridge: a device registers with libcoap's client
 * (nobody's code here) against one bridge process, the bridge stops and saves its registry, a
 * new bridge on the same data folder starts, and the device's next Update under its old
 * Location-Path is answered 2.04; the console's first snapshot already shows it.
 */
import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Bridge } from '../../bridge/src/bridge.js';
import type { BridgeConfig } from '../../bridge/src/config.js';
import { TestClient } from '../../bridge/src/console/console-test-kit.js';
import { REGISTRATIONS_FILE } from '../../bridge/src/registry/registration-file.js';
import { CoapTestClient, locationOf } from '../support/coap-test-client.js';
import { restartableBridges } from '../support/bridge-in-process.js';
import { runLibcoap } from '../support/libcoap.js';

const bridges = restartableBridges();
const clients: { close(): void }[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await bridges.closeAll();
});
const start = (dataDir: string, overrides: Partial<BridgeConfig> = {}) => bridges.start(dataDir, overrides);
const stop = (b: Bridge) => bridges.stop(b);

const notls = (args: string[]) => runLibcoap('coap-client-notls', ['-B', '5', ...args]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('registrations across a bridge restart', () => {
  it("keeps a device's registration: same id in the console's first snapshot, noted in its timeline, its Update answered 2.04, the saved file private and gone once read", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'restart-'));
    const first = await start(dataDir);
    const reg = await notls(['-m', 'post', '-t', '40', '-e', '</1/0>,</3/0>', `coap://127.0.0.1:${first.bridge.coapPort}/rd?ep=restart-dev&lt=300`]);
    expect(reg.code).toBe('2.01');
    const id = reg.locationPath[1]!;
    await stop(first.bridge);
    expect(first.log.some((l) => /registrations saved for the next start registrations=1 /.test(l))).toBe(true);
    const file = join(dataDir, REGISTRATIONS_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const second = await start(dataDir);
    expect(existsSync(file)).toBe(false);
    expect(second.log.find((l) => l.includes('registrations restored from the last run'))).toMatch(/restored=1 expiredWhileStopped=0 unreadable=0 noLongerAllowed=0/);
    const console = await TestClient.connect(`${second.bridge.console!.url.replace('http', 'ws')}/ws`);
    clients.push(console);
    const snapshot = await console.next('snapshot');
    expect(snapshot.registrations).toMatchObject([{ id, endpoint: 'restart-dev', transport: 'coap', lifetime: 300 }]);
    console.sendJson({ type: 'getDevice', v: 1, requestId: 'd1', endpoint: 'restart-dev' });
    expect((await console.next('device')).timeline).toMatchObject([{ kind: 'note', registrationId: id, detail: 'kept across a restart of the bridge' }]);

    const update = await notls(['-m', 'post', `coap://127.0.0.1:${second.bridge.coapPort}/rd/${id}?lt=600`]);
    expect(update.code).toBe('2.04');
    expect(second.bridge.store.getById(id)).toMatchObject({ endpoint: 'restart-dev', lifetime: 600 });
    const late = await console.next('delta');
    expect(late.events).toMatchObject([{ kind: 'updated', registration: { id, lifetime: 600 } }]);
  });

  it('lets a registration whose lifetime ended while the bridge was down go, and the device registers again', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'restart-expired-'));
    const first = await start(dataDir);
    const device = await CoapTestClient.open(first.bridge.coapPort);
    clients.push(device);
    const shortLived = locationOf(await device.request({ path: ['rd'], query: ['ep=short-lived', 'lt=2'], contentFormat: 40, payload: '</1/0>' }))[1]!;
    const longLived = locationOf(await device.request({ path: ['rd'], query: ['ep=long-lived', 'lt=300'], contentFormat: 40, payload: '</1/0>' }))[1]!;
    await stop(first.bridge);
    await sleep(2_100); // longer than short-lived's lifetime

    const second = await start(dataDir);
    expect(second.bridge.store.getById(shortLived)).toBeUndefined();
    expect(second.bridge.store.getById(longLived)?.endpoint).toBe('long-lived');
    expect(second.log.find((l) => l.includes('registrations restored from the last run'))).toMatch(/restored=1 expiredWhileStopped=1 /);
    const again = await notls(['-m', 'post', `coap://127.0.0.1:${second.bridge.coapPort}/rd/${shortLived}`]);
    expect(again.code).toBe('4.04');
  });

  it('still saves the registrations when closing the console fails during the stop', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'restart-failed-close-'));
    const first = await start(dataDir);
    const device = await CoapTestClient.open(first.bridge.coapPort);
    clients.push(device);
    const id = locationOf(await device.request({ path: ['rd'], query: ['ep=kept', 'lt=300'], contentFormat: 40, payload: '</1/0>' }))[1]!;
    const consoleServer = first.bridge.console!;
    const closeConsole = consoleServer.close.bind(consoleServer);
    consoleServer.close = async () => {
      await closeConsole();
      throw new Error('console close failed');
    };
    await expect(stop(first.bridge)).rejects.toThrow('console close failed');
    expect(existsSync(join(dataDir, REGISTRATIONS_FILE))).toBe(true);

    const second = await start(dataDir);
    expect(second.bridge.store.getById(id)?.endpoint).toBe('kept');
  });

  it('starts empty and removes the saved file when keeping registrations is switched off', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'restart-off-'));
    const first = await start(dataDir);
    const reg = await notls(['-m', 'post', '-t', '40', '-e', '</1/0>', `coap://127.0.0.1:${first.bridge.coapPort}/rd?ep=off-dev&lt=300`]);
    await stop(first.bridge);
    expect(existsSync(join(dataDir, REGISTRATIONS_FILE))).toBe(true);

    const second = await start(dataDir, { keepRegistrations: false });
    expect(second.bridge.store.size).toBe(0);
    expect(existsSync(join(dataDir, REGISTRATIONS_FILE))).toBe(false);
    expect((await notls(['-m', 'post', `coap://127.0.0.1:${second.bridge.coapPort}/rd/${reg.locationPath[1]}`])).code).toBe('4.04');
    await stop(second.bridge);
    expect(existsSync(join(dataDir, REGISTRATIONS_FILE))).toBe(false);
  });

  it('starts with an empty registry from a damaged file, says so, and removes it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'restart-damaged-'));
    writeFileSync(join(dataDir, REGISTRATIONS_FILE), '\u0000\u0001not json at all\n[-1,[', { mode: 0o600 });
    const { bridge, log } = await start(dataDir);
    expect(bridge.store.size).toBe(0);
    expect(existsSync(join(dataDir, REGISTRATIONS_FILE))).toBe(false);
    expect(log.find((l) => l.includes('saved registrations ignored'))).toMatch(/WARN .*error="not a registrations file"/);
  });
});
