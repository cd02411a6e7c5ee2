import { mount, RouterLinkStub } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import DeviceRefusalNotice from './DeviceRefusalNotice.vue';
import { refusalsOfEndpoint } from '../lib/refusal-text.js';
import { refusal } from '../test/refusal-fixtures.js';

const stubs = { global: { stubs: { RouterLink: RouterLinkStub } } };
const wrongKey = refusal(1, { endpoint: 'dev-7', count: 3, lastAt: 48_000, reason: 'client Finished record failed authentication' });

describe('device refusal notice', () => {
  it('says how often and how long ago the endpoint was refused, with the outcome, stage and reason, and links to the Security page', () => {
    const w = mount(DeviceRefusalNotice, { props: { endpoint: 'dev-7', refusals: [refusal(2, { endpoint: 'other' }), wrongKey], now: 60_000 }, ...stubs });
    expect(w.get('[data-test="device-refusals-summary"]').text()).toBe('Refused 3 times, last 12s ago: bad_record_mac at handshake — client Finished record failed authentication');
    expect(w.getComponent(RouterLinkStub).props('to')).toEqual({ name: 'security' });
    expect(w.findAll('[data-test="device-refusal"]')).toHaveLength(0);
  });

  it('lists the newest few entries, newest first, and counts the rest', () => {
    const entries = [
      refusal(1, { endpoint: 'dev-7', lastAt: 1_000 }),
      refusal(2, { endpoint: 'dev-7', lastAt: 2_000, stage: 'register', transport: 'coap', outcome: '4.03', reason: 'register over CoAPS' }),
      refusal(3, { endpoint: 'dev-7', lastAt: 3_000, count: 2, outcome: 'unknown_ca (from the device)', reason: 'the device does not trust our certificate' }),
      refusal(4, { endpoint: 'dev-7', lastAt: 4_000, stage: 'update', outcome: '4.04', reason: 'unknown registration' }),
    ];
    const w = mount(DeviceRefusalNotice, { props: { endpoint: 'dev-7', refusals: entries, now: 5_000 }, ...stubs });
    expect(w.get('[data-test="device-refusals-summary"]').text()).toBe('Refused 5 times, last 1s ago');
    expect(w.findAll('li').map((li) => li.text().replace(/\s+/g, ' '))).toEqual([
      '4.04 at update — unknown registration (×1, last 1s ago)',
      'unknown_ca (from the device) at handshake — the device does not trust our certificate (×2, last 2s ago)',
      '4.03 at register — register over CoAPS (×1, last 3s ago)',
      'and 1 more on the Security page',
    ]);
  });

  it('shows nothing for an endpoint that was never refused, even when the identity or another endpoint matches', () => {
    const entries = [refusal(1, { endpoint: undefined, identity: 'dev-7' }), refusal(2, { endpoint: 'dev-70' })];
    const w = mount(DeviceRefusalNotice, { props: { endpoint: 'dev-7', refusals: entries, now: 5_000 }, ...stubs });
    expect(w.find('[data-test="device-refusals"]').exists()).toBe(false);
    expect(refusalsOfEndpoint(entries, 'dev-7')).toBeNull();
  });

  it('says "once" for a single attempt', () => {
    const w = mount(DeviceRefusalNotice, { props: { endpoint: 'dev-7', refusals: [refusal(1, { endpoint: 'dev-7', lastAt: 4_900 })], now: 5_000 }, ...stubs });
    expect(w.get('[data-test="device-refusals-summary"]').text()).toMatch(/^Refused once, last just now: bad_record_mac at handshake —/);
  });
});
