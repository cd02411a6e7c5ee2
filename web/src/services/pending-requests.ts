/**
 * Request/response correlation for the console socket: every request that carries a
 * `requestId` waits here until the bridge answers with the same id, the timeout passes, or
 * the connection drops. Outcomes are values, never rejections, so a view can show them as
 * they are. Timers are injected so tests run on a fake clock.
 */
import type {
  ActivityMessage,
  AuditMessage,
  CredentialResultMessage,
  CredentialsMessage,
  ErrorMessage,
  ModelResultMessage,
  OperationResultMessage,
  RefusalsMessage,
  SecurityStatusMessage,
  ServerMessage,
} from '@lwm2m-console/shared';

/** Bridge messages that answer a request (when they carry its `requestId`). */
export type ReplyMessage =
  | ActivityMessage
  | OperationResultMessage
  | AuditMessage
  | RefusalsMessage
  | ModelResultMessage
  | CredentialsMessage
  | CredentialResultMessage
  | SecurityStatusMessage
  | ErrorMessage;

export type RequestOutcome =
  | { ok: true; reply: ReplyMessage }
  /** NOT_SENT: not connected; TIMEOUT: no answer in time; DISCONNECTED: the socket closed first. */
  | { ok: false; code: 'NOT_SENT' | 'TIMEOUT' | 'DISCONNECTED'; message: string };

export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimers: Timers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** The reply types that may settle a request; `device` answers are the device store's own. */
export function asReply(message: ServerMessage): ReplyMessage | undefined {
  switch (message.type) {
    case 'activity':
    case 'operationResult':
    case 'audit':
    case 'refusals':
    case 'modelResult':
    case 'credentials':
    case 'credentialResult':
    case 'securityStatus':
    case 'error':
      return message.requestId === undefined ? undefined : message;
    default:
      return undefined;
  }
}

export class PendingRequests {
  private readonly waiting = new Map<string, { resolve: (o: RequestOutcome) => void; timer: unknown }>();
  private counter = 0;

  constructor(private readonly timers: Timers = realTimers) {}

  /** A fresh id, unique for this page. */
  nextId(prefix = 'req'): string {
    return `${prefix}-${++this.counter}`;
  }

  /** Waits for the answer to `requestId`, at most `timeoutMs`. */
  wait(requestId: string, timeoutMs: number): Promise<RequestOutcome> {
    return new Promise((resolve) => {
      const timer = this.timers.set(() => {
        this.waiting.delete(requestId);
        resolve({ ok: false, code: 'TIMEOUT', message: `no answer from the bridge within ${Math.round(timeoutMs / 1000)} s` });
      }, timeoutMs);
      this.waiting.set(requestId, { resolve, timer });
    });
  }

  /** Settles the request a reply answers; false when nobody waits for it (another tab, a late answer). */
  settle(reply: ReplyMessage): boolean {
    const id = reply.requestId;
    if (id === undefined) return false;
    const entry = this.waiting.get(id);
    if (!entry) return false;
    this.waiting.delete(id);
    this.timers.clear(entry.timer);
    entry.resolve({ ok: true, reply });
    return true;
  }

  /** The socket closed: nothing in flight will be answered on it. */
  failAll(message: string): void {
    for (const [id, entry] of this.waiting) {
      this.timers.clear(entry.timer);
      this.waiting.delete(id);
      entry.resolve({ ok: false, code: 'DISCONNECTED', message });
    }
  }

  get size(): number {
    return this.waiting.size;
  }
}
