import { defineStore, acceptHMRUpdate } from 'pinia';
import { ref, shallowRef } from 'vue';
import { MAX_REFUSALS, type Refusal } from '@lwm2m-console/shared';
import { useClockStore } from './clock.js';
import { useConnectionStore } from './connection.js';

/**
 * Pure: `incoming` upserted into `current` by id, oldest `lastAt` first, the newest `limit` kept.
 * An entry only grows on the bridge (count, lastAt), so a copy with a smaller count than the one
 * held is a stale one (a push that crossed the `getRefusals` answer) and does not replace it.
 */
export function mergeRefusals(current: readonly Refusal[], incoming: readonly Refusal[], limit = MAX_REFUSALS): Refusal[] {
  const byId = new Map<number, Refusal>();
  for (const r of current) byId.set(r.id, r);
  for (const r of incoming) {
    const held = byId.get(r.id);
    if (held === undefined || r.count >= held.count) byId.set(r.id, r);
  }
  const all = [...byId.values()].sort((a, b) => a.lastAt - b.lastAt || a.id - b.id);
  return all.length > limit ? all.slice(all.length - limit) : all;
}

/**
 * Connection attempts the bridge turned away (failed DTLS handshakes, Register / Update /
 * De-register answered 4.xx). Loaded with `getRefusals`, then kept live from the `refusals`
 * frames the bridge pushes to every console.
 */
export const useRefusalsStore = defineStore('refusals', () => {
  const entries = shallowRef<readonly Refusal[]>([]);
  const loaded = ref(false);
  const error = ref<string | null>(null);
  /** When each id last arrived by push in this session (bridge clock), to highlight it as new. */
  const pushedAt = shallowRef<ReadonlyMap<number, number>>(new Map());
  /** Pushes received while a `getRefusals` is out, one list per load in flight. */
  const duringLoads = new Set<Refusal[]>();

  async function load(): Promise<void> {
    const seen: Refusal[] = [];
    duringLoads.add(seen);
    try {
      const answer = await useConnectionStore().request((requestId) => ({ type: 'getRefusals', v: 1, requestId }), 15_000);
      if (!answer.ok) {
        error.value = answer.message;
        return;
      }
      if (answer.reply.type !== 'refusals') {
        error.value = answer.reply.type === 'error' ? answer.reply.message : `unexpected answer ${answer.reply.type}`;
        return;
      }
      // The answer is the whole log (a restarted bridge numbers its entries anew, and entries
      // it dropped must go), plus whatever was pushed while it was on its way.
      entries.value = mergeRefusals(answer.reply.refusals, seen);
      loaded.value = true;
      error.value = null;
    } finally {
      duringLoads.delete(seen);
    }
  }

  /** New or grown entries pushed by the bridge. */
  function push(changed: readonly Refusal[], now = Date.now() + useClockStore().skewMs): void {
    for (const seen of duringLoads) seen.push(...changed);
    entries.value = mergeRefusals(entries.value, changed);
    // Only ids still shown are remembered, so a long session's flood does not grow this map.
    const shown = new Set(entries.value.map((r) => r.id));
    const next = new Map<number, number>();
    for (const [id, at] of pushedAt.value) if (shown.has(id)) next.set(id, at);
    for (const r of changed) if (shown.has(r.id)) next.set(r.id, now);
    pushedAt.value = next;
  }

  return { entries, loaded, error, pushedAt, load, push };
});

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useRefusalsStore, import.meta.hot));
