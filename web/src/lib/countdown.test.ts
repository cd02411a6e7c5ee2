import { describe, expect, it } from 'vitest';
import { expiryState, formatCountdown, formatDuration } from './countdown.js';

describe('lifetime countdown', () => {
  it('is ok with plenty left, soon under 30 s or 10 % of the lifetime, overdue once past', () => {
    const lifetime = 3600;
    const expiresAt = 10_000_000;
    expect(expiryState(expiresAt, lifetime, expiresAt - 400_000)).toBe('ok');
    expect(expiryState(expiresAt, lifetime, expiresAt - 350_000)).toBe('soon'); // < 10 % of 1 h
    expect(expiryState(expiresAt, 86_400, expiresAt - 29_000)).toBe('soon');
    expect(expiryState(expiresAt, lifetime, expiresAt)).toBe('overdue');
  });

  it('does not call a short lifetime expiring soon right after an Update', () => {
    const now = 0;
    expect(expiryState(20_000, 20, now)).toBe('ok');
    expect(expiryState(9_000, 20, now)).toBe('soon');
  });

  it('formats remaining time compactly', () => {
    expect(formatCountdown(59_400)).toBe('59s');
    expect(formatCountdown(245_000)).toBe('4m 05s');
    expect(formatCountdown(7_380_000)).toBe('2h 03m');
    expect(formatCountdown(3 * 86_400_000 + 4 * 3_600_000)).toBe('3d 04h');
    expect(formatCountdown(-12_000)).toBe('-12s');
    expect(formatDuration(86_400)).toBe('1d');
    expect(formatDuration(90)).toBe('1m 30s');
  });
});
