import { flushPromises } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '@lwm2m-console/shared';
import { bindFakeLink } from '../test/fake-link.js';
import { mountAppAt } from '../test/mount-app.js';

const entry = (id: number, endpoint: string): AuditEntry => ({ id, at: 1_000 * id, actor: 'console#1', endpoint, op: 'disable', path: '/1/0', detail: '', ok: true, code: '2.04', durationMs: 3 });

describe('audit page', () => {
  it('tells a filter that matches nothing apart from an empty log, and counts what the filter hides', async () => {
    const pinia = createPinia();
    setActivePinia(pinia);
    bindFakeLink((m) => (m.type === 'getAudit' ? { type: 'audit', v: 1, requestId: m.requestId, entries: [entry(1, 'dev1'), entry(2, 'dev2')] } : undefined));
    const { wrapper } = await mountAppAt('/audit', pinia);
    await flushPromises();
    expect(wrapper.findAll('[data-test="audit-row"]')).toHaveLength(2);
    expect(wrapper.get('[data-test="audit-count"]').text()).toMatch(/^2 entries/);

    await wrapper.get('input[aria-label="Filter audit log"]').setValue('dev2');
    expect(wrapper.findAll('[data-test="audit-row"]')).toHaveLength(1);
    expect(wrapper.get('[data-test="audit-count"]').text()).toMatch(/^1 of 2 entries/);

    await wrapper.get('input[aria-label="Filter audit log"]').setValue('zzz');
    expect(wrapper.find('[data-test="audit-empty"]').exists()).toBe(false);
    expect(wrapper.get('[data-test="audit-none-match"]').text()).toBe('No audit entry matches “zzz”.');
    wrapper.unmount();
  });
});
