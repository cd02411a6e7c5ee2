import { afterEach, describe, expect, it, vi } from 'vitest';
import { describeEnd } from '@lwm2m-console/shared';
import { formatTimestamp, formatTimestampWithZone, utcOffsetLabel } from './format.js';

// Node re-reads TZ when it is assigned (vi.stubEnv assigns it), so each case runs in the zone it names.
const inZone = (tz: string) => vi.stubEnv('TZ', tz);
afterEach(() => {
  vi.unstubAllEnvs();
});

describe('time zone cue on console times', () => {
  it('names UTC plainly and other zones by their offset at that instant, daylight saving included', () => {
    const winter = Date.UTC(2026, 0, 15, 12, 0, 0);
    const summer = Date.UTC(2026, 6, 15, 12, 0, 0);
    inZone('UTC');
    expect(utcOffsetLabel(winter)).toBe('UTC');
    inZone('Europe/Zurich');
    expect(utcOffsetLabel(winter)).toBe('UTC+01:00');
    expect(utcOffsetLabel(summer)).toBe('UTC+02:00');
    inZone('America/New_York');
    expect(utcOffsetLabel(winter)).toBe('UTC-05:00');
    inZone('Asia/Kolkata');
    expect(utcOffsetLabel(winter)).toBe('UTC+05:30');
  });

  it('gives a full local timestamp followed by its zone, for tooltips on short times', () => {
    inZone('Europe/Zurich');
    expect(formatTimestampWithZone(Date.UTC(2026, 10, 29, 10, 41, 39, 208))).toBe('2026-11-29 11:41:39.208 UTC+01:00');
  });
});

describe('times inside event wording', () => {
  it("writes a Disable's expected return in local time for the console, in ISO UTC by default (the bridge's log)", () => {
    vi.stubEnv('TZ', 'Europe/Zurich');
    expect(describeEnd('disabled', Date.parse('2026-11-30T10:49:33.156Z'), formatTimestamp)).toBe('disabled, expected back at 2026-11-30 11:49:33.156');
    expect(describeEnd('disabled', Date.parse('2026-11-30T10:49:33.156Z'))).toBe('disabled, expected back at 2026-11-30T10:49:33.156Z');
    vi.unstubAllEnvs();
  });
});
