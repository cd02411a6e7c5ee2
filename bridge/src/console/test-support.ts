/**
 * Stand-ins for the console's tests and benchmark: a Map-backed RegistrationStore and a
 * registration factory. The bridge itself uses the registry's own store.
 */
import type { Registration } from '@lwm2m-console/shared';
import type { RegistrationStore } from '../registry/registration-store.js';

export class MapRegistrationStore implements RegistrationStore {
  private readonly byId = new Map<string, Registration>();
  private readonly byEndpoint = new Map<string, Registration>();

  get size(): number {
    return this.byId.size;
  }
  getById(id: string): Registration | undefined {
    return this.byId.get(id);
  }
  getByEndpoint(endpoint: string): Registration | undefined {
    return this.byEndpoint.get(endpoint);
  }
  put(registration: Registration): Registration | undefined {
    const old = this.byEndpoint.get(registration.endpoint);
    if (old) this.byId.delete(old.id);
    this.byId.set(registration.id, registration);
    this.byEndpoint.set(registration.endpoint, registration);
    return old;
  }
  replace(registration: Registration): void {
    if (!this.byId.has(registration.id)) throw new Error(`no registration ${registration.id}`);
    this.byId.set(registration.id, registration);
    this.byEndpoint.set(registration.endpoint, registration);
  }
  removeById(id: string): Registration | undefined {
    const r = this.byId.get(id);
    if (!r) return undefined;
    this.byId.delete(id);
    if (this.byEndpoint.get(r.endpoint)?.id === id) this.byEndpoint.delete(r.endpoint);
    return r;
  }
  values(): IterableIterator<Registration> {
    return this.byId.values();
  }
}

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
