/**
 * Opaque (content format 42, application/octet-stream; LwM2M 1.0 TS §6.4.2): the raw
 * bytes of one Opaque resource or resource instance. Pure.
 */

import { findResource, formatPath, pathLevel, type LwM2MNode, type LwM2MPath, type ObjectModel } from '@lwm2m-console/shared';
import type { NodeResult } from './node-tree.js';

export function decodeOpaque(path: LwM2MPath, payload: Buffer, model: ObjectModel): NodeResult {
  const level = pathLevel(path);
  if (level !== 'resource' && level !== 'resourceInstance') {
    return { ok: false, error: `opaque format carries one resource value, not ${formatPath(path)}` };
  }
  const def = findResource(model, path.objectId, path.resourceId as number);
  if (def && def.type !== 'Opaque') return { ok: false, error: `${formatPath(path)} is ${def.type}, not Opaque` };
  const value = { type: 'opaque' as const, value: payload.toString('base64') };
  return {
    ok: true,
    node: level === 'resource' ? { kind: 'resource', id: path.resourceId as number, value } : { kind: 'resourceInstance', id: path.resourceInstanceId as number, value },
  };
}

export function encodeOpaque(path: LwM2MPath, node: LwM2MNode, model: ObjectModel): { ok: true; bytes: Buffer } | { ok: false; error: string } {
  if (node.kind !== 'resource' && node.kind !== 'resourceInstance') {
    return { ok: false, error: `opaque format carries one resource value, not a ${node.kind}` };
  }
  const def = findResource(model, path.objectId, path.resourceId ?? -1);
  if (def && def.type !== 'Opaque') return { ok: false, error: `${formatPath(path)} is ${def.type}, not Opaque` };
  if (node.value.type !== 'opaque') return { ok: false, error: `opaque format needs an opaque value, not ${node.value.type}` };
  return { ok: true, bytes: Buffer.from(node.value.value, 'base64') };
}
