import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import SecurityDtlsStatus from './SecurityDtlsStatus.vue';
import { dtlsStatus } from '../test/dtls-fixtures.js';

const gauge = (w: ReturnType<typeof mount>, key: string) => w.get(`[data-test="dtls-gauge-${key}"]`);
const gaugeText = (w: ReturnType<typeof mount>, key: string) => gauge(w, key).findAll('.dtls-gauge-text > span').map((s) => s.text()).join(' ');

describe('DTLS server panel', () => {
  it('shows sessions, handshakes in progress and resumable sessions against their limits, with a bar as full as each', () => {
    const w = mount(SecurityDtlsStatus, { props: { dtls: dtlsStatus({ sessions: 25_000, handshakes: 1_700, resumable: 9_600 }), loaded: true, at: 10_000, now: 13_400 } });
    const texts = ['sessions', 'handshakes', 'resumable'].map((k) => gaugeText(w, k));
    expect(texts).toEqual(['Sessions 25,000 / 100,000', 'Handshakes in progress 1,700 / 2,000', 'Resumable sessions 9,600 / 10,000']);
    expect(['sessions', 'handshakes', 'resumable'].map((k) => gauge(w, k).attributes('data-level'))).toEqual(['ok', 'warn', 'bad']);
    expect(gauge(w, 'sessions').get('.dtls-bar-fill').attributes('style')).toContain('width: 25%');
    expect(gauge(w, 'resumable').classes()).toContain('is-bad');
    expect(w.get('[data-test="dtls-updated"]').text()).toBe('updated 3s ago');
  });

  it('lists the counters since start in plain words', () => {
    const w = mount(SecurityDtlsStatus, { props: { dtls: dtlsStatus({ handshakesCompleted: 12_345, capacityRefused: 2 }), loaded: true, at: 0, now: 0 } });
    const rows = w.findAll('[data-test="dtls-counters"] > div').map((d) => `${d.get('dt').text()}: ${d.get('dd').text()}`);
    expect(rows).toEqual([
      'Handshakes completed: 12,345',
      'Handshakes failed: 3',
      'Handshakes timed out: 2',
      'Sessions resumed: 5',
      'Resumption refused (credentials changed): 1',
      'Turned away: server full: 2',
      'Stalled handshakes ended to make room: 0',
      'Records dropped: failed authentication: 7',
      'Records dropped: replayed: 4',
      'Records dropped: not DTLS: 9',
      'Idle sessions closed: 6',
      'Address changes (Connection ID): 8',
    ]);
    expect(w.get('[data-test="dtls-updated"]').text()).toBe('updated just now');
  });

  it('says CoAPS is off when the bridge answered without DTLS figures, and only then', () => {
    const off = mount(SecurityDtlsStatus, { props: { dtls: null, loaded: true, at: 5_000, now: 6_000 } });
    expect(off.get('[data-test="dtls-off"]').text()).toBe('CoAPS is off on this bridge.');
    expect(off.find('[data-test="dtls-gauge-sessions"]').exists()).toBe(false);
    const before = mount(SecurityDtlsStatus, { props: { dtls: null, loaded: false, at: null, now: 0 } });
    expect(before.find('[data-test="dtls-off"]').exists()).toBe(false);
    expect(before.find('[data-test="dtls-updated"]').exists()).toBe(false);
  });

  it('keeps showing the last figures under an error line when a refresh failed', () => {
    const w = mount(SecurityDtlsStatus, { props: { dtls: dtlsStatus(), loaded: true, at: 1_000, now: 21_000, error: 'no answer from the bridge within 10 s' } });
    expect(w.get('[data-test="dtls-error"]').text()).toBe('Could not refresh: no answer from the bridge within 10 s');
    expect(gaugeText(w, 'sessions')).toBe('Sessions 12 / 100,000');
    expect(w.get('[data-test="dtls-updated"]').text()).toBe('updated 20s ago');
  });
});
