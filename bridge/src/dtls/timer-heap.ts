/**
 * One binary min-heap of deadlines for the whole server, instead of a timer (and a closure) per
 * session. Entries are invalidated lazily: each owner carries a generation number, and an entry
 * whose generation no longer matches is discarded when it reaches the top.
 */
export interface TimerOwner {
  timerGen: number;
}

interface Entry<T extends TimerOwner> {
  at: number;
  owner: T;
  gen: number;
}

export class TimerHeap<T extends TimerOwner> {
  private readonly heap: Entry<T>[] = [];

  get size(): number {
    return this.heap.length;
  }

  /** Schedules `owner` at `at`, cancelling its previous deadline. */
  schedule(owner: T, at: number): void {
    owner.timerGen++;
    this.heap.push({ at, owner, gen: owner.timerGen });
    this.up(this.heap.length - 1);
  }

  cancel(owner: T): void {
    owner.timerGen++;
  }

  /** Removes and returns every live owner whose deadline is <= now. */
  due(now: number): T[] {
    const out: T[] = [];
    while (this.heap.length > 0 && this.heap[0]!.at <= now) {
      const e = this.pop();
      if (e.gen === e.owner.timerGen) out.push(e.owner);
    }
    return out;
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
