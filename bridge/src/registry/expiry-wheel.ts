/**
 * One scheduling structure for every registration's expiry: a wheel of one-second slots,
 * each a set of registration ids (sharded when large: a million ids can share one second). Schedule, reschedule and cancel are O(1); collecting what is
 * due walks the slots between the last sweep and now. Pure: time is passed in.
 *
 * Why not a timer per registration: a million `setTimeout`s cost far more memory than a Set
 * entry, and a storm of simultaneous expiries must be drained in bounded chunks so the event
 * loop never stalls (see `collectDue`'s `limit`).
 */
import { ShardedMap } from './sharded-map.js';

export const SLOT_MS = 1000;

export class ExpiryWheel {
  private readonly slots = new Map<number, ShardedMap<true>>();
  /** Every slot below this one has been collected. */
  private cursor: number;
  private count = 0;

  constructor(now: number) {
    this.cursor = Math.floor(now / SLOT_MS);
  }

  get size(): number {
    return this.count;
  }

  /** A deadline lands in the slot that starts at or after it, so nothing is collected early. */
  private slotOf(deadline: number): number {
    return Math.max(Math.ceil(deadline / SLOT_MS), this.cursor);
  }

  schedule(id: string, deadline: number): void {
    const slot = this.slotOf(deadline);
    let set = this.slots.get(slot);
    if (!set) this.slots.set(slot, (set = new ShardedMap()));
    const before = set.size;
    set.set(id, true);
    if (set.size > before) this.count++;
  }

  cancel(id: string, deadline: number): void {
    const slot = this.slotOf(deadline);
    const set = this.slots.get(slot);
    if (set?.delete(id)) {
      this.count--;
      if (set.size === 0) this.slots.delete(slot);
    }
  }

  reschedule(id: string, oldDeadline: number, newDeadline: number): void {
    this.cancel(id, oldDeadline);
    this.schedule(id, newDeadline);
  }

  /**
   * Removes and returns up to `limit` ids whose deadline is at or before `now`. Call again while
   * it returns `limit` ids: the rest stays queued, in deadline order.
   */
  collectDue(now: number, limit = Infinity): string[] {
    const due: string[] = [];
    const last = Math.floor(now / SLOT_MS);
    while (this.cursor <= last) {
      const set = this.slots.get(this.cursor);
      if (set) {
        for (const id of set.keys()) {
          if (due.length >= limit) return due;
          due.push(id);
          set.delete(id);
          this.count--;
        }
        this.slots.delete(this.cursor);
      }
      this.cursor++;
    }
    return due;
  }

  /** Time of the earliest non-empty slot at or after the cursor, for sleeping until then. */
  nextDueAt(horizonSlots = 3600): number | undefined {
    for (let s = this.cursor; s < this.cursor + horizonSlots; s++) if (this.slots.has(s)) return s * SLOT_MS;
    return undefined;
  }
}
