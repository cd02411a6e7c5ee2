/**
 * Keeps the console under the bridge's per-connection message budget (fleet-hub.ts: 20
 * messages/s, burst 60). The bridge DROPS frames over budget and says so once, without the
 * requestId, so an operation sent in a burst would wait for an answer that never comes.
 * Here frames over budget wait their turn instead, in order.
 */
import type { Timers } from './pending-requests.js';

export interface PacerOptions {
  /** Frames per second; a little under the bridge's 20 so clocks and pings leave a margin. */
  ratePerSecond?: number;
  burst?: number;
  now?: () => number;
  timers?: Timers;
}

export class SendPacer {
  private readonly rate: number;
  private readonly burst: number;
  private readonly now: () => number;
  private readonly timers: Timers;
  private tokens: number;
  private last: number;
  private readonly queue: string[] = [];
  private timer: unknown;

  constructor(
    private readonly write: (text: string) => void,
    options: PacerOptions = {},
  ) {
    this.rate = options.ratePerSecond ?? 16;
    this.burst = options.burst ?? 40;
    this.now = options.now ?? (() => Date.now());
    this.timers = options.timers ?? { set: (fn, ms) => setTimeout(fn, ms), clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>) };
    this.tokens = this.burst;
    this.last = this.now();
  }

  /** Sends now when the budget allows and nothing is queued; otherwise queues. */
  push(text: string): void {
    this.queue.push(text);
    this.drain();
  }

  /** Frames waiting for budget. */
  get waiting(): number {
    return this.queue.length;
  }

  /** The connection closed: what was queued will never be sent on it. */
  clear(): void {
    this.queue.length = 0;
    if (this.timer !== undefined) this.timers.clear(this.timer);
    this.timer = undefined;
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.rate);
    this.last = t;
  }

  private drain(): void {
    this.refill();
    while (this.queue.length > 0 && this.tokens >= 1) {
      this.tokens -= 1;
      this.write(this.queue.shift()!);
    }
    if (this.queue.length > 0 && this.timer === undefined) {
      const wait = Math.ceil(((1 - this.tokens) / this.rate) * 1000);
      this.timer = this.timers.set(() => {
        this.timer = undefined;
        this.drain();
      }, Math.max(1, wait));
    }
  }
}
