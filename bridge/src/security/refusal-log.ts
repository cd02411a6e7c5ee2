/**
 * The refused connection attempts the console shows (shared/src/refusals.ts): a bounded,
 * folding log. An attempt that repeats a kept entry (same transport, stage, outcome, reason,
 * identity and endpoint) grows that entry's count and moves it to the newest end instead of
 * adding a line, so a device retrying with a wrong key, or a flood, costs one entry. At most
 * `capacity` entries are kept; the oldest goes first. Pure: the caller passes the time.
 */
import { MAX_REFUSALS, type Refusal, type RefusalStage, type Transport } from '@lwm2m-console/shared';

export interface RefusedAttempt {
  transport: Transport;
  address: string;
  port: number;
  stage: RefusalStage;
  identity?: string | undefined;
  endpoint?: string | undefined;
  outcome: string;
  reason: string;
}

/** Longest identity, endpoint or reason kept: the text comes from the device. */
const MAX_TEXT = 256;

export class RefusalLog {
  /** Entries by fold key, oldest first (a Map keeps insertion order; a fold re-inserts). */
  private readonly entries = new Map<string, Refusal>();
  private readonly listeners = new Set<(changed: Refusal) => void>();
  private nextId = 1;

  constructor(private readonly capacity = MAX_REFUSALS) {}

  record(attempt: RefusedAttempt, at: number): Refusal {
    const identity = clip(attempt.identity);
    const endpoint = clip(attempt.endpoint);
    const reason = clip(attempt.reason) ?? '';
    const key = JSON.stringify([attempt.transport, attempt.stage, attempt.outcome, reason, identity ?? null, endpoint ?? null]);
    let entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key);
      entry = { ...entry, lastAt: at, count: entry.count + 1, address: attempt.address, port: attempt.port };
    } else {
      entry = { id: this.nextId++, firstAt: at, lastAt: at, count: 1, transport: attempt.transport, address: attempt.address, port: attempt.port, stage: attempt.stage, outcome: attempt.outcome, reason };
      if (identity !== undefined) entry.identity = identity;
      if (endpoint !== undefined) entry.endpoint = endpoint;
      if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value!);
    }
    this.entries.set(key, entry);
    for (const listener of this.listeners) listener(entry);
    return entry;
  }

  /** Every kept entry, oldest first. */
  list(): Refusal[] {
    return [...this.entries.values()];
  }

  /** Called with each new or grown entry. */
  subscribe(listener: (changed: Refusal) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

function clip(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text;
}
