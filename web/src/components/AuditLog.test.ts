import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { createMemoryHistory, createRouter } from 'vue-router';
import type { AuditEntry } from '@lwm2m-console/shared';
import AuditLog from './AuditLog.vue';

const refused: AuditEntry = { id: 1, at: 1_000, actor: 'console#1', endpoint: 'dev1', op: 'execute', path: '/1/0/7', detail: '', ok: false, code: '4.05', error: 'device answered 4.05', durationMs: 4 };

describe('audit log', () => {
  it('reads a device refusal as its code and name, without repeating the code', async () => {
    const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/', component: { template: '<div />' } }, { path: '/devices/:endpoint', name: 'device', component: { template: '<div />' } }] });
    const wrapper = mount(AuditLog, { props: { entries: [refused], now: 2_000 }, global: { plugins: [router] } });
    const cells = [...wrapper.get('[data-test="audit-row"] td:last-child .cluster').element.children].map((c) => c.textContent);
    expect(cells).toEqual(['4.05', 'Method Not Allowed, refused by the device', '4 ms']);
    wrapper.unmount();
  });
});
