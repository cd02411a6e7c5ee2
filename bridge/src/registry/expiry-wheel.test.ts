import { describe, expect, it } from 'vitest';
import { ExpiryWheel } from './expiry-wheel.js';

describe('ExpiryWheel', () => {
  it('returns ids once their deadline has passed, never early', () => {
    const w = new ExpiryWheel(0);
    w.schedule('a', 1500);
    w.schedule('b', 2000);
    expect(w.collectDue(1499)).toEqual([]);
    expect(w.collectDue(1999)).toEqual([]);
    expect(w.collectDue(2000).sort()).toEqual(['a', 'b']);
    expect(w.size).toBe(0);
  });

  it('collects at most one slot late', () => {
    const w = new ExpiryWheel(0);
    w.schedule('a', 1001);
    expect(w.collectDue(1999)).toEqual([]);
    expect(w.collectDue(2000)).toEqual(['a']);
  });

  it('cancels and reschedules', () => {
    const w = new ExpiryWheel(0);
    w.schedule('a', 1000);
    w.reschedule('a', 1000, 5000);
    expect(w.collectDue(4000)).toEqual([]);
    w.cancel('a', 5000);
    expect(w.collectDue(10_000)).toEqual([]);
    expect(w.size).toBe(0);
  });

  it('puts deadlines already in the past into the next collection', () => {
    const w = new ExpiryWheel(10_000);
    w.schedule('late', 1);
    expect(w.collectDue(10_000)).toEqual(['late']);
  });

  it('honours the limit and keeps the rest', () => {
    const w = new ExpiryWheel(0);
    for (let i = 0; i < 10; i++) w.schedule(`r${i}`, 1000);
    expect(w.collectDue(1000, 4)).toHaveLength(4);
    expect(w.size).toBe(6);
    expect(w.collectDue(1000, 100)).toHaveLength(6);
  });

  it('tells when the next slot is due', () => {
    const w = new ExpiryWheel(0);
    expect(w.nextDueAt()).toBeUndefined();
    w.schedule('a', 4200);
    expect(w.nextDueAt()).toBe(5000);
  });
});
