/**
 * Registration factory for the console's tests and benchmark (which publish events on a real
 * RegistrationEventBus without going through CoAP).
 */
import type { Registration } from '@lwm2m-console/shared';

let counter = 0;

/** A plausible plain-CoAP registration for `endpoint`. */
export function fakeRegistration(endpoint: string, overrides: Partial<Registration> = {}, now: number = Date.now()): Registration {
  const lifetime = overrides.lifetime ?? 300;
  const id = overrides.id ?? `r${(++counter).toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  return {
    id,
    endpoint,
    lifetime,
    lwm2mVersion: '1.1',
    binding: 'U',
    queueMode: false,
    rootPath: '/',
    objectLinks: [
      { objectId: 1, instanceId: 0 },
      { objectId: 3, instanceId: 0 },
      { objectId: 5 },
    ],
    extraAttributes: {},
    address: '127.0.0.1',
    port: 40000 + (counter % 20000),
    transport: 'coap',
    registeredAt: now,
    lastUpdateAt: now,
    expiresAt: now + lifetime * 1000,
    rawRegister: { query: `ep=${endpoint}&lt=${lifetime}&lwm2m=1.1`, payload: '</1/0>,</3/0>,</5>', at: now },
    ...overrides,
  };
}
