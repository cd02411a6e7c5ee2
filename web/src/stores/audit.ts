import { defineStore, acceptHMRUpdate } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { AuditEntry } from '@lwm2m-console/shared';
import { useConnectionStore } from './connection.js';

/** Entries kept in the page; the bridge answers `getAudit` with its last 500. */
export const AUDIT_LIMIT = 2_000;

/** Pure: `entries` merged into `current` by id (a push may race the `getAudit` answer), oldest first, bounded. */
export function mergeAudit(current: readonly AuditEntry[], entries: readonly AuditEntry[], limit = AUDIT_LIMIT): AuditEntry[] {
  const byId = new Map<number, AuditEntry>();
  for (const e of current) byId.set(e.id, e);
  for (const e of entries) byId.set(e.id, e);
  const all = [...byId.values()].sort((a, b) => a.id - b.id);
  return all.length > limit ? all.slice(all.length - limit) : all;
}

/**
 * The audit log: every Write, Execute, Create, Delete and Disable by any console. Loaded with
 * `getAudit`, then kept live from the entries the bridge pushes to every console.
 */
export const useAuditStore = defineStore('audit', () => {
  const entries = shallowRef<readonly AuditEntry[]>([]);
  const loaded = ref(false);
  const error = ref<string | null>(null);
  /** Ids that arrived by push in this session (highlighted as new). */
  const pushedAt = shallowRef<ReadonlyMap<number, number>>(new Map());

  async function load(): Promise<void> {
    const answer = await useConnectionStore().request((requestId) => ({ type: 'getAudit', v: 1, requestId }), 15_000);
    if (!answer.ok) {
      error.value = answer.message;
      return;
    }
    if (answer.reply.type !== 'audit') {
      error.value = answer.reply.type === 'error' ? answer.reply.message : `unexpected answer ${answer.reply.type}`;
      return;
    }
    entries.value = mergeAudit(entries.value, answer.reply.entries);
    loaded.value = true;
    error.value = null;
  }

  /** A new entry pushed by the bridge (any console's action). */
  function push(added: readonly AuditEntry[], now = Date.now()): void {
    entries.value = mergeAudit(entries.value, added);
    const next = new Map(pushedAt.value);
    for (const e of added) next.set(e.id, now);
    pushedAt.value = next;
  }

  return { entries, loaded, error, pushedAt, load, push };
});

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useAuditStore, import.meta.hot));
