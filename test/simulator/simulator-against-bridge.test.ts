import { afterEach, describe, expect, it } from 'vitest';
import type { RegistrationEvent } from '@lwm2m-console/shared';
import type { Bridge } from '../../bridge/src/bridge.js';
import { startSimulator, type Simulator } from '../../bridge/src/simulator/simulator.js';
import { startTestBridge, waitUntil } from '../support/bridge-in-process.js';

let bridge: Bridge | undefined;
let sim: Simulator | undefined;

afterEach(async () => {
  await sim?.stop();
  await bridge?.close();
  sim = undefined;
  bridge = undefined;
});

describe('simulator against the real bridge', () => {
  it('registers, updates with a changed lifetime and de-registers 20 devices', async () => {
    const started = await startTestBridge();
    bridge = started.bridge;
    const events: RegistrationEvent[] = started.events;
    sim = startSimulator({ count: 20, server: { host: '127.0.0.1', port: bridge.coapPort }, lifetime: 60, prefix: 'real-' });
    expect(await sim.started).toBe(20);
    expect(bridge.store.size).toBe(20);
    const reg = events.find((e) => e.type === 'registered' && e.registration.endpoint === 'real-0007');
    expect(reg?.type === 'registered' && reg.registration).toMatchObject({
      lifetime: 60,
      lwm2mVersion: '1.1',
      binding: 'U',
      port: sim.devices[7]!.localPort,
    });
    expect(reg?.type === 'registered' && reg.registration.objectLinks).toEqual(
      expect.arrayContaining([expect.objectContaining({ objectId: 1, version: '1.1' }), expect.objectContaining({ objectId: 3, instanceId: 0 })]),
    );
    // Each device's Location-Path is the bridge's registration id.
    expect(sim.devices[7]!.location).toBe(`/rd/${reg?.registration.id}`);
    expect(await sim.devices[3]!.update()).toBe(true);
    await waitUntil(() => events.some((e) => e.type === 'updated' && e.registration.endpoint === 'real-0003'), 2000, 'updated event');
    await sim.stop();
    await waitUntil(() => bridge!.store.size === 0, 3000, 'all de-registered');
    expect(events.filter((e) => e.type === 'ended' && e.reason === 'deregistered')).toHaveLength(20);
  });
});
