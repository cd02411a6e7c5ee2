import { defineStore, acceptHMRUpdate } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { CredentialInput, CredentialsMessage, CredentialView } from '@lwm2m-console/shared';
import type { RequestOutcome } from '../services/pending-requests.js';
import { useConnectionStore, type RequestMessage } from './connection.js';

export type SecurityOutcome = { ok: true; credential?: CredentialView } | { ok: false; error: string };

/**
 * Device credentials as the console may see them (never a key) and the "allow registration
 * without DTLS" setting. The list is pushed to every console after any change.
 */
export const useSecurityStore = defineStore('security', () => {
  const credentials = shallowRef<readonly CredentialView[]>([]);
  const allowUnsecured = ref<boolean | null>(null);
  const loaded = ref(false);
  const error = ref<string | null>(null);

  function receive(message: CredentialsMessage): void {
    credentials.value = [...message.credentials].sort((a, b) => (a.endpoint < b.endpoint ? -1 : a.endpoint > b.endpoint ? 1 : 0));
    allowUnsecured.value = message.allowUnsecured;
    loaded.value = true;
  }

  async function load(): Promise<void> {
    const answer = await useConnectionStore().request((requestId) => ({ type: 'listCredentials', v: 1, requestId }), 15_000);
    if (!answer.ok) error.value = answer.message;
    else if (answer.reply.type === 'credentials') {
      receive(answer.reply);
      error.value = null;
    } else error.value = answer.reply.type === 'error' ? answer.reply.message : `unexpected answer ${answer.reply.type}`;
  }

  function outcomeOf(answer: RequestOutcome): SecurityOutcome {
    if (!answer.ok) return { ok: false, error: answer.message };
    const r = answer.reply;
    if (r.type === 'credentialResult') {
      if (!r.ok) return { ok: false, error: r.error ?? 'refused by the bridge' };
      return r.credential ? { ok: true, credential: r.credential } : { ok: true };
    }
    return { ok: false, error: r.type === 'error' ? `${r.code}: ${r.message}` : `unexpected answer ${r.type}` };
  }

  async function ask(build: (requestId: string) => RequestMessage): Promise<SecurityOutcome> {
    return outcomeOf(await useConnectionStore().request(build, 15_000));
  }

  /**
   * Adds or replaces a credential. A PSK without a key is refused HERE, before anything is
   * sent: the bridge would refuse it too, and a key it generated would have to travel back.
   */
  function put(credential: CredentialInput): Promise<SecurityOutcome> {
    if (credential.mode === 'psk' && !credential.keyHex) return Promise.resolve({ ok: false, error: 'a PSK key is required: enter one in hex or generate one' });
    return ask((requestId) => ({ type: 'putCredential', v: 1, requestId, credential }));
  }

  function remove(endpoint: string): Promise<SecurityOutcome> {
    return ask((requestId) => ({ type: 'deleteCredential', v: 1, requestId, endpoint }));
  }

  async function setAllowUnsecured(allow: boolean): Promise<SecurityOutcome> {
    const outcome = await ask((requestId) => ({ type: 'setAllowUnsecured', v: 1, requestId, allow }));
    if (outcome.ok) allowUnsecured.value = allow;
    return outcome;
  }

  return { credentials, allowUnsecured, loaded, error, receive, load, put, remove, setAllowUnsecured };
});

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useSecurityStore, import.meta.hot));
