/**
 * The fleet's recent activity, kept so a console that opens (or reloads) after something
 * happened still sees it: the last `capacity` feed lines (registered / updated / ended with its
 * reason, and notes such as registrations kept across a restart), oldest first.
 *
 * Hot path: every registry event of a million-registration fill and of 5,000 CoAPS handshakes/s
 * passes here, so `record` stores an object that already exists into a fixed array used as a
 * ring (one slot write and two integer updates; no copy, no JSON): the `FleetEvent` the hub
 * built for the wire while a console is open (the same object goes into the delta), else the
 * registry event itself, turned into its `FleetEvent` only when a console asks. Building that
 * summary costs ~0.4 µs, which the hub skips while nobody watches (docs/console.md). Registry
 * events are safe to hold: the registry replaces a registration on every change, never edits
 * one in place, so the held one is the registration as it was at that event.
 *
 * Folding: an Update that changed nothing is a device saying "still here". A device that sends
 * them in a loop would otherwise push everything an operator opens the console for (who left,
 * why, what changed) out of the ring, so a run of such Updates from one registration, with no
 * other event between, keeps one line: the newest (its time is the run's last). Updates that
 * changed something are always kept; so are no-change Updates interleaved with other events
 * (a large fleet's keep-alives are not consecutive): the ring stays a faithful tail of the feed.
 */
import type { ActivityEvent, ActivityNote, FleetEvent, RegistrationEvent } from '@lwm2m-console/shared';
import { toFleetEvent } from './fleet-events.js';

/** A line as held: a wire object (`kind`), or a registry event (`type`) not yet turned into one. */
type HeldLine = ActivityEvent | RegistrationEvent;

/**
 * 1,000 lines: one reload's worth of feed (about 320 bytes each as JSON, 320 KiB for the answer),
 * 80 to 770 bytes each held, under 750 KiB (docs/console.md). The console itself keeps 5,000
 * lines while it is open.
 */
export const DEFAULT_ACTIVITY_CAPACITY = 1_000;

export class ActivityHistory {
  readonly capacity: number;
  private readonly ring: (HeldLine | undefined)[];
  /** Slot the next line goes to. */
  private head = 0;
  private held = 0;
  private total = 0;
  private folds = 0;
  /** The last `recentJson` text, valid while nothing new is recorded (`total` unchanged). */
  private json: { total: number; limit: number; text: string } | undefined;

  constructor(capacity = DEFAULT_ACTIVITY_CAPACITY) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`activity capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    // Allocated at its full length once: the ring never grows or shrinks, the collector sees one array.
    this.ring = new Array<HeldLine | undefined>(capacity).fill(undefined);
  }

  /** One registry event: as built for the wire, or as the registry published it. O(1). */
  record(event: FleetEvent | RegistrationEvent): void {
    this.total++;
    event = heldLine(event);
    const quiet = quietUpdateOf(event);
    if (quiet !== undefined && this.held > 0) {
      const last = this.head === 0 ? this.capacity - 1 : this.head - 1;
      if (quietUpdateOf(this.ring[last]!) === quiet) {
        this.ring[last] = event;
        this.folds++;
        return;
      }
    }
    this.push(event);
  }

  /** A line that is no registry event. */
  note(note: ActivityNote): void {
    this.total++;
    this.push(note);
  }

  private push(line: HeldLine): void {
    this.ring[this.head] = line;
    this.head = this.head + 1 === this.capacity ? 0 : this.head + 1;
    if (this.held < this.capacity) this.held++;
  }

  /**
   * The newest `limit` lines (default all held), oldest first, as sent to a console. A new array;
   * the lines are shared. A registry event is turned into its wire object once and kept so, so a
   * burst of reconnecting consoles summarizes each line once.
   */
  recent(limit = this.capacity): ActivityEvent[] {
    const n = Math.max(0, Math.min(limit, this.held));
    const out = new Array<ActivityEvent>(n);
    let slot = (this.head - n + this.capacity) % this.capacity;
    for (let i = 0; i < n; i++) {
      const line = this.ring[slot]!;
      out[i] = 'kind' in line ? line : (this.ring[slot] = toFleetEvent(line));
      slot = slot + 1 === this.capacity ? 0 : slot + 1;
    }
    return out;
  }

  /**
   * `recent(limit)` as JSON text, reused until a line is recorded: consoles reconnecting together
   * (after a bridge restart or a network drop), or one asking again and again, cost one
   * serialization of up to 320 KiB, not one each.
   */
  recentJson(limit = this.capacity): string {
    const held = this.json;
    if (held && held.total === this.total && held.limit === limit) return held.text;
    const text = JSON.stringify(this.recent(limit));
    this.json = { total: this.total, limit, text };
    return text;
  }

  /** Lines held now (at most `capacity`). */
  get size(): number {
    return this.held;
  }

  /** Events and notes recorded since the bridge started, folded ones included. */
  get recorded(): number {
    return this.total;
  }

  /** No-change Updates folded into the line before them. */
  get folded(): number {
    return this.folds;
  }
}

/**
 * Raw request text (Register and last Update, query and payload) above which a registry event is turned
 * into its wire line at once instead of held: a Register body may be 64 KiB (coap-endpoint.ts
 * maxBodyBytes), and a ring of 1,000 such registrations would hold 64 MiB for a feed that shows
 * none of it. Typical devices send a few hundred bytes and keep the cheap path.
 */
export const MAX_HELD_RAW_CHARS = 2048;

/** What the ring holds for an event: the event itself, or its wire line when it carries large raw requests. */
export function heldLine(event: FleetEvent | RegistrationEvent): FleetEvent | RegistrationEvent {
  if ('kind' in event) return event;
  const r = event.registration;
  const raw = r.rawRegister.query.length + r.rawRegister.payload.length + (r.rawLastUpdate ? r.rawLastUpdate.query.length + r.rawLastUpdate.payload.length : 0);
  return raw > MAX_HELD_RAW_CHARS ? toFleetEvent(event) : event;
}

/** The registration id of an Update that changed nothing, in either shape; else undefined. */
function quietUpdateOf(line: HeldLine): string | undefined {
  if ('kind' in line) return line.kind === 'updated' && isEmpty(line.changes) ? line.registration.id : undefined;
  return line.type === 'updated' && isEmpty(line.changes) ? line.registration.id : undefined;
}

function isEmpty(changes: object): boolean {
  for (const _ in changes) return false;
  return true;
}

/**
 * The feed line for registrations restored from the previous run (bridge.ts), or undefined when
 * none were saved: one line for the whole fleet, not one per device, so a restart of a
 * million-device bridge does not fill the ring with it.
 */
export function restartNote(report: { restored: number; expired: number } | undefined, at: number): ActivityNote | undefined {
  if (!report || report.restored + report.expired === 0) return undefined;
  const n = (k: number, what: string) => `${k.toLocaleString('en-US')} ${what}${k === 1 ? '' : 's'}`;
  const expired = report.expired > 0 ? `; ${n(report.expired, 'registration')} expired while it was down` : '';
  return { kind: 'note', at, detail: `${n(report.restored, 'registration')} kept across a restart of the bridge${expired}` };
}
