/**
 * LwM2M registration over CoAPS through the real bridge on a lossy link, with libcoap's clients
 * (OpenSSL and GnuTLS builds, nobody's code here). The lossy relay (test/support/lossy-relay.ts)
 * loses (a) our final DTLS handshake flight, (b) the first 2.01 Created answering the Register;
 * the device must end up registered exactly once either way.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RegistrationEvent } from '@lwm2m-console/shared';
import type { Bridge } from '../../bridge/src/bridge.js';
import { startTestBridge } from '../support/bridge-in-process.js';
import { runLibcoap } from '../support/libcoap.js';
import { carries, type LossRule, type LossyRelay, startLossyRelay } from '../support/lossy-relay.js';

let bridge: Bridge;
let events: RegistrationEvent[];
let relay: LossyRelay | undefined;

beforeAll(async () => {
  ({ bridge, events } = await startTestBridge({ coapsPort: 0 }));
  // libcoap's -k takes the key as text: `secretkey`.
  bridge.credentials.put({ endpoint: 'lossy-dev', mode: 'psk', identity: 'lossy-dev-id', keyHex: Buffer.from('secretkey').toString('hex') });
});
afterAll(() => bridge.close());
afterEach(() => {
  relay?.stop();
  relay = undefined;
});

/** Registers `ep` through a relay with `plan`; -B bounds libcoap's wait. */
async function registerThrough(bin: string, plan: LossRule[]) {
  relay = await startLossyRelay({ serverPort: bridge.coapsPort!, plan });
  const before = events.length;
  const reply = await runLibcoap(bin, ['-B', '10', '-u', 'lossy-dev-id', '-k', 'secretkey', '-m', 'post', '-t', '40', '-e', '</1/0>,</3/0>', `coaps://127.0.0.1:${relay.port}/rd?ep=lossy-dev&lt=60`]);
  expect(relay.unfired(), relay.describe()).toEqual([]);
  return { reply, relay, registered: events.slice(before).filter((e) => e.type === 'registered') };
}

/** De-registers so the next test starts clean (and checks the registration is really usable). */
async function deregister(bin: string, id: string) {
  expect((await runLibcoap(bin, ['-B', '5', '-u', 'lossy-dev-id', '-k', 'secretkey', '-m', 'delete', `coaps://127.0.0.1:${bridge.coapsPort}/rd/${id}`])).code).toBe('2.02');
  expect(bridge.store.getByEndpoint('lossy-dev')).toBeUndefined();
}

describe.each(['coap-client-openssl', 'coap-client-gnutls'])('%s registering with PSK over a lossy link', (bin) => {
  it('registers once when our final handshake flight (CCS + Finished) is lost', async () => {
    const handshakesBefore = bridge.coaps!.transport.server.stats().handshakesStarted;
    const { reply, registered } = await registerThrough(bin, [{ label: 'our CCS + Finished flight', direction: 'toClient', match: carries.changeCipherSpec }]);
    expect(reply.code).toBe('2.01');
    expect(registered).toHaveLength(1);
    const id = registered[0]!.registration.id;
    expect(reply.locationPath).toEqual(['rd', id]);
    expect(bridge.store.getByEndpoint('lossy-dev')).toMatchObject({ id, transport: 'coaps', security: { mode: 'psk', identity: 'lossy-dev-id' } });
    // The client's resent Finished flight was answered, not taken for a new handshake.
    expect(bridge.coaps!.transport.server.stats().handshakesStarted - handshakesBefore).toBe(1);
    await deregister(bin, id);
  });

  it('answers the retransmitted CON Register with the same 2.01 and Location-Path when the first 2.01 is lost, registering once', async () => {
    const duplicatesBefore = bridge.coaps!.endpoint.stats.duplicates;
    const { reply, relay, registered } = await registerThrough(bin, [{ label: 'the first 2.01 to the Register', direction: 'toClient', match: carries.applicationData }]);
    // The Register went out at least twice (RFC 7252 §4.2 retransmission of a CON) ...
    expect(relay.trace.filter((d) => d.direction === 'toServer' && carries.applicationData(d)).length).toBeGreaterThanOrEqual(2);
    // ... the second copy was recognised as a duplicate (RFC 7252 §4.5) and answered from the cache ...
    expect(bridge.coaps!.endpoint.stats.duplicates - duplicatesBefore).toBeGreaterThanOrEqual(1);
    expect(reply.code).toBe('2.01');
    // The resent answer is the lost one again: same size under the same cipher (the cached response).
    const answers = relay.trace.filter((d) => d.direction === 'toClient' && carries.applicationData(d));
    expect(answers[1]?.length).toBe(answers[0]!.length);
    // ... with the Location-Path of the one registration it created.
    expect(registered).toHaveLength(1);
    const id = registered[0]!.registration.id;
    expect(reply.locationPath).toEqual(['rd', id]);
    expect(bridge.store.getByEndpoint('lossy-dev')?.id).toBe(id);
    expect([...bridge.store.values()].filter((r) => r.endpoint === 'lossy-dev')).toHaveLength(1);
    await deregister(bin, id);
  });

  it('answers the retransmitted De-register with the same 2.02 when the first 2.02 is lost, not 4.04', async () => {
    const { reply: reg, registered } = await registerThrough(bin, []);
    expect(reg.code).toBe('2.01');
    const id = registered[0]!.registration.id;
    relay?.stop();
    relay = await startLossyRelay({ serverPort: bridge.coapsPort!, plan: [{ label: 'the first 2.02 to the De-register', direction: 'toClient', match: carries.applicationData }] });
    const reply = await runLibcoap(bin, ['-B', '10', '-u', 'lossy-dev-id', '-k', 'secretkey', '-m', 'delete', `coaps://127.0.0.1:${relay.port}/rd/${id}`]);
    expect(relay.unfired(), relay.describe()).toEqual([]);
    expect(reply.code).toBe('2.02');
    expect(bridge.store.getByEndpoint('lossy-dev')).toBeUndefined();
    expect(events.filter((e) => e.type === 'ended' && e.registration.id === id)).toHaveLength(1);
  });
});
