import { flushPromises } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Refusal } from '@lwm2m-console/shared';
import { useActivityStore } from '../stores/activity.js';
import { useRefusalsStore } from '../stores/refusals.js';
import { bindFakeLink } from '../test/fake-link.js';
import { registered, summary } from '../test/fixtures.js';
import { mountAppAt } from '../test/mount-app.js';
import { refusal } from '../test/refusal-fixtures.js';

async function mountActivity(logged: Refusal[], before?: () => void) {
  const pinia = createPinia();
  setActivePinia(pinia);
  const link = bindFakeLink((m) => (m.type === 'getRefusals' ? { type: 'refusals', v: 1, requestId: m.requestId, refusals: logged } : undefined));
  before?.();
  const { wrapper } = await mountAppAt('/activity', pinia);
  await flushPromises();
  return { wrapper, link };
}

describe('activity page', () => {
  beforeEach(() => {
    document.body.innerHTML = '';
  });

  it('reads the refusals log when it opens and shows refused attempts among the events, marked refused', async () => {
    const wrongKey = refusal(1, { endpoint: 'dev-7', lastAt: 2_000, count: 3, reason: 'client Finished record failed authentication' });
    const unknown = refusal(2, { endpoint: undefined, identity: 'stranger', outcome: 'unknown_psk_identity', reason: 'no credential has this identity', lastAt: 4_000 });
    const { wrapper, link } = await mountActivity([wrongKey, unknown], () => useActivityStore().record([registered(summary('dev1'), 3_000)]));
    expect(link.requests.filter((m) => m.type === 'getRefusals')).toHaveLength(1);
    const rows = wrapper.findAll('[data-test="activity-row"]');
    expect(rows.map((r) => r.attributes('data-kind'))).toEqual(['refused', 'registered', 'refused']);
    const cells = [...rows[2]!.element.children].slice(1).map((c) => c.textContent);
    expect(cells.join(' ')).toBe('refused dev-7 at handshake: bad_record_mac — client Finished record failed authentication (×3)');
    expect(rows[2]!.get('.kind').classes()).toContain('kind-refused');
    // A known endpoint links to its device page; an identity nobody owns does not.
    expect(rows[2]!.get('a.feed-endpoint').attributes('href')).toBe('/devices/dev-7');
    expect(rows[0]!.find('a.feed-endpoint').exists()).toBe(false);
    expect(rows[0]!.get('.feed-endpoint').text()).toBe('identity stranger');
    expect(wrapper.get('[data-test="activity-count"]').text()).toMatch(/^3 of 3 events/);
    wrapper.unmount();
  });

  it('does not read the refusals log again when the store already holds it, and offers a "Refused" filter', async () => {
    const { wrapper, link } = await mountActivity([refusal(1, { endpoint: 'dev-1' })], () => {
      useRefusalsStore().loaded = true;
    });
    expect(link.requests.filter((m) => m.type === 'getRefusals')).toHaveLength(0);
    useRefusalsStore().push([refusal(5, { endpoint: 'dev-5' })]);
    await flushPromises();
    expect(wrapper.findAll('[data-test="activity-row"]').map((r) => r.attributes('data-kind'))).toEqual(['refused']);
    await wrapper.get('[data-test="activity-filter"] [data-kind="refused"] input').setValue(false);
    expect(wrapper.findAll('[data-test="activity-row"]')).toHaveLength(0);
    wrapper.unmount();
  });

  it('says nothing matches the filters, not "no events yet", when the filters hide every event', async () => {
    const { wrapper } = await mountActivity([refusal(1, { endpoint: 'dev-1' })], () => useActivityStore().record([registered(summary('dev1'), 3_000)]));
    expect(wrapper.findAll('[data-test="activity-row"]')).toHaveLength(2);
    await wrapper.get('input[aria-label="Filter by endpoint"]').setValue('zzz');
    expect(wrapper.findAll('[data-test="activity-row"]')).toHaveLength(0);
    expect(wrapper.get('[data-test="activity-none-match"]').text()).toBe('No event matches these filters (2 held).');
    expect(wrapper.text()).not.toContain('No events yet');
    wrapper.unmount();
  });
});
