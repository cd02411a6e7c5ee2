import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { OperationRequest, OperationResult } from '@lwm2m-console/shared';
import DeviceDisableDialog from './DeviceDisableDialog.vue';
import { modelOf, serverResources } from '../lib/object-model.js';
import { useClockStore } from '../stores/clock.js';
import { bindFakeLink } from '../test/fake-link.js';
import { DRAFT_SERVER, PUBLISHED_SERVER } from '../test/server-objects.js';

const NOON = new Date(2026, 10, 29, 12, 0, 0).getTime();

/** Device answers: Disable Timeout reads as `seconds`, Disable answers `disableCode`. */
function device(seconds: number, disableCode = '2.04') {
  return bindFakeLink((m) => {
    if (m.type !== 'operation') return undefined;
    const r: OperationRequest = m.request;
    const base = { op: r.op, endpoint: r.endpoint, path: r.path ?? '', at: NOON, durationMs: 5 };
    let result: OperationResult;
    if (r.op === 'read') result = { ...base, ok: true, code: '2.05', value: { kind: 'resource', id: 0, value: { type: 'integer', value: seconds } } };
    else if (disableCode === '2.04') result = { ...base, ok: true, code: '2.04', expectedBackAt: NOON + seconds * 1000 };
    else result = { ...base, ok: false, code: disableCode, error: { code: 'DEVICE_ERROR', message: `device answered ${disableCode}` } };
    return { type: 'operationResult', v: 1, requestId: m.requestId, result };
  });
}

function mountDialog(layout: typeof PUBLISHED_SERVER) {
  const server = serverResources(modelOf([layout]));
  return mount(DeviceDisableDialog, { props: { endpoint: 'dev1', serverInstance: 0, disable: server.disable, disableTimeout: server.disableTimeout } });
}

describe('Disable dialog', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    useClockStore().set(NOON);
  });

  it('reads Disable Timeout first and states the effect before anything is disabled', async () => {
    const link = device(3);
    const w = mountDialog(PUBLISHED_SERVER);
    await flushPromises();
    expect(link.requests.map((m) => m.type === 'operation' && [m.request.op, m.request.path])).toEqual([['read', '/1/0/5']]);
    expect(w.get('[data-test="disable-effect"]').text()).toBe('dev1 de-registers and is unreachable for 3 seconds, until 12:00:03.');
    await w.get('[data-test="disable-confirm"]').trigger('click');
    await flushPromises();
    expect(link.requests.at(-1)).toMatchObject({ type: 'operation', request: { op: 'disable', endpoint: 'dev1', path: '/1/0' } });
    expect(w.get('[data-test="disable-done"]').text()).toContain('expected back at');
    expect(w.get('[data-test="op-result"]').attributes('data-code')).toBe('2.04');
  });

  it('reads the draft Disable Timeout at /1/0/8 and names Disable /1/0/7', async () => {
    const link = device(86_400);
    const w = mountDialog(DRAFT_SERVER);
    await flushPromises();
    expect(link.requests[0]).toMatchObject({ request: { op: 'read', path: '/1/0/8' } });
    expect(w.text()).toContain('Executes /1/0/7 (Disable)');
    expect(w.get('[data-test="disable-effect"]').text()).toContain('unreachable for 86400 seconds (1d), until 2026-11-30 12:00:00');
  });

  it('shows a device that refuses Disable with 4.05', async () => {
    device(3, '4.05');
    const w = mountDialog(PUBLISHED_SERVER);
    await flushPromises();
    await w.get('[data-test="disable-confirm"]').trigger('click');
    await flushPromises();
    const result = w.get('[data-test="op-result"]');
    expect(result.attributes('data-code')).toBe('4.05');
    expect(result.text()).toContain('Method Not Allowed');
    expect(w.find('[data-test="disable-done"]').exists()).toBe(false);
  });

  it('points an operator whose device refuses Disable 4.05 at the Server-object layout choice', async () => {
    device(0, '4.05');
    const w = mountDialog(PUBLISHED_SERVER);
    await flushPromises();
    expect(w.find('[data-test="disable-layout-hint"]').exists()).toBe(false);
    await w.get('[data-test="disable-confirm"]').trigger('click');
    await flushPromises();
    expect(w.get('[data-test="disable-layout-hint"]').text()).toContain("seed's draft numbering (Disable 7, Disable Timeout 8)");
    expect(w.get('[data-test="disable-layout-hint"]').text()).toContain('Server-object layout');
  });

  it('keeps the keyboard in the dialog: focus starts on Cancel, Tab wraps around, Escape closes and gives focus back', async () => {
    device(3);
    const opener = document.createElement('button');
    document.body.append(opener);
    opener.focus();
    const server = serverResources(modelOf([PUBLISHED_SERVER]));
    const w = mount(DeviceDisableDialog, { attachTo: document.body, props: { endpoint: 'dev1', serverInstance: 0, disable: server.disable, disableTimeout: server.disableTimeout } });
    await flushPromises();
    const cancel = w.get('[data-test="disable-close"]').element;
    const confirm = w.get('[data-test="disable-confirm"]').element as HTMLElement;
    expect(document.activeElement).toBe(cancel);
    await w.get('[data-test="disable-close"]').trigger('keydown', { key: 'Tab' });
    expect(document.activeElement).toBe(confirm);
    await w.get('[data-test="disable-confirm"]').trigger('keydown', { key: 'Tab', shiftKey: true });
    expect(document.activeElement).toBe(cancel);
    await w.get('[data-test="disable-close"]').trigger('keydown', { key: 'Escape' });
    expect(w.emitted('close')).toHaveLength(1);
    w.unmount();
    expect(document.activeElement).toBe(opener);
    opener.remove();
  });

  it('does not offer to disable when Disable Timeout cannot be read', async () => {
    bindFakeLink(() => undefined);
    const w = mountDialog(PUBLISHED_SERVER);
    await flushPromises();
    expect(w.get('[data-test="disable-problem"]').text()).toContain('Could not read Disable Timeout (/1/0/5)');
    expect(w.find('[data-test="disable-confirm"]').exists()).toBe(false);
    expect(w.get('[data-test="op-result"]').attributes('data-code')).toBe('TIMEOUT');
  });

  it('explains a model without a Disable resource', async () => {
    const link = bindFakeLink(() => undefined);
    const w = mount(DeviceDisableDialog, { props: { endpoint: 'dev1', serverInstance: 0, disable: undefined, disableTimeout: undefined } });
    await flushPromises();
    expect(w.get('[data-test="disable-problem"]').text()).toContain('has no "Disable" resource');
    expect(link.requests).toEqual([]);
  });
});
