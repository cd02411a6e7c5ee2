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
import { describeChanges, describeEnd, describeReturn, type RegistrationEvent, type TimelineEntry } from '@lwm2m-console/shared';

export interface EndpointTimelinesOptions {
  maxEntriesPerEndpoint?: number;
  maxEndpoints?: number;
  maxTotalEntries?: number;
}

export class EndpointTimelines {
  private readonly byEndpoint: GenerationalLru<TimelineEntry[]>;
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
      this.byEndpoint.set(endpoint, [toEntry(event)]);
      return this.enforceTotal();
    }
    entries.push(toEntry(event));
    let grew = 1;
    if (entries.length > this.maxEntriesPerEndpoint) {
      const drop = entries.length - this.maxEntriesPerEndpoint;
      entries.splice(0, drop);
      grew -= drop;
    }
    this.byEndpoint.adjustWeight(endpoint, grew);
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
    return [...(this.byEndpoint.peek(endpoint) ?? [])];
  }

  has(endpoint: string): boolean {
    return this.byEndpoint.has(endpoint);
  }

  get endpointCount(): number {
    return this.byEndpoint.size;
  }
}

function toEntry(event: RegistrationEvent): TimelineEntry {
  const registrationId = event.registration.id;
  switch (event.type) {
    case 'registered': {
      const r = event.registration;
      return {
        at: event.at,
        kind: 'registered',
        registrationId,
        detail:
          `registered from ${r.address}:${r.port} over ${r.transport === 'coaps' ? 'CoAPS' : 'CoAP'}, lifetime ${r.lifetime} s` +
          // TimelineEntry.detail promises how early/late a return after a Disable was.
          (event.returnedFromDisable ? `; ${describeReturn(event.at, event.returnedFromDisable)}` : ''),
      };
    }
    case 'updated':
      return { at: event.at, kind: 'updated', registrationId, detail: describeChanges(event.changes), changes: event.changes };
    case 'ended':
      return { at: event.at, kind: 'ended', registrationId, detail: describeEnd(event.reason, event.expectedBackAt), reason: event.reason };
    default: {
      const unreachable: never = event;
      throw new Error(`unknown registration event ${JSON.stringify(unreachable)}`);
    }
  }
}
