/**
 * Narrowing of the payloads inside console → bridge requests: device operations (with their
 * LwM2M values and node trees) and credentials. Bounded in size and depth; never cast.
 */
import { OPERATION_KINDS, type OperationRequest, type WriteMode } from './operations.js';
import type { CredentialInput } from './security.js';
import type { LwM2MNode, LwM2MValue, ResourceInstanceNode } from './values.js';

export type Narrowed<T> = { ok: true; value: T } | { ok: false; error: string };

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isId = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 65535;
const str = (x: unknown, max: number): x is string => typeof x === 'string' && x.length <= max;
const MAX_NODES = 2000;

export function narrowValue(x: unknown): Narrowed<LwM2MValue> {
  if (!isObj(x)) return { ok: false, error: 'a value must be an object { type, value }' };
  const v = x.value;
  switch (x.type) {
    case 'string':
    case 'opaque':
    case 'corelnk':
      return str(v, 65536) ? { ok: true, value: { type: x.type, value: v } } : { ok: false, error: `${x.type} value must be text` };
    case 'integer':
    case 'unsigned':
      if ((typeof v === 'number' && Number.isSafeInteger(v)) || (typeof v === 'string' && /^-?\d{1,20}$/.test(v))) return { ok: true, value: { type: x.type, value: v } };
      return { ok: false, error: `${x.type} value must be a whole number` };
    case 'float':
      return typeof v === 'number' && Number.isFinite(v) ? { ok: true, value: { type: 'float', value: v } } : { ok: false, error: 'float value must be a finite number' };
    case 'boolean':
      return typeof v === 'boolean' ? { ok: true, value: { type: 'boolean', value: v } } : { ok: false, error: 'boolean value must be true or false' };
    case 'time':
      return typeof v === 'number' && Number.isSafeInteger(v) ? { ok: true, value: { type: 'time', value: v } } : { ok: false, error: 'time value must be whole seconds' };
    case 'objlnk':
      if (isObj(v) && isId(v.objectId) && isId(v.instanceId)) return { ok: true, value: { type: 'objlnk', value: { objectId: v.objectId, instanceId: v.instanceId } } };
      return { ok: false, error: 'objlnk value must be { objectId, instanceId }' };
    default:
      return { ok: false, error: 'unknown value type' };
  }
}

export function narrowNode(x: unknown, budget = { nodes: MAX_NODES }): Narrowed<LwM2MNode> {
  if (--budget.nodes < 0) return { ok: false, error: `more than ${MAX_NODES} nodes` };
  if (!isObj(x) || !isId(x.id)) return { ok: false, error: 'a node needs a kind and an id (0-65535)' };
  const children = <T extends LwM2MNode>(list: unknown, kind: LwM2MNode['kind']): Narrowed<T[]> => {
    if (!Array.isArray(list)) return { ok: false, error: `${x.kind} needs a list of children` };
    const out: T[] = [];
    for (const c of list) {
      const n = narrowNode(c, budget);
      if (!n.ok) return n;
      if (n.value.kind !== kind) return { ok: false, error: `${x.kind} may only hold ${kind} nodes` };
      out.push(n.value as T);
    }
    return { ok: true, value: out };
  };
  switch (x.kind) {
    case 'resource':
    case 'resourceInstance': {
      const v = narrowValue(x.value);
      return v.ok ? { ok: true, value: { kind: x.kind, id: x.id, value: v.value } } : v;
    }
    case 'multipleResource': {
      const c = children<ResourceInstanceNode>(x.instances, 'resourceInstance');
      return c.ok ? { ok: true, value: { kind: 'multipleResource', id: x.id, instances: c.value } } : c;
    }
    case 'instance': {
      if (!Array.isArray(x.resources)) return { ok: false, error: 'instance needs resources' };
      const out: (LwM2MNode & { kind: 'resource' | 'multipleResource' })[] = [];
      for (const r of x.resources) {
        const n = narrowNode(r, budget);
        if (!n.ok) return n;
        if (n.value.kind !== 'resource' && n.value.kind !== 'multipleResource') return { ok: false, error: 'instance may only hold resources' };
        out.push(n.value);
      }
      return { ok: true, value: { kind: 'instance', id: x.id, resources: out } };
    }
    case 'object': {
      const c = children<LwM2MNode & { kind: 'instance' }>(x.instances, 'instance');
      return c.ok ? { ok: true, value: { kind: 'object', id: x.id, instances: c.value } } : c;
    }
    default:
      return { ok: false, error: 'unknown node kind' };
  }
}

export function narrowOperationRequest(x: unknown): Narrowed<OperationRequest> {
  if (!isObj(x)) return { ok: false, error: 'request must be an object' };
  const op = OPERATION_KINDS.find((k) => k === x.op);
  if (!op) return { ok: false, error: `op must be one of ${OPERATION_KINDS.join(', ')}` };
  if (!str(x.endpoint, 255) || x.endpoint.length === 0) return { ok: false, error: 'request needs an endpoint name of 1 to 255 characters' };
  const request: OperationRequest = { op, endpoint: x.endpoint };
  if (x.path !== undefined) {
    if (!str(x.path, 64)) return { ok: false, error: 'path must be text like /3/0/1' };
    request.path = x.path;
  }
  if (x.value !== undefined) {
    const v = isObj(x.value) && 'kind' in x.value ? narrowNode(x.value) : narrowValue(x.value);
    if (!v.ok) return v;
    request.value = v.value;
  }
  if (x.mode !== undefined) {
    if (x.mode !== 'replace' && x.mode !== 'update') return { ok: false, error: 'mode must be replace or update' };
    request.mode = x.mode as WriteMode;
  }
  if (x.args !== undefined) {
    if (!str(x.args, 255)) return { ok: false, error: 'args must be text of at most 255 characters' };
    request.args = x.args;
  }
  return { ok: true, value: request };
}

export function narrowCredentialInput(x: unknown): Narrowed<CredentialInput> {
  if (!isObj(x) || !str(x.endpoint, 255) || x.endpoint.length === 0) return { ok: false, error: 'credential needs an endpoint name of 1 to 255 characters' };
  switch (x.mode) {
    case 'psk': {
      if (!str(x.identity, 128)) return { ok: false, error: 'psk needs an identity' };
      const c: CredentialInput = { endpoint: x.endpoint, mode: 'psk', identity: x.identity };
      if (x.keyHex !== undefined) {
        if (!str(x.keyHex, 128)) return { ok: false, error: 'keyHex must be hex text' };
        c.keyHex = x.keyHex;
      }
      return { ok: true, value: c };
    }
    case 'rpk':
      return str(x.publicKey, 8192) ? { ok: true, value: { endpoint: x.endpoint, mode: 'rpk', publicKey: x.publicKey } } : { ok: false, error: 'rpk needs a publicKey' };
    case 'x509':
      return { ok: true, value: { endpoint: x.endpoint, mode: 'x509' } };
    default:
      return { ok: false, error: 'mode must be psk, rpk or x509' };
  }
}
