import { describe, expect, it } from 'vitest';
import { ShardedMap } from './sharded-map.js';

describe('ShardedMap', () => {
  it('behaves as a Map before and after it splits into shards', () => {
    const m = new ShardedMap<number>();
    for (let i = 0; i < 40_000; i++) m.set(`ep-${i}`, i);
    m.set('ep-7', 7);
    expect(m.size).toBe(40_000);
    expect(m.get('ep-39999')).toBe(39_999);
    expect(m.has('ep-40000')).toBe(false);
    expect(m.delete('ep-1')).toBe(true);
    expect(m.delete('ep-1')).toBe(false);
    expect(m.size).toBe(39_999);
    expect([...m.values()].length).toBe(39_999);
    expect(new Set(m.keys()).has('ep-1')).toBe(false);
  });
});
