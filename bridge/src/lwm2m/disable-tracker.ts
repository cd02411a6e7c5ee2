/**
 * The Disable flow (seed B.1, Server object "Disable"): after an operator's Disable execute
 * succeeds, the device MUST de-register and stay silent for Disable Timeout seconds, then
 * register again. This remembers which registration was told to disable so that its
 * De-register ends with reason `disabled` (not a plain de-register), and which endpoint is
 * away so that its return can be measured against the expected time. Pure: time passed in.
 */

interface PendingDisable {
  endpoint: string;
  disabledAt: number;
  expectedBackAt: number;
}

/** A Disable whose De-register has not come yet, as carried over a restart (away-snapshot.ts). */
export interface PendingDisableEntry extends PendingDisable {
  registrationId: string;
}

export interface DisableReturn {
  disabledAt: number;
  expectedBackAt: number;
}

/** How long after the Execute a De-register still counts as the device obeying it. */
export const DISABLE_DEREGISTER_WINDOW_MS = 60_000;
/** Each map holds at most this many entries (the oldest go first); a restored file is held to it too. */
export const MAX_TRACKED_DISABLES = 100_000;

export class DisableTracker {
  /** registration id -> pending disable */
  private readonly pending = new Map<string, PendingDisable>();
  /** endpoint -> when it left and is expected back */
  private readonly away = new Map<string, DisableReturn>();

  /** Records a successful Disable execute. */
  expect(registrationId: string, endpoint: string, disabledAt: number, expectedBackAt: number): void {
    this.pending.set(registrationId, { endpoint, disabledAt, expectedBackAt });
    bound(this.pending);
  }

  /** Classifies a De-register (see `RegistrationHandlerDeps.classifyDeregister`). */
  classifyDeregister(registrationId: string, now: number): { reason: 'disabled'; expectedBackAt: number } | { reason: 'deregistered' } {
    const p = this.pending.get(registrationId);
    if (!p) return { reason: 'deregistered' };
    this.pending.delete(registrationId);
    if (now - p.disabledAt > DISABLE_DEREGISTER_WINDOW_MS) return { reason: 'deregistered' };
    this.away.set(p.endpoint, { disabledAt: p.disabledAt, expectedBackAt: p.expectedBackAt });
    bound(this.away);
    return { reason: 'disabled', expectedBackAt: p.expectedBackAt };
  }

  /** A Register from an endpoint that was disabled: returns when it left and was expected back. */
  returned(endpoint: string): DisableReturn | undefined {
    const r = this.away.get(endpoint);
    if (r) this.away.delete(endpoint);
    return r;
  }

  /** Endpoints currently away after a Disable, for the console's fleet view. */
  awayEndpoints(): IterableIterator<[string, DisableReturn]> {
    return this.away.entries();
  }

  /** True while `endpoint` is away after a Disable (its return not seen yet). */
  isAway(endpoint: string): boolean {
    return this.away.has(endpoint);
  }

  /** Disables whose De-register has not come yet, to be saved on shutdown. */
  *pendingDisables(): Generator<PendingDisableEntry> {
    for (const [registrationId, p] of this.pending) yield { registrationId, ...p };
  }

  /**
   * Takes back what a previous run saved (entries already validated): after a restart the
   * De-register of a pending Disable is still classified `disabled`, and the return of an away
   * endpoint is still recognised. Entries this run already knows are kept as they are.
   */
  restore(state: { pending: Iterable<PendingDisableEntry>; away: Iterable<[endpoint: string, DisableReturn]> }): void {
    for (const { registrationId, endpoint, disabledAt, expectedBackAt } of state.pending) {
      if (!this.pending.has(registrationId)) this.pending.set(registrationId, { endpoint, disabledAt, expectedBackAt });
    }
    bound(this.pending);
    for (const [endpoint, { disabledAt, expectedBackAt }] of state.away) {
      if (!this.away.has(endpoint)) this.away.set(endpoint, { disabledAt, expectedBackAt });
    }
    bound(this.away);
  }
}

function bound<K, V>(map: Map<K, V>): void {
  while (map.size > MAX_TRACKED_DISABLES) map.delete(map.keys().next().value as K);
}
