import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import SecurityCredentialForm from './SecurityCredentialForm.vue';
import { generatePskHex, pskKeyProblem, textToHex } from '../lib/psk.js';
import { useSecurityStore } from '../stores/security.js';
import { bindFakeLink } from '../test/fake-link.js';

function bridge() {
  return bindFakeLink((m) =>
    m.type === 'putCredential'
      ? { type: 'credentialResult', v: 1, requestId: m.requestId, ok: true, credential: { endpoint: m.credential.endpoint, mode: m.credential.mode, createdAt: 1, updatedAt: 1 } }
      : undefined,
  );
}

describe('credential form', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('never sends a PSK credential without a key: it generates one and shows it first', async () => {
    const link = bridge();
    const w = mount(SecurityCredentialForm);
    await w.get('[data-test="cred-endpoint"]').setValue('dev1');
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(link.requests).toEqual([]);
    const key = (w.get('[data-test="cred-key"]').element as HTMLInputElement).value;
    expect(key).toMatch(/^[0-9a-f]{32}$/);
    expect(w.get('[data-test="cred-generated"]').text()).toContain(key);

    await w.get('form').trigger('submit');
    await flushPromises();
    expect(link.requests).toEqual([{ type: 'putCredential', v: 1, requestId: 't-1', credential: { endpoint: 'dev1', mode: 'psk', identity: 'dev1', keyHex: key } }]);
    expect(w.emitted('saved')).toHaveLength(1);
    // Saved: the key is gone from the form.
    expect((w.get('[data-test="cred-key"]').element as HTMLInputElement).value).toBe('');
    expect(w.text()).not.toContain(key);
  });

  it('says an endpoint name over 255 characters is too long instead of sending it', async () => {
    const link = bridge();
    const w = mount(SecurityCredentialForm);
    await w.get('[data-test="cred-endpoint"]').setValue('x'.repeat(300));
    await w.get('[data-test="cred-key"]').setValue('0011223344556677');
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(link.requests).toEqual([]);
    expect(w.get('[data-test="cred-problem"]').text()).toBe('the endpoint name is at most 255 characters (this one has 300)');
    expect((w.get('[data-test="cred-save"]').element as HTMLButtonElement).disabled).toBe(false);
  });

  it('generates a fresh 16-byte key in the browser on request', async () => {
    bridge();
    const w = mount(SecurityCredentialForm);
    await w.get('[data-test="cred-generate"]').trigger('click');
    const a = (w.get('[data-test="cred-key"]').element as HTMLInputElement).value;
    await w.get('[data-test="cred-generate"]').trigger('click');
    const b = (w.get('[data-test="cred-key"]').element as HTMLInputElement).value;
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(b).not.toBe(a);
  });

  it('sends a typed hex key normalised, with the identity given', async () => {
    const link = bridge();
    const w = mount(SecurityCredentialForm);
    await w.get('[data-test="cred-endpoint"]').setValue('dev2');
    await w.get('[data-test="cred-identity"]').setValue('id-2');
    await w.get('[data-test="cred-key"]').setValue('73:65 63 72 65 74');
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(link.requests[0]).toMatchObject({ credential: { endpoint: 'dev2', mode: 'psk', identity: 'id-2', keyHex: '736563726574' } });
  });

  it('refuses a key that is not hex, without sending it', async () => {
    const link = bridge();
    const w = mount(SecurityCredentialForm);
    await w.get('[data-test="cred-endpoint"]').setValue('dev3');
    await w.get('[data-test="cred-key"]').setValue('xyz');
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(link.requests).toEqual([]);
    expect(w.get('[data-test="cred-problem"]').text()).toContain('hexadecimal');
  });

  it('sends a raw public key as pasted, and an X.509 marker with no key at all', async () => {
    const link = bridge();
    const w = mount(SecurityCredentialForm);
    await w.get('[data-test="cred-endpoint"]').setValue('dev4');
    await w.get('[data-test="cred-mode"]').setValue('rpk');
    await w.get('[data-test="cred-public-key"]').setValue('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----');
    await w.get('form').trigger('submit');
    await flushPromises();
    await w.get('[data-test="cred-endpoint"]').setValue('dev5');
    await w.get('[data-test="cred-mode"]').setValue('x509');
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(link.requests.map((m) => m.type === 'putCredential' && m.credential)).toEqual([
      { endpoint: 'dev4', mode: 'rpk', publicKey: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----' },
      { endpoint: 'dev5', mode: 'x509' },
    ]);
  });
});

describe('PSK helpers and the security store', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('makes hex keys from the random source and checks typed ones', () => {
    expect(generatePskHex(4, (b) => b.fill(0xab))).toBe('abababab');
    expect(pskKeyProblem('abc')).toContain('even number');
    expect(pskKeyProblem('')).toBe('a key is required');
    expect(pskKeyProblem('00ff')).toBeNull();
    expect(textToHex('secretkey')).toBe('7365637265746b6579');
  });

  it('refuses to send a PSK credential without keyHex', async () => {
    const link = bridge();
    const outcome = await useSecurityStore().put({ endpoint: 'e', mode: 'psk', identity: 'e' });
    expect(outcome.ok).toBe(false);
    expect(link.requests).toEqual([]);
  });
});
