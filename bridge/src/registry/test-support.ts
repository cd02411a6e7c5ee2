/**
 * One registration fixture for the registry's and console's unit tests (store, snapshot, away
 * devices), so a field added to Registration is added in one place (not part of the runtime path).
 */
import type { ObjectLink, Registration } from '@lwm2m-console/shared';

/** The fixture's clock: every time in it is this or after. */
export const T0 = 1_800_000_000_000;

/** Frozen, as the store and the snapshot reader share them between registrations. */
export const fixtureLinks = Object.freeze([Object.freeze({ objectId: 1, instanceId: 0 }), Object.freeze({ objectId: 3, instanceId: 0, version: '1.1' })]) as ObjectLink[];

/** A plain-CoAP registration at T0 with a 300 s lifetime; `extra` sets any field. */
export function fixtureRegistration(id: string, endpoint: string, extra: Partial<Registration> = {}): Registration {
  return {
    id,
    endpoint,
    lifetime: 300,
    lwm2mVersion: '1.1',
    binding: 'U',
    queueMode: false,
    rootPath: '/',
    objectLinks: fixtureLinks,
    extraAttributes: {},
    address: '192.0.2.7',
    port: 5683,
    transport: 'coap',
    registeredAt: T0,
    lastUpdateAt: T0,
    expiresAt: T0 + 300_000,
    rawRegister: { query: `ep=${endpoint}&lt=300`, payload: '</1/0>,</3/0>;ver=1.1', at: T0 },
    ...extra,
  };
}
