/**
 * One binary min-heap of deadlines for the whole server, instead of a timer (and a closure) per
 * session. Entries are invalidated lazily: each owner carries a generation number, and an entry
 * whose generation no longer matches is discarded when it reaches the top.
 *
 * Stale entries are counted and swept out once they outnumber the live ones (and 1024): without
 * that, peers that start and abandon handshakes (or sessions closed during the 30 s final-flight
 * retention) would leave entries, and the closed connections they reference, for up to a minute
 * each, i.e. memory proportional to the handshake rate rather than to the live associations.
 */
export interface TimerOwner {
  timerGen: number;
  /** Whether a live (current-generation) entry for this owner is in the heap. */
  timerArmed: boolean;
}

const MIN_STALE_TO_SWEEP = 1024;

interface Entry<T extends TimerOwner> {
  at: number;
  owner: T;
  gen: number;
}

export class TimerHeap<T extends TimerOwner> {
  private heap: Entry<T>[] = [];
  private stale = 0;

  /** Entries held, live and stale. */
  get size(): number {
    return this.heap.length;
  }

  /** Schedules `owner` at `at`, cancelling its previous deadline. */
  schedule(owner: T, at: number): void {
    this.invalidate(owner);
    owner.timerArmed = true;
    this.heap.push({ at, owner, gen: owner.timerGen });
    this.up(this.heap.length - 1);
    this.maybeSweep();
  }

  cancel(owner: T): void {
    this.invalidate(owner);
    this.maybeSweep();
  }

  /** Removes and returns every live owner whose deadline is <= now. */
  due(now: number): T[] {
    const out: T[] = [];
    while (this.heap.length > 0 && this.heap[0]!.at <= now) {
      const e = this.pop();
      if (e.gen === e.owner.timerGen && e.owner.timerArmed) {
        e.owner.timerArmed = false;
        out.push(e.owner);
      } else this.stale--;
    }
    return out;
  }

  private invalidate(owner: T): void {
    if (owner.timerArmed) this.stale++;
    owner.timerArmed = false;
    owner.timerGen++;
  }

  private maybeSweep(): void {
    if (this.stale < MIN_STALE_TO_SWEEP || this.stale * 2 < this.heap.length) return;
    // O(n) rebuild, paid for by the n/2 stale entries that triggered it.
    this.heap = this.heap.filter((e) => e.gen === e.owner.timerGen && e.owner.timerArmed);
    for (let i = (this.heap.length >> 1) - 1; i >= 0; i--) this.down(i);
    this.stale = 0;
  }

  private pop(): Entry<T> {
    const top = this.heap[0]!;
    const last = this.heap.pop()!;
    if (this.heap.length > 0) {
      this.heap[0] = last;
      this.down(0);
    }
    return top;
  }

  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]!.at <= h[i]!.at) break;
      [h[p], h[i]] = [h[i]!, h[p]!];
      i = p;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && h[l]!.at < h[m]!.at) m = l;
      if (r < h.length && h[r]!.at < h[m]!.at) m = r;
      if (m === i) return;
      [h[m], h[i]] = [h[i]!, h[m]!];
      i = m;
    }
  }
}
