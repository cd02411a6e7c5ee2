import type { AuditEntry } from '@lwm2m-console/shared';

/**
 * The audit log of operator actions that change devices: a bounded ring in memory, newest
 * last, with listeners so every open console sees each entry as it happens.
 */
export class AuditLog {
  private readonly entries: AuditEntry[] = [];
  private readonly listeners = new Set<(entry: AuditEntry) => void>();
  private nextId = 1;

  constructor(private readonly capacity = 1000) {}

  append(entry: Omit<AuditEntry, 'id'>): AuditEntry {
    const full: AuditEntry = { id: this.nextId++, ...entry };
    this.entries.push(full);
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
    for (const l of this.listeners) {
      try {
        l(full);
      } catch {
        /* a failing listener must not lose the entry for the others */
      }
    }
    return full;
  }

  recent(limit = this.capacity): AuditEntry[] {
    return this.entries.slice(-limit);
  }

  subscribe(listener: (entry: AuditEntry) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
