import { flushPromises } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Registration } from '@lwm2m-console/shared';
import { useDeviceStore } from '../stores/device.js';
import { useClockStore } from '../stores/clock.js';
import { useFleetStore } from '../stores/fleet.js';
import { useRefusalsStore } from '../stores/refusals.js';
import { bindFakeLink } from '../test/fake-link.js';
import { delta, snapshot, summary } from '../test/fixtures.js';
import { mountAppAt } from '../test/mount-app.js';
import { refusal } from '../test/refusal-fixtures.js';
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

async function mountDevice(layout: 'published' | 'draft', answer: Parameters<typeof bindFakeLink>[0] = () => undefined) {
  const pinia = createPinia();
  setActivePinia(pinia);
  const link = bindFakeLink(answer);
  const { wrapper } = await mountAppAt('/devices/dev1', pinia);
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

  it('forgets results shown by path when the Server-object layout changes, since the same path now names another resource', async () => {
    const { wrapper } = await mountDevice('published', (m) => {
      if (m.type === 'operation') {
        const r = m.request;
        return { type: 'operationResult', v: 1, requestId: m.requestId, result: { op: r.op, endpoint: r.endpoint, path: r.path ?? '', ok: true, code: '2.04', at: 0, durationMs: 2 } };
      }
      if (m.type === 'setLayout') return { type: 'modelResult', v: 1, requestId: m.requestId, ok: true };
      return undefined;
    });
    await wrapper.get('[data-test="request-update"]').trigger('click');
    await flushPromises();
    const row8 = () => wrapper.get('[data-test="resource-row"][data-path="/1/0/8"]');
    expect(row8().find('[data-test="op-result"]').exists()).toBe(true);
    await wrapper.get('[data-test="layout-select"]').setValue('draft');
    await wrapper.get('[data-test="layout-select"]').element.closest('form')!.dispatchEvent(new Event('submit'));
    await flushPromises();
    expect(row8().find('[data-test="op-result"]').exists()).toBe(false);
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

  it('tells why a device that never registered was refused, from the refusals log read on opening, and links to the Security page', async () => {
    const pinia = createPinia();
    setActivePinia(pinia);
    const wrongKey = refusal(1, { endpoint: 'psk-wrong', identity: 'psk-wrong-id', count: 2, lastAt: 48_000, reason: 'client Finished record failed authentication' });
    const link = bindFakeLink((m) => (m.type === 'getRefusals' ? { type: 'refusals', v: 1, requestId: m.requestId, refusals: [wrongKey, refusal(2, { endpoint: 'other' })] } : undefined));
    const { wrapper } = await mountAppAt('/devices/psk-wrong', pinia);
    useClockStore().set(60_000);
    const getDevice = link.sent.find((m) => m.type === 'getDevice') as { requestId: string };
    useDeviceStore().receiveError({ type: 'error', v: 1, requestId: getDevice.requestId, code: 'NOT_FOUND', message: 'unknown endpoint' });
    await flushPromises();
    expect(link.requests.filter((m) => m.type === 'getRefusals')).toHaveLength(1);
    expect(wrapper.get('[data-test="device-refusals-summary"]').text()).toBe('Refused 2 times, last 12s ago: bad_record_mac at handshake — client Finished record failed authentication');
    expect(wrapper.get('[data-test="device-unknown"]').text()).toBe('Endpoint psk-wrong has not registered since the bridge started: its attempts were refused (above).');
    expect(wrapper.get('[data-test="device-refusals-link"]').attributes('href')).toBe('/security');
    wrapper.unmount();
  });

  it('shows no refusal notice for a device the bridge never refused', async () => {
    const { wrapper } = await mountDevice('published');
    useRefusalsStore().push([refusal(1, { endpoint: 'dev10' }), refusal(2, { endpoint: undefined, identity: 'dev1' })]);
    await flushPromises();
    expect(wrapper.find('[data-test="device-refusals"]').exists()).toBe(false);
    wrapper.unmount();
  });
});
