/**
 * A bounded recency cache in two generations: new and touched keys live in `young`; when
 * `young` holds half the capacity it becomes `old` and the previous `old` is dropped whole.
 *
 * Why not one Map with delete-and-re-set for recency and `keys().next()` for eviction: V8's
 * ordered hash tables keep deleted slots until the next rehash, and iteration from the front
 * walks over them, so every eviction scanned up to the whole table. Measured: 67% of the CPU of
 * a registration fill at 400,000 endpoints went to one such eviction loop (docs/benchmarks.md).
 * Here every operation is O(1); eviction is approximate LRU (a generation at a time).
 *
 * Values can carry a weight (say, the length of a list) so a caller can bound the total as well
 * as the count. The weight is kept per generation rather than by visiting what a generation
 * change drops: at 100,000 keys per generation that visit was a 15–74 ms stall in an expiry
 * storm (docs/benchmarks.md), while dropping a generation is O(1).
 */
export class GenerationalLru<V> {
  private young = new Map<string, V>();
  private old = new Map<string, V>();
  private youngWeight = 0;
  private oldWeight = 0;

  /**
   * @param capacity most keys held (both generations together)
   * @param weigh a value's weight; values that change weight are reported with `adjustWeight`
   */
  constructor(
    private readonly capacity: number,
    private readonly weigh: (value: V) => number = () => 1,
  ) {}

  get size(): number {
    return this.young.size + this.old.size;
  }

  /** Sum of the weights of the values held. */
  get weight(): number {
    return this.youngWeight + this.oldWeight;
  }

  /** Reads without changing recency. */
  peek(key: string): V | undefined {
    return this.young.get(key) ?? this.old.get(key);
  }

  has(key: string): boolean {
    return this.young.has(key) || this.old.has(key);
  }

  /** Reads and marks as recently used. */
  get(key: string): V | undefined {
    const young = this.young.get(key);
    if (young !== undefined) return young;
    const old = this.old.get(key);
    if (old !== undefined) {
      this.old.delete(key);
      this.oldWeight -= this.weigh(old);
      this.setYoung(key, old);
    }
    return old;
  }

  set(key: string, value: V): void {
    this.delete(key);
    this.setYoung(key, value);
  }

  delete(key: string): boolean {
    const young = this.young.get(key);
    if (young !== undefined) {
      this.young.delete(key);
      this.youngWeight -= this.weigh(young);
      return true;
    }
    const old = this.old.get(key);
    if (old === undefined) return false;
    this.old.delete(key);
    this.oldWeight -= this.weigh(old);
    return true;
  }

  /** Records that the value held under `key` changed weight by `delta` (it was mutated in place). */
  adjustWeight(key: string, delta: number): void {
    if (this.young.has(key)) this.youngWeight += delta;
    else if (this.old.has(key)) this.oldWeight += delta;
  }

  /** Drops the older generation now (e.g. when a secondary bound, like total weight, is hit). */
  rotate(): void {
    this.old = this.young;
    this.oldWeight = this.youngWeight;
    this.young = new Map();
    this.youngWeight = 0;
  }

  *entries(): IterableIterator<[string, V]> {
    yield* this.old.entries();
    yield* this.young.entries();
  }

  private setYoung(key: string, value: V): void {
    this.young.set(key, value);
    this.youngWeight += this.weigh(value);
    if (this.young.size >= Math.max(1, this.capacity >> 1)) this.rotate();
  }
}
