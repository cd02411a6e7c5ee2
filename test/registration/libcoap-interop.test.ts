/**
 * Interop with an implementation nobody here wrote: libcoap's coap-client-notls (Debian
 * libcoap3-bin) registers, updates and de-registers against the running bridge.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bridge } from '../../bridge/src/bridge.js';
import { startTestBridge } from '../support/bridge-in-process.js';
import { runLibcoap } from '../support/libcoap.js';

let bridge: Bridge;
let base: string;

beforeAll(async () => {
  ({ bridge } = await startTestBridge());
  base = `coap://127.0.0.1:${bridge.coapPort}`;
});
afterAll(() => bridge.close());

const client = (args: string[]) => runLibcoap('coap-client-notls', ['-B', '5', ...args]);

describe('libcoap coap-client-notls against the bridge', () => {
  it('registers, updates and de-registers with the codes and Location-Path a device expects', async () => {
    const reg = await client(['-m', 'post', '-t', '40', '-e', '</1/0>,</3/0>', `${base}/rd?ep=libcoap-1&lt=60&lwm2m=1.1&b=U`]);
    expect(reg.code).toBe('2.01');
    expect(reg.locationPath[0]).toBe('rd');
    const id = reg.locationPath[1]!;
    expect(bridge.store.getById(id)).toMatchObject({ endpoint: 'libcoap-1', lifetime: 60, lwm2mVersion: '1.1', objectLinks: [{ objectId: 1, instanceId: 0 }, { objectId: 3, instanceId: 0 }] });

    const upd = await client(['-m', 'post', `${base}/rd/${id}?lt=120`]);
    expect(upd.code).toBe('2.04');
    expect(bridge.store.getById(id)?.lifetime).toBe(120);

    const del = await client(['-m', 'delete', `${base}/rd/${id}`]);
    expect(del.code).toBe('2.02');
    expect(bridge.store.getById(id)).toBeUndefined();

    expect((await client(['-m', 'delete', `${base}/rd/${id}`])).code).toBe('4.04');
  });

  it('registers a device with hundreds of objects using Block1', async () => {
    const file = join(tmpdir(), `lwm2m-big-${process.pid}.txt`);
    writeFileSync(file, Array.from({ length: 500 }, (_, i) => `</${1000 + i}/0>`).join(','));
    const reg = await client(['-m', 'post', '-t', '40', '-b', '512', '-f', file, `${base}/rd?ep=libcoap-big&lt=60`]);
    expect(reg.code).toBe('2.01');
    // RFC 7959 §2.3: the response to the last block echoes its Block1 option (block 9 of 512 bytes).
    expect(reg.lines.some((l) => / c:2\.01 .*Block1:9\/_\/512/.test(l))).toBe(true);
    expect(bridge.store.getByEndpoint('libcoap-big')?.objectLinks).toHaveLength(500);
  });

  it('gets 4.00 for a Register without endpoint name', async () => {
    expect((await client(['-m', 'post', '-t', '40', '-e', '</1/0>', `${base}/rd?lt=60`])).code).toBe('4.00');
  });
});
