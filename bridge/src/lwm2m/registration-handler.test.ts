import { describe, expect, it } from 'vitest';
import type { Registration } from '@lwm2m-console/shared';
import { ExpiryWheel } from '../registry/expiry-wheel.js';
import { MemoryRegistrationStore } from '../registry/memory-registration-store.js';
import { RegistrationHandler, type Peer, type RegistrationPolicy } from './registration-handler.js';

const peer: Peer = { address: '192.0.2.1', port: 5683, transport: 'coap' };
const links = (s: string) => new TextEncoder().encode(s);

function setup(policy?: RegistrationPolicy) {
  let clock = 1_000_000;
  let n = 0;
  const store = new MemoryRegistrationStore();
  const expiry = new ExpiryWheel(clock);
  const handler = new RegistrationHandler({ store, expiry, now: () => clock, newId: () => `id${++n}`, policy });
  const register = (query: string[], payload = '</1/0>,</3/0>', p = peer) => handler.register({ query, payload: links(payload), contentFormat: 40, peer: p });
  return {
    store,
    handler,
    register,
    advance: (ms: number) => (clock += ms),
    get now() {
      return clock;
    },
  };
}

describe('RegistrationHandler', () => {
  it('registers with 2.01 and a Location-Path rd/{id}, and records the source address', () => {
    const t = setup();
    const r = t.register(['ep=dev1', 'lt=60']);
    expect(r.outcome).toEqual({ ok: true, code: '2.01', locationPath: ['rd', 'id1'] });
    expect(r.events).toHaveLength(1);
    expect(r.events[0]).toMatchObject({ type: 'registered', registration: { endpoint: 'dev1', lifetime: 60, address: '192.0.2.1', port: 5683, transport: 'coap' } });
    const reg = t.store.getByEndpoint('dev1')!;
    expect(reg.expiresAt).toBe(t.now + 60_000);
    expect(reg.rawRegister).toEqual({ query: 'ep=dev1&lt=60', payload: '</1/0>,</3/0>', at: t.now });
  });

  it('replaces an existing registration of the same endpoint: the old one ends with reason replaced', () => {
    const t = setup();
    t.register(['ep=dev1']);
    const r = t.register(['ep=dev1', 'lt=30']);
    expect(r.events.map((e) => e.type)).toEqual(['ended', 'registered']);
    expect(r.events[0]).toMatchObject({ type: 'ended', reason: 'replaced', registration: { id: 'id1' } });
    expect(t.store.size).toBe(1);
    expect(t.store.getById('id1')).toBeUndefined();
    expect(t.store.getById('id2')?.lifetime).toBe(30);
  });

  it('refuses a Register without payload, with a wrong content format, or with malformed links', () => {
    const t = setup();
    expect(t.handler.register({ query: ['ep=a'], payload: new Uint8Array(), peer }).outcome).toMatchObject({ code: '4.00' });
    expect(t.handler.register({ query: ['ep=a'], payload: links('{}'), contentFormat: 50, peer }).outcome).toMatchObject({ code: '4.15' });
    expect(t.register(['ep=a'], '</1/0').outcome).toMatchObject({ code: '4.00' });
    expect(t.handler.register({ query: ['ep=a'], payload: new Uint8Array([0xff, 0xfe]), peer }).outcome).toMatchObject({ code: '4.00' });
    expect(t.store.size).toBe(0);
  });

  it('updates only what is sent, reports the changes and restarts the lifetime', () => {
    const t = setup();
    t.register(['ep=dev1', 'lt=60']);
    t.advance(30_000);
    const r = t.handler.update('id1', { query: ['lt=120'], payload: new Uint8Array(), peer });
    expect(r.outcome).toEqual({ ok: true, code: '2.04' });
    expect(r.events[0]).toMatchObject({ type: 'updated', changes: { lifetime: 120 } });
    const reg = t.store.getById('id1')!;
    expect(reg.lifetime).toBe(120);
    expect(reg.binding).toBe('U');
    expect(reg.lastUpdateAt).toBe(t.now);
    expect(reg.expiresAt).toBe(t.now + 120_000);
  });

  it('records a new address and port sent by an Update and a new object list', () => {
    const t = setup();
    t.register(['ep=dev1']);
    const moved: Peer = { ...peer, address: '198.51.100.7', port: 40000 };
    const r = t.handler.update('id1', { query: [], payload: links('</1/0>,</3/0>,</5/0>'), contentFormat: 40, peer: moved });
    expect(r.events[0]).toMatchObject({ changes: { address: '198.51.100.7', port: 40000, objectLinks: expect.any(Array) } });
    expect(t.store.getById('id1')).toMatchObject({ address: '198.51.100.7', port: 40000 });
  });

  it('reports an Update that changes nothing with empty changes', () => {
    const t = setup();
    t.register(['ep=dev1', 'lt=60']);
    expect(t.handler.update('id1', { query: ['lt=60'], payload: new Uint8Array(), peer }).events[0]).toMatchObject({ changes: {} });
  });

  it('answers 4.04 for an unknown registration and 4.00 for invalid Update parameters', () => {
    const t = setup();
    expect(t.handler.update('nope', { query: [], payload: new Uint8Array(), peer }).outcome).toMatchObject({ code: '4.04' });
    expect(t.handler.deregister('nope', peer).outcome).toMatchObject({ code: '4.04' });
    t.register(['ep=dev1']);
    expect(t.handler.update('id1', { query: ['lt=-1'], payload: new Uint8Array(), peer }).outcome).toMatchObject({ code: '4.00' });
  });

  it('de-registers with 2.02 and reason deregistered', () => {
    const t = setup();
    t.register(['ep=dev1']);
    const r = t.handler.deregister('id1', peer);
    expect(r.outcome).toEqual({ ok: true, code: '2.02' });
    expect(r.events[0]).toMatchObject({ type: 'ended', reason: 'deregistered' });
    expect(t.store.size).toBe(0);
  });

  it('lets a classifier turn a De-register into a disable with the expected return time', () => {
    let clock = 0;
    const store = new MemoryRegistrationStore();
    const handler = new RegistrationHandler({
      store,
      expiry: new ExpiryWheel(0),
      now: () => clock,
      newId: () => 'x',
      classifyDeregister: (_r, now) => ({ reason: 'disabled', expectedBackAt: now + 3000 }),
    });
    handler.register({ query: ['ep=a'], payload: links('</1/0>'), peer });
    clock = 500;
    expect(handler.deregister('x', peer).events[0]).toMatchObject({ reason: 'disabled', expectedBackAt: 3500 });
  });

  it('expires a registration with no Update within its lifetime, and not before', () => {
    const t = setup();
    t.register(['ep=dev1', 'lt=10']);
    t.advance(9_000);
    expect(t.handler.expireDue(100)).toEqual([]);
    t.advance(1_000);
    const events = t.handler.expireDue(100);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'ended', reason: 'expired', registration: { endpoint: 'dev1' } });
    expect(t.store.size).toBe(0);
  });

  it('does not expire a registration whose Update restarted the lifetime', () => {
    const t = setup();
    t.register(['ep=dev1', 'lt=10']);
    t.advance(8_000);
    t.handler.update('id1', { query: [], payload: new Uint8Array(), peer });
    t.advance(8_000);
    expect(t.handler.expireDue(100)).toEqual([]);
    t.advance(3_000);
    expect(t.handler.expireDue(100)).toHaveLength(1);
  });

  it('drains an expiry storm in bounded chunks', () => {
    const t = setup();
    for (let i = 0; i < 250; i++) t.register([`ep=d${i}`, 'lt=5']);
    t.advance(6_000);
    expect(t.handler.expireDue(100)).toHaveLength(100);
    expect(t.handler.expireDue(100)).toHaveLength(100);
    expect(t.handler.expireDue(100)).toHaveLength(50);
    expect(t.store.size).toBe(0);
  });

  it('refuses with 4.03 what the policy forbids and changes nothing', () => {
    const policy: RegistrationPolicy = {
      authorizeRegister: (ep) => (ep === 'locked' ? { ok: false, reason: 'endpoint has credentials' } : { ok: true }),
      authorizeChange: (reg: Registration, p: Peer) => (p.port === reg.port ? { ok: true } : { ok: false, reason: 'not the owner' }),
    };
    const t = setup(policy);
    expect(t.register(['ep=locked']).outcome).toMatchObject({ code: '4.03' });
    t.register(['ep=open']);
    const other: Peer = { ...peer, port: 1 };
    expect(t.handler.update('id1', { query: ['lt=5'], payload: new Uint8Array(), peer: other }).outcome).toMatchObject({ code: '4.03' });
    expect(t.handler.deregister('id1', other).outcome).toMatchObject({ code: '4.03' });
    expect(t.store.getById('id1')?.lifetime).toBe(86400);
  });
});
