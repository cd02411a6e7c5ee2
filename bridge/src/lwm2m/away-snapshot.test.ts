import { encodeSummaryRow, type RegistrationSummary } from '@lwm2m-console/shared';
import { describe, expect, it } from 'vitest';
import { AwayDevices } from '../console/away-devices.js';
import {
  AWAY_RESTORE_GRACE_MS,
  awayDevicesOf,
  collectAwaySnapshot,
  decodeAwaySnapshot,
  encodeAwaySnapshot,
  type AwayRecord,
  type AwaySnapshot,
} from './away-snapshot.js';
import { DISABLE_DEREGISTER_WINDOW_MS, DisableTracker, MAX_TRACKED_DISABLES } from './disable-tracker.js';

const T0 = 1_800_000_000_000;
const HOUR = 3_600_000;

const summary = (endpoint: string, id = 'AAAAAAAAAAA'): RegistrationSummary => ({
  id,
  endpoint,
  address: '192.0.2.7',
  port: 5683,
  transport: 'coap',
  lwm2mVersion: '1.1',
  binding: 'U',
  queueMode: false,
  lifetime: 300,
  registeredAt: T0 - 60_000,
  lastUpdateAt: T0 - 30_000,
  expiresAt: T0 + 270_000,
  objectCount: 3,
});

const away = (endpoint: string, expectedBackAt = T0 + HOUR): AwayRecord => ({
  endpoint,
  disabledAt: T0,
  expectedBackAt,
  row: { leftAt: T0 + 40, registration: summary(endpoint) },
});

const header = JSON.stringify({ format: 'lwm2m-console/away-devices', version: 1, savedAt: T0 });
const text = (...lines: unknown[]) => [header, ...lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l)))].join('\n') + '\n';
const awayLine = (a: Record<string, unknown>) => ({ away: { endpoint: 'dev', disabledAt: T0, expectedBackAt: T0 + HOUR, ...a } });

describe('away snapshot', () => {
  it('reads back what it wrote: away devices with their console rows, and Disables still waiting for their De-register', () => {
    const snapshot: AwaySnapshot = {
      away: [away('dev-1'), { endpoint: 'no-console', disabledAt: T0, expectedBackAt: T0 + 5_000 }],
      pending: [{ registrationId: 'k3Jd_-abc12', endpoint: 'dev-2', disabledAt: T0, expectedBackAt: T0 + 86_400_000 }],
    };
    const read = decodeAwaySnapshot(encodeAwaySnapshot(snapshot, T0), T0 + 1_000);
    expect(read).toEqual({ ...snapshot, overdue: 0, stale: 0, unreadable: 0, incomplete: false });
    expect(awayDevicesOf(read.away)).toEqual([{ endpoint: 'dev-1', registration: summary('dev-1'), disabledAt: T0 + 40, expectedBackAt: T0 + HOUR }]);
  });

  it('still awaits a device up to a day past its expected return, and lets it go after that', () => {
    const file = encodeAwaySnapshot({ away: [away('late', T0 + HOUR)], pending: [] }, T0);
    expect(decodeAwaySnapshot(file, T0 + HOUR + AWAY_RESTORE_GRACE_MS).away.map((r) => r.endpoint)).toEqual(['late']);
    const after = decodeAwaySnapshot(file, T0 + HOUR + AWAY_RESTORE_GRACE_MS + 1);
    expect(after).toMatchObject({ away: [], overdue: 1, unreadable: 0 });
  });

  it('drops a pending Disable whose De-register window has passed: that De-register would not count as the Disable', () => {
    const file = encodeAwaySnapshot({ away: [], pending: [{ registrationId: 'k3Jd_-abc12', endpoint: 'dev', disabledAt: T0, expectedBackAt: T0 + HOUR }] }, T0);
    expect(decodeAwaySnapshot(file, T0 + DISABLE_DEREGISTER_WINDOW_MS).pending).toHaveLength(1);
    expect(decodeAwaySnapshot(file, T0 + DISABLE_DEREGISTER_WINDOW_MS + 1)).toMatchObject({ pending: [], stale: 1 });
  });

  it('drops a file that is not its format, or of another version, as a whole and says why', () => {
    expect(decodeAwaySnapshot('', T0)).toMatchObject({ error: 'empty file', away: [] });
    expect(decodeAwaySnapshot('\u0000\u0001 not json\n{"away":', T0)).toMatchObject({ error: 'not an away-devices file', away: [] });
    expect(decodeAwaySnapshot('{"format":"lwm2m-console/registrations","version":1}\n', T0).error).toBe('not an away-devices file');
    expect(decodeAwaySnapshot('{"format":"lwm2m-console/away-devices","version":2}\n', T0).error).toBe('format version 2, this bridge reads version 1');
  });

  it('skips and counts damaged or invalid lines and keeps the good ones', () => {
    const good = { away: { endpoint: 'good', disabledAt: T0, expectedBackAt: T0 + HOUR, leftAt: T0 + 40, registration: encodeSummaryRow(summary('good')) } };
    const bad = [
      '{"away":{"endpoint":"cut',
      'not json',
      '[1,2,3]',
      { something: 'else' },
      awayLine({ endpoint: '' }),
      awayLine({ endpoint: 'x'.repeat(256) }),
      awayLine({ endpoint: 'bell\u0007' }),
      awayLine({ endpoint: 42 }),
      awayLine({ disabledAt: 'yesterday' }),
      awayLine({ disabledAt: -1 }),
      awayLine({ disabledAt: T0 + 0.5 }),
      awayLine({ expectedBackAt: T0 - 1 }), // back before it was disabled
      awayLine({ expectedBackAt: Number.MAX_SAFE_INTEGER + 2 }),
      awayLine({ leftAt: T0 }), // a row needs its registration
      awayLine({ registration: encodeSummaryRow(summary('dev')) }), // and its time
      awayLine({ leftAt: T0, registration: encodeSummaryRow(summary('someone-else')) }),
      awayLine({ leftAt: T0, registration: encodeSummaryRow({ ...summary('dev'), address: 'not an address' }) }),
      awayLine({ leftAt: T0, registration: encodeSummaryRow({ ...summary('dev'), port: 70000 }) }),
      awayLine({ leftAt: T0, registration: encodeSummaryRow({ ...summary('dev'), id: '../../etc' }) }),
      awayLine({ leftAt: T0, registration: encodeSummaryRow({ ...summary('dev'), binding: '<script>' }) }),
      awayLine({ leftAt: T0, registration: encodeSummaryRow({ ...summary('dev'), lifetime: 0 }) }),
      awayLine({ leftAt: T0, registration: encodeSummaryRow({ ...summary('dev'), smsNumber: '\u0000' }) }),
      awayLine({ leftAt: T0, registration: [...encodeSummaryRow(summary('dev')).slice(0, 14)] }),
      { pending: { registrationId: 'short', endpoint: 'dev', disabledAt: T0, expectedBackAt: T0 } },
      { pending: { registrationId: 'k3Jd_-abc12', endpoint: 'dev', disabledAt: T0 } },
      { pending: null },
      { away: null },
    ];
    const read = decodeAwaySnapshot(text(good, ...bad, { end: bad.length + 1 }), T0);
    expect(read.away.map((r) => r.endpoint)).toEqual(['good']);
    expect(read.pending).toEqual([]);
    expect(read.unreadable).toBe(bad.length);
    expect(read.incomplete).toBe(true); // 4 of the bad lines are no entry at all
  });

  it('builds fresh objects: extra fields and a __proto__ key in the file are not carried over', () => {
    const line = '{"away":{"endpoint":"dev","disabledAt":1800000000000,"expectedBackAt":1800000001000,"__proto__":{"admin":true},"extra":"x"}}';
    const read = decodeAwaySnapshot(text(line, { end: 1 }), T0);
    expect(read.away).toEqual([{ endpoint: 'dev', disabledAt: T0, expectedBackAt: T0 + 1000 }]);
    expect(Object.getPrototypeOf(read.away[0])).toBe(Object.prototype);
    expect((read.away[0] as unknown as Record<string, unknown>).admin).toBeUndefined();
  });

  it('keeps the first entry of an endpoint or registration named twice', () => {
    const read = decodeAwaySnapshot(text(awayLine({ expectedBackAt: T0 + 1 }), awayLine({ expectedBackAt: T0 + 2 }), { end: 2 }), T0);
    expect(read.away).toEqual([{ endpoint: 'dev', disabledAt: T0, expectedBackAt: T0 + 1 }]);
    expect(read.unreadable).toBe(1);
  });

  it('tells a file cut short or with lines after its end', () => {
    const whole = encodeAwaySnapshot({ away: [away('a'), away('b')], pending: [] }, T0);
    const cut = whole.split('\n').slice(0, 2).join('\n');
    expect(decodeAwaySnapshot(cut, T0)).toMatchObject({ incomplete: true, unreadable: 0 });
    expect(decodeAwaySnapshot(cut, T0).away.map((r) => r.endpoint)).toEqual(['a']);
    expect(decodeAwaySnapshot(whole + JSON.stringify(awayLine({ endpoint: 'c' })) + '\n', T0)).toMatchObject({ incomplete: false, unreadable: 1 });
  });

  it('holds a restored file to the bound of the tracker', () => {
    const lines = Array.from({ length: MAX_TRACKED_DISABLES + 2 }, (_, i) => `{"away":{"endpoint":"d${i}","disabledAt":${T0},"expectedBackAt":${T0}}}`);
    const read = decodeAwaySnapshot(`${header}\n${lines.join('\n')}\n{"end":${lines.length}}\n`, T0);
    expect(read.away).toHaveLength(MAX_TRACKED_DISABLES);
    expect(read.unreadable).toBe(2);
  });

  it('joins what the tracker and the console hold per endpoint', () => {
    const tracker = new DisableTracker();
    tracker.expect('reg-left-aaa', 'left', T0, T0 + HOUR);
    tracker.expect('reg-wait-aaa', 'waiting', T0, T0 + HOUR);
    tracker.classifyDeregister('reg-left-aaa', T0 + 40);
    const rows = new AwayDevices();
    rows.restore([{ endpoint: 'left', registration: summary('left'), disabledAt: T0 + 40, expectedBackAt: T0 + HOUR }]);
    expect(collectAwaySnapshot(tracker, rows)).toEqual({
      away: [{ endpoint: 'left', disabledAt: T0, expectedBackAt: T0 + HOUR, row: { leftAt: T0 + 40, registration: summary('left') } }],
      pending: [{ registrationId: 'reg-wait-aaa', endpoint: 'waiting', disabledAt: T0, expectedBackAt: T0 + HOUR }],
    });
    expect(collectAwaySnapshot(tracker, undefined).away).toEqual([{ endpoint: 'left', disabledAt: T0, expectedBackAt: T0 + HOUR }]);
  });
});
