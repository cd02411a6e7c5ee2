/**
 * The console's requests beyond the fleet, over a real WebSocket to a real bridge with a
 * simulated device: operations, audit pushed to every console, object models, credentials
 * (never a key back), the Disable flow's away list.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Bridge } from '../../bridge/src/bridge.js';
import { TestClient } from '../../bridge/src/console/console-test-kit.js';
import { startSimulator, type Simulator } from '../../bridge/src/simulator/simulator.js';
import { startTestBridge, waitUntil } from '../support/bridge-in-process.js';

let bridge: Bridge | undefined;
let sim: Simulator | undefined;
const clients: TestClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await sim?.stop();
  await bridge?.close();
  sim = undefined;
  bridge = undefined;
});

async function setup(disableTimeout = 60) {
  ({ bridge } = await startTestBridge({ downlinkTimeoutMs: 1500 }));
  sim = startSimulator({ count: 1, server: { host: '127.0.0.1', port: bridge.coapPort }, lifetime: 60, prefix: 'ws-', disableTimeout });
  await sim.started;
  const url = bridge.console!.url.replace('http', 'ws') + '/ws';
  const open = async () => {
    const c = await TestClient.connect(url);
    clients.push(c);
    await c.next('away');
    return c;
  };
  return { endpoint: sim.devices[0]!.endpoint, b: bridge, open };
}

describe('console services over the WebSocket', () => {
  it('runs a Read for the console and answers with the decoded value', async () => {
    const { endpoint, open } = await setup();
    const c = await open();
    c.sendJson({ type: 'operation', v: 1, requestId: 'r1', request: { op: 'read', endpoint, path: '/3/0/0' } });
    const r = await c.next('operationResult');
    expect(r).toMatchObject({ requestId: 'r1', result: { ok: true, code: '2.05', value: { kind: 'resource', id: 0 } } });
  });

  it("pushes one console's Execute to every console's audit log", async () => {
    const { endpoint, open } = await setup();
    const actor = await open();
    const watcher = await open();
    actor.sendJson({ type: 'operation', v: 1, requestId: 'x', request: { op: 'execute', endpoint, path: '/1/0/7' } });
    expect((await actor.next('operationResult')).result).toMatchObject({ ok: false, code: '4.05' });
    const pushed = await watcher.next('audit');
    expect(pushed.entries[0]).toMatchObject({ op: 'execute', path: '/1/0/7', code: '4.05', ok: false, endpoint });
    watcher.sendJson({ type: 'getAudit', v: 1, requestId: 'a' });
    expect((await watcher.next('audit')).entries.at(-1)).toMatchObject({ op: 'execute' });
  });

  it('gives the device page the object model in force, with names', async () => {
    const { endpoint, open } = await setup();
    const c = await open();
    c.sendJson({ type: 'getDevice', v: 1, requestId: 'd', endpoint });
    const d = await c.next('device');
    expect(d.layout).toBe('published');
    const server = d.objects?.find((o) => o.id === 1);
    expect(server?.resources.find((r) => r.id === 4)?.name).toBe('Disable');
  });

  it('keeps keys out of everything it sends back, and tells every console about credential changes', async () => {
    const { open, b } = await setup();
    const c = await open();
    const other = await open();
    c.sendJson({ type: 'putCredential', v: 1, requestId: 'p', credential: { endpoint: 'secure-9', mode: 'psk', identity: 'id-9', keyHex: 'a1b2c3d4e5f60718' } });
    expect(await c.next('credentialResult')).toMatchObject({ ok: true, credential: { endpoint: 'secure-9', identity: 'id-9' } });
    const pushed = await other.next('credentials');
    expect(pushed.credentials.map((x) => x.endpoint)).toContain('secure-9');
    expect(other.rawFrames.join('') + c.rawFrames.join('')).not.toContain('a1b2c3d4e5f60718');
    expect(b.credentials.pskKeyFor('id-9')?.toString('hex')).toBe('a1b2c3d4e5f60718');
    c.sendJson({ type: 'putCredential', v: 1, requestId: 'q', credential: { endpoint: 'secure-10', mode: 'psk', identity: 'id-10' } });
    expect(await c.next('credentialResult')).toMatchObject({ ok: false });
  });

  it('switches registration without DTLS off, and the bridge enforces it', async () => {
    const { open, b } = await setup();
    const c = await open();
    c.sendJson({ type: 'setAllowUnsecured', v: 1, requestId: 's', allow: false });
    expect(await c.next('credentialResult')).toMatchObject({ ok: true });
    expect(await c.next('credentials')).toMatchObject({ allowUnsecured: false });
    expect(b.security.allowUnsecured).toBe(false);
  });

  it('refuses a DDF upload that does not parse, with the reason', async () => {
    const { open } = await setup();
    const c = await open();
    c.sendJson({ type: 'uploadModel', v: 1, requestId: 'u', name: 'bad.xml', xml: '<LWM2M><Object>' });
    const r = await c.next('modelResult');
    expect(r.ok).toBe(false);
    expect(r.errors?.[0]).toContain('bad.xml');
  });

  it('lists a disabled device as away until it returns', async () => {
    const { endpoint, open } = await setup(2);
    const c = await open();
    c.sendJson({ type: 'operation', v: 1, requestId: 'dis', request: { op: 'disable', endpoint } });
    const r = await c.next('operationResult');
    expect(r.result).toMatchObject({ ok: true, code: '2.04' });
    await waitUntil(() => bridge!.store.getByEndpoint(endpoint) === undefined, 3000, 'de-register');
    c.sendJson({ type: 'resync', v: 1 });
    const away = await c.next('away');
    expect(away.devices).toMatchObject([{ endpoint, expectedBackAt: r.result.expectedBackAt }]);
    await waitUntil(() => bridge!.store.getByEndpoint(endpoint) !== undefined, 5000, 'return');
    c.sendJson({ type: 'resync', v: 1 });
    expect((await c.next('away')).devices).toEqual([]);
  });

  it('answers malformed operation requests with BAD_MESSAGE and keeps serving', async () => {
    const { open } = await setup();
    const c = await open();
    for (const request of [{ op: 'format-disk', endpoint: 'x' }, { op: 'write', endpoint: 'x', value: { type: 'integer', value: 'NaN' } }, { op: 'read' }, { op: 'write', endpoint: 'x', value: { kind: 'object', id: 1, instances: [{ kind: 'resource', id: 1 }] } }]) {
      c.sendJson({ type: 'operation', v: 1, requestId: 'bad', request });
      expect(await c.next('error')).toMatchObject({ code: 'BAD_MESSAGE' });
    }
    c.sendJson({ type: 'ping', v: 1 });
    await c.next('pong');
  });
});
