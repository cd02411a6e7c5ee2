import { flushPromises } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { useConnectionStore } from '../stores/connection.js';
import { bindFakeLink } from '../test/fake-link.js';
import { ended, registered, summary } from '../test/fixtures.js';
import { mountAppAt } from '../test/mount-app.js';
import { formatTime } from '../lib/format.js';

describe('activity page with the bridge history', () => {
  beforeEach(() => {
    document.body.innerHTML = '';
  });

  it('shows what happened before it opened and says from when the feed reaches back', async () => {
    const pinia = createPinia();
    setActivePinia(pinia);
    const t0 = Date.now() - 60_000;
    const events = [{ kind: 'note' as const, at: t0, detail: '2 registrations kept across a restart of the bridge' }, registered(summary('dev1'), t0 + 1_000), ended(summary('dev1'), 'deregistered', t0 + 2_000)];
    bindFakeLink((m) =>
      m.type === 'getActivity' ? { type: 'activity', v: 1, requestId: m.requestId, seq: 3, events, capacity: 1000, recorded: 1500 } : m.type === 'getRefusals' ? { type: 'refusals', v: 1, requestId: m.requestId, refusals: [] } : undefined,
    );
    useConnectionStore().setStatus('live');
    const { wrapper } = await mountAppAt('/activity', pinia);
    await flushPromises();
    const rows = wrapper.findAll('[data-test="activity-row"]');
    expect(rows.map((r) => r.attributes('data-kind'))).toEqual(['ended', 'registered', 'note']);
    expect(rows[2]!.text()).toContain('bridge');
    expect(rows[2]!.text()).toContain('2 registrations kept across a restart of the bridge');
    expect(wrapper.get('[data-test="activity-since"]').text()).toBe(`Showing the last 3 events since ${formatTime(t0)} (the bridge keeps its last 1,000 of 1,500 recorded since it started).`);
    wrapper.unmount();
  });
});
