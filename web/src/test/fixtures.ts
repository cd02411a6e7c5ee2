/** Builders for web tests: protocol messages as the bridge sends them. */
import type { DeltaMessage, FleetEvent, RegistrationSummary, SnapshotMessage } from '@lwm2m-console/shared';

export function summary(endpoint: string, overrides: Partial<RegistrationSummary> = {}): RegistrationSummary {
  return {
    id: `id-${endpoint}`,
    endpoint,
    address: '127.0.0.1',
    port: 5683,
    transport: 'coap',
    lwm2mVersion: '1.1',
    binding: 'U',
    queueMode: false,
    lifetime: 60,
    registeredAt: 1_000,
    lastUpdateAt: 1_000,
    expiresAt: 61_000,
    objectCount: 2,
    ...overrides,
  };
}

export function snapshot(seq: number, registrations: RegistrationSummary[], part = 0, parts = 1): SnapshotMessage {
  return { type: 'snapshot', v: 1, seq, serverTime: 1_000, part, parts, registrations };
}

export function delta(seq: number, events: FleetEvent[]): DeltaMessage {
  return { type: 'delta', v: 1, seq, serverTime: 1_000, events };
}

export const registered = (s: RegistrationSummary, at = 2_000): FleetEvent => ({ kind: 'registered', at, registration: s });
export const ended = (s: RegistrationSummary, reason: 'expired' | 'deregistered' = 'deregistered', at = 3_000): FleetEvent => ({
  kind: 'ended',
  at,
  registration: s,
  reason,
});
