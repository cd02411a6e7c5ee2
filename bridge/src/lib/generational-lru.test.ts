import { describe, expect, it } from 'vitest';
import { GenerationalLru } from './generational-lru.js';

describe('GenerationalLru', () => {
  it('never holds more than its capacity and evicts the least recently used generation', () => {
    const lru = new GenerationalLru<number>(4);
    lru.set('a', 1);
    lru.set('b', 2); // young full (2): becomes old {a,b}
    lru.get('a'); // a back to young
    lru.set('c', 3); // young {a,c} full: old {b} dropped
    expect(lru.size).toBeLessThanOrEqual(4);
    expect(lru.peek('a')).toBe(1);
    expect(lru.has('b')).toBe(false);
  });

  it('keeps the total weight of what it holds through promotions, growth, deletes and evictions', () => {
    const lru = new GenerationalLru<number[]>(4, (list) => list.length);
    const held = () => [...lru.entries()].reduce((sum, [, list]) => sum + list.length, 0);
    lru.set('a', [1, 2, 3]);
    lru.set('b', [1]); // young full: old {a,b}
    expect(lru.weight).toBe(4);
    lru.get('a')!.push(4); // a promoted, then grown in place
    lru.adjustWeight('a', 1);
    expect(lru.weight).toBe(5);
    lru.set('c', [1, 1]); // young {a,c} full: old {b} dropped whole
    expect(lru.has('b')).toBe(false);
    expect(lru.weight).toBe(held());
    lru.peek('c')!.splice(0, 1);
    lru.adjustWeight('c', -1);
    lru.delete('a');
    expect(lru.weight).toBe(1);
    expect(lru.weight).toBe(held());
    lru.rotate();
    lru.rotate();
    expect(lru.weight).toBe(0);
    expect(lru.size).toBe(0);
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
