import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { createMemoryHistory } from 'vue-router';
import type { Registration } from '@lwm2m-console/shared';
import App from '../App.vue';
import { createConsoleRouter } from '../router.js';
import { useDeviceStore } from '../stores/device.js';
import { useFleetStore } from '../stores/fleet.js';
import { bindFakeLink } from '../test/fake-link.js';
import { delta, snapshot, summary } from '../test/fixtures.js';
import { DRAFT_SERVER, PUBLISHED_SERVER } from '../test/server-objects.js';

function registration(): Registration {
  return {
    id: 'reg1',
    endpoint: 'dev1',
    lifetime: 60,
    lwm2mVersion: '1.0',
    binding: 'U',
    queueMode: false,
    rootPath: '/',
    objectLinks: [{ objectId: 1, instanceId: 0 }, { objectId: 3, instanceId: 0 }],
    extraAttributes: {},
    address: '127.0.0.1',
    port: 40000,
    transport: 'coaps',
    security: { mode: 'psk', identity: 'dev1-id', cipherSuite: 'TLS_PSK_WITH_AES_128_CCM_8', connectionId: false },
    registeredAt: 1_000,
    lastUpdateAt: 1_000,
    expiresAt: 61_000,
    rawRegister: { query: 'ep=dev1&lt=60', payload: '</1/0>,</3/0>', at: 1_000 },
  };
}

async function mountDevice(layout: 'published' | 'draft') {
  const pinia = createPinia();
  setActivePinia(pinia);
  const link = bindFakeLink(() => undefined);
  const router = createConsoleRouter(createMemoryHistory());
  await router.push('/devices/dev1');
  await router.isReady();
  const wrapper = mount(App, { global: { plugins: [pinia, router] }, attachTo: document.body });
  await flushPromises();
  const getDevice = link.sent.find((m) => m.type === 'getDevice') as { requestId: string };
  useDeviceStore().receive({
    type: 'device',
    v: 1,
    requestId: getDevice.requestId,
    endpoint: 'dev1',
    registration: registration(),
    timeline: [],
    objects: [layout === 'draft' ? DRAFT_SERVER : PUBLISHED_SERVER],
    layout,
  });
  await flushPromises();
  return { wrapper, link };
}

describe('device page', () => {
  beforeEach(() => {
    document.body.innerHTML = '';
  });

  it('names Server-object resources from the model and places Disable by name (published)', async () => {
    const { wrapper } = await mountDevice('published');
    const panel = wrapper.get('[data-test="server-panel"]').text();
    expect(panel).toContain('/1/0/1');
    expect(panel).toContain('/1/0/8');
    expect(panel).toContain('/1/0/4');
    expect(wrapper.get('[data-test="resource-row"][data-path="/1/0/7"]').text()).toContain('Binding');
    // Binding is not executable in the published model: no Run button on it.
    expect(wrapper.find('[data-test="resource-row"][data-path="/1/0/7"] [data-test="resource-execute"]').exists()).toBe(false);
  });

  it('places Disable at 7 and says there is no Update Trigger in the draft layout', async () => {
    const { wrapper } = await mountDevice('draft');
    const panel = wrapper.get('[data-test="server-panel"]').text();
    expect(panel).toContain('/1/0/7');
    expect(panel).toContain("not in this device's Server object (draft layout)");
    expect(wrapper.find('[data-test="request-update"]').exists()).toBe(false);
  });

  it('shows the session security: transport, mode, identity, cipher suite, Connection ID', async () => {
    const { wrapper } = await mountDevice('published');
    expect(wrapper.get('[data-test="device-fields"]').text()).toMatch(/CoAPS\s*PSK · identity dev1-id · TLS_PSK_WITH_AES_128_CCM_8 · no Connection ID/);
  });

  it('says "disabled, expected back at" when the device leaves after a Disable', async () => {
    const { wrapper, link } = await mountDevice('published');
    const fleet = useFleetStore();
    const s = summary('dev1', { id: 'reg1' });
    const back = new Date(2026, 10, 29, 12, 0, 3).getTime();
    fleet.applySnapshotPart(snapshot(1, [s]));
    fleet.applyDelta(delta(2, [{ kind: 'ended', at: back - 3_000, registration: s, reason: 'disabled', expectedBackAt: back }]));
    // The bridge's answer to the page's refresh: not registered now.
    const device = useDeviceStore();
    device.refresh();
    const ask = link.sent.filter((m) => m.type === 'getDevice').at(-1) as { requestId: string };
    device.receive({ type: 'device', v: 1, requestId: ask.requestId, endpoint: 'dev1', timeline: [] });
    await flushPromises();
    expect(wrapper.get('[data-test="device-state"]').text()).toMatch(/^disabled, expected back at 12:00:03 \(/);
    expect(wrapper.text()).toContain('Operations need a registration: the device is away after a Disable.');
  });
});
