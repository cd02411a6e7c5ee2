/**
 * Devices on IPv6 (common on NB-IoT and Thread networks): libcoap's clients register over CoAP
 * and over DTLS to a bridge listening on ::1, and the registration records the IPv6 address.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bridge } from '../../bridge/src/bridge.js';
import { startTestBridge } from '../support/bridge-in-process.js';
import { runLibcoap } from '../support/libcoap.js';

let bridge: Bridge;
beforeAll(async () => {
  ({ bridge } = await startTestBridge({ coapHost: '::1', coapsHost: '::1', coapsPort: 0 }));
  bridge.credentials.put({ endpoint: 'v6-secure', mode: 'psk', identity: 'v6-id', keyHex: Buffer.from('v6-secret').toString('hex') });
});
afterAll(() => bridge.close());

describe('IPv6', () => {
  it('registers a device over plain CoAP on ::1', async () => {
    const r = await runLibcoap('coap-client-notls', ['-B', '5', '-m', 'post', '-t', '40', '-e', '</1/0>', `coap://[::1]:${bridge.coapPort}/rd?ep=v6-plain&lt=60`]);
    expect(r.code).toBe('2.01');
    expect(bridge.store.getByEndpoint('v6-plain')).toMatchObject({ address: '::1', transport: 'coap' });
  });

  it.each(['coap-client-openssl', 'coap-client-gnutls'])('registers and de-registers a device over DTLS on ::1 with %s', async (bin) => {
    const ep = `v6-secure`;
    const r = await runLibcoap(bin, ['-B', '5', '-u', 'v6-id', '-k', 'v6-secret', '-m', 'post', '-t', '40', '-e', '</1/0>', `coaps://[::1]:${bridge.coapsPort}/rd?ep=${ep}&lt=60`]);
    expect(r.code).toBe('2.01');
    expect(bridge.store.getByEndpoint(ep)).toMatchObject({ address: '::1', transport: 'coaps', security: { mode: 'psk', identity: 'v6-id' } });
    const d = await runLibcoap(bin, ['-B', '5', '-u', 'v6-id', '-k', 'v6-secret', '-m', 'delete', `coaps://[::1]:${bridge.coapsPort}/rd/${r.locationPath[1]}`]);
    expect(d.code).toBe('2.02');
  });
});
