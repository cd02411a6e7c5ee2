/**
 * Per-endpoint history for the device page: registered / updated (what changed) / ended (why),
 * kept after the device leaves so an operator can see when and why it went away.
 *
 * Bounded three ways: each endpoint keeps its last `maxEntriesPerEndpoint` lines, at most
 * `maxEndpoints` endpoints are remembered, and at most `maxTotalEntries` lines in all; past
 * either of the last two the least recently active endpoints are forgotten first (a
 * generational LRU: O(1) per event even at hundreds of thousands of endpoints).
 */
import { GenerationalLru } from '../lib/generational-lru.js';
import {
  describeChanges,
  describeEnd,
  describeReturn,
  type EndReason,
  type RegistrationChanges,
  type RegistrationEvent,
  type TimelineEntry,
  type Transport,
} from '@lwm2m-console/shared';

export interface EndpointTimelinesOptions {
  maxEntriesPerEndpoint?: number;
  maxEndpoints?: number;
  maxTotalEntries?: number;
}

export class EndpointTimelines {
  private readonly byEndpoint: GenerationalLru<HeldEntry[]>;
  readonly maxEntriesPerEndpoint: number;
  readonly maxEndpoints: number;
  readonly maxTotalEntries: number;

  constructor(options: EndpointTimelinesOptions = {}) {
    this.maxEntriesPerEndpoint = options.maxEntriesPerEndpoint ?? 200;
    this.maxEndpoints = options.maxEndpoints ?? 200_000;
    // About 200 bytes a line: a million lines is a bounded ~200 MB worst case.
    this.maxTotalEntries = options.maxTotalEntries ?? 1_000_000;
    this.byEndpoint = new GenerationalLru(this.maxEndpoints, (entries) => entries.length);
  }

  record(event: RegistrationEvent): void {
    const endpoint = event.registration.endpoint;
    const entries = this.byEndpoint.get(endpoint);
    if (!entries) {
      // An array literal is allocated at its exact length; `[]` then push reserves 17 slots.
      // Most endpoints of a big fleet have one line: that is ~130 bytes each saved.
      this.byEndpoint.set(endpoint, [toHeld(event)]);
      return this.enforceTotal();
    }
    entries.push(toHeld(event));
    let grew = 1;
    if (entries.length > this.maxEntriesPerEndpoint) {
      const drop = entries.length - this.maxEntriesPerEndpoint;
      entries.splice(0, drop);
      grew -= drop;
    }
    this.byEndpoint.adjustWeight(endpoint, grew);
    this.enforceTotal();
  }

  /**
   * A line that is no registry event, e.g. that a registration was kept across a restart of the
   * bridge (bridge.ts): the timeline then says why it starts with a registration already there.
   */
  note(endpoint: string, registrationId: string, at: number, detail: string): void {
    const held: HeldEntry = { at, kind: 'note', registrationId, detail };
    const entries = this.byEndpoint.get(endpoint);
    if (!entries) this.byEndpoint.set(endpoint, [held]);
    else {
      entries.push(held);
      if (entries.length > this.maxEntriesPerEndpoint) entries.shift();
      else this.byEndpoint.adjustWeight(endpoint, 1);
    }
    this.enforceTotal();
  }

  /** Past the total bound the least recently active generation of endpoints is forgotten. */
  private enforceTotal(): void {
    while (this.byEndpoint.weight > this.maxTotalEntries && this.byEndpoint.size > 1) this.byEndpoint.rotate();
  }

  /** Lines held over all endpoints. */
  get entryCount(): number {
    return this.byEndpoint.weight;
  }

  /** Oldest first; an empty list for an endpoint never seen (or forgotten). */
  get(endpoint: string): TimelineEntry[] {
    return (this.byEndpoint.peek(endpoint) ?? []).map(toEntry);
  }

  has(endpoint: string): boolean {
    return this.byEndpoint.has(endpoint);
  }

  get endpointCount(): number {
    return this.byEndpoint.size;
  }
}

/**
 * What is held per line: the facts, not the sentence. The detail text is written when a device
 * page asks for it; built at record time it was a chain of eight concatenated strings per line,
 * 16 heap objects per registration for V8's collector to mark (docs/benchmarks.md).
 */
type HeldEntry =
  | { at: number; kind: 'registered'; registrationId: string; address: string; port: number; transport: Transport; lifetime: number; returned?: { disabledAt: number; expectedBackAt: number } }
  | { at: number; kind: 'updated'; registrationId: string; changes: RegistrationChanges }
  | { at: number; kind: 'ended'; registrationId: string; reason: EndReason; expectedBackAt?: number }
  | { at: number; kind: 'note'; registrationId: string; detail: string };

function toHeld(event: RegistrationEvent): HeldEntry {
  const registrationId = event.registration.id;
  switch (event.type) {
    case 'registered': {
      const r = event.registration;
      const held: HeldEntry = { at: event.at, kind: 'registered', registrationId, address: r.address, port: r.port, transport: r.transport, lifetime: r.lifetime };
      if (event.returnedFromDisable) held.returned = event.returnedFromDisable;
      return held;
    }
    case 'updated':
      return { at: event.at, kind: 'updated', registrationId, changes: event.changes };
    case 'ended':
      return { at: event.at, kind: 'ended', registrationId, reason: event.reason, expectedBackAt: event.expectedBackAt };
    default: {
      const unreachable: never = event;
      throw new Error(`unknown registration event ${JSON.stringify(unreachable)}`);
    }
  }
}

function toEntry(held: HeldEntry): TimelineEntry {
  const { at, registrationId } = held;
  switch (held.kind) {
    case 'registered':
      return {
        at,
        kind: 'registered',
        registrationId,
        detail:
          `registered from ${held.address}:${held.port} over ${held.transport === 'coaps' ? 'CoAPS' : 'CoAP'}, lifetime ${held.lifetime} s` +
          // TimelineEntry.detail promises how early/late a return after a Disable was.
          (held.returned ? `; ${describeReturn(at, held.returned)}` : ''),
      };
    case 'updated':
      return { at, kind: 'updated', registrationId, detail: describeChanges(held.changes), changes: held.changes };
    case 'ended':
      return { at, kind: 'ended', registrationId, detail: describeEnd(held.reason, held.expectedBackAt), reason: held.reason, ...(held.expectedBackAt !== undefined ? { expectedBackAt: held.expectedBackAt } : {}) };
    case 'note':
      return { at, kind: 'note', registrationId, detail: held.detail };
  }
}
