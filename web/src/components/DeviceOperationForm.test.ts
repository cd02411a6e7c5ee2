import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import DeviceOperationForm from './DeviceOperationForm.vue';
import { modelOf } from '../lib/object-model.js';
import { bindFakeLink } from '../test/fake-link.js';
import { PUBLISHED_SERVER } from '../test/server-objects.js';

const answer = () =>
  bindFakeLink((m) =>
    m.type === 'operation'
      ? { type: 'operationResult', v: 1, requestId: m.requestId, result: { op: m.request.op, endpoint: m.request.endpoint, path: m.request.path ?? '', ok: false, code: '4.05', error: { code: 'DEVICE_ERROR', message: 'device answered 4.05' }, at: 0, durationMs: 3 } }
      : undefined,
  );

async function fill(w: ReturnType<typeof mount>, op: string, path: string, value?: string) {
  await w.get('[data-test="op-kind"]').setValue(op);
  await w.get('[data-test="op-path"]').setValue(path);
  if (value !== undefined) await w.get(op === 'create' || path.split('/').length < 4 ? 'textarea' : 'input[aria-label="Value or arguments"]').setValue(value);
  await w.get('form').trigger('submit');
  await flushPromises();
}

describe('any-path operation form', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('executes any path and shows the device refusing with 4.05', async () => {
    const link = answer();
    const w = mount(DeviceOperationForm, { props: { endpoint: 'dev1', model: modelOf([PUBLISHED_SERVER]) } });
    await fill(w, 'execute', '/1/0/7');
    expect(link.requests[0]).toMatchObject({ request: { op: 'execute', endpoint: 'dev1', path: '/1/0/7' } });
    expect(w.get('[data-test="op-result"]').text()).toMatch(/4\.05\s*Method Not Allowed/);
  });

  it('types a resource Write by the model (Lifetime is an Integer)', async () => {
    const link = answer();
    const w = mount(DeviceOperationForm, { props: { endpoint: 'dev1', model: modelOf([PUBLISHED_SERVER]) } });
    await fill(w, 'write', '/1/0/1', '120');
    expect(link.requests[0]).toMatchObject({ request: { op: 'write', path: '/1/0/1', value: { type: 'integer', value: 120 }, mode: 'replace' } });
    await fill(w, 'write', '/1/0/1', 'soon');
    expect(link.requests).toHaveLength(1);
    expect(w.text()).toContain('an integer is expected');
  });

  it('creates an instance from a JSON node, and refuses a node that does not parse', async () => {
    const link = answer();
    const w = mount(DeviceOperationForm, { props: { endpoint: 'dev1', model: modelOf([]) } });
    await fill(w, 'create', '/33001', '{"kind":"instance","id":1,"resources":[{"kind":"resource","id":0,"value":{"type":"float","value":2.5}}]}');
    expect(link.requests[0]).toMatchObject({
      request: { op: 'create', path: '/33001', value: { kind: 'instance', id: 1, resources: [{ kind: 'resource', id: 0, value: { type: 'float', value: 2.5 } }] } },
    });
    await fill(w, 'create', '/33001', '{"kind":"instance"}');
    expect(link.requests).toHaveLength(1);
    expect(w.text()).toContain('a node needs a kind and an id');
  });

  it('does not leave the last answer next to an error about what was just typed', async () => {
    answer();
    const w = mount(DeviceOperationForm, { props: { endpoint: 'dev1', model: modelOf([PUBLISHED_SERVER]) } });
    await fill(w, 'read', '/99/0/1');
    expect(w.get('[data-test="op-result"]').attributes('data-code')).toBe('4.05');
    await fill(w, 'read', 'not a path');
    expect(w.find('[data-test="op-result"]').exists()).toBe(false);
    expect(w.get('.error').text()).toContain('not a path');
  });
});
