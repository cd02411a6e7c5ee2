import { defineStore, acceptHMRUpdate } from 'pinia';
import { computed, ref } from 'vue';
import type { ModelLayout } from '@lwm2m-console/shared';
import { useConnectionStore } from './connection.js';

export type ModelOutcome =
  | { ok: true; objects?: { id: number; name: string; version: string }[]; serverLayout?: ModelLayout }
  | { ok: false; errors: string[] };

/** Largest DDF file the console sends: the bridge reads messages up to 256 KiB. */
export const MAX_DDF_BYTES = 250 * 1024;

/** Object models: DDF uploads and the Server-object layout, per device or server-wide. */
export const useModelsStore = defineStore('models', () => {
  /** Server-wide layout as last set from this console, else as the bridge announced it in `hello`. */
  const chosenLayout = ref<ModelLayout | null>(null);
  const serverLayout = computed<ModelLayout | null>(() => chosenLayout.value ?? useConnectionStore().server?.objectLayout ?? null);

  async function ask(build: Parameters<ReturnType<typeof useConnectionStore>['request']>[0]): Promise<ModelOutcome> {
    const answer = await useConnectionStore().request(build, 15_000);
    if (!answer.ok) return { ok: false, errors: [answer.message] };
    const r = answer.reply;
    if (r.type === 'modelResult') {
      if (!r.ok) return { ok: false, errors: r.errors && r.errors.length > 0 ? r.errors : ['refused by the bridge'] };
      const out: ModelOutcome = { ok: true };
      if (r.objects) out.objects = r.objects;
      if (r.serverLayout) out.serverLayout = r.serverLayout;
      return out;
    }
    return { ok: false, errors: [r.type === 'error' ? `${r.code}: ${r.message}` : `unexpected answer ${r.type}`] };
  }

  /** Sends a DDF file (OMA LWM2M.xsd); the answer lists the objects it defined, or why not. */
  function upload(name: string, xml: string): Promise<ModelOutcome> {
    if (new TextEncoder().encode(xml).length > MAX_DDF_BYTES) return Promise.resolve({ ok: false, errors: [`${name} is larger than ${MAX_DDF_BYTES / 1024} KiB`] });
    return ask((requestId) => ({ type: 'uploadModel', v: 1, requestId, name, xml }));
  }

  /** `endpoint` absent: server-wide. `layout` null: the endpoint follows the server-wide one again. */
  async function setLayout(endpoint: string | undefined, layout: ModelLayout | null): Promise<ModelOutcome> {
    const outcome = await ask((requestId) => (endpoint === undefined ? { type: 'setLayout', v: 1, requestId, layout } : { type: 'setLayout', v: 1, requestId, endpoint, layout }));
    if (outcome.ok && outcome.serverLayout) chosenLayout.value = outcome.serverLayout;
    return outcome;
  }

  return { serverLayout, upload, setLayout };
});

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useModelsStore, import.meta.hot));
