import { existsSync, lstatSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Registration } from '@lwm2m-console/shared';
import { describe, expect, it } from 'vitest';
import { RegistrationHandler, type Peer, type RegistrationPolicy } from '../lwm2m/registration-handler.js';
import { CredentialStore } from '../security/credential-store.js';
import { SecurityPolicy } from '../security/security-policy.js';
import { ExpiryWheel } from './expiry-wheel.js';
import { PackedRegistrationStore } from './packed-registration-store.js';
import { newRegistrationId } from './registration-id.js';
import { createLogger } from '../log.js';
import { REGISTRATIONS_FILE, saveRegistrations, saveRegistrationsToFile, takeRegistrations } from './registration-file.js';

const T0 = 1_800_000_000_000;
const plain: Peer = { address: '192.0.2.1', port: 5683, transport: 'coap' };
const overDtls = (identity: string): Peer => ({ address: '192.0.2.9', port: 40000, transport: 'coaps', security: { mode: 'psk', identity, cipherSuite: 'TLS_PSK_WITH_AES_128_CCM_8' } });
const payload = new TextEncoder().encode('</1/0>,</3/0>');

/** One run of the bridge's registry: a real packed store, expiry wheel and handler on a fake clock. */
function registry(clock: { now: number }, options: { policy?: RegistrationPolicy; newId?: () => string } = {}) {
  const store = new PackedRegistrationStore();
  const handler = new RegistrationHandler({ store, expiry: new ExpiryWheel(clock.now), now: () => clock.now, newId: options.newId ?? newRegistrationId, policy: options.policy });
  const register = (ep: string, lt: number, peer = plain) => {
    const r = handler.register({ query: [`ep=${ep}`, `lt=${lt}`], payload, contentFormat: 40, peer });
    if (!r.outcome.ok || r.outcome.code !== '2.01') throw new Error(`register ${ep}: ${JSON.stringify(r.outcome)}`);
    return r.outcome.locationPath[1]!;
  };
  return { store, handler, register };
}

const folder = () => join(mkdtempSync(join(tmpdir(), 'registrations-')), 'data');

describe('registration file', () => {
  it('carries registrations to the next run under the same ids, privately, and is gone once read', () => {
    const clock = { now: T0 };
    const file = join(folder(), REGISTRATIONS_FILE);
    const first = registry(clock);
    const ids = ['dev-1', 'dev-2', 'dev-3'].map((ep) => first.register(ep, 300));
    expect(saveRegistrations(file, first.store.packedEntries(), clock.now)).toMatchObject({ registrations: 3 });
    expect(statSync(file).mode & 0o777).toBe(0o600);

    clock.now += 60_000; // the bridge was down for a minute
    const second = registry(clock);
    const report = takeRegistrations(file, clock.now, (list) => second.handler.restore(list));
    expect(report).toEqual({ restored: 3, expired: 0, refused: 0, duplicates: 0, unreadable: 0, incomplete: false });
    expect(existsSync(file)).toBe(false);
    expect(ids.map((id) => second.store.getById(id)?.endpoint)).toEqual(['dev-1', 'dev-2', 'dev-3']);
    expect(second.store.getById(ids[0]!)).toEqual(first.store.getById(ids[0]!));
    expect(second.handler.update(ids[0]!, { query: [], payload: new Uint8Array(), peer: plain }).outcome).toEqual({ ok: true, code: '2.04' });
  });

  it('expires a restored registration at its old deadline, as if the bridge had never stopped', () => {
    const clock = { now: T0 };
    const file = join(folder(), REGISTRATIONS_FILE);
    const first = registry(clock);
    first.register('dev-1', 100);
    saveRegistrations(file, first.store.packedEntries(), clock.now);
    clock.now += 30_000;
    const second = registry(clock);
    takeRegistrations(file, clock.now, (list) => second.handler.restore(list));
    clock.now = T0 + 99_000;
    expect(second.handler.expireDue(100)).toEqual([]);
    clock.now = T0 + 100_000;
    expect(second.handler.expireDue(100)).toMatchObject([{ type: 'ended', reason: 'expired', registration: { endpoint: 'dev-1' } }]);
  });

  it('does not restore a registration whose lifetime ran out while the bridge was down, and counts it', () => {
    const clock = { now: T0 };
    const file = join(folder(), REGISTRATIONS_FILE);
    const first = registry(clock);
    first.register('short', 60);
    first.register('long', 3600);
    saveRegistrations(file, first.store.packedEntries(), clock.now);
    clock.now += 120_000;
    const second = registry(clock);
    expect(takeRegistrations(file, clock.now, (list) => second.handler.restore(list))).toMatchObject({ restored: 1, expired: 1 });
    expect(second.store.getByEndpoint('short')).toBeUndefined();
    expect(second.store.getByEndpoint('long')).toBeDefined();
  });

  it('writes no file for an empty registry, and removes one an earlier stop left', () => {
    const file = join(folder(), REGISTRATIONS_FILE);
    const clock = { now: T0 };
    const first = registry(clock);
    first.register('dev-1', 300);
    saveRegistrations(file, first.store.packedEntries(), clock.now);
    expect(saveRegistrations(file, registry(clock).store.packedEntries(), clock.now)).toEqual({ registrations: 0, bytes: 0 });
    expect(existsSync(file)).toBe(false);
    expect(takeRegistrations(file, clock.now, () => { throw new Error('nothing to restore'); })).toBeUndefined();
  });

  it('logs a save that hits a full disk and returns, leaving neither the file nor its temporary behind', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'registrations-')), REGISTRATIONS_FILE);
    // Every write to /dev/full fails with ENOSPC, as on a full disk.
    symlinkSync('/dev/full', `${file}.tmp`);
    const clock = { now: T0 };
    const run = registry(clock);
    for (let i = 0; i < 50; i++) run.register(`dev-${i}`, 300);
    const lines: string[] = [];
    expect(saveRegistrationsToFile(file, run.store.packedEntries(), clock.now, createLogger('info', (l) => lines.push(l)))).toBeUndefined();
    expect(lines.join('\n')).toMatch(/registrations not saved.*ENOSPC/);
    expect(existsSync(file)).toBe(false);
    expect(() => lstatSync(`${file}.tmp`)).toThrow();
  });

  it('removes the half-written file of a save that was cut short, and never reads it', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'registrations-')), REGISTRATIONS_FILE);
    writeFileSync(`${file}.tmp`, '{"format":"lwm2m-console/registrations","version":1,"savedAt":0}\n[-1,["AAAA', { mode: 0o600 });
    expect(takeRegistrations(file, T0, () => { throw new Error('nothing to restore'); })).toBeUndefined();
    expect(existsSync(`${file}.tmp`)).toBe(false);
  });

  it('drops a file that is not a registrations file whole, and deletes it', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'registrations-')), REGISTRATIONS_FILE);
    writeFileSync(file, '{"version":1,"sessions":[{"id":"AAAA"\n[-1,[]]\n', { mode: 0o600 });
    const second = registry({ now: T0 });
    expect(takeRegistrations(file, T0, (list) => second.handler.restore(list))).toMatchObject({ restored: 0, error: 'not a registrations file' });
    expect(existsSync(file)).toBe(false);
  });

  it('reads a large registry written in many chunks, and skips a line too long to be a record', () => {
    const clock = { now: T0 };
    const file = join(folder(), REGISTRATIONS_FILE);
    const first = registry(clock);
    for (let i = 0; i < 20_000; i++) first.register(`dev-${i}`, 3600);
    const saved = saveRegistrations(file, first.store.packedEntries(), clock.now);
    expect(saved.bytes).toBeGreaterThan(2 << 20);
    const text = readFileSync(file, 'utf8').split('\n');
    text.splice(5, 0, `[-1,["${'x'.repeat(5 << 20)}"]]`); // 5 MiB in one line, in the middle of the file
    writeFileSync(file, text.join('\n'));
    const second = registry(clock);
    const report = takeRegistrations(file, clock.now, (list) => second.handler.restore(list));
    expect(report).toMatchObject({ restored: 20_000, unreadable: 1 });
    expect(second.store.getByEndpoint('dev-19999')?.id).toBe(first.store.getByEndpoint('dev-19999')?.id);
  });

  it('keeps ids and endpoints unique: a record naming a held id or endpoint again is not taken', () => {
    const clock = { now: T0 };
    const first = registry(clock);
    first.register('dev-1', 300);
    const r = first.store.getByEndpoint('dev-1')!;
    const second = registry(clock);
    expect(second.handler.restore([r, { ...r, endpoint: 'dev-2' }, { ...r, id: 'BBBBBBBBBBB' }])).toEqual({ restored: 1, expired: 0, refused: 0, duplicates: 2 });
  });

  it('never gives a new Register an id a restored registration holds', () => {
    const clock = { now: T0 };
    const first = registry(clock);
    const held = first.register('dev-1', 300);
    const draws = [held, 'CCCCCCCCCCC'];
    const second = registry(clock, { newId: () => draws.shift() ?? newRegistrationId() });
    second.handler.restore([first.store.getById(held)!]);
    expect(second.register('dev-2', 300)).toBe('CCCCCCCCCCC');
    expect(second.store.getById(held)?.endpoint).toBe('dev-1');
  });

  it("holds restored registrations to today's credentials: a deleted credential's DTLS registration is not taken back", () => {
    const clock = { now: T0 };
    const credentials = CredentialStore.open(undefined, () => clock.now);
    credentials.put({ endpoint: 'kept', mode: 'psk', identity: 'kept-id', keyHex: '6b657931' });
    credentials.put({ endpoint: 'deleted', mode: 'psk', identity: 'deleted-id', keyHex: '6b657932' });
    const policy = new SecurityPolicy(credentials, { allowUnsecured: true });
    const first = registry(clock, { policy });
    first.register('kept', 300, overDtls('kept-id'));
    first.register('deleted', 300, overDtls('deleted-id'));
    first.register('plain', 300);
    const saved: Registration[] = [...first.store.values()];

    credentials.remove('deleted'); // the operator removed it while the bridge was down
    const second = registry(clock, { policy });
    expect(second.handler.restore(saved)).toMatchObject({ restored: 2, refused: 1 });
    expect(second.store.getByEndpoint('deleted')).toBeUndefined();
    expect(second.store.getByEndpoint('kept')?.security).toMatchObject({ mode: 'psk', identity: 'kept-id' });

    // with unsecured registration switched off at the restart, the plain-CoAP one goes too
    const strict = registry(clock, { policy: new SecurityPolicy(credentials, { allowUnsecured: false }) });
    expect(strict.handler.restore(saved)).toMatchObject({ restored: 1, refused: 2 });
  });
});
