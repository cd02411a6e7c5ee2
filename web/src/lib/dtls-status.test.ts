import { describe, expect, it } from 'vitest';
import { DTLS_COUNTERS, formatCount, gaugeFraction, gaugeLevel, readDtlsStatus } from './dtls-status.js';
import { dtlsStatus } from '../test/dtls-fixtures.js';

describe('DTLS gauges', () => {
  it('stays green below 80 %, turns amber from 80 % and red from 95 % of the limit', () => {
    expect(gaugeLevel(0, 100_000)).toBe('ok');
    expect(gaugeLevel(79_999, 100_000)).toBe('ok');
    expect(gaugeLevel(80_000, 100_000)).toBe('warn');
    expect(gaugeLevel(94_999, 100_000)).toBe('warn');
    expect(gaugeLevel(95_000, 100_000)).toBe('bad');
    expect(gaugeLevel(100_000, 100_000)).toBe('bad');
  });

  it('fills the bar no further than full, and treats a zero limit as full once anything uses it', () => {
    expect(gaugeFraction(2_500, 2_000)).toBe(1);
    expect(gaugeFraction(0, 0)).toBe(0);
    expect(gaugeLevel(1, 0)).toBe('bad');
  });

  it('groups thousands with commas whatever the locale', () => {
    expect(formatCount(100_000)).toBe('100,000');
    expect(formatCount(7)).toBe('7');
  });
});

describe('reading the DTLS figures from the bridge', () => {
  it('takes a record whose every field is a count', () => {
    const read = readDtlsStatus(JSON.parse(JSON.stringify(dtlsStatus())));
    expect(read).toEqual({ ok: true, status: dtlsStatus() });
    expect(DTLS_COUNTERS).toHaveLength(12);
  });

  it('refuses a missing, negative, fractional or non-numeric field, naming it', () => {
    const { replays: _, ...missing } = dtlsStatus();
    expect(readDtlsStatus(missing)).toEqual({ ok: false, error: 'the DTLS figure replays is not a count' });
    expect(readDtlsStatus({ ...dtlsStatus(), sessions: -1 })).toMatchObject({ ok: false, error: expect.stringContaining('sessions') });
    expect(readDtlsStatus({ ...dtlsStatus(), handshakes: 1.5 })).toMatchObject({ ok: false });
    expect(readDtlsStatus({ ...dtlsStatus(), maxSessions: '100000' })).toMatchObject({ ok: false });
    expect(readDtlsStatus(null)).toMatchObject({ ok: false });
  });
});
