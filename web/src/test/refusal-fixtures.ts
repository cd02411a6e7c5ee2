/** A refused connection as the bridge sends it (web tests). */
import type { Refusal } from '@lwm2m-console/shared';

export const refusal = (id: number, overrides: Partial<Refusal> = {}): Refusal => ({
  id,
  firstAt: 1_000 * id,
  lastAt: 1_000 * id,
  count: 1,
  transport: 'coaps',
  address: '127.0.0.1',
  port: 40_000 + id,
  stage: 'handshake',
  identity: `dev${id}-id`,
  outcome: 'bad_record_mac',
  reason: 'the Finished did not verify: wrong key',
  ...overrides,
});
