/**
 * Pushes refused connection attempts to the open consoles, batched: entries that appear or grow
 * within one period go out as one `refusals` frame, each entry once (its latest state), so a
 * flood of refusals costs the consoles one small frame per period. Idle when nobody listens.
 */
import { PROTOCOL_VERSION, type Refusal, type ServerMessage } from '@lwm2m-console/shared';

export interface RefusalSource {
  list(): Refusal[];
  subscribe(listener: (changed: Refusal) => void): () => void;
}

export class RefusalRelay {
  private readonly changed = new Map<number, Refusal>();
  private timer: NodeJS.Timeout | undefined;
  private readonly unsubscribe: () => void;

  constructor(
    source: RefusalSource,
    private readonly broadcast: (message: ServerMessage) => void,
    private readonly hasListeners: () => boolean,
    private readonly periodMs = 250,
  ) {
    this.unsubscribe = source.subscribe((entry) => this.onChanged(entry));
  }

  private onChanged(entry: Refusal): void {
    // A console that connects later asks with getRefusals: nothing to keep while nobody listens.
    if (!this.hasListeners()) return;
    this.changed.set(entry.id, entry);
    this.timer ??= setTimeout(() => this.flush(), this.periodMs);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.changed.size === 0) return;
    const refusals = [...this.changed.values()].sort((a, b) => a.lastAt - b.lastAt);
    this.changed.clear();
    this.broadcast({ type: 'refusals', v: PROTOCOL_VERSION, refusals });
  }

  close(): void {
    this.unsubscribe();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.changed.clear();
  }
}
