import { describe, expect, it } from 'vitest';
import type { AwayDevice, Registration } from '@lwm2m-console/shared';
import { summarize } from '@lwm2m-console/shared';
import { fixtureRegistration, T0 } from '../registry/test-support.js';
import { AwayDevices } from './away-devices.js';

const registration = (endpoint: string, id = 'AAAAAAAAAAA'): Registration => fixtureRegistration(id, endpoint);

const row = (endpoint: string, expectedBackAt = T0 + 5_000): AwayDevice => ({ endpoint, registration: summarize(registration(endpoint)), disabledAt: T0, expectedBackAt });

describe('AwayDevices', () => {
  it('lists a device that left after a Disable until it registers again', () => {
    const away = new AwayDevices();
    away.record({ type: 'ended', at: T0, registration: registration('dev1'), reason: 'disabled', expectedBackAt: T0 + 5_000 });
    away.record({ type: 'ended', at: T0, registration: registration('dev2'), reason: 'deregistered' });
    expect(away.list()).toEqual([row('dev1')]);
    away.record({ type: 'registered', at: T0 + 5_000, registration: registration('dev1', 'BBBBBBBBBBB') });
    expect(away.list()).toEqual([]);
  });

  it('takes back the rows of a previous run and lets them go when the device registers again', () => {
    const away = new AwayDevices();
    expect(away.restore([row('dev1'), row('dev2')])).toBe(2);
    expect(away.get('dev1')).toEqual(row('dev1'));
    away.record({ type: 'registered', at: T0 + 5_000, registration: registration('dev1', 'BBBBBBBBBBB') });
    expect(away.list().map((d) => d.endpoint)).toEqual(['dev2']);
  });

  it('keeps a row of this run over a restored one of the same endpoint', () => {
    const away = new AwayDevices();
    away.record({ type: 'ended', at: T0, registration: registration('dev1'), reason: 'disabled', expectedBackAt: T0 + 9_000 });
    expect(away.restore([row('dev1', T0 + 1)])).toBe(0);
    expect(away.get('dev1')?.expectedBackAt).toBe(T0 + 9_000);
  });

  it('holds restored rows to its bound, forgetting the oldest', () => {
    const away = new AwayDevices(2);
    away.restore([row('a'), row('b'), row('c')]);
    expect(away.list().map((d) => d.endpoint)).toEqual(['b', 'c']);
  });
});
