/**
 * Downlink operations over real UDP: the bridge sends Read, Write, Execute, Discover and the
 * Disable flow to simulated devices through the socket they registered from.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RegistrationEvent } from '@lwm2m-console/shared';
import type { Bridge } from '../../bridge/src/bridge.js';
import type { BridgeConfig } from '../../bridge/src/config.js';
import { startSimulator, type Simulator } from '../../bridge/src/simulator/simulator.js';
import { startTestBridge, waitUntil } from '../support/bridge-in-process.js';
import { CoapTestClient } from '../support/coap-test-client.js';

let bridge: Bridge | undefined;
let sim: Simulator | undefined;
let events: RegistrationEvent[] = [];

afterEach(async () => {
  await sim?.stop();
  await bridge?.close();
  sim = undefined;
  bridge = undefined;
});

async function setup(options: { layout?: 'published' | 'draft'; disableTimeout?: number; bridge?: Partial<BridgeConfig> } = {}) {
  const started = await startTestBridge({ downlinkTimeoutMs: 1500, ...(options.layout ? { objectLayout: options.layout } : {}), ...options.bridge });
  bridge = started.bridge;
  events = started.events;
  sim = startSimulator({
    count: 1,
    server: { host: '127.0.0.1', port: bridge.coapPort },
    lifetime: 60,
    prefix: 'ops-',
    ...(options.layout ? { layout: options.layout } : {}),
    ...(options.disableTimeout !== undefined ? { disableTimeout: options.disableTimeout } : {}),
  });
  expect(await sim.started).toBe(1);
  return { endpoint: sim.devices[0]!.endpoint, b: bridge };
}

describe('device operations', () => {
  it('reads an instance and a single resource, decoded with names from the model', async () => {
    const { endpoint, b } = await setup();
    const instance = await b.operations.perform({ op: 'read', endpoint, path: '/3/0' }, 'test');
    expect(instance).toMatchObject({ ok: true, code: '2.05', value: { kind: 'instance', id: 0 } });
    expect(instance.value?.kind === 'instance' && instance.value.resources.length).toBeGreaterThan(3);
    const manufacturer = await b.operations.perform({ op: 'read', endpoint, path: '/3/0/0' }, 'test');
    expect(manufacturer).toMatchObject({ ok: true, contentFormat: 0, value: { kind: 'resource', id: 0, value: { type: 'string' } } });
  });

  it('writes the Lifetime and the device\'s next Update carries it', async () => {
    const { endpoint, b } = await setup();
    const r = await b.operations.perform({ op: 'write', endpoint, path: '/1/0/1', value: { type: 'integer', value: 120 } }, 'test');
    expect(r).toMatchObject({ ok: true, code: '2.04' });
    await waitUntil(() => b.store.getByEndpoint(endpoint)?.lifetime === 120, 3000, 'Update with lt=120');
    expect(events.find((e) => e.type === 'updated')).toMatchObject({ changes: { lifetime: 120 } });
    expect(b.audit.recent().at(-1)).toMatchObject({ actor: 'test', op: 'write', path: '/1/0/1', ok: true, code: '2.04' });
  });

  it('reports the 4.05 of a device whose resource 7 is Binding, not Disable', async () => {
    const { endpoint, b } = await setup();
    const r = await b.operations.perform({ op: 'execute', endpoint, path: '/1/0/7' }, 'test');
    expect(r).toMatchObject({ ok: false, code: '4.05', error: { code: 'DEVICE_ERROR' } });
    expect(b.audit.recent().at(-1)).toMatchObject({ op: 'execute', ok: false, code: '4.05' });
  });

  it('runs the Registration Update Trigger and sees the Update', async () => {
    const { endpoint, b } = await setup();
    const r = await b.operations.perform({ op: 'execute', endpoint, path: '/1/0/8' }, 'test');
    expect(r).toMatchObject({ ok: true, code: '2.04' });
    await waitUntil(() => events.some((e) => e.type === 'updated'), 3000, 'Update after trigger');
  });

  it('discovers the resources of an instance', async () => {
    const { endpoint, b } = await setup();
    const r = await b.operations.perform({ op: 'discover', endpoint, path: '/3/0' }, 'test');
    expect(r.ok).toBe(true);
    expect(r.links?.map((l) => l.path)).toEqual(expect.arrayContaining(['/3/0', '/3/0/0']));
  });

  it('refuses the Security object, bad paths and unregistered endpoints with clear errors', async () => {
    const { endpoint, b } = await setup();
    expect(await b.operations.perform({ op: 'read', endpoint, path: '/0/0' }, 't')).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await b.operations.perform({ op: 'read', endpoint, path: '/x/y' }, 't')).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await b.operations.perform({ op: 'execute', endpoint, path: '/1/0' }, 't')).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await b.operations.perform({ op: 'read', endpoint: 'nobody', path: '/3/0' }, 't')).toMatchObject({ ok: false, error: { code: 'NOT_REGISTERED' } });
    expect(await b.operations.perform({ op: 'read', endpoint, path: '/3/0/999' }, 't')).toMatchObject({ ok: false, code: '4.04' });
  });

  it('never returns the draft Server object\'s Security Key: refused by path, removed from instance reads', async () => {
    const { endpoint, b } = await setup({ layout: 'draft' });
    const key = await b.operations.perform({ op: 'read', endpoint, path: '/1/0/3' }, 'test');
    expect(key).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const write = await b.operations.perform({ op: 'write', endpoint, path: '/1/0/3', value: { type: 'opaque', value: 'c2VjcmV0' } }, 'test');
    expect(write).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const instance = await b.operations.perform({ op: 'read', endpoint, path: '/1/0' }, 'test');
    expect(instance.ok).toBe(true);
    const ids = instance.value?.kind === 'instance' ? instance.value.resources.map((r) => r.id) : [];
    expect(ids).toContain(1);
    expect(ids).not.toContain(3);
    const object = await b.operations.perform({ op: 'read', endpoint, path: '/1' }, 'test');
    expect(object.value?.kind === 'object' && object.value.instances.flatMap((i) => i.resources.map((r) => r.id))).not.toContain(3);
  });

  it('times out with a clear result when the device does not answer', async () => {
    const started = await startTestBridge({ downlinkTimeoutMs: 800 });
    bridge = started.bridge;
    const mute = await CoapTestClient.open(bridge.coapPort);
    try {
      expect((await mute.request({ path: ['rd'], query: ['ep=mute'], contentFormat: 40, payload: '</3/0>' })).code).toBe('2.01');
      const t0 = Date.now();
      const r = await bridge.operations.perform({ op: 'read', endpoint: 'mute', path: '/3/0/0' }, 't');
      expect(r).toMatchObject({ ok: false, error: { code: 'TIMEOUT' } });
      expect(Date.now() - t0).toBeLessThan(3000);
    } finally {
      mute.close();
    }
  });

  it.each(['published', 'draft'] as const)('disables a %s-layout device: it leaves with reason disabled and returns after its Disable Timeout', async (layout) => {
    const { endpoint, b } = await setup({ layout, disableTimeout: 2 });
    const firstId = b.store.getByEndpoint(endpoint)!.id;
    const before = Date.now();
    const r = await b.operations.perform({ op: 'disable', endpoint }, 'test');
    expect(r).toMatchObject({ ok: true, code: '2.04', path: layout === 'draft' ? '/1/0/7' : '/1/0/4' });
    expect(r.expectedBackAt! - before).toBeGreaterThanOrEqual(1900);
    expect(r.expectedBackAt! - before).toBeLessThan(3000);
    await waitUntil(() => events.some((e) => e.type === 'ended' && e.registration.id === firstId), 3000, 'de-register after disable');
    expect(events.find((e) => e.type === 'ended' && e.registration.id === firstId)).toMatchObject({ reason: 'disabled', expectedBackAt: r.expectedBackAt });
    await waitUntil(() => events.some((e) => e.type === 'registered' && e.registration.endpoint === endpoint && e.registration.id !== firstId), 6000, 'return');
    const back = events.find((e) => e.type === 'registered' && e.registration.id !== firstId)!;
    expect(back.type === 'registered' && back.returnedFromDisable).toMatchObject({ expectedBackAt: r.expectedBackAt });
    expect(back.at - r.expectedBackAt!).toBeGreaterThan(-500);
    expect(b.audit.recent().at(-1)).toMatchObject({ op: 'disable', ok: true });
  });
});
