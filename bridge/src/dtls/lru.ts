/**
 * Eviction for Maps used as LRUs (re-inserted on use, oldest first). Deleting the oldest entry one
 * at a time via `keys().next()` is O(deleted entries) in V8: deleted slots stay at the front of
 * the ordered hash table until it is rehashed, and every new iterator walks over them (measured
 * 6.5 µs per insertion at 10 000 entries, against 0.26 µs when evicting in batches). So once over
 * the limit, the oldest 1/64 of the capacity goes in one pass.
 */
export function evictOldest<K, V>(map: Map<K, V>, maxEntries: number): void {
  if (map.size <= maxEntries) return;
  let drop = map.size - maxEntries + (maxEntries >> 6);
  for (const k of map.keys()) {
    if (drop-- <= 0) break;
    map.delete(k);
  }
}
