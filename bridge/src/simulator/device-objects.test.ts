import { describe, expect, it } from 'vitest';
import { ContentFormat, decodePayload, encodeValue } from '../lwm2m/codecs/index.js';
import { ObjectRegistry } from '../model/object-registry.js';
import { DeviceObjects } from './device-objects.js';

const registry = new ObjectRegistry();
const published = registry.modelFor({ lwm2mVersion: '1.1', objectLinks: [{ objectId: 1, version: '1.1' }] }, 'published');
const draft = registry.modelFor({ lwm2mVersion: '1.0', objectLinks: [] }, 'draft');
const seed = { endpoint: 'dev', index: 7, serverUri: 'coap://127.0.0.1:5683', lifetime: 300, disableTimeout: 30, now: () => 1_700_000_000 };
const none = Buffer.alloc(0);

describe('DeviceObjects', () => {
  it('places the Server resources by name: Disable 4 / Binding 7 published, Disable 7 / DisableTimeout 8 draft', () => {
    const p = new DeviceObjects(published, seed);
    expect(p.handle('POST', { objectId: 1, instanceId: 0, resourceId: 4 }, undefined, undefined, none)).toMatchObject({ code: '2.04', effect: 'disable' });
    expect(p.handle('POST', { objectId: 1, instanceId: 0, resourceId: 7 }, undefined, undefined, none)).toMatchObject({ code: '4.05', effect: 'none' });
    expect(p.handle('GET', { objectId: 1, instanceId: 0, resourceId: 5 }, 0, undefined, none).payload?.toString()).toBe('30');
    const d = new DeviceObjects(draft, seed);
    expect(d.handle('POST', { objectId: 1, instanceId: 0, resourceId: 7 }, undefined, undefined, none)).toMatchObject({ code: '2.04', effect: 'disable' });
    expect(d.handle('GET', { objectId: 1, instanceId: 0, resourceId: 8 }, 0, undefined, none).payload?.toString()).toBe('30');
    expect(d.handle('GET', { objectId: 1, instanceId: 0, resourceId: 0 }, 0, undefined, none).payload?.toString()).toBe('coap://127.0.0.1:5683');
    expect(d.numberByName(1, 'Disable Timeout', 0)).toBe(30);
  });

  it('lists every object instance except Security in the Register payload, with ver= when not 1.0', () => {
    expect(new DeviceObjects(published, seed).registerLinks()).toBe('</1>;ver=1.1,</1/0>,</3/0>');
    expect(new DeviceObjects(draft, seed).registerLinks()).toBe('</1/0>,</3/0>');
  });

  it('reads Current Time from the clock', () => {
    const r = new DeviceObjects(published, seed).handle('GET', { objectId: 3, instanceId: 0, resourceId: 13 }, 0, undefined, none);
    expect(r.payload?.toString()).toBe('1700000000');
  });

  it('reports a Lifetime write as an effect only when the value changes', () => {
    const o = new DeviceObjects(published, seed);
    const path = { objectId: 1, instanceId: 0, resourceId: 1 };
    expect(o.handle('PUT', path, undefined, 0, Buffer.from('300'))).toMatchObject({ code: '2.04', effect: 'none' });
    expect(o.handle('PUT', path, undefined, 0, Buffer.from('90'))).toMatchObject({ code: '2.04', effect: 'lifetimeChanged' });
    expect(o.numberByName(1, 'Lifetime', 0)).toBe(90);
  });

  it('creates and deletes an object instance, refusing to delete the Server account', () => {
    const o = new DeviceObjects(published, seed);
    const payload = encodeValue(ContentFormat.TLV, { objectId: 1 }, { kind: 'object', id: 1, instances: [{ kind: 'instance', id: 5, resources: [{ kind: 'resource', id: 1, value: { type: 'integer', value: 99 } }] }] }, published);
    expect(payload.ok).toBe(true);
    if (!payload.ok) return;
    expect(o.handle('POST', { objectId: 1 }, undefined, ContentFormat.TLV, payload.payload)).toMatchObject({ code: '2.01', locationPath: ['1', '5'] });
    expect(o.handle('GET', { objectId: 1, instanceId: 5, resourceId: 1 }, 0, undefined, none).payload?.toString()).toBe('99');
    expect(o.handle('POST', { objectId: 3 }, undefined, ContentFormat.TLV, none).code).toBe('4.05'); // Device is single-instance
    expect(o.handle('DELETE', { objectId: 1, instanceId: 0 }, undefined, undefined, none).code).toBe('4.05');
    expect(o.handle('DELETE', { objectId: 1, instanceId: 9 }, undefined, undefined, none).code).toBe('4.04');
  });

  it('answers a Read of the whole Server object in SenML JSON that decodes back', () => {
    const o = new DeviceObjects(published, seed);
    const r = o.handle('GET', { objectId: 1 }, ContentFormat.SENML_JSON, undefined, none);
    expect(r.code).toBe('2.05');
    const back = decodePayload(ContentFormat.SENML_JSON, { objectId: 1 }, r.payload!, published);
    expect(back.ok && back.node.kind === 'object' && back.node.instances[0]?.resources.find((x) => x.id === 7)).toEqual({
      kind: 'resource',
      id: 7,
      value: { type: 'string', value: 'U' },
    });
  });
});
