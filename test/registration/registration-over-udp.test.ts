/**
 * The registration interface over real UDP sockets on loopback, against a running bridge.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bridge } from '../../bridge/src/bridge.js';
import type { RegistrationEvent } from '@lwm2m-console/shared';
import { CoapTestClient, locationOf } from '../support/coap-test-client.js';
import { startTestBridge, waitUntil } from '../support/bridge-in-process.js';

let bridge: Bridge;
let events: RegistrationEvent[];
let client: CoapTestClient;

beforeAll(async () => {
  ({ bridge, events } = await startTestBridge());
  client = await CoapTestClient.open(bridge.coapPort);
});
afterAll(async () => {
  client.close();
  await bridge.close();
});

const register = (ep: string, extra: string[] = [], payload = '</1/0>,</3/0>') =>
  client.request({ path: ['rd'], query: [`ep=${ep}`, ...extra], contentFormat: 40, payload });

describe('registration over UDP', () => {
  it('answers Register with a piggybacked 2.01 and Location-Path rd/{id}', async () => {
    const reply = await register('udp-dev1', ['lt=60']);
    expect(reply.ack).toBe(true);
    expect(reply.code).toBe('2.01');
    const location = locationOf(reply);
    expect(location[0]).toBe('rd');
    expect(location[1]).toMatch(/^[A-Za-z0-9_-]{11}$/);
    const reg = bridge.store.getByEndpoint('udp-dev1')!;
    expect(reg).toMatchObject({ id: location[1], lifetime: 60, address: '127.0.0.1', port: client.localPort, transport: 'coap' });
  });

  it('gives each registration a different unguessable id', async () => {
    const a = locationOf(await register('udp-id-a'))[1];
    const b = locationOf(await register('udp-id-b'))[1];
    expect(a).not.toBe(b);
  });

  it('updates with 2.04, and de-registers with 2.02, then answers 4.04 for the gone id', async () => {
    const id = locationOf(await register('udp-dev2'))[1]!;
    const update = await client.request({ path: ['rd', id], query: ['lt=120', 'b=UQ'] });
    expect(update.code).toBe('2.04');
    expect(bridge.store.getById(id)).toMatchObject({ lifetime: 120, binding: 'UQ', queueMode: true });
    await waitUntil(() => events.some((e) => e.type === 'updated' && e.registration.id === id));
    const ev = events.find((e) => e.type === 'updated' && e.registration.id === id);
    expect(ev).toMatchObject({ changes: { lifetime: 120, binding: 'UQ', queueMode: true } });

    expect((await client.request({ code: '0.04', path: ['rd', id] })).code).toBe('2.02');
    expect(events.find((e) => e.type === 'ended' && e.registration.id === id)).toMatchObject({ reason: 'deregistered' });
    expect((await client.request({ code: '0.04', path: ['rd', id] })).code).toBe('4.04');
    expect((await client.request({ path: ['rd', id] })).code).toBe('4.04');
  });

  it('replaces the registration of an endpoint that registers again', async () => {
    const first = locationOf(await register('udp-dev3'))[1]!;
    const second = locationOf(await register('udp-dev3'))[1]!;
    expect(second).not.toBe(first);
    expect(bridge.store.getById(first)).toBeUndefined();
    expect(events.find((e) => e.type === 'ended' && e.registration.id === first)).toMatchObject({ reason: 'replaced' });
  });

  it.each([
    ['a missing endpoint', { query: ['lt=60'] }, '4.00'],
    ['a non-numeric lifetime', { query: ['ep=x', 'lt=soon'] }, '4.00'],
    ['an out-of-range lifetime', { query: ['ep=x', 'lt=0'] }, '4.00'],
    ['malformed link format', { query: ['ep=x'], payload: '</1/0' }, '4.00'],
    ['a wrong content format', { query: ['ep=x'], contentFormat: 50, payload: '{}' }, '4.15'],
    ['an unsupported LwM2M version', { query: ['ep=x', 'lwm2m=9.9'] }, '4.12'],
    ['an invalid binding', { query: ['ep=x', 'b=Z'] }, '4.00'],
  ])('refuses a Register with %s and says why', async (_what, o, code) => {
    const reply = await client.request({ path: ['rd'], contentFormat: 40, payload: '</1/0>', ...o });
    expect(reply.code).toBe(code);
    expect(reply.payload.toString().length).toBeGreaterThan(0);
    expect(bridge.store.getByEndpoint('x')).toBeUndefined();
  });

  it('answers 4.05 for a wrong method on a known path and 4.04 for unknown paths', async () => {
    expect((await client.request({ code: '0.01', path: ['rd'] })).code).toBe('4.05');
    const id = locationOf(await register('udp-dev4'))[1]!;
    expect((await client.request({ code: '0.03', path: ['rd', id] })).code).toBe('4.05');
    expect((await client.request({ code: '0.01', path: ['nope'] })).code).toBe('4.04');
  });

  it('answers a retransmitted Register from the response cache without registering twice', async () => {
    const msg = client.build({ path: ['rd'], query: ['ep=udp-dup'], contentFormat: 40, payload: '</1/0>' });
    const before = events.filter((e) => e.type === 'registered').length;
    client.sendRaw(msg);
    client.sendRaw(msg);
    client.sendRaw(msg);
    const mid = msg.readUInt16BE(2);
    const replies = [];
    for (let i = 0; i < 3; i++) replies.push(await client.waitFor((p) => p.messageId === mid));
    expect(new Set(replies.map((r) => locationOf(r).join('/'))).size).toBe(1);
    await new Promise((r) => setTimeout(r, 50));
    expect(events.filter((e) => e.type === 'registered').length - before).toBe(1);
    expect(bridge.coap.stats.duplicates).toBeGreaterThanOrEqual(2);
  });

  it('also deduplicates a non-confirmable Register', async () => {
    const msg = client.build({ confirmable: false, path: ['rd'], query: ['ep=udp-non'], contentFormat: 40, payload: '</1/0>' });
    const before = events.filter((e) => e.type === 'registered').length;
    client.sendRaw(msg);
    client.sendRaw(msg);
    const token = msg.subarray(4, 6);
    await client.waitFor((p) => p.token.equals(token));
    await client.waitFor((p) => p.token.equals(token));
    expect(events.filter((e) => e.type === 'registered').length - before).toBe(1);
  });

  it('reassembles a Block1 Register of several kilobytes (hundreds of objects)', async () => {
    const payload = Array.from({ length: 600 }, (_, i) => `</${1000 + i}/0>`).join(',');
    expect(payload.length).toBeGreaterThan(4000);
    const token = Buffer.from([0xb1, 0x0c]);
    const size = 1024;
    let reply;
    for (let num = 0; num * size < payload.length; num++) {
      const more = (num + 1) * size < payload.length;
      const block = Buffer.from([(num << 4) | (more ? 0x08 : 0) | 6]);
      reply = await client.request({
        path: ['rd'],
        query: ['ep=udp-big'],
        contentFormat: 40,
        token,
        payload: payload.slice(num * size, (num + 1) * size),
        extraOptions: [{ name: 'Block1', value: block }],
      });
      if (more) expect(reply.code).toBe('2.31');
    }
    expect(reply!.code).toBe('2.01');
    expect(bridge.store.getByEndpoint('udp-big')?.objectLinks).toHaveLength(600);
  });

  it('refuses a Block1 transfer that would exceed the body limit with 4.13', async () => {
    const reply = await client.request({
      path: ['rd'],
      query: ['ep=udp-huge'],
      contentFormat: 40,
      payload: 'x'.repeat(16),
      extraOptions: [{ name: 'Block1', value: Buffer.from([0x40, 0x0e]) }], // num 1024, more, 1 KiB
    });
    expect(reply.code).toBe('4.13');
  });

  it('answers a Block1 transfer with a missing block with 4.08 and keeps serving', async () => {
    const token = Buffer.from([0x0b, 0xad]);
    const first = await client.request({ path: ['rd'], query: ['ep=udp-gap'], contentFormat: 40, token, payload: '</1/0>,'.repeat(10).slice(0, 64), extraOptions: [{ name: 'Block1', value: Buffer.from([0x0a]) }] });
    expect(first.code).toBe('2.31');
    const last = await client.request({ path: ['rd'], query: ['ep=udp-gap'], contentFormat: 40, token, payload: '</3/0>', extraOptions: [{ name: 'Block1', value: Buffer.from([0x22]) }] });
    expect(last.code).toBe('4.08');
    expect((await register('udp-after-gap')).code).toBe('2.01');
  });

  it('survives garbage datagrams and then serves a valid Register', async () => {
    const garbage = [
      Buffer.alloc(0),
      Buffer.from([0xff]),
      Buffer.from('GET / HTTP/1.1\r\n\r\n'),
      Buffer.from([0x40, 0x01, 0x00]),
      Buffer.from([0x4f, 0x02, 0, 1, 1, 2, 3]),
      Buffer.from([0x40, 0x02, 0x12, 0x34, 0xff]),
      Buffer.from([0x40, 0x02, 0x12, 0x35, 0xd1, 0xff]),
      Buffer.from([0x60, 0x45, 0x00, 0x01]),
      Buffer.alloc(1500, 0x41),
    ];
    for (let i = 0; i < 200; i++) garbage.push(Buffer.from(Array.from({ length: 1 + (i % 60) }, () => Math.floor(Math.random() * 256))));
    for (const g of garbage) client.sendRaw(g);
    await new Promise((r) => setTimeout(r, 100));
    client.drain();
    expect((await register('udp-after-garbage')).code).toBe('2.01');
    expect(bridge.coap.stats.malformed).toBeGreaterThan(5);
  });

  it('answers a malformed confirmable message with Reset and a CoAP ping with Reset', async () => {
    client.sendRaw(Buffer.from([0x40, 0x02, 0x55, 0x66, 0xff]));
    expect(await client.waitFor((p) => p.messageId === 0x5566)).toMatchObject({ reset: true });
    client.sendRaw(Buffer.from([0x40, 0x00, 0x55, 0x67]));
    expect(await client.waitFor((p) => p.messageId === 0x5567)).toMatchObject({ reset: true });
  });

  it('expires a registration that sends no Update within its lifetime, within a second of its deadline', async () => {
    const reply = await register('udp-short', ['lt=1']);
    const id = locationOf(reply)[1]!;
    const reg = bridge.store.getById(id)!;
    await waitUntil(() => events.some((e) => e.type === 'ended' && e.registration.id === id), 4000, 'expiry');
    const ended = events.find((e) => e.type === 'ended' && e.registration.id === id)!;
    expect(ended).toMatchObject({ reason: 'expired' });
    expect(ended.at - reg.expiresAt).toBeGreaterThanOrEqual(0);
    expect(ended.at - reg.expiresAt).toBeLessThan(1000 + 250);
    expect((await client.request({ path: ['rd', id] })).code).toBe('4.04');
  });

  it('records a new source port sent by an Update and reports it as changed', async () => {
    const id = locationOf(await register('udp-nat'))[1]!;
    const moved = await CoapTestClient.open(bridge.coapPort);
    try {
      expect((await moved.request({ path: ['rd', id] })).code).toBe('2.04');
      expect(bridge.store.getById(id)?.port).toBe(moved.localPort);
      const ev = events.filter((e) => e.type === 'updated' && e.registration.id === id).at(-1);
      expect(ev).toMatchObject({ changes: { port: moved.localPort } });
    } finally {
      moved.close();
    }
  });
});
