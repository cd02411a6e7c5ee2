import { flushPromises } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useConnectionStore } from '../stores/connection.js';
import { SECURITY_STATUS_POLL_MS } from '../stores/security-status.js';
import { bindFakeLink } from '../test/fake-link.js';
import { dtlsStatus } from '../test/dtls-fixtures.js';
import { mountAppAt } from '../test/mount-app.js';

describe('security page DTLS server panel', () => {
  beforeEach(() => {
    document.body.innerHTML = '';
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  it('polls the DTLS figures while the page is open and stops when the operator leaves it', async () => {
    const pinia = createPinia();
    setActivePinia(pinia);
    let sessions = 4;
    const link = bindFakeLink((m) => {
      if (m.type === 'getSecurityStatus') return { type: 'securityStatus', v: 1, requestId: m.requestId, at: 0, dtls: dtlsStatus({ sessions }) };
      if (m.type === 'listCredentials') return { type: 'credentials', v: 1, requestId: m.requestId, credentials: [], allowUnsecured: true };
      if (m.type === 'getRefusals') return { type: 'refusals', v: 1, requestId: m.requestId, refusals: [] };
      return undefined;
    });
    useConnectionStore().setStatus('live');
    const { wrapper, router } = await mountAppAt('/security', pinia);
    await flushPromises();
    const asked = () => link.requests.filter((m) => m.type === 'getSecurityStatus').length;
    const sessionsText = () => wrapper.get('[data-test="dtls-panel"] [data-test="dtls-gauge-sessions"] [data-test="dtls-gauge-value"]').text();
    expect(wrapper.get('[data-test="dtls-panel"] h3').text()).toBe('DTLS server');
    expect(sessionsText()).toBe('4 / 100,000');
    sessions = 5;
    await vi.advanceTimersByTimeAsync(SECURITY_STATUS_POLL_MS);
    expect(sessionsText()).toBe('5 / 100,000');
    expect(asked()).toBe(2);

    await router.push('/activity');
    await flushPromises();
    await vi.advanceTimersByTimeAsync(SECURITY_STATUS_POLL_MS * 3);
    expect(asked()).toBe(2);
    wrapper.unmount();
  });
});
