/**
 * The registry as text, so a restarted bridge answers the devices' next Update with 2.04 under
 * the registration id they already hold, instead of 4.04 and a fleet-wide re-registration.
 *
 * Format (JSON Lines, one JSON value a line, so neither side ever holds the whole registry as one
 * string: a million registrations are several hundred megabytes):
 *
 *     {"format":"lwm2m-console/registrations","version":1,"savedAt":1800000000000}
 *     {"links":[{"objectId":1,"instanceId":0},{"objectId":3,"instanceId":0}]}   ← object links #0
 *     [0,["k3Jd…","dev-1",300,"1.1","U",0,null,"/",null,null,"192.0.2.7",5683,"coap",null,…]]
 *     {"end":1}
 *
 * A record is `[links, packed]`: the index of an earlier links line (-1: none) and the
 * registration in PackedRegistrationStore's positional form. Devices of one model share one links
 * line, as they share one frozen list in memory.
 *
 * Reading treats the text as untrusted (the file sits in the data folder between two runs and may
 * be damaged or edited by hand): every field of every record is checked and a fresh object is
 * built from the checked values only. A record that fails a check is skipped and counted, never
 * guessed at; a file whose first line is not this format's header is dropped whole.
 */
import { isIP } from 'node:net';
import { SUPPORTED_LWM2M_VERSIONS, type ObjectLink, type Registration, type SessionSecurity } from '@lwm2m-console/shared';
import { isInteger, isRecord, isText } from '../lib/untrusted-fields.js';
import { MAX_LINKS } from '../lwm2m/link-format.js';
import { MAX_ENDPOINT_LENGTH, MAX_LIFETIME_S, parseUpdateParams } from '../lwm2m/registration-params.js';
import type { PackedEntry } from './packed-registration-store.js';

export const SNAPSHOT_FORMAT = 'lwm2m-console/registrations';
export const SNAPSHOT_VERSION = 1;

/** What registration-id.ts issues: 8 random bytes, base64url. */
const REGISTRATION_ID = /^[A-Za-z0-9_-]{11}$/;
const MAX_QUERY_CHARS = 16 * 1024;
const MAX_PAYLOAD_CHARS = 1024 * 1024;
const MAX_ROOT_PATH = 255;
const MAX_CONTENT_FORMATS = 256;
const MAX_EXTRA_ATTRIBUTES = 256;
const MAX_ATTRIBUTE_CHARS = 1024;
const MAX_IDENTITY = 1024;
const MAX_VERSION_CHARS = 255;
/** Past this many distinct link lists the writer stops remembering them (a bound on its memory while saving). */
const MAX_REMEMBERED_LINKS = 10_000;

const NO_LINKS: readonly ObjectLink[] = Object.freeze([]);

/** Produces the snapshot's lines, each ending in `\n`. Pure: the caller writes them where it likes. */
export class RegistrationSnapshotWriter {
  private readonly indexByList = new Map<readonly ObjectLink[], number>();
  private readonly indexByText = new Map<string, number>();
  private linkLines = 0;
  /** Records written so far. */
  count = 0;

  header(savedAt: number): string {
    return `${JSON.stringify({ format: SNAPSHOT_FORMAT, version: SNAPSHOT_VERSION, savedAt })}\n`;
  }

  /** The record of one registration, preceded by its links line when this list is new. */
  entry(e: PackedEntry): string {
    this.count++;
    if (e.objectLinks.length === 0) return `[-1,${e.packed}]\n`;
    let index = this.indexByList.get(e.objectLinks);
    let linksLine = '';
    if (index === undefined) {
      const text = JSON.stringify(e.objectLinks);
      index = this.indexByText.get(text);
      if (index === undefined) {
        index = this.linkLines++;
        linksLine = `{"links":${text}}\n`;
        if (this.indexByText.size < MAX_REMEMBERED_LINKS) this.indexByText.set(text, index);
      }
      if (this.indexByList.size < MAX_REMEMBERED_LINKS) this.indexByList.set(e.objectLinks, index);
    }
    return `${linksLine}[${index},${e.packed}]\n`;
  }

  /** The last line: how many records came before it, so a cut-short file can be told. */
  footer(): string {
    return `${JSON.stringify({ end: this.count })}\n`;
  }
}

export interface SnapshotReadSummary {
  /** Set when the file as a whole was unusable (nothing was read from it). */
  error?: string;
  /** Records whose lifetime ran out before `now`. */
  expired: number;
  /** Lines that were not a valid record, links list or footer. */
  unreadable: number;
  /** The footer was missing or counted other records than were found (the file was cut or edited). */
  incomplete: boolean;
}

/**
 * Reads a snapshot a line at a time. Pure: `now` is passed in; the caller reads the lines.
 * `read` returns the registration a line carries when it is valid and its lifetime has not run
 * out at `now` (LwM2M: without an Update within its lifetime a registration is gone, also while
 * the bridge was down; the device registers again).
 */
export class RegistrationSnapshotReader {
  private state: 'header' | 'records' | 'ended' | 'failed' = 'header';
  private readonly links: (readonly ObjectLink[] | undefined)[] = [];
  private records = 0;
  private declared: number | undefined;
  private expired = 0;
  private unreadable = 0;
  private error: string | undefined;

  constructor(private readonly now: number) {}

  read(line: string): Registration | undefined {
    if (this.state === 'failed' || line.length === 0) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      value = undefined;
    }
    if (this.state === 'header') {
      if (!isRecord(value) || value.format !== SNAPSHOT_FORMAT) return this.fail('not a registrations file');
      if (value.version !== SNAPSHOT_VERSION) return this.fail(`format version ${JSON.stringify(value.version)}, this bridge reads version ${SNAPSHOT_VERSION}`);
      this.state = 'records';
      return undefined;
    }
    if (this.state === 'ended') return this.skip();
    if (Array.isArray(value)) return this.record(value);
    if (isRecord(value) && 'links' in value) {
      // Kept even when bad, so the indexes of the lists after it stay right.
      const links = decodeLinks(value.links);
      this.links.push(links);
      if (!links) this.unreadable++;
      return undefined;
    }
    if (isRecord(value) && typeof value.end === 'number') {
      this.declared = value.end;
      this.state = 'ended';
      return undefined;
    }
    return this.skip();
  }

  /** True once the file is known to be unusable: the rest need not be read. */
  get failed(): boolean {
    return this.state === 'failed';
  }

  /** Counts a line the caller could not hand over (longer than it reads). */
  skip(): undefined {
    if (this.state !== 'failed') this.unreadable++;
    return undefined;
  }

  summary(): SnapshotReadSummary {
    if (this.error !== undefined) return { error: this.error, expired: 0, unreadable: 0, incomplete: false };
    if (this.state === 'header') return { error: 'empty file', expired: 0, unreadable: 0, incomplete: false };
    return { expired: this.expired, unreadable: this.unreadable, incomplete: this.declared !== this.records };
  }

  private fail(error: string): undefined {
    this.state = 'failed';
    this.error = error;
    return undefined;
  }

  private record(value: unknown[]): Registration | undefined {
    this.records++;
    const [linksIndex, packed] = value;
    let links: readonly ObjectLink[] | undefined;
    if (linksIndex === -1) links = NO_LINKS;
    else if (typeof linksIndex === 'number' && Number.isInteger(linksIndex) && linksIndex >= 0) links = this.links[linksIndex];
    const registration = value.length === 2 && links ? decodePacked(packed, links) : undefined;
    // expiresAt = lastUpdateAt + lifetime holds only if lastUpdateAt is a time that has passed:
    // one later than now (edited, or a clock stepped back between runs) would keep a registration
    // that no device renews for as long as it says. Skipped; the device registers again.
    if (!registration || registration.lastUpdateAt > this.now) {
      this.unreadable++;
      return undefined;
    }
    if (registration.expiresAt <= this.now) {
      this.expired++;
      return undefined;
    }
    return registration;
  }
}

/** One record in PackedRegistrationStore's positional form, every field checked. */
export function decodePacked(x: unknown, objectLinks: readonly ObjectLink[]): Registration | undefined {
  if (!Array.isArray(x) || x.length !== 19) return undefined;
  const [id, endpoint, lifetime, version, binding, queue, sms, rootPath, contentFormats, extras, address, port, transport, security, registeredAt, lastUpdateAt, expiresAt, rawRegister, rawLastUpdate] = x as unknown[];
  if (typeof id !== 'string' || !REGISTRATION_ID.test(id)) return undefined;
  if (!isText(endpoint, 1, MAX_ENDPOINT_LENGTH)) return undefined;
  if (!isInteger(lifetime, 1, MAX_LIFETIME_S)) return undefined;
  const lwm2mVersion = SUPPORTED_LWM2M_VERSIONS.find((v) => v === version);
  if (!lwm2mVersion || typeof binding !== 'string' || (queue !== 0 && queue !== 1)) return undefined;
  if (sms !== null && typeof sms !== 'string') return undefined;
  // The rules an Update is held to (seed §6.1.2; LwM2M 1.1 §6.2.1.1), so a record holds nothing a device could not have sent.
  const checked = parseUpdateParams([`b=${binding}`, ...(sms === null ? [] : [`sms=${sms}`])], lwm2mVersion);
  if (!checked.ok || checked.value.binding !== binding) return undefined;
  if (lwm2mVersion === '1.0' && checked.value.queueMode !== (queue === 1)) return undefined;
  if (!isText(rootPath, 1, MAX_ROOT_PATH) || !(rootPath === '/' || /^\/(?:[^/]+\/)+$/.test(rootPath))) return undefined;
  const formats = contentFormats === null ? null : decodeContentFormats(contentFormats);
  const extraAttributes = extras === null ? {} : decodeAttributes(extras, MAX_EXTRA_ATTRIBUTES);
  if (formats === undefined || !extraAttributes) return undefined;
  if (typeof address !== 'string' || isIP(address) === 0 || !isInteger(port, 1, 65535)) return undefined;
  if (transport !== 'coap' && transport !== 'coaps') return undefined;
  const sessionSecurity = security === null ? null : decodeSecurity(security);
  if (sessionSecurity === undefined) return undefined;
  // A DTLS registration belongs to the identity its handshake authenticated (security-policy.ts authorizeChange).
  if (transport === 'coaps' && !sessionSecurity?.identity) return undefined;
  if (!isInteger(registeredAt, 0, Number.MAX_SAFE_INTEGER) || !isInteger(lastUpdateAt, registeredAt, Number.MAX_SAFE_INTEGER)) return undefined;
  // Register and Update both set expiresAt = lastUpdateAt + lifetime: a record cannot stretch its own life.
  if (expiresAt !== lastUpdateAt + lifetime * 1000) return undefined;
  const register = decodeRaw(rawRegister);
  const lastUpdate = rawLastUpdate === null ? null : decodeRaw(rawLastUpdate);
  if (!register || lastUpdate === undefined) return undefined;

  const registration: Registration = {
    id,
    endpoint,
    lifetime,
    lwm2mVersion,
    binding,
    queueMode: queue === 1,
    rootPath,
    objectLinks: objectLinks as ObjectLink[],
    extraAttributes,
    address,
    port,
    transport,
    registeredAt,
    lastUpdateAt,
    expiresAt,
    rawRegister: register,
  };
  if (sms !== null) registration.smsNumber = sms;
  if (formats !== null) registration.contentFormats = formats;
  if (sessionSecurity !== null) registration.security = sessionSecurity;
  if (lastUpdate !== null) registration.rawLastUpdate = lastUpdate;
  return registration;
}

/** A links line's list, frozen and shared by every record that names it. */
export function decodeLinks(x: unknown): readonly ObjectLink[] | undefined {
  if (!Array.isArray(x) || x.length > MAX_LINKS) return undefined;
  const links: ObjectLink[] = [];
  for (const item of x) {
    if (!isRecord(item) || !isInteger(item.objectId, 0, 65535)) return undefined;
    const link: ObjectLink = { objectId: item.objectId };
    if (item.instanceId !== undefined) {
      if (!isInteger(item.instanceId, 0, 65535)) return undefined;
      link.instanceId = item.instanceId;
    }
    if (item.version !== undefined) {
      if (typeof item.version !== 'string' || item.version.length > MAX_VERSION_CHARS) return undefined;
      link.version = item.version;
    }
    if (item.attributes !== undefined) {
      const attributes = decodeAttributes(item.attributes, 64);
      if (!attributes) return undefined;
      link.attributes = attributes;
    }
    links.push(Object.freeze(link));
  }
  return Object.freeze(links);
}

function decodeContentFormats(x: unknown): number[] | undefined {
  if (!Array.isArray(x) || x.length > MAX_CONTENT_FORMATS || !x.every((f) => isInteger(f, 0, 65535))) return undefined;
  return x as number[];
}

/** String to string, built with defineProperty semantics (`__proto__` stays a plain key). */
function decodeAttributes(x: unknown, max: number): Record<string, string> | undefined {
  if (!isRecord(x)) return undefined;
  const entries = Object.entries(x);
  if (entries.length > max) return undefined;
  // Values are kept verbatim from the device's query (registration-params.ts `extras`): any text, bounded.
  for (const [k, v] of entries) if (k.length === 0 || k.length > 255 || typeof v !== 'string' || v.length > MAX_ATTRIBUTE_CHARS) return undefined;
  return Object.fromEntries(entries) as Record<string, string>;
}

/** Only the fields SessionSecurity names; anything else in the record is not carried over. */
function decodeSecurity(x: unknown): SessionSecurity | undefined {
  if (!isRecord(x) || (x.mode !== 'psk' && x.mode !== 'rpk' && x.mode !== 'x509' && x.mode !== 'nosec')) return undefined;
  const s: SessionSecurity = { mode: x.mode };
  if (x.identity !== undefined) {
    if (!isText(x.identity, 1, MAX_IDENTITY)) return undefined;
    s.identity = x.identity;
  }
  if (x.cipherSuite !== undefined) {
    if (typeof x.cipherSuite !== 'string' || !/^[A-Z0-9_]{1,100}$/.test(x.cipherSuite)) return undefined;
    s.cipherSuite = x.cipherSuite;
  }
  if (x.connectionId !== undefined) {
    if (typeof x.connectionId !== 'boolean') return undefined;
    s.connectionId = x.connectionId;
  }
  return s;
}

function decodeRaw(x: unknown): Registration['rawRegister'] | undefined {
  if (!Array.isArray(x) || x.length !== 3) return undefined;
  const [query, payload, at] = x as unknown[];
  if (typeof query !== 'string' || query.length > MAX_QUERY_CHARS) return undefined;
  if (typeof payload !== 'string' || payload.length > MAX_PAYLOAD_CHARS) return undefined;
  if (!isInteger(at, 0, Number.MAX_SAFE_INTEGER)) return undefined;
  return { query, payload, at };
}



