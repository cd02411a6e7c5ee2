import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createMemoryHistory } from 'vue-router';
import type { ClientMessage, Registration } from '@lwm2m-console/shared';
import App from './App.vue';
import { createConsoleRouter } from './router.js';
import { useConnectionStore } from './stores/connection.js';
import { useDeviceStore } from './stores/device.js';

function registration(): Registration {
  return {
    id: 'reg1',
    endpoint: 'dev1',
    lifetime: 60,
    lwm2mVersion: '1.1',
    binding: 'U',
    queueMode: false,
    rootPath: '/',
    objectLinks: [{ objectId: 3, instanceId: 0 }, { objectId: 1, instanceId: 0 }, { objectId: 42 }],
    extraAttributes: {},
    address: '127.0.0.1',
    port: 40000,
    transport: 'coap',
    registeredAt: 1_000,
    lastUpdateAt: 1_000,
    expiresAt: 61_000,
    rawRegister: { query: 'ep=dev1&lt=60', payload: '</1/0>,</3/0>,</42>', at: 1_000 },
  };
}

async function mountAt(path: string) {
  const pinia = createPinia();
  setActivePinia(pinia);
  const sent: ClientMessage[] = [];
  useConnectionStore().bind({ send: (m) => (sent.push(m), true), request: async () => ({ ok: false, code: 'NOT_SENT', message: 'test' }), signIn: async () => ({ ok: true }), signOut: async () => {}, reconnectNow: () => {} });
  const router = createConsoleRouter(createMemoryHistory());
  await router.push(path);
  await router.isReady();
  const wrapper = mount(App, { global: { plugins: [pinia, router] }, attachTo: document.body });
  await flushPromises();
  return { wrapper, sent, router };
}

describe('console routes', () => {
  beforeEach(() => {
    document.body.innerHTML = '';
  });

  it('opens a device page from a deep link and asks the bridge for that endpoint', async () => {
    const { wrapper, sent } = await mountAt('/devices/dev1');
    expect(sent).toEqual([{ type: 'getDevice', v: 1, requestId: expect.any(String), endpoint: 'dev1' }]);
    const requestId = (sent[0] as { requestId: string }).requestId;
    useDeviceStore().receive({
      type: 'device',
      v: 1,
      requestId,
      endpoint: 'dev1',
      registration: registration(),
      timeline: [{ at: 1_000, kind: 'registered', registrationId: 'reg1', detail: 'registered from 127.0.0.1:40000' }],
    });
    await flushPromises();
    expect(wrapper.find('h1').text()).toBe('dev1');
    expect(wrapper.find('[data-test="object-tree"]').text()).toContain('LwM2M Server');
    expect(wrapper.find('[data-test="object-tree"]').text()).toContain('Device');
    expect(wrapper.find('[data-test="object-tree"]').text()).toContain('Object 42');
    expect(wrapper.find('[data-test="raw-register"]').text()).toContain('ep=dev1&lt=60');
    expect(wrapper.find('[data-test="timeline"]').text()).toContain('registered from 127.0.0.1:40000');
  });

  it('explains why a device that left is not registered, keeping its timeline', async () => {
    const { wrapper, sent } = await mountAt('/devices/dev1');
    useDeviceStore().receive({
      type: 'device',
      v: 1,
      requestId: (sent[0] as { requestId: string }).requestId,
      endpoint: 'dev1',
      timeline: [
        { at: 1_000, kind: 'registered', registrationId: 'reg1', detail: 'registered' },
        { at: 5_000, kind: 'ended', registrationId: 'reg1', detail: 'expired', reason: 'expired' },
      ],
    });
    await flushPromises();
    expect(wrapper.find('[data-test="device-state"]').text()).toMatch(/^not registered — left at .* because expired$/);
    expect(wrapper.findAll('[data-test="timeline"] li')).toHaveLength(2);
  });

  it('sends the user to the sign-in screen when the bridge asks for the token, then back', async () => {
    const { router } = await mountAt('/activity');
    useConnectionStore().setStatus('signed-out');
    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe('sign-in'));
    expect(router.currentRoute.value.query.next).toBe('/activity');
  });
});
