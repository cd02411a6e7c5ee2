import type { Registration } from '@lwm2m-console/shared';

/**
 * Where registrations live. The protocol code only talks to this interface, so a persistent
 * or shared store can replace the in-memory one without touching it.
 * Both indexes (id and endpoint) are kept consistent by the store.
 */
export interface RegistrationStore {
  readonly size: number;
  getById(id: string): Registration | undefined;
  getByEndpoint(endpoint: string): Registration | undefined;
  /** Adds `registration`; if its endpoint is already registered, removes and returns the old one. */
  put(registration: Registration): Registration | undefined;
  /** Replaces a registration that already exists under the same id. */
  replace(registration: Registration): void;
  removeById(id: string): Registration | undefined;
  values(): IterableIterator<Registration>;
}
