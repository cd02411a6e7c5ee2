/**
 * A bounded recency cache in two generations: new and touched keys live in `young`; when
 * `young` holds half the capacity it becomes `old` and the previous `old` is dropped whole.
 *
 * Why not one Map with delete-and-re-set for recency and `keys().next()` for eviction: V8's
 * ordered hash tables keep deleted slots until the next rehash, and iteration from the front
 * walks over them, so every eviction scanned up to the whole table. Measured: 67% of the CPU of
 * a registration fill at 400,000 endpoints went to one such eviction loop (docs/benchmarks.md).
 * Here every operation is O(1); eviction is approximate LRU (a generation at a time).
 */
export class GenerationalLru<V> {
  private young = new Map<string, V>();
  private old = new Map<string, V>();

  /**
   * @param capacity most keys held (both generations together)
   * @param onEvict called for each value dropped by a generation change
   */
  constructor(
    private readonly capacity: number,
    private readonly onEvict?: (key: string, value: V) => void,
  ) {}

  get size(): number {
    return this.young.size + this.old.size;
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
      this.setYoung(key, old);
    }
    return old;
  }

  set(key: string, value: V): void {
    this.old.delete(key);
    this.setYoung(key, value);
  }

  delete(key: string): boolean {
    return this.young.delete(key) || this.old.delete(key);
  }

  /** Drops the older generation now (e.g. when a secondary bound, like total size, is hit). */
  rotate(): void {
    if (this.onEvict) for (const [k, v] of this.old) this.onEvict(k, v);
    this.old = this.young;
    this.young = new Map();
  }

  *entries(): IterableIterator<[string, V]> {
    yield* this.old.entries();
    yield* this.young.entries();
  }

  private setYoung(key: string, value: V): void {
    this.young.set(key, value);
    if (this.young.size >= Math.max(1, this.capacity >> 1)) this.rotate();
  }
}
