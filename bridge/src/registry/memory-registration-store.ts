import type { Registration } from '@lwm2m-console/shared';
import type { RegistrationStore } from './registration-store.js';
import { ShardedMap } from './sharded-map.js';

/**
 * Registrations held as objects, two indexes kept in step: the simple store the rules are tested
 * with. The bridge uses PackedRegistrationStore (fewer objects for the collector to mark).
 */
export class MemoryRegistrationStore implements RegistrationStore {
  private readonly byId = new ShardedMap<Registration>();
  private readonly byEndpoint = new ShardedMap<Registration>();

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
    const previous = this.byEndpoint.get(registration.endpoint);
    if (previous) this.byId.delete(previous.id);
    this.byId.set(registration.id, registration);
    this.byEndpoint.set(registration.endpoint, registration);
    return previous;
  }

  replace(registration: Registration): void {
    const current = this.byId.get(registration.id);
    if (!current || current.endpoint !== registration.endpoint) {
      throw new Error(`replace: no registration ${registration.id} for ${registration.endpoint}`);
    }
    this.byId.set(registration.id, registration);
    this.byEndpoint.set(registration.endpoint, registration);
  }

  removeById(id: string): Registration | undefined {
    const registration = this.byId.get(id);
    if (!registration) return undefined;
    this.byId.delete(id);
    if (this.byEndpoint.get(registration.endpoint) === registration) this.byEndpoint.delete(registration.endpoint);
    return registration;
  }

  values(): IterableIterator<Registration> {
    return this.byId.values();
  }
}
