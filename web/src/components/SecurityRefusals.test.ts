import { mount as mountWith, RouterLinkStub } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import SecurityRefusals from './SecurityRefusals.vue';
import { formatTimestamp } from '../lib/format.js';
import { refusal } from '../test/refusal-fixtures.js';

/** Endpoint names link to the device page; the stub shows where without a router. */
const mount = (c: typeof SecurityRefusals, options: { props: InstanceType<typeof SecurityRefusals>['$props'] }) => mountWith(c, { ...options, global: { stubs: { RouterLink: RouterLinkStub } } });

const at = (h: number, m: number, s: number) => new Date(2026, 10, 29, h, m, s).getTime();

describe('refused connections table', () => {
  it('lists refusals newest first with when, how often, stage, transport, device, address, outcome and reason', () => {
    const handshake = refusal(1, { firstAt: at(12, 0, 0), lastAt: at(12, 4, 0), count: 12, identity: 'psk-dev1-id', endpoint: undefined, address: '::1', port: 5999 });
    const register = refusal(2, { lastAt: at(12, 5, 30), firstAt: at(12, 5, 30), stage: 'register', transport: 'coap', identity: undefined, endpoint: 'plain-dev', outcome: '4.03', reason: 'this endpoint has a credential: register over DTLS' });
    const w = mount(SecurityRefusals, { props: { refusals: [handshake, register], now: at(12, 6, 0), loaded: true } });
    const rows = w.findAll('[data-test="refusal-row"]');
    expect(rows.map((r) => r.attributes('data-outcome'))).toEqual(['4.03', 'bad_record_mac']);
    const cells = (i: number) => rows[i]!.findAll('td').map((td) => td.text().replace(/\s+/g, ' '));
    expect(cells(0)).toEqual(['30s ago', '×1', 'register', 'CoAP', 'plain-dev', '127.0.0.1:40002', '4.03', 'this endpoint has a credential: register over DTLS']);
    expect(cells(1)).toEqual(['2m 00s ago', '×12 since 12:00:00', 'handshake', 'CoAPS', 'identity psk-dev1-id', '[::1]:5999', 'bad_record_mac', 'the Finished did not verify: wrong key']);
    // The absolute time is one hover away.
    expect(rows[1]!.get('[data-test="refusal-last-seen"]').attributes('title')).toBe(formatTimestamp(at(12, 4, 0)));
    expect(w.find('[data-test="refusals-empty"]').exists()).toBe(false);
  });

  it('shows the identity beside the endpoint only when it differs', () => {
    const same = refusal(1, { stage: 'update', endpoint: 'dev1', identity: 'dev1' });
    const other = refusal(2, { stage: 'register', endpoint: 'dev2', identity: 'dev2-psk' });
    const w = mount(SecurityRefusals, { props: { refusals: [same, other], now: 10_000, loaded: true } });
    const devices = w.findAll('[data-test="refusal-device"]').map((d) => d.findAll('.cluster > *').map((s) => s.text()).join(' | '));
    expect(devices).toEqual(['dev2 | identity dev2-psk', 'dev1']);
    // A named endpoint opens its device page (the refusal notice there says what went wrong).
    expect(w.findAllComponents(RouterLinkStub).map((l) => l.props('to'))).toEqual([
      { name: 'device', params: { endpoint: 'dev2' } },
      { name: 'device', params: { endpoint: 'dev1' } },
    ]);
  });

  it('marks entries pushed in the last few seconds as new, and only those', () => {
    const props = { refusals: [refusal(1), refusal(2)], pushedAt: new Map([[2, 20_000]]), now: 22_000, loaded: true };
    const w = mount(SecurityRefusals, { props });
    expect(w.findAll('[data-test="refusal-row"]').map((r) => r.classes().includes('is-fresh'))).toEqual([true, false]);
    const later = mount(SecurityRefusals, { props: { ...props, now: 26_000 } });
    expect(later.findAll('.is-fresh')).toHaveLength(0);
  });

  it('says that nothing was refused since the bridge started, once the bridge has answered', () => {
    const w = mount(SecurityRefusals, { props: { refusals: [], now: 0, loaded: true } });
    expect(w.get('[data-test="refusals-empty"]').text()).toBe('No refused connections since the bridge started.');
    expect(w.find('[data-test="refusals-table"]').exists()).toBe(false);
    const before = mount(SecurityRefusals, { props: { refusals: [], now: 0, loaded: false } });
    expect(before.get('[data-test="refusals-empty"]').text()).not.toContain('No refused connections');
  });
});
