import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import FleetTableRow from './FleetTableRow.vue';
import { summary } from '../test/fixtures.js';

const at = (h: number, m: number, s: number) => new Date(2026, 10, 29, h, m, s).getTime();

describe('fleet row', () => {
  it('shows an away device as "disabled, expected back at T" with the time left', () => {
    const s = summary('dev1');
    const w = mount(FleetTableRow, { props: { summary: s, now: at(12, 0, 1), away: { endpoint: 'dev1', registration: s, disabledAt: at(12, 0, 0), expectedBackAt: at(12, 0, 3) } } });
    expect(w.attributes('data-state')).toBe('away');
    expect(w.classes()).toContain('is-away');
    expect(w.get('[data-test="away-state"]').text()).toBe('disabled, expected back at 12:00:03');
    expect(w.get('[data-test="countdown"]').text()).toBe('in 2s');
  });

  it('says how late an away device is once past its expected time', () => {
    const s = summary('dev1');
    const w = mount(FleetTableRow, { props: { summary: s, now: at(12, 0, 10), away: { endpoint: 'dev1', registration: s, disabledAt: at(12, 0, 0), expectedBackAt: at(12, 0, 3) } } });
    expect(w.get('[data-test="countdown"]').text()).toBe('7s late');
  });

  it('counts a long Disable Timeout down in days and hours like every other countdown, not in raw seconds', () => {
    const s = summary('dev1');
    const w = mount(FleetTableRow, { props: { summary: s, now: at(12, 0, 0), away: { endpoint: 'dev1', registration: s, disabledAt: at(12, 0, 0), expectedBackAt: at(12, 0, 0) + 86_400_000 } } });
    expect(w.get('[data-test="countdown"]').text()).toBe('in 1d 00h');
    const late = mount(FleetTableRow, { props: { summary: s, now: at(12, 5, 0), away: { endpoint: 'dev1', registration: s, disabledAt: at(11, 0, 0), expectedBackAt: at(12, 0, 0) } } });
    expect(late.get('[data-test="countdown"]').text()).toBe('5m 00s late');
  });

  it('gives a cut-off endpoint name in full on hover, and the registration times with date and time zone', () => {
    const endpoint = `urn:imei:${'3'.repeat(15)}-Zürich-Gebäude-温度センサー-north-wall-plant-7-floor-3`;
    const w = mount(FleetTableRow, { props: { summary: summary(endpoint, { registeredAt: at(9, 15, 0), lastUpdateAt: at(11, 59, 30) }), now: at(12, 0, 0) } });
    expect(w.get('.cell-endpoint a').attributes('title')).toBe(endpoint);
    const times = w.findAll('[title]').map((c) => c.attributes('title')).filter((t) => t?.startsWith('2026-'));
    expect(times).toEqual([expect.stringMatching(/^2026-11-29 09:15:00\.000 UTC/), expect.stringMatching(/^2026-11-29 11:59:30\.000 UTC/)]);
  });

  it('shows the security mode next to the transport of a DTLS registration', () => {
    const w = mount(FleetTableRow, { props: { summary: summary('dev1', { transport: 'coaps', securityMode: 'psk' }), now: 0 } });
    expect(w.attributes('data-state')).toBe('registered');
    expect(w.text()).toMatch(/CoAPS\s*PSK/);
  });
});
