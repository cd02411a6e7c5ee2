import { defineStore, acceptHMRUpdate } from 'pinia';
import { shallowRef } from 'vue';
import type { OperationRequest, OperationResult } from '@lwm2m-console/shared';
import { flattenReading, type ResourceReading } from '../lib/object-model.js';
import { useConnectionStore } from './connection.js';

/**
 * What came of one operation, as the console shows it: the device's result (with its CoAP
 * code and duration), or why no result came (no connection, the bridge did not answer).
 */
export type OperationOutcome =
  | { kind: 'result'; result: OperationResult }
  | { kind: 'failed'; code: 'NOT_SENT' | 'TIMEOUT' | 'DISCONNECTED' | 'BRIDGE_ERROR'; message: string };

export interface OperationState {
  op: OperationRequest['op'];
  pending: boolean;
  outcome?: OperationOutcome;
}

/**
 * Longer than any downlink timeout the bridge is likely to run with (default 30 s): the
 * bridge answers TIMEOUT itself, this only catches a bridge that never answers.
 */
export const OPERATION_TIMEOUT_MS = 120_000;

const key = (endpoint: string, path: string) => `${endpoint} ${path}`;

/**
 * Device operations (Read, Write, Execute, Discover, Disable) run from the device page, and
 * what they returned: the last outcome per target path, values per resource, attributes per
 * path. Maps are replaced as a whole (shallowRef), never deeply reactive.
 */
export const useOperationsStore = defineStore('operations', () => {
  const states = shallowRef<ReadonlyMap<string, OperationState>>(new Map());
  const readings = shallowRef<ReadonlyMap<string, ResourceReading>>(new Map());
  const attributes = shallowRef<ReadonlyMap<string, Record<string, string>>>(new Map());

  function setState(k: string, s: OperationState): void {
    const next = new Map(states.value);
    next.set(k, s);
    states.value = next;
  }

  /**
   * Sends one operation and records its outcome under its path; resolves with the outcome.
   * `quiet`: keep the values it returns but not its outcome (a read-back after a Write must
   * not hide the Write's own result).
   */
  async function run(request: OperationRequest, options: { quiet?: boolean } = {}): Promise<OperationOutcome> {
    const path = request.path ?? '';
    const k = key(request.endpoint, path);
    if (!options.quiet) setState(k, { op: request.op, pending: true });
    const answer = await useConnectionStore().request((requestId) => ({ type: 'operation', v: 1, requestId, request }), OPERATION_TIMEOUT_MS);
    let outcome: OperationOutcome;
    if (!answer.ok) outcome = { kind: 'failed', code: answer.code, message: answer.message };
    else if (answer.reply.type === 'operationResult') outcome = { kind: 'result', result: answer.reply.result };
    else if (answer.reply.type === 'error') outcome = { kind: 'failed', code: 'BRIDGE_ERROR', message: `${answer.reply.code}: ${answer.reply.message}` };
    else outcome = { kind: 'failed', code: 'BRIDGE_ERROR', message: `unexpected answer ${answer.reply.type}` };
    if (!options.quiet) setState(k, { op: request.op, pending: false, outcome });
    if (outcome.kind === 'result') absorb(request.endpoint, outcome.result);
    return outcome;
  }

  /** Keeps what a Read or Discover returned, per resource and per path. */
  function absorb(endpoint: string, result: OperationResult): void {
    if (!result.ok) return;
    if (result.value) {
      const next = new Map(readings.value);
      for (const [p, r] of flattenReading(result.path, result.value)) next.set(key(endpoint, p), r);
      readings.value = next;
    }
    if (result.links) {
      const next = new Map(attributes.value);
      for (const l of result.links) next.set(key(endpoint, l.path), l.attributes);
      attributes.value = next;
    }
  }

  const stateOf = (endpoint: string, path: string) => states.value.get(key(endpoint, path));
  const readingOf = (endpoint: string, path: string) => readings.value.get(key(endpoint, path));
  const attributesOf = (endpoint: string, path: string) => attributes.value.get(key(endpoint, path));

  /** Another device page: forget the previous one's values. */
  function clear(): void {
    states.value = new Map();
    readings.value = new Map();
    attributes.value = new Map();
  }

  return { states, readings, attributes, run, stateOf, readingOf, attributesOf, clear };
});

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useOperationsStore, import.meta.hot));
