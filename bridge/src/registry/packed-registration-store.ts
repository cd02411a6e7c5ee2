import type { ObjectLink, Registration } from '@lwm2m-console/shared';
import type { RegistrationStore } from './registration-store.js';
import { ShardedMap } from './sharded-map.js';

const NO_LINKS: readonly ObjectLink[] = Object.freeze([]);

/**
 * The embedded default store, for a million registrations: each one is held as a single string
 * (its JSON, without the object links) plus its id and endpoint as index keys, and reads hand out
 * a fresh `Registration` (so nobody can change a held registration by mutating a read).
 *
 * Why not the objects themselves (MemoryRegistrationStore, kept for tests of the rules): V8 marks every live object on each
 * full collection, and a `Registration` is about ten of them (the record, its raw request,
 * strings, boxed timestamps). With a million held, that marking ran on the main thread in steps
 * that stalled the event loop for 40–120 ms under load (docs/benchmarks.md); a string is one
 * object and is never scanned. The price is a JSON parse per read and a stringify per write.
 *
 * Object links stay shared (identical Register payloads are parsed once and frozen), so a device
 * with hundreds of objects does not repeat them in every record.
 */
export class PackedRegistrationStore implements RegistrationStore {
  private readonly packedById = new ShardedMap<string>();
  private readonly linksById = new ShardedMap<readonly ObjectLink[]>();
  private readonly idByEndpoint = new ShardedMap<string>();

  get size(): number {
    return this.packedById.size;
  }

  getById(id: string): Registration | undefined {
    const packed = this.packedById.get(id);
    return packed === undefined ? undefined : this.unpack(id, packed);
  }

  getByEndpoint(endpoint: string): Registration | undefined {
    const id = this.idByEndpoint.get(endpoint);
    return id === undefined ? undefined : this.getById(id);
  }

  put(registration: Registration): Registration | undefined {
    const previousId = this.idByEndpoint.get(registration.endpoint);
    const previous = previousId === undefined ? undefined : this.getById(previousId);
    if (previousId !== undefined) this.forget(previousId);
    this.hold(registration);
    this.idByEndpoint.set(registration.endpoint, registration.id);
    return previous;
  }

  replace(registration: Registration): void {
    if (!this.packedById.has(registration.id) || this.idByEndpoint.get(registration.endpoint) !== registration.id) {
      throw new Error(`replace: no registration ${registration.id} for ${registration.endpoint}`);
    }
    this.hold(registration);
  }

  removeById(id: string): Registration | undefined {
    const registration = this.getById(id);
    if (!registration) return undefined;
    this.forget(id);
    if (this.idByEndpoint.get(registration.endpoint) === id) this.idByEndpoint.delete(registration.endpoint);
    return registration;
  }

  *values(): IterableIterator<Registration> {
    for (const [id, packed] of this.packedById.entries()) yield this.unpack(id, packed);
  }

  /**
   * Every registration as held: its packed text and its (shared) object links, without the
   * parse a read costs. For saving the registry on shutdown (registration-file.ts), where a
   * million parses and re-stringifies would not fit in the time a stop is given.
   */
  *packedEntries(): IterableIterator<PackedEntry> {
    for (const [id, packed] of this.packedById.entries()) yield { packed, objectLinks: this.linksById.get(id) ?? NO_LINKS };
  }

  private hold(registration: Registration): void {
    this.packedById.set(registration.id, pack(registration));
    if (registration.objectLinks.length > 0) this.linksById.set(registration.id, registration.objectLinks);
    else this.linksById.delete(registration.id);
  }

  private forget(id: string): void {
    this.packedById.delete(id);
    this.linksById.delete(id);
  }

  private unpack(id: string, packed: string): Registration {
    return unpack(packed, (this.linksById.get(id) ?? NO_LINKS) as ObjectLink[]);
  }
}

/**
 * A registration as a JSON array, fields by position: no key names repeated in a million
 * records (half the length of the keyed JSON). Every field of `Registration` but the object
 * links is here; a field added to the model must be added to both functions (the store's tests
 * round-trip a registration with every optional field set).
 */
export type Packed = [
  id: string,
  endpoint: string,
  lifetime: number,
  lwm2mVersion: Registration['lwm2mVersion'],
  binding: string,
  queueMode: 0 | 1,
  smsNumber: string | null,
  rootPath: string,
  contentFormats: number[] | null,
  extraAttributes: Record<string, string> | null,
  address: string,
  port: number,
  transport: Registration['transport'],
  security: Registration['security'] | null,
  registeredAt: number,
  lastUpdateAt: number,
  expiresAt: number,
  rawRegister: [query: string, payload: string, at: number],
  rawLastUpdate: [query: string, payload: string, at: number] | null,
];

/** A registration in its packed form (see `Packed`), with the object links kept beside it. */
export interface PackedEntry {
  packed: string;
  objectLinks: readonly ObjectLink[];
}

export function pack(r: Registration): string {
  const packed: Packed = [
    r.id,
    r.endpoint,
    r.lifetime,
    r.lwm2mVersion,
    r.binding,
    r.queueMode ? 1 : 0,
    r.smsNumber ?? null,
    r.rootPath,
    r.contentFormats ?? null,
    Object.keys(r.extraAttributes).length > 0 ? r.extraAttributes : null,
    r.address,
    r.port,
    r.transport,
    r.security ?? null,
    r.registeredAt,
    r.lastUpdateAt,
    r.expiresAt,
    [r.rawRegister.query, r.rawRegister.payload, r.rawRegister.at],
    r.rawLastUpdate ? [r.rawLastUpdate.query, r.rawLastUpdate.payload, r.rawLastUpdate.at] : null,
  ];
  return JSON.stringify(packed);
}

function unpack(text: string, objectLinks: ObjectLink[]): Registration {
  const p = JSON.parse(text) as Packed;
  const registration: Registration = {
    id: p[0],
    endpoint: p[1],
    lifetime: p[2],
    lwm2mVersion: p[3],
    binding: p[4],
    queueMode: p[5] === 1,
    rootPath: p[7],
    objectLinks,
    extraAttributes: p[9] ?? {},
    address: p[10],
    port: p[11],
    transport: p[12],
    registeredAt: p[14],
    lastUpdateAt: p[15],
    expiresAt: p[16],
    rawRegister: { query: p[17][0], payload: p[17][1], at: p[17][2] },
  };
  if (p[6] !== null) registration.smsNumber = p[6];
  if (p[8] !== null) registration.contentFormats = p[8];
  if (p[13] !== null) registration.security = p[13];
  if (p[18] !== null) registration.rawLastUpdate = { query: p[18][0], payload: p[18][1], at: p[18][2] };
  return registration;
}
