/**
 * CoAPS end to end: libcoap clients (OpenSSL and GnuTLS builds, nobody's code here) register,
 * update and de-register through our DTLS server, and the security rules hold.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegistrationEvent } from '@lwm2m-console/shared';
import type { Bridge } from '../../bridge/src/bridge.js';
import { startTestBridge } from '../support/bridge-in-process.js';
import { runLibcoap } from '../support/libcoap.js';

let bridge: Bridge;
let events: RegistrationEvent[];
let coaps: string;

beforeAll(async () => {
  ({ bridge, events } = await startTestBridge({ coapsPort: 0 }));
  coaps = `coaps://127.0.0.1:${bridge.coapsPort}`;
  // `secretkey` as hex: libcoap's -k takes the key as text.
  bridge.credentials.put({ endpoint: 'psk-dev', mode: 'psk', identity: 'psk-dev-id', keyHex: Buffer.from('secretkey').toString('hex') });
  bridge.credentials.put({ endpoint: 'psk-other', mode: 'psk', identity: 'other-id', keyHex: Buffer.from('otherkey').toString('hex') });
});
afterAll(() => bridge.close());

const psk = (bin: string, identity: string, key: string, args: string[]) => runLibcoap(bin, ['-B', '8', '-u', identity, '-k', key, ...args]);

describe.each(['coap-client-openssl', 'coap-client-gnutls'])('%s with PSK', (bin) => {
  it('registers, updates and de-registers over DTLS, and the registration shows the session security', async () => {
    const reg = await psk(bin, 'psk-dev-id', 'secretkey', ['-m', 'post', '-t', '40', '-e', '</1/0>,</3/0>', `${coaps}/rd?ep=psk-dev&lt=60`]);
    expect(reg.code).toBe('2.01');
    const id = reg.locationPath[1]!;
    expect(bridge.store.getById(id)).toMatchObject({
      endpoint: 'psk-dev',
      transport: 'coaps',
      security: { mode: 'psk', identity: 'psk-dev-id', cipherSuite: 'TLS_PSK_WITH_AES_128_CCM_8' },
    });
    // A new handshake with the same identity may update and de-register (issue 5).
    expect((await psk(bin, 'psk-dev-id', 'secretkey', ['-m', 'post', `${coaps}/rd/${id}?lt=90`])).code).toBe('2.04');
    expect(bridge.store.getById(id)?.lifetime).toBe(90);
    expect((await psk(bin, 'psk-dev-id', 'secretkey', ['-m', 'delete', `${coaps}/rd/${id}`])).code).toBe('2.02');
    expect(bridge.store.getById(id)).toBeUndefined();
  });

  it("refuses with 4.03 an identity that registers another endpoint's ep", async () => {
    const reg = await psk(bin, 'other-id', 'otherkey', ['-m', 'post', '-t', '40', '-e', '</1/0>', `${coaps}/rd?ep=psk-dev&lt=60`]);
    expect(reg.code).toBe('4.03');
    expect(bridge.store.getByEndpoint('psk-dev')).toBeUndefined();
  });

  it('lets no registration through with a wrong key', async () => {
    const before = events.length;
    await psk(bin, 'psk-dev-id', 'wrongkey', ['-m', 'post', '-t', '40', '-e', '</1/0>', `${coaps}/rd?ep=psk-dev&lt=60`]).catch(() => undefined);
    expect(bridge.store.getByEndpoint('psk-dev')).toBeUndefined();
    expect(events.slice(before).filter((e) => e.type === 'registered')).toHaveLength(0);
  });
});

describe('plain CoAP and credentials', () => {
  it('refuses a plain-CoAP Register for an endpoint that has credentials', async () => {
    const reg = await runLibcoap('coap-client-notls', ['-B', '5', '-m', 'post', '-t', '40', '-e', '</1/0>', `coap://127.0.0.1:${bridge.coapPort}/rd?ep=psk-dev`]);
    expect(reg.code).toBe('4.03');
  });

  it('refuses an Update of a DTLS registration from plain CoAP', async () => {
    const reg = await psk('coap-client-openssl', 'psk-dev-id', 'secretkey', ['-m', 'post', '-t', '40', '-e', '</1/0>', `${coaps}/rd?ep=psk-dev&lt=60`]);
    const id = reg.locationPath[1]!;
    const upd = await runLibcoap('coap-client-notls', ['-B', '5', '-m', 'post', `coap://127.0.0.1:${bridge.coapPort}/rd/${id}?lt=5`]);
    expect(upd.code).toBe('4.03');
    expect(bridge.store.getById(id)?.lifetime).toBe(60);
  });
});
