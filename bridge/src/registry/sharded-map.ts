/**
 * A string-keyed Map that splits itself into 64 shards once it grows large.
 *
 * Why: V8 grows a Map by rehashing every entry into a table twice the size. At a million
 * entries that single rehash blocked the event loop for hundreds of milliseconds (measured:
 * 733 ms worst stall while filling to 1M registrations, docs/benchmarks.md); a shrink while a
 * million registrations expire does the same. With 64 shards each rehash moves 1/64 of the
 * entries. Small maps (most expiry slots) stay a single Map, so the split costs nothing there.
 */
export const SHARDS = 64;
const SPLIT_AT = 16_384;

/** FNV-1a over the key's UTF-16 code units: cheap for short keys, spreads sequential names. */
function shardOf(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) & (SHARDS - 1);
}

export class ShardedMap<V> {
  private single: Map<string, V> | undefined = new Map();
  private shards: Map<string, V>[] | undefined;
  private count = 0;

  get size(): number {
    return this.count;
  }

  private mapFor(key: string): Map<string, V> {
    return this.single ?? this.shards![shardOf(key)]!;
  }

  get(key: string): V | undefined {
    return this.mapFor(key).get(key);
  }

  has(key: string): boolean {
    return this.mapFor(key).has(key);
  }

  set(key: string, value: V): this {
    const map = this.mapFor(key);
    const before = map.size;
    map.set(key, value);
    if (map.size > before) {
      this.count++;
      if (this.single && this.count > SPLIT_AT) this.split();
    }
    return this;
  }

  delete(key: string): boolean {
    const deleted = this.mapFor(key).delete(key);
    if (deleted) this.count--;
    return deleted;
  }

  *entries(): IterableIterator<[string, V]> {
    if (this.single) yield* this.single.entries();
    else for (const shard of this.shards!) yield* shard.entries();
  }

  *keys(): IterableIterator<string> {
    for (const [k] of this.entries()) yield k;
  }

  *values(): IterableIterator<V> {
    for (const [, v] of this.entries()) yield v;
  }

  private split(): void {
    const shards = Array.from({ length: SHARDS }, () => new Map<string, V>());
    for (const [k, v] of this.single!) shards[shardOf(k)]!.set(k, v);
    this.shards = shards;
    this.single = undefined;
  }
}
