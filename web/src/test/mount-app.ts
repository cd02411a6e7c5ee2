/** The whole console mounted at one route, on an in-memory history (view tests). */
import { mount } from '@vue/test-utils';
import type { Pinia } from 'pinia';
import { createMemoryHistory } from 'vue-router';
import App from '../App.vue';
import { createConsoleRouter } from '../router.js';

/** Mounts App at `path` with `pinia` (bind a fake link to it first); does not wait for requests. */
export async function mountAppAt(path: string, pinia: Pinia) {
  const router = createConsoleRouter(createMemoryHistory());
  await router.push(path);
  await router.isReady();
  const wrapper = mount(App, { global: { plugins: [pinia, router] }, attachTo: document.body });
  return { wrapper, router };
}
