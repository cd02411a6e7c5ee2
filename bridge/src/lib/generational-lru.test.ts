import { describe, expect, it } from 'vitest';
import { GenerationalLru } from './generational-lru.js';

describe('GenerationalLru', () => {
  it('never holds more than its capacity and evicts the least recently used generation', () => {
    const evicted: string[] = [];
    const lru = new GenerationalLru<number>(4, (k) => evicted.push(k));
    lru.set('a', 1);
    lru.set('b', 2); // young full (2): becomes old {a,b}
    lru.get('a'); // a back to young
    lru.set('c', 3); // young {a,c} full: old {b} evicted
    expect(evicted).toEqual(['b']);
    expect(lru.size).toBeLessThanOrEqual(4);
    expect(lru.peek('a')).toBe(1);
    expect(lru.has('b')).toBe(false);
  });

  it('stays within capacity over many operations and keeps keys that are used often', () => {
    const lru = new GenerationalLru<number>(1000);
    for (let i = 0; i < 50_000; i++) {
      lru.set(`k${i}`, i);
      lru.get('hot');
      if (i === 0) lru.set('hot', -1);
      expect(lru.size).toBeLessThanOrEqual(1000);
    }
    expect(lru.peek('hot')).toBe(-1);
    expect(lru.has('k0')).toBe(false);
  });

  it('deletes from either generation', () => {
    const lru = new GenerationalLru<number>(4);
    lru.set('a', 1);
    lru.set('b', 2);
    lru.set('c', 3);
    expect(lru.delete('a')).toBe(true);
    expect(lru.delete('c')).toBe(true);
    expect(lru.delete('zz')).toBe(false);
    expect([...lru.entries()].map(([k]) => k)).toEqual(['b']);
  });
});
