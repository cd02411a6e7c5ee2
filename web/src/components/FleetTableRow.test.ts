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

  it('shows the security mode next to the transport of a DTLS registration', () => {
    const w = mount(FleetTableRow, { props: { summary: summary('dev1', { transport: 'coaps', securityMode: 'psk' }), now: 0 } });
    expect(w.attributes('data-state')).toBe('registered');
    expect(w.text()).toMatch(/CoAPS\s*PSK/);
  });
});
