import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RegistrationEvent } from '@lwm2m-console/shared';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../log.js';
import { AWAY_RESTORE_GRACE_MS, collectAwaySnapshot } from '../lwm2m/away-snapshot.js';
import { DisableTracker } from '../lwm2m/disable-tracker.js';
import { RegistrationHandler, type Peer } from '../lwm2m/registration-handler.js';
import { ExpiryWheel } from '../registry/expiry-wheel.js';
import { PackedRegistrationStore } from '../registry/packed-registration-store.js';
import { newRegistrationId } from '../registry/registration-id.js';
import {
  AWAY_DEVICES_FILE,
  AWAY_RESTORED_NOTE,
  MAX_AWAY_FILE_BYTES,
  removeAwayDevicesFile,
  restoreAwayDevicesFromFile,
  restoreAwayRows,
  saveAwayDevices,
  saveAwayDevicesToFile,
  takeAwayDevices,
} from './away-file.js';
import { AwayDevices } from './away-devices.js';
import { EndpointTimelines } from './endpoint-timelines.js';

const T0 = 1_800_000_000_000;
const plain: Peer = { address: '192.0.2.1', port: 5683, transport: 'coap' };
const payload = new TextEncoder().encode('</1/0>,</3/0>');

/**
 * One run of the bridge's Disable path on a fake clock, wired as bridge.ts wires it: handler,
 * tracker, and the console's rows fed from the handler's events.
 */
function run(clock: { now: number }) {
  const store = new PackedRegistrationStore();
  const disables = new DisableTracker();
  const rows = new AwayDevices();
  const timelines = new EndpointTimelines();
  const handler = new RegistrationHandler({
    store,
    expiry: new ExpiryWheel(clock.now),
    now: () => clock.now,
    newId: newRegistrationId,
    classifyDeregister: (registration, at) => disables.classifyDeregister(registration.id, at),
    returningFromDisable: (endpoint) => disables.returned(endpoint),
  });
  const events: RegistrationEvent[] = [];
  const publish = (list: RegistrationEvent[]) => {
    for (const e of list) {
      events.push(e);
      rows.record(e);
      timelines.record(e);
    }
  };
  const register = (ep: string) => {
    const r = handler.register({ query: [`ep=${ep}`, 'lt=300'], payload, contentFormat: 40, peer: plain });
    publish(r.events);
    if (!r.outcome.ok || r.outcome.code !== '2.01') throw new Error(`register ${ep}: ${JSON.stringify(r.outcome)}`);
    return r.outcome.locationPath[1]!;
  };
  const deregister = (id: string) => publish(handler.deregister(id, plain).events);
  /** Disable executed now, answered; the device de-registers 40 ms later. */
  const disable = (id: string, timeoutS: number) => {
    disables.expect(id, store.getById(id)!.endpoint, clock.now, clock.now + timeoutS * 1000);
    clock.now += 40;
    deregister(id);
  };
  return { store, disables, rows, timelines, handler, events, register, deregister, disable, hub: { away: rows, timelines } };
}

const folder = () => mkdtempSync(join(tmpdir(), 'away-'));
const logged = () => {
  const lines: string[] = [];
  return { lines, log: createLogger('info', (l) => lines.push(l)) };
};

describe('away-devices file', () => {
  it('carries a device away after a Disable to the next run: listed with the same expected return, its return recognised as the end of the Disable', () => {
    const clock = { now: T0 };
    const file = join(folder(), AWAY_DEVICES_FILE);
    const first = run(clock);
    const id = first.register('dev-1');
    first.register('stays');
    first.disable(id, 3600);
    const expectedBackAt = T0 + 3_600_000;
    expect(first.rows.list()).toMatchObject([{ endpoint: 'dev-1', disabledAt: T0 + 40, expectedBackAt }]);
    expect(saveAwayDevices(file, collectAwaySnapshot(first.disables, first.rows), clock.now)).toMatchObject({ away: 1, pending: 0 });
    expect(statSync(file).mode & 0o777).toBe(0o600);

    clock.now += 60_000;
    const second = run(clock);
    const { lines, log } = logged();
    const devices = restoreAwayDevicesFromFile(file, clock.now, second.disables, log);
    expect(existsSync(file)).toBe(false);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/INFO  away devices restored from the last run restored=1 dropped=0 overdue=0 unreadable=0 pendingDisables=0$/);
    expect(restoreAwayRows(second.hub, devices, (ep) => second.disables.isAway(ep), clock.now)).toBe(1);
    expect(second.rows.list()).toEqual(first.rows.list());
    expect(second.timelines.get('dev-1')).toMatchObject([{ kind: 'note', registrationId: id, detail: AWAY_RESTORED_NOTE }]);

    clock.now = expectedBackAt + 200;
    second.register('dev-1');
    expect(second.events.at(-1)).toMatchObject({ type: 'registered', returnedFromDisable: { disabledAt: T0, expectedBackAt } });
    expect(second.rows.list()).toEqual([]);
    expect(second.disables.isAway('dev-1')).toBe(false);
  });

  it('still calls the De-register of a Disable sent just before the stop a Disable', () => {
    const clock = { now: T0 };
    const file = join(folder(), AWAY_DEVICES_FILE);
    const first = run(clock);
    const id = first.register('slow');
    first.disables.expect(id, 'slow', clock.now, clock.now + 10_000);
    expect(saveAwayDevices(file, collectAwaySnapshot(first.disables, first.rows), clock.now)).toMatchObject({ away: 0, pending: 1 });

    clock.now += 5_000;
    const second = run(clock);
    // The registration itself comes back through registrations.jsonl; here it is handed over directly.
    expect(second.handler.restore(first.store.values()).restored).toBe(1);
    const { lines, log } = logged();
    restoreAwayDevicesFromFile(file, clock.now, second.disables, log);
    expect(lines[0]).toMatch(/restored=0 dropped=0 overdue=0 unreadable=0 pendingDisables=1$/);
    second.deregister(id);
    expect(second.events.at(-1)).toMatchObject({ type: 'ended', reason: 'disabled', expectedBackAt: T0 + 10_000 });
    expect(second.rows.list()).toMatchObject([{ endpoint: 'slow', expectedBackAt: T0 + 10_000 }]);
  });

  it('writes no file when nothing is away, and removes the one of an earlier stop', () => {
    const dir = folder();
    const file = join(dir, AWAY_DEVICES_FILE);
    writeFileSync(file, 'old');
    expect(saveAwayDevices(file, { away: [], pending: [] }, T0)).toEqual({ away: 0, pending: 0, bytes: 0 });
    expect(readdirSync(dir)).toEqual([]);
    expect(takeAwayDevices(file, T0)).toBeUndefined();
  });

  it('drops a damaged file with a warning, deletes it, and restores nothing', () => {
    const file = join(folder(), AWAY_DEVICES_FILE);
    writeFileSync(file, '\u0000\u0001not json at all\n{"away":', { mode: 0o600 });
    const tracker = new DisableTracker();
    const { lines, log } = logged();
    expect(restoreAwayDevicesFromFile(file, T0, tracker, log)).toEqual([]);
    expect(existsSync(file)).toBe(false);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/WARN  saved away devices ignored .*error="not an away-devices file"/);
    expect([...tracker.awayEndpoints()]).toEqual([]);
  });

  it('does not read a file larger than any it writes', () => {
    const file = join(folder(), AWAY_DEVICES_FILE);
    writeFileSync(file, Buffer.alloc(MAX_AWAY_FILE_BYTES + 1, 0x20));
    const { lines, log } = logged();
    expect(restoreAwayDevicesFromFile(file, T0, new DisableTracker(), log)).toEqual([]);
    expect(lines[0]).toMatch(/WARN  saved away devices ignored .*more than this bridge writes/);
    expect(existsSync(file)).toBe(false);
  });

  it('counts the devices it drops: overdue past the grace, and damaged entries', () => {
    const clock = { now: T0 };
    const file = join(folder(), AWAY_DEVICES_FILE);
    const first = run(clock);
    first.disable(first.register('long-gone'), 10);
    first.disable(first.register('tomorrow'), 2 * 86_400);
    saveAwayDevices(file, collectAwaySnapshot(first.disables, first.rows), clock.now);
    writeFileSync(file, readFileSync(file, 'utf8').replace('{"end":2}', '{"away":{"endpoint":"x"}}\n{"end":3}'));
    clock.now = T0 + 10_000 + AWAY_RESTORE_GRACE_MS + 1;
    const second = run(clock);
    const { lines, log } = logged();
    const devices = restoreAwayDevicesFromFile(file, clock.now, second.disables, log);
    expect(devices.map((d) => d.endpoint)).toEqual(['tomorrow']);
    expect(lines[0]).toMatch(/restored=1 dropped=2 overdue=1 unreadable=1 /);
    expect(second.disables.isAway('long-gone')).toBe(false);
  });

  it('gives the console no row for a device that came back before the console started', () => {
    const rows = new AwayDevices();
    const timelines = new EndpointTimelines();
    const row = { endpoint: 'quick', registration: { id: 'AAAAAAAAAAA', endpoint: 'quick', address: '192.0.2.1', port: 5683, transport: 'coap' as const, lwm2mVersion: '1.1' as const, binding: 'U', queueMode: false, lifetime: 60, registeredAt: T0, lastUpdateAt: T0, expiresAt: T0 + 60_000, objectCount: 2 }, disabledAt: T0, expectedBackAt: T0 + 1_000 };
    expect(restoreAwayRows({ away: rows, timelines }, [row], () => false, T0)).toBe(0);
    expect(rows.list()).toEqual([]);
    expect(timelines.has('quick')).toBe(false);
  });

  it('logs a failed save and goes on', () => {
    const dir = folder();
    const file = join(dir, 'not-a-folder', AWAY_DEVICES_FILE);
    writeFileSync(join(dir, 'not-a-folder'), '');
    const { lines, log } = logged();
    expect(saveAwayDevicesToFile(file, { away: [{ endpoint: 'a', disabledAt: T0, expectedBackAt: T0 }], pending: [] }, T0, log)).toBeUndefined();
    expect(lines[0]).toMatch(/WARN  away devices not saved/);
  });

  it('removes the file and temporaries a cut-short save left when keeping is switched off', () => {
    const dir = folder();
    const file = join(dir, AWAY_DEVICES_FILE);
    mkdirSync(join(dir, 'models'));
    writeFileSync(file, 'x');
    writeFileSync(`${file}.4242.tmp`, 'half');
    removeAwayDevicesFile(file);
    expect(readdirSync(dir)).toEqual(['models']);
  });
});
