/**
 * The Client Registration Interface, server side (seed §6.1): Register, Update, De-register
 * and lifetime expiry. Pure protocol rules over an injected store, expiry wheel and clock:
 * no sockets, no timers. Every call returns the CoAP outcome and the events to publish once
 * the response has been sent (events never run ahead of the device's answer).
 */
import type {
  EndReason,
  Registration,
  RegistrationChanges,
  RegistrationEvent,
  SessionSecurity,
  Transport,
} from '@lwm2m-console/shared';
import type { ExpiryWheel } from '../registry/expiry-wheel.js';
import type { RegistrationStore } from '../registry/registration-store.js';
import { parseLinkFormat } from './link-format.js';
import { toClientObjects, type ClientObjects } from './object-links.js';
import { parseRegisterParams, parseUpdateParams } from './registration-params.js';

/** Who sent a request, as the transport saw it. */
export interface Peer {
  address: string;
  port: number;
  transport: Transport;
  /** Set for CoAPS: what the DTLS handshake authenticated. */
  security?: SessionSecurity;
}

export interface RegistrationRequest {
  /** Raw Uri-Query options, one `k=v` each. */
  query: readonly string[];
  payload: Uint8Array;
  /** Content-Format option, if present. */
  contentFormat?: number;
  peer: Peer;
}

export type RegistrationOutcome =
  | { ok: true; code: '2.01'; locationPath: string[] }
  | { ok: true; code: '2.04' | '2.02' }
  /** `endpoint`: the registration the request concerned, when known (for the console's refused connections). */
  | { ok: false; code: '4.00' | '4.03' | '4.04' | '4.12' | '4.15'; reason: string; endpoint?: string };

export interface HandlerResult {
  outcome: RegistrationOutcome;
  events: RegistrationEvent[];
}

/** What `restore` did with the registrations it was given. */
export interface RestoreCounts {
  restored: number;
  /** Lifetime ran out before now. */
  expired: number;
  /** Today's registration policy would refuse them (see `restore`). */
  refused: number;
  /** Same id or endpoint as one already held. */
  duplicates: number;
}

export type Authorization = { ok: true } | { ok: false; reason: string };

/**
 * Who may register which endpoint, and who may change a registration (issue 5 plugs in
 * per-endpoint credentials here). The default lets anyone do anything.
 */
export interface RegistrationPolicy {
  authorizeRegister(endpoint: string, peer: Peer): Authorization;
  authorizeChange(registration: Registration, peer: Peer): Authorization;
}

export const OPEN_POLICY: RegistrationPolicy = {
  authorizeRegister: () => ({ ok: true }),
  authorizeChange: () => ({ ok: true }),
};

export interface RegistrationHandlerDeps {
  store: RegistrationStore;
  expiry: ExpiryWheel;
  now: () => number;
  newId: () => string;
  policy?: RegistrationPolicy;
  /**
   * Reason to give a De-register. Issue 4: a De-register that follows an operator's Disable
   * ends with `disabled` and the time the device is expected back.
   */
  classifyDeregister?: (registration: Registration, now: number) => { reason: EndReason; expectedBackAt?: number };
  /** Issue 4: tells whether a registering endpoint is coming back from a Disable. */
  returningFromDisable?: (endpoint: string) => { disabledAt: number; expectedBackAt: number } | undefined;
}

/** RFC 7252 §12.3 */
const LINK_FORMAT = 40;
const utf8 = new TextDecoder('utf-8', { fatal: true });

type DecodedObjects = { ok: true; value: ClientObjects; text: string };

/**
 * Devices of one model send the same link payload. Parsed payloads are shared (frozen) between
 * registrations: at a million registrations that is the largest saving per registration, and
 * it skips re-parsing. Bounded, oldest out.
 */
const decodedPayloads = new Map<string, DecodedObjects>();
const MAX_SHARED_PAYLOADS = 4096;
const MAX_SHARED_PAYLOAD_CHARS = 2048;

function decodeObjects(payload: Uint8Array, contentFormat: number | undefined): DecodedObjects | { ok: false; code: '4.00' | '4.15'; reason: string } {
  if (contentFormat !== undefined && contentFormat !== LINK_FORMAT) {
    return { ok: false, code: '4.15', reason: `payload must be application/link-format (40), got ${contentFormat}` };
  }
  let text: string;
  try {
    text = utf8.decode(payload);
  } catch {
    return { ok: false, code: '4.00', reason: 'link format payload is not valid UTF-8' };
  }
  const shared = decodedPayloads.get(text);
  if (shared) return shared;
  const links = parseLinkFormat(text);
  if (!links.ok) return { ok: false, code: '4.00', reason: `malformed link format: ${links.error}` };
  const objects = toClientObjects(links.links);
  if (!objects.ok) return { ok: false, code: '4.00', reason: objects.error };
  for (const link of objects.value.objectLinks) Object.freeze(link);
  Object.freeze(objects.value.objectLinks);
  const decoded: DecodedObjects = { ok: true, value: objects.value, text };
  if (text.length <= MAX_SHARED_PAYLOAD_CHARS) {
    decodedPayloads.set(text, decoded);
    if (decodedPayloads.size > MAX_SHARED_PAYLOADS) decodedPayloads.delete(decodedPayloads.keys().next().value!);
  }
  return decoded;
}

function sameLinks(a: Registration['objectLinks'], b: Registration['objectLinks']): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.objectId !== y.objectId || x.instanceId !== y.instanceId || x.version !== y.version) return false;
  }
  return true;
}

export class RegistrationHandler {
  private readonly policy: RegistrationPolicy;

  constructor(private readonly deps: RegistrationHandlerDeps) {
    this.policy = deps.policy ?? OPEN_POLICY;
  }

  /** Seed §6.1.1 Register: `POST /rd?ep=…` with the object links as payload. */
  register(req: RegistrationRequest): HandlerResult {
    const params = parseRegisterParams(req.query);
    if (!params.ok) return refuse(params.code, params.reason);
    const p = params.value;
    if (req.payload.length === 0) return refuse('4.00', 'Register needs the list of objects as link format payload', p.endpoint);
    const objects = decodeObjects(req.payload, req.contentFormat);
    if (!objects.ok) return refuse(objects.code, objects.reason, p.endpoint);
    const allowed = this.policy.authorizeRegister(p.endpoint, req.peer);
    if (!allowed.ok) return refuse('4.03', allowed.reason, p.endpoint);

    const now = this.deps.now();
    // Ids are 64 random bits, but restored registrations (restore) came from another run's draws:
    // a new id never takes one that is held. Bounded, so a fake id source in tests cannot spin.
    let id = this.deps.newId();
    for (let tries = 0; tries < 4 && this.deps.store.getById(id); tries++) id = this.deps.newId();
    const registration: Registration = {
      id,
      endpoint: p.endpoint,
      lifetime: p.lifetime,
      lwm2mVersion: p.lwm2mVersion,
      binding: p.binding,
      queueMode: p.queueMode,
      rootPath: objects.value.rootPath,
      objectLinks: objects.value.objectLinks,
      extraAttributes: p.extraAttributes,
      address: req.peer.address,
      port: req.peer.port,
      transport: req.peer.transport,
      registeredAt: now,
      lastUpdateAt: now,
      expiresAt: now + p.lifetime * 1000,
      rawRegister: { query: req.query.join('&'), payload: objects.text, at: now },
    };
    if (p.smsNumber !== undefined) registration.smsNumber = p.smsNumber;
    if (objects.value.contentFormats) registration.contentFormats = objects.value.contentFormats;
    if (req.peer.security) registration.security = req.peer.security;

    const events: RegistrationEvent[] = [];
    // Seed §6.1.1 note: a Register for a known endpoint removes the old registration first.
    const previous = this.deps.store.put(registration);
    if (previous) {
      this.deps.expiry.cancel(previous.id, previous.expiresAt);
      events.push({ type: 'ended', at: now, registration: previous, reason: 'replaced' });
    }
    this.deps.expiry.schedule(registration.id, registration.expiresAt);
    const registered: RegistrationEvent = { type: 'registered', at: now, registration };
    const back = this.deps.returningFromDisable?.(registration.endpoint);
    if (back) registered.returnedFromDisable = back;
    events.push(registered);
    return { outcome: { ok: true, code: '2.01', locationPath: ['rd', registration.id] }, events };
  }

  /** Seed §6.1.2 Update: `POST /rd/{id}`; only what is sent changes, and the lifetime restarts. */
  update(id: string, req: RegistrationRequest): HandlerResult {
    const current = this.deps.store.getById(id);
    if (!current) return refuse('4.04', UNKNOWN_REGISTRATION);
    const params = parseUpdateParams(req.query, current.lwm2mVersion);
    if (!params.ok) return refuse(params.code, params.reason, current.endpoint);
    let objects: DecodedObjects | undefined;
    if (req.payload.length > 0) {
      const decoded = decodeObjects(req.payload, req.contentFormat);
      if (!decoded.ok) return refuse(decoded.code, decoded.reason, current.endpoint);
      objects = decoded;
    }
    const allowed = this.policy.authorizeChange(current, req.peer);
    if (!allowed.ok) return refuse('4.03', allowed.reason, current.endpoint);

    const now = this.deps.now();
    const p = params.value;
    const changes: RegistrationChanges = {};
    const next: Registration = { ...current, lastUpdateAt: now };
    if (p.lifetime !== undefined && p.lifetime !== current.lifetime) next.lifetime = changes.lifetime = p.lifetime;
    if (p.binding !== undefined && p.binding !== current.binding) next.binding = changes.binding = p.binding;
    if (p.queueMode !== undefined && p.queueMode !== current.queueMode) next.queueMode = changes.queueMode = p.queueMode;
    if (p.smsNumber !== undefined && p.smsNumber !== current.smsNumber) next.smsNumber = changes.smsNumber = p.smsNumber;
    if (Object.keys(p.extraAttributes).length > 0) {
      next.extraAttributes = { ...current.extraAttributes, ...p.extraAttributes };
      changes.extraAttributes = p.extraAttributes;
    }
    if (objects) {
      if (!sameLinks(objects.value.objectLinks, current.objectLinks)) next.objectLinks = changes.objectLinks = objects.value.objectLinks;
      if (objects.value.rootPath !== current.rootPath) next.rootPath = changes.rootPath = objects.value.rootPath;
      if (objects.value.contentFormats) next.contentFormats = objects.value.contentFormats;
    }
    // Seed §6.1.2: a changed address or port is reported by an Update; record where it came from.
    if (req.peer.address !== current.address) next.address = changes.address = req.peer.address;
    if (req.peer.port !== current.port) next.port = changes.port = req.peer.port;
    if (req.peer.security) next.security = req.peer.security;
    next.expiresAt = now + next.lifetime * 1000;
    next.rawLastUpdate = { query: req.query.join('&'), payload: objects?.text ?? '', at: now };

    this.deps.store.replace(next);
    this.deps.expiry.reschedule(id, current.expiresAt, next.expiresAt);
    return { outcome: { ok: true, code: '2.04' }, events: [{ type: 'updated', at: now, registration: next, changes }] };
  }

  /** Seed §6.1.3 De-register: `DELETE /rd/{id}`. */
  deregister(id: string, peer: Peer): HandlerResult {
    const current = this.deps.store.getById(id);
    if (!current) return refuse('4.04', UNKNOWN_REGISTRATION);
    const allowed = this.policy.authorizeChange(current, peer);
    if (!allowed.ok) return refuse('4.03', allowed.reason, current.endpoint);
    const now = this.deps.now();
    this.deps.store.removeById(id);
    this.deps.expiry.cancel(id, current.expiresAt);
    const { reason, expectedBackAt } = this.deps.classifyDeregister?.(current, now) ?? { reason: 'deregistered' as const };
    const event: RegistrationEvent = { type: 'ended', at: now, registration: current, reason };
    if (expectedBackAt !== undefined) event.expectedBackAt = expectedBackAt;
    return { outcome: { ok: true, code: '2.02' }, events: [event] };
  }

  /**
   * Seed §6.1: a registration with no Update within its lifetime is removed. Returns at most
   * `limit` events so a storm is drained in chunks by the caller.
   */
  expireDue(limit: number): RegistrationEvent[] {
    const now = this.deps.now();
    const events: RegistrationEvent[] = [];
    for (const id of this.deps.expiry.collectDue(now, limit)) {
      // The wheel rounds deadlines up to the slot; a registration updated since is rescheduled.
      // One store call, not a read then a remove: the packed store parses on every read.
      const current = this.deps.store.removeById(id);
      if (!current) continue;
      events.push({ type: 'ended', at: now, registration: current, reason: 'expired' });
    }
    return events;
  }

  /**
   * RFC 9146: a DTLS peer's address changed under its Connection ID. The session, and so the
   * registration, go on; the new address is recorded as an Update would record it.
   */
  relocate(id: string, address: string, port: number): HandlerResult {
    const current = this.deps.store.getById(id);
    if (!current) return refuse('4.04', UNKNOWN_REGISTRATION);
    const changes: RegistrationChanges = {};
    const next: Registration = { ...current };
    if (address !== current.address) next.address = changes.address = address;
    if (port !== current.port) next.port = changes.port = port;
    this.deps.store.replace(next);
    return { outcome: { ok: true, code: '2.04' }, events: [{ type: 'updated', at: this.deps.now(), registration: next, changes }] };
  }

  /**
   * Takes back the registrations a previous run held when it stopped (registry/registration-file.ts),
   * before any traffic: same ids, so the devices' next Update is answered 2.04, and each expiry
   * scheduled at its old deadline. Publishes no events: nothing changed for the device.
   *
   * Each one is held to today's rules as if it registered again from where it did: one whose
   * lifetime ran out while the bridge was down is gone (seed §6.1), and one today's policy would
   * refuse (its PSK credential deleted or given another identity, plain CoAP for an endpoint that
   * now has credentials, or with unsecured registration switched off) is not taken back, so a
   * restart never revives what a Register now would refuse. Those devices register again.
   */
  restore(
    registrations: Iterable<Registration>,
    options: {
      onRestored?: (registration: Registration) => void;
      /** Whether this run still serves the transport a registration came over (CoAPS may be off). */
      serves?: (transport: Registration['transport']) => boolean;
    } = {},
  ): RestoreCounts {
    const { onRestored, serves } = options;
    const now = this.deps.now();
    const counts: RestoreCounts = { restored: 0, expired: 0, refused: 0, duplicates: 0 };
    for (const r of registrations) {
      if (r.expiresAt <= now) {
        counts.expired++;
        continue;
      }
      // Ids and endpoints stay unique: the first record of either wins.
      if (this.deps.store.getById(r.id) || this.deps.store.getByEndpoint(r.endpoint)) {
        counts.duplicates++;
        continue;
      }
      const peer: Peer = { address: r.address, port: r.port, transport: r.transport };
      if (r.security) peer.security = r.security;
      // Over a transport this run does not serve, no Update could ever reach it: it would only
      // wait out its lifetime in the fleet.
      if ((serves && !serves(r.transport)) || !this.policy.authorizeRegister(r.endpoint, peer).ok) {
        counts.refused++;
        continue;
      }
      this.deps.store.put(r);
      this.deps.expiry.schedule(r.id, r.expiresAt);
      counts.restored++;
      onRestored?.(r);
    }
    return counts;
  }

  /** Operator removal (console) or capacity eviction. */
  evict(id: string): HandlerResult {
    const current = this.deps.store.getById(id);
    if (!current) return refuse('4.04', UNKNOWN_REGISTRATION);
    this.deps.store.removeById(id);
    this.deps.expiry.cancel(id, current.expiresAt);
    const now = this.deps.now();
    return { outcome: { ok: true, code: '2.02' }, events: [{ type: 'ended', at: now, registration: current, reason: 'evicted' }] };
  }
}

/**
 * One text for every unknown id: the device knows which id it sent, and after a bridge restart every
 * device's next Update names an id this bridge never issued; one reason folds that wave into one
 * line per identity in the console's refused connections.
 */
const UNKNOWN_REGISTRATION = 'no such registration (the device must register again, e.g. after a bridge restart)';

function refuse(code: '4.00' | '4.03' | '4.04' | '4.12' | '4.15', reason: string, endpoint?: string): HandlerResult {
  return { outcome: endpoint === undefined ? { ok: false, code, reason } : { ok: false, code, reason, endpoint }, events: [] };
}
