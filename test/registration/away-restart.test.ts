/**
 * A device away after a Disable stays in the console across a restart of the bridge: a simulated
 * device (seed B.1: answers the Disable, de-registers, stays silent for its Disable Timeout,
 * registers again) is disabled through one bridge process, the bridge stops while the device is
 * away and a new one starts on the same data folder and port; the console still lists the device
 * with the same expected return, and when the device comes back its return ends the Disable.
 */
import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeSummaryRow, type FleetEvent } from '@lwm2m-console/shared';
import { afterEach, describe, expect, it } from 'vitest';
import type { Bridge } from '../../bridge/src/bridge.js';
import { AWAY_DEVICES_FILE, AWAY_RESTORED_NOTE } from '../../bridge/src/console/away-file.js';
import { TestClient } from '../../bridge/src/console/console-test-kit.js';
import { startSimulator, type Simulator } from '../../bridge/src/simulator/simulator.js';
import { restartableBridges, waitUntil } from '../support/bridge-in-process.js';

const bridges = restartableBridges({ downlinkTimeoutMs: 1500 });
const clients: TestClient[] = [];
let sim: Simulator | undefined;
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await sim?.stop();
  sim = undefined;
  await bridges.closeAll();
});

async function consoleOf(bridge: Bridge): Promise<TestClient> {
  const client = await TestClient.connect(`${bridge.console!.url.replace('http', 'ws')}/ws`);
  clients.push(client);
  return client;
}

/** One simulated device registered with `bridge`, disabled for `disableTimeout` s; resolves once it has left. */
async function disabledDevice(bridge: Bridge, disableTimeout: number) {
  sim = startSimulator({ count: 1, server: { host: '127.0.0.1', port: bridge.coapPort }, lifetime: 60, prefix: 'away-', disableTimeout });
  expect(await sim.started).toBe(1);
  const endpoint = sim.devices[0]!.endpoint;
  const id = bridge.store.getByEndpoint(endpoint)!.id;
  const disable = await bridge.operations.perform({ op: 'disable', endpoint }, 'test');
  expect(disable).toMatchObject({ ok: true, code: '2.04' });
  await waitUntil(() => bridge.store.getByEndpoint(endpoint) === undefined, 3000, 'De-register after the Disable');
  return { endpoint, id, expectedBackAt: disable.expectedBackAt! };
}

describe('devices away after a Disable across a bridge restart', () => {
  it('still lists the device with the same expected return, and its return after the restart ends the Disable', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'away-restart-'));
    const first = await bridges.start(dataDir);
    const { endpoint, id, expectedBackAt } = await disabledDevice(first.bridge, 4);
    const coapPort = first.bridge.coapPort;
    await bridges.stop(first.bridge);
    expect(first.log.some((l) => /away devices saved for the next start away=1 pending=0 /.test(l))).toBe(true);
    const file = join(dataDir, AWAY_DEVICES_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    // The device registers again at its old server address: the new bridge takes the same port.
    const second = await bridges.start(dataDir, { coapPort });
    expect(Date.now()).toBeLessThan(expectedBackAt); // still away while the new bridge starts
    expect(existsSync(file)).toBe(false);
    expect(second.log.find((l) => l.includes('away devices restored from the last run'))).toMatch(/restored=1 dropped=0 /);
    const console = await consoleOf(second.bridge);
    await console.next('snapshot');
    const away = await console.next('away');
    expect(away.devices).toEqual([expect.objectContaining({ endpoint, expectedBackAt, registration: expect.objectContaining({ id, endpoint }) })]);
    console.sendJson({ type: 'getDevice', v: 1, requestId: 'd1', endpoint });
    const page = await console.next('device');
    expect(page.away).toMatchObject({ endpoint, expectedBackAt });
    expect(page.timeline).toMatchObject([{ kind: 'note', registrationId: id, detail: AWAY_RESTORED_NOTE }]);

    let back: Extract<FleetEvent, { kind: 'registered' }> | undefined;
    while (!back) {
      const delta = await console.next('delta', 10_000);
      back = delta.events.find((e): e is Extract<FleetEvent, { kind: 'registered' }> => e.kind === 'registered' && e.registration.endpoint === endpoint);
    }
    expect(back.returnedFromDisable).toEqual({ disabledAt: expect.any(Number), expectedBackAt });
    expect(back.at).toBeGreaterThanOrEqual(expectedBackAt - 500);
    console.sendJson({ type: 'getDevice', v: 1, requestId: 'd2', endpoint });
    const after = await console.next('device');
    expect(after.away).toBeUndefined();
    expect(after.timeline.at(-1)).toMatchObject({ kind: 'registered', detail: expect.stringMatching(/after Disable/) });
    const later = await consoleOf(second.bridge);
    expect((await later.next('away')).devices).toEqual([]);
    expect(second.bridge.disables.isAway(endpoint)).toBe(false);
  }, 20_000);

  it('keeps nothing when keeping registrations is switched off: the old file is removed, the device is not listed, and no file is written', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'away-restart-off-'));
    const first = await bridges.start(dataDir);
    const { endpoint } = await disabledDevice(first.bridge, 3600);
    await bridges.stop(first.bridge);
    const file = join(dataDir, AWAY_DEVICES_FILE);
    expect(existsSync(file)).toBe(true);

    const second = await bridges.start(dataDir, { keepRegistrations: false });
    expect(existsSync(file)).toBe(false);
    expect(second.log.some((l) => l.includes('away devices'))).toBe(false);
    const console = await consoleOf(second.bridge);
    expect((await console.next('away')).devices).toEqual([]);
    expect(second.bridge.disables.isAway(endpoint)).toBe(false);
    // A Disable in this run is not carried over either.
    second.bridge.disables.expect('AAAAAAAAAAA', 'other', Date.now(), Date.now() + 60_000);
    await bridges.stop(second.bridge);
    expect(existsSync(file)).toBe(false);
  });

  it('starts from a damaged file: unreadable entries are skipped with a count, a file that is not its format is dropped with a warning', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'away-restart-damaged-'));
    const file = join(dataDir, AWAY_DEVICES_FILE);
    const now = Date.now();
    const registration = { id: 'AAAAAAAAAAA', endpoint: 'ghost', address: '192.0.2.7', port: 5683, transport: 'coap' as const, lwm2mVersion: '1.1' as const, binding: 'U', queueMode: false, lifetime: 60, registeredAt: now - 1000, lastUpdateAt: now - 1000, expiresAt: now + 59_000, objectCount: 2 };
    writeFileSync(
      file,
      [
        JSON.stringify({ format: 'lwm2m-console/away-devices', version: 1, savedAt: now }),
        JSON.stringify({ away: { endpoint: 'ghost', disabledAt: now - 500, expectedBackAt: now + 3_600_000, leftAt: now - 400, registration: encodeSummaryRow(registration) } }),
        '{"away":{"endpoint":"bro\u0000ken","disabledAt":"soon"',
        JSON.stringify({ away: { endpoint: 'evil', disabledAt: now, expectedBackAt: now - 1 } }),
        '{"end":3}',
      ].join('\n'),
      { mode: 0o600 },
    );
    const first = await bridges.start(dataDir);
    expect(first.log.find((l) => l.includes('away devices restored'))).toMatch(/restored=1 dropped=2 overdue=0 unreadable=2 /);
    const console = await consoleOf(first.bridge);
    expect((await console.next('away')).devices).toMatchObject([{ endpoint: 'ghost', expectedBackAt: now + 3_600_000 }]);
    await bridges.stop(first.bridge);

    writeFileSync(file, '\u0000\u0001 not json {"away":', { mode: 0o600 });
    const second = await bridges.start(dataDir);
    expect(second.log.find((l) => l.includes('saved away devices ignored'))).toMatch(/WARN .*error="not an away-devices file"/);
    expect(existsSync(file)).toBe(false);
    expect((await (await consoleOf(second.bridge)).next('away')).devices).toEqual([]);
  });
});
