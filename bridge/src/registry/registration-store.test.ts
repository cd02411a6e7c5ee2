import type { Registration } from '@lwm2m-console/shared';
import { describe, expect, it } from 'vitest';
import { MemoryRegistrationStore } from './memory-registration-store.js';
import { PackedRegistrationStore } from './packed-registration-store.js';
import type { RegistrationStore } from './registration-store.js';
import { fixtureLinks, fixtureRegistration } from './test-support.js';

const links = fixtureLinks;
const registration = fixtureRegistration;

describe.each([
  ['MemoryRegistrationStore', () => new MemoryRegistrationStore()],
  ['PackedRegistrationStore', () => new PackedRegistrationStore()],
] as const)('%s', (_name, make: () => RegistrationStore) => {
  it('finds a registration by id and by endpoint, with every field as stored', () => {
    const store = make();
    const r = registration('a1', 'dev-1', {
      smsNumber: '+15550100',
      contentFormats: [110, 112],
      extraAttributes: { apn: 'iot.example' },
      transport: 'coaps',
      security: { mode: 'psk', identity: 'dev-1', cipherSuite: 'TLS_PSK_WITH_AES_128_CCM_8', connectionId: true },
      rawLastUpdate: { query: 'lt=600', payload: '', at: 1_800_000_060_000 },
    });
    expect(store.put(r)).toBeUndefined();
    expect(store.getById('a1')).toEqual(r);
    expect(store.getByEndpoint('dev-1')).toEqual(r);
    expect(store.size).toBe(1);
  });

  it('replaces the registration of an endpoint that registers again and returns the old one', () => {
    const store = make();
    const first = registration('a1', 'dev-1');
    store.put(first);
    expect(store.put(registration('b2', 'dev-1', { lifetime: 60 }))).toEqual(first);
    expect(store.getById('a1')).toBeUndefined();
    expect(store.getByEndpoint('dev-1')?.id).toBe('b2');
    expect(store.size).toBe(1);
  });

  it('replaces in place under the same id and refuses a registration it does not hold', () => {
    const store = make();
    store.put(registration('a1', 'dev-1'));
    store.replace(registration('a1', 'dev-1', { lifetime: 90, address: '198.51.100.1' }));
    expect(store.getByEndpoint('dev-1')).toMatchObject({ lifetime: 90, address: '198.51.100.1' });
    expect(() => store.replace(registration('zz', 'dev-1'))).toThrow(/no registration zz/);
    expect(() => store.replace(registration('a1', 'dev-2'))).toThrow(/no registration a1/);
  });

  it('removes by id from both indexes, and removing a replaced id leaves the new registration alone', () => {
    const store = make();
    store.put(registration('a1', 'dev-1'));
    expect(store.removeById('a1')?.endpoint).toBe('dev-1');
    expect(store.getByEndpoint('dev-1')).toBeUndefined();
    expect(store.removeById('a1')).toBeUndefined();
    store.put(registration('b1', 'dev-2'));
    store.put(registration('b2', 'dev-2'));
    expect(store.removeById('b1')).toBeUndefined();
    expect(store.getByEndpoint('dev-2')?.id).toBe('b2');
    expect(store.size).toBe(1);
  });

  it('lists every registration it holds', () => {
    const store = make();
    for (let i = 0; i < 20_000; i++) store.put(registration(`id-${i}`, `dev-${i}`));
    for (let i = 0; i < 20_000; i += 2) store.removeById(`id-${i}`);
    const ids = [...store.values()].map((r) => r.id);
    expect(ids).toHaveLength(10_000);
    expect(new Set(ids).size).toBe(10_000);
    expect(ids.every((id) => Number(id.slice(3)) % 2 === 1)).toBe(true);
  });
});

describe('PackedRegistrationStore', () => {
  it('shares object links between reads instead of copying them into every record', () => {
    const store = new PackedRegistrationStore();
    store.put(registration('a1', 'dev-1'));
    store.put(registration('a2', 'dev-2'));
    expect(store.getById('a1')!.objectLinks).toBe(links);
    expect(store.getById('a2')!.objectLinks).toBe(links);
  });

  it('hands out copies: changing one read does not change what it holds', () => {
    const store = new PackedRegistrationStore();
    store.put(registration('a1', 'dev-1'));
    const read = store.getById('a1')!;
    read.lifetime = 1;
    read.extraAttributes.sneaky = 'yes';
    expect(store.getById('a1')).toMatchObject({ lifetime: 300, extraAttributes: {} });
  });
});
