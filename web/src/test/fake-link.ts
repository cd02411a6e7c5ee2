/** A BridgeLink that answers requests with a function of the message (component tests). */
import type { ClientMessage } from '@lwm2m-console/shared';
import type { RequestOutcome, ReplyMessage } from '../services/pending-requests.js';
import { useConnectionStore, type RequestMessage } from '../stores/connection.js';

export function bindFakeLink(answer: (m: RequestMessage) => ReplyMessage | undefined) {
  const requests: RequestMessage[] = [];
  const sent: ClientMessage[] = [];
  let n = 0;
  useConnectionStore().bind({
    send: (m) => (sent.push(m), true),
    request: async (build): Promise<RequestOutcome> => {
      const m = build(`t-${++n}`);
      requests.push(m);
      const reply = answer(m);
      return reply ? { ok: true, reply } : { ok: false, code: 'TIMEOUT', message: 'no answer' };
    },
    signIn: async () => ({ ok: true }),
    signOut: async () => {},
    reconnectNow: () => {},
  });
  return { requests, sent };
}
