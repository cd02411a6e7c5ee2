/**
 * Filtering and ordering of the fleet table, pure: endpoints in, ordered endpoints out.
 */
import type { RegistrationSummary } from '@lwm2m-console/shared';

export const FLEET_SORT_KEYS = [
  'endpoint',
  'id',
  'address',
  'transport',
  'lwm2mVersion',
  'binding',
  'smsNumber',
  'lifetime',
  'expiresAt',
  'registeredAt',
  'lastUpdateAt',
  'objectCount',
] as const;
export type FleetSortKey = (typeof FLEET_SORT_KEYS)[number];
export type SortDirection = 'asc' | 'desc';

/** Sort keys an Update can change: ordering by them must be recomputed after updates. */
export const UPDATE_SENSITIVE_KEYS: ReadonlySet<FleetSortKey> = new Set([
  'address',
  'binding',
  'smsNumber',
  'lifetime',
  'expiresAt',
  'lastUpdateAt',
  'objectCount',
]);

function keyOf(s: RegistrationSummary, key: FleetSortKey): string | number {
  switch (key) {
    case 'address':
      return `${s.address}:${String(s.port).padStart(5, '0')}`;
    case 'smsNumber':
      return s.smsNumber ?? '';
    default:
      return s[key] as string | number;
  }
}

/** Endpoints whose name contains `query` (case-insensitive), ordered by `key`, endpoint as tie-break. */
export function orderFleet(
  fleet: { values(): Iterable<RegistrationSummary> },
  query: string,
  key: FleetSortKey,
  direction: SortDirection,
): string[] {
  const q = query.trim().toLowerCase();
  const picked: RegistrationSummary[] = [];
  for (const s of fleet.values()) if (q === '' || s.endpoint.toLowerCase().includes(q)) picked.push(s);
  const dir = direction === 'asc' ? 1 : -1;
  picked.sort((a, b) => {
    const ka = keyOf(a, key);
    const kb = keyOf(b, key);
    if (ka < kb) return -dir;
    if (ka > kb) return dir;
    return a.endpoint < b.endpoint ? -1 : a.endpoint > b.endpoint ? 1 : 0;
  });
  return picked.map((s) => s.endpoint);
}
