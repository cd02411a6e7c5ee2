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

export interface DisableReturn {
  disabledAt: number;
  expectedBackAt: number;
}

/** How long after the Execute a De-register still counts as the device obeying it. */
export const DISABLE_DEREGISTER_WINDOW_MS = 60_000;
const MAX_TRACKED = 100_000;

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
}

function bound<K, V>(map: Map<K, V>): void {
  while (map.size > MAX_TRACKED) map.delete(map.keys().next().value as K);
}
