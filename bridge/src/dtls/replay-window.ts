/**
 * RFC 6347 §4.1.2.6 anti-replay: a 64-record sliding window (the preferred size) per epoch.
 * `isReplay` is checked before the record is authenticated; `accept` only after it authenticated,
 * so a forged record cannot advance the window.
 * The 64-bit bitmap is two unsigned 32-bit words: bit i set means sequence number `top - i` was seen.
 */
export const REPLAY_WINDOW_SIZE = 64;

export class ReplayWindow {
  private top = -1;
  private lo = 0;
  private hi = 0;

  /** Highest sequence number accepted so far (-1 before the first). */
  get highest(): number {
    return this.top;
  }

  isReplay(seq: number): boolean {
    if (seq > this.top) return false;
    const d = this.top - seq;
    if (d >= REPLAY_WINDOW_SIZE) return true; // left of the window: treated as a replay
    return d < 32 ? ((this.lo >>> d) & 1) === 1 : ((this.hi >>> (d - 32)) & 1) === 1;
  }

  accept(seq: number): void {
    if (seq > this.top) {
      const s = this.top < 0 ? REPLAY_WINDOW_SIZE : seq - this.top;
      if (s >= REPLAY_WINDOW_SIZE) {
        this.hi = 0;
        this.lo = 0;
      } else if (s >= 32) {
        this.hi = (this.lo << (s - 32)) >>> 0;
        this.lo = 0;
      } else {
        this.hi = ((this.hi << s) | (this.lo >>> (32 - s))) >>> 0;
        this.lo = (this.lo << s) >>> 0;
      }
      this.top = seq;
      this.lo = (this.lo | 1) >>> 0;
      return;
    }
    const d = this.top - seq;
    if (d >= REPLAY_WINDOW_SIZE) return;
    if (d < 32) this.lo = (this.lo | (1 << d)) >>> 0;
    else this.hi = (this.hi | (1 << (d - 32))) >>> 0;
  }
}
