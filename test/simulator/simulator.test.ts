import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveResource } from '@lwm2m-console/shared';
import { ContentFormat, decodePayload, parseDiscover } from '../../bridge/src/lwm2m/codecs/index.js';
import { ObjectRegistry } from '../../bridge/src/model/object-registry.js';
import { startSimulator, type Simulator } from '../../bridge/src/simulator/simulator.js';
import { CoapTestServer } from './coap-test-server.js';

const registry = new ObjectRegistry();
let server: CoapTestServer;
let sim: Simulator | undefined;

beforeEach(async () => {
  server = new CoapTestServer();
  await server.start();
});

afterEach(async () => {
  await sim?.stop();
  sim = undefined;
  server.close();
});

/** Poll until a condition holds (device state changes after the server saw the request). */
async function until(cond: () => boolean, timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function run(opts: Partial<Parameters<typeof startSimulator>[0]> = {}) {
  sim = startSimulator({ count: 1, server: { host: '127.0.0.1', port: server.port }, lifetime: 60, ackTimeoutMs: 200, registry, ...opts });
  const ok = await sim.started;
  return { sim, ok, dev: sim.devices[0]! };
}

describe('simulator registration', () => {
  it('registers each device over UDP with ep, lt, lwm2m, b and a link payload with ver=', async () => {
    const { sim, ok } = await run({ count: 3, prefix: 'unit-' });
    expect(ok).toBe(3);
    const registers = server.received.filter((r) => r.path === '/rd');
    expect(registers.map((r) => r.query)).toEqual([
      ['ep=unit-0000', 'lt=60', 'lwm2m=1.1', 'b=U'],
      ['ep=unit-0001', 'lt=60', 'lwm2m=1.1', 'b=U'],
      ['ep=unit-0002', 'lt=60', 'lwm2m=1.1', 'b=U'],
    ]);
    expect(registers[0]?.payload).toBe('</1>;ver=1.1,</1/0>,</3/0>');
    expect(new Set(sim.devices.map((d) => d.localPort)).size).toBe(3);
    expect(sim.devices.map((d) => d.location)).toEqual(['/rd/r1', '/rd/r2', '/rd/r3']);
  });

  it('registers as LwM2M 1.0 without ver= in the draft layout', async () => {
    await run({ layout: 'draft' });
    const reg = await server.waitFor((r) => r.path === '/rd');
    expect(reg.query).toContain('lwm2m=1.0');
    expect(reg.payload).toBe('</1/0>,</3/0>');
  });

  it('sends an Update before the lifetime expires', async () => {
    const { dev } = await run({ lifetime: 2 });
    const up = await server.waitFor((r) => r.path === '/rd/r1' && r.code === '0.02', 3000);
    expect(up.at - server.received[0]!.at).toBeLessThan(2000);
    expect(up.query).toEqual([]);
    await until(() => dev.updates >= 1);
  });

  it('retransmits an unanswered Register with the same message id (RFC 7252 §4.2)', async () => {
    server.dropRegisters = 1;
    const { ok } = await run();
    expect(ok).toBe(1);
    const registers = server.received.filter((r) => r.path === '/rd');
    expect(registers).toHaveLength(2);
    expect(registers[1]!.messageId).toBe(registers[0]!.messageId);
    expect(registers[1]!.at - registers[0]!.at).toBeGreaterThanOrEqual(190);
  });

  it('de-registers every device on stop', async () => {
    const { sim } = await run({ count: 2 });
    await sim.stop();
    const deletes = server.received.filter((r) => r.code === '0.04').map((r) => r.path).sort();
    expect(deletes).toEqual(['/rd/r1', '/rd/r2']);
    expect(server.registrations.size).toBe(0);
  });
});

describe('simulator device management', () => {
  it('answers a TLV Read of /3/0 that the TLV codec decodes with the model', async () => {
    const { dev } = await run({ prefix: 'tlv-' });
    const r = await server.request(dev.localPort, 'GET', '/3/0', { accept: ContentFormat.TLV });
    expect(r?.code).toBe('2.05');
    expect(r?.format).toBe(ContentFormat.TLV);
    const model = registry.modelFor({ lwm2mVersion: '1.1', objectLinks: [{ objectId: 1, version: '1.1' }] });
    const node = decodePayload(ContentFormat.TLV, { objectId: 3, instanceId: 0 }, r!.payload, model);
    expect(node.ok).toBe(true);
    if (!node.ok || node.node.kind !== 'instance') return;
    const byName = (name: string) => node.node.kind === 'instance' && node.node.resources.find((x) => x.id === resolveResource(model, 3, name)?.id);
    expect(byName('Manufacturer')).toMatchObject({ value: { type: 'string', value: 'lwm2m-console' } });
    expect(byName('Serial Number')).toMatchObject({ value: { type: 'string', value: 'SN00000000' } });
    expect(byName('Available Power Sources')).toMatchObject({ kind: 'multipleResource', instances: [{ id: 0 }, { id: 1 }] });
    const now = Math.floor(Date.now() / 1000);
    const t = byName('Current Time');
    expect(t && t.kind === 'resource' && Math.abs((t.value.value as number) - now)).toBeLessThanOrEqual(2);
  });

  it('honours Accept: plain text for a resource, SenML JSON for an instance, 4.06 for text on an instance', async () => {
    const { dev } = await run();
    const text = await server.request(dev.localPort, 'GET', '/1/0/1', { accept: ContentFormat.TEXT });
    expect(text).toMatchObject({ code: '2.05', format: 0 });
    expect(text?.payload.toString()).toBe('60');
    const senml = await server.request(dev.localPort, 'GET', '/1/0', { accept: ContentFormat.SENML_JSON });
    expect(senml?.format).toBe(110);
    expect(JSON.parse(senml!.payload.toString())).toContainEqual({ n: '7', vs: 'U' });
    expect((await server.request(dev.localPort, 'GET', '/1/0', { accept: ContentFormat.TEXT }))?.code).toBe('4.06');
    const noAccept = await server.request(dev.localPort, 'GET', '/3/0/9');
    expect(noAccept?.format).toBe(0);
  });

  it('answers 4.04 for unknown paths and 4.01 for the Security object', async () => {
    const { dev } = await run();
    expect((await server.request(dev.localPort, 'GET', '/3/0/99'))?.code).toBe('4.04');
    expect((await server.request(dev.localPort, 'GET', '/9/0'))?.code).toBe('4.04');
    expect((await server.request(dev.localPort, 'GET', '/3/7'))?.code).toBe('4.04');
    expect((await server.request(dev.localPort, 'GET', '/rd/x'))?.code).toBe('4.04');
    expect((await server.request(dev.localPort, 'GET', '/0/0'))?.code).toBe('4.01');
  });

  it('answers 4.05 to Execute on /1/0/7 in the published layout, where 7 is Binding', async () => {
    const { dev } = await run();
    const r = await server.request(dev.localPort, 'POST', '/1/0/7');
    expect(r?.code).toBe('4.05');
    expect(dev.state).toBe('registered');
  });

  it('answers Discover with link format listing resources and dim', async () => {
    const { dev } = await run();
    const r = await server.request(dev.localPort, 'GET', '/3/0', { accept: ContentFormat.LINK_FORMAT });
    expect(r?.format).toBe(40);
    const links = parseDiscover(r!.payload.toString());
    expect(links.ok).toBe(true);
    if (!links.ok) return;
    expect(links.links[0]?.path).toEqual({ objectId: 3, instanceId: 0 });
    expect(links.links.find((l) => l.path.resourceId === 6)?.dim).toBe(2);
    expect(links.links.some((l) => l.path.resourceId === 4)).toBe(true); // Reboot is listed
  });

  it('applies a Write to Lifetime and sends an Update carrying lt=new', async () => {
    const { dev } = await run();
    const from = server.received.length;
    const w = await server.request(dev.localPort, 'PUT', '/1/0/1', { format: ContentFormat.TEXT, payload: '120' });
    expect(w?.code).toBe('2.04');
    const up = await server.waitFor((r) => r.path === '/rd/r1' && r.code === '0.02', 3000, from);
    expect(up.query).toEqual(['lt=120']);
    expect(dev.lifetime).toBe(120);
    await until(() => dev.updates === 1);
    // The next Update carries only changes: no lt any more.
    await dev.update();
    expect(dev.lastUpdateQuery).toEqual([]);
  });

  it('writes an instance in TLV and refuses to write read-only or undecodable values', async () => {
    const { dev } = await run();
    const tlv = Buffer.from('c1020ac10378', 'hex'); // /1/0/2 = 10, /1/0/3 = 120
    expect((await server.request(dev.localPort, 'POST', '/1/0', { format: ContentFormat.TLV, payload: tlv }))?.code).toBe('2.04');
    const read = await server.request(dev.localPort, 'GET', '/1/0/3', { accept: 0 });
    expect(read?.payload.toString()).toBe('120');
    expect((await server.request(dev.localPort, 'PUT', '/3/0/0', { format: 0, payload: 'x' }))?.code).toBe('4.05');
    expect((await server.request(dev.localPort, 'PUT', '/1/0/1', { format: 0, payload: 'soon' }))?.code).toBe('4.00');
    expect((await server.request(dev.localPort, 'PUT', '/1/0/1', { format: 9999, payload: '1' }))?.code).toBe('4.15');
    expect((await server.request(dev.localPort, 'DELETE', '/1/0'))?.code).toBe('4.05');
  });

  it('sends an Update when Registration Update Trigger is executed', async () => {
    const { dev } = await run();
    const from = server.received.length;
    expect((await server.request(dev.localPort, 'POST', '/1/0/8'))?.code).toBe('2.04');
    const up = await server.waitFor((r) => r.path === '/rd/r1' && r.code === '0.02', 2000, from);
    expect(up.query).toEqual([]);
  });
});

describe('simulator robustness', () => {
  it('executes a retransmitted request once and answers the duplicate from its cache (RFC 7252 §4.5)', async () => {
    const { dev } = await run();
    const from = server.received.length;
    const retransmission = { messageId: 4242, token: Buffer.from('cafe', 'hex') };
    const a = await server.request(dev.localPort, 'POST', '/1/0/8', retransmission);
    const b = await server.request(dev.localPort, 'POST', '/1/0/8', retransmission);
    expect([a?.code, b?.code]).toEqual(['2.04', '2.04']);
    await until(() => dev.updates >= 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(server.received.slice(from).filter((r) => r.path === '/rd/r1')).toHaveLength(1);
  });

  it('ignores malformed datagrams and keeps answering', async () => {
    const { dev } = await run();
    for (const junk of ['', 'ff', '40', '4501', '7fffffffffffffffffff', '40019999ff']) server.sendRaw(dev.localPort, Buffer.from(junk, 'hex'));
    const r = await server.request(dev.localPort, 'GET', '/3/0/0', { accept: 0 });
    expect(r?.payload.toString()).toBe('lwm2m-console');
  });

  it('accepts Write-Attributes on an existing resource and rejects unknown attributes', async () => {
    const { dev } = await run();
    expect((await server.request(dev.localPort, 'PUT', '/3/0/9', { query: ['pmin=10', 'pmax=60'] }))?.code).toBe('2.04');
    expect((await server.request(dev.localPort, 'PUT', '/3/0/9', { query: ['colour=red'] }))?.code).toBe('4.00');
    expect((await server.request(dev.localPort, 'PUT', '/3/0/77', { query: ['pmin=1'] }))?.code).toBe('4.04');
  });
});

describe('simulator Disable flow', () => {
  it('published layout: Execute /1/0/4 de-registers, stays silent, registers again after Disable Timeout', async () => {
    const { dev } = await run({ disableTimeout: 1 });
    const oldPort = dev.localPort;
    const from = server.received.length;
    const r = await server.request(dev.localPort, 'POST', '/1/0/4');
    expect(r?.code).toBe('2.04');
    const del = await server.waitFor((x) => x.code === '0.04', 2000, from);
    expect(del.path).toBe('/rd/r1');
    expect(dev.state).toBe('disabled');
    // Silent: a request to the old port gets no answer.
    expect(await server.request(oldPort, 'GET', '/3/0/0', {}, 300)).toBeUndefined();
    const reg = await server.waitFor((x) => x.path === '/rd' && x.at > del.at, 3000, from);
    expect(reg.at - del.at).toBeGreaterThanOrEqual(900);
    expect(reg.query).toContain('ep=sim-0000');
    await until(() => dev.state === 'registered');
    expect(dev.location).toBe('/rd/r2');
    expect(dev.localPort).not.toBe(oldPort);
    expect(dev.registrations).toBe(2);
  });

  it('draft layout: Disable is /1/0/7 and Disable Timeout /1/0/8, both resolved from the draft model', async () => {
    const { dev } = await run({ layout: 'draft', disableTimeout: 86400 });
    const ssid = await server.request(dev.localPort, 'GET', '/1/0/4', { accept: 0 });
    expect(ssid?.payload.toString()).toBe('1'); // draft 4 = Short Server ID
    expect((await server.request(dev.localPort, 'PUT', '/1/0/8', { format: 0, payload: '1' }))?.code).toBe('2.04');
    const from = server.received.length;
    expect((await server.request(dev.localPort, 'POST', '/1/0/7'))?.code).toBe('2.04');
    const del = await server.waitFor((x) => x.code === '0.04', 2000, from);
    const reg = await server.waitFor((x) => x.path === '/rd' && x.at > del.at, 3000, from);
    expect(reg.at - del.at).toBeGreaterThanOrEqual(900);
    expect((await server.request(dev.localPort, 'POST', '/1/0/4'))?.code).toBe('4.05');
  });
});
