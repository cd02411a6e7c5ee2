import { describe, expect, it } from 'vitest';
import { SendPacer } from './send-pacer.js';

function clock() {
  let t = 0;
  const timers: { at: number; fn: () => void; id: number }[] = [];
  let id = 0;
  return {
    now: () => t,
    timers: {
      set: (fn: () => void, ms: number) => (timers.push({ at: t + ms, fn, id: ++id }), id),
      clear: (h: unknown) => void timers.splice(timers.findIndex((x) => x.id === h), 1),
    },
    advance(ms: number) {
      t += ms;
      for (const x of [...timers].filter((x) => x.at <= t)) {
        timers.splice(timers.indexOf(x), 1);
        x.fn();
      }
    },
  };
}

describe('send pacer', () => {
  it('sends a burst at once, then queues the excess in order and sends it as the budget refills', () => {
    const c = clock();
    const sent: string[] = [];
    const pacer = new SendPacer((t) => sent.push(t), { ratePerSecond: 10, burst: 3, now: c.now, timers: c.timers });
    for (const m of ['a', 'b', 'c', 'd', 'e']) pacer.push(m);
    expect(sent).toEqual(['a', 'b', 'c']);
    expect(pacer.waiting).toBe(2);
    c.advance(100);
    expect(sent).toEqual(['a', 'b', 'c', 'd']);
    c.advance(100);
    expect(sent).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(pacer.waiting).toBe(0);
  });

  it('never exceeds the rate over a long run', () => {
    const c = clock();
    const sentAt: number[] = [];
    const pacer = new SendPacer(() => sentAt.push(c.now()), { ratePerSecond: 16, burst: 40, now: c.now, timers: c.timers });
    for (let i = 0; i < 200; i++) pacer.push(String(i));
    for (let i = 0; i < 200; i++) c.advance(50);
    expect(sentAt).toHaveLength(200);
    // Within any 1 s window after the burst: at most rate + burst frames (the bridge allows 20/s, burst 60).
    for (const start of sentAt) expect(sentAt.filter((t) => t >= start && t < start + 1000).length).toBeLessThanOrEqual(56);
  });

  it('drops what is queued when the connection closes', () => {
    const c = clock();
    const sent: string[] = [];
    const pacer = new SendPacer((t) => sent.push(t), { ratePerSecond: 1, burst: 1, now: c.now, timers: c.timers });
    pacer.push('a');
    pacer.push('b');
    pacer.clear();
    c.advance(5000);
    expect(sent).toEqual(['a']);
  });
});
