/**
 * Deduplication of confirmable and non-confirmable requests (RFC 7252 §4.5): a request seen
 * again from the same peer with the same Message ID within EXCHANGE_LIFETIME is answered with
 * the cached response, or ignored while the first copy is still being processed, and never
 * handled twice.
 *
 * Memory is bounded twice: per peer (a ring of the last `perPeer` exchanges: a client with
 * NSTART = 1 has one exchange outstanding, so a handful covers its retransmissions) and in total
 * (least-recently-active peers are forgotten first). Pure: time is passed in.
 */

import { GenerationalLru } from '../lib/generational-lru.js';

/** RFC 7252 §4.8.2: EXCHANGE_LIFETIME = 247 s with default transmission parameters. */
export const EXCHANGE_LIFETIME_MS = 247_000;

interface Exchange {
  messageId: number;
  /** Token of the request, to match a separate (non-piggybacked) response. */
  token: string;
  expiresAt: number;
  /** Undefined while the request is being processed. */
  response?: Uint8Array;
}

type PeerExchanges = Exchange[];

export type DedupVerdict =
  | { kind: 'new' }
  | { kind: 'duplicate-in-progress' }
  | { kind: 'duplicate'; response: Uint8Array };

export interface DedupLimits {
  perPeer: number;
  peers: number;
  lifetimeMs: number;
}

export const DEFAULT_DEDUP_LIMITS: DedupLimits = { perPeer: 4, peers: 100_000, lifetimeMs: EXCHANGE_LIFETIME_MS };

export class DedupCache {
  /** Least recently active peers are forgotten first, a generation at a time. */
  private readonly peers: GenerationalLru<PeerExchanges>;

  constructor(private readonly limits: DedupLimits = DEFAULT_DEDUP_LIMITS) {
    this.peers = new GenerationalLru(limits.peers);
  }

  get peerCount(): number {
    return this.peers.size;
  }

  /** Records a request; tells whether it is new or a duplicate. */
  check(peer: string, messageId: number, token: string, now: number): DedupVerdict {
    let exchanges = this.peers.get(peer);
    if (exchanges) {
      for (const e of exchanges) {
        if (e.messageId === messageId && e.expiresAt > now) {
          return e.response ? { kind: 'duplicate', response: e.response } : { kind: 'duplicate-in-progress' };
        }
      }
    } else {
      this.peers.set(peer, (exchanges = []));
    }
    if (exchanges.length >= this.limits.perPeer) exchanges.shift();
    exchanges.push({ messageId, token, expiresAt: now + this.limits.lifetimeMs });
    return { kind: 'new' };
  }

  /**
   * Remembers the response sent for a request: matched by Message ID for a piggybacked ACK,
   * by token for a separate or non-confirmable response.
   */
  recordResponse(peer: string, messageId: number, token: string, piggybacked: boolean, response: Uint8Array): void {
    const exchanges = this.peers.peek(peer);
    if (!exchanges) return;
    for (let k = exchanges.length - 1; k >= 0; k--) {
      const e = exchanges[k]!;
      if (piggybacked ? e.messageId === messageId : e.token === token && e.response === undefined) {
        e.response = response;
        return;
      }
    }
  }

  /** Forgets an exchange whose processing failed, so a retransmission is handled afresh. */
  forget(peer: string, messageId: number): void {
    const exchanges = this.peers.peek(peer);
    if (!exchanges) return;
    const k = exchanges.findIndex((e) => e.messageId === messageId);
    if (k >= 0) exchanges.splice(k, 1);
    if (exchanges.length === 0) this.peers.delete(peer);
  }

  /** Drops peers whose exchanges all expired, looking at no more than `budget` peers. */
  sweep(now: number, budget = 10_000): void {
    let seen = 0;
    for (const [peer, exchanges] of this.peers.entries()) {
      if (seen++ >= budget) return;
      const last = exchanges[exchanges.length - 1];
      if (!last || last.expiresAt <= now) this.peers.delete(peer);
    }
  }
}
